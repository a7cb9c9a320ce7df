package io.vermilion.log;

import static io.vermilion.log.LogTestKit.add;
import static io.vermilion.log.LogTestKit.assertLogHoldsExactly;
import static io.vermilion.log.LogTestKit.await;
import static io.vermilion.log.LogTestKit.failure;
import static io.vermilion.log.LogTestKit.readLog;
import static io.vermilion.log.LogTestKit.records;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.vermilion.catalog.CollectionMissingException;
import io.vermilion.catalog.FragmentRef;
import io.vermilion.catalog.InMemoryLogCatalog;
import io.vermilion.catalog.LogCatalog;
import io.vermilion.catalog.LogPosition;
import io.vermilion.record.LogRecord;
import io.vermilion.storage.LocalObjectStore;
import io.vermilion.storage.ObjectInfo;
import io.vermilion.testing.RecordingObjectStore;
import io.vermilion.testing.Seeds;

@ExtendWith(Seeds.class)
class LogWriterTest {

    @TempDir
    Path dir;

    private BufferAllocator allocator;
    private ScheduledExecutorService scheduler;
    private ExecutorService io;
    private RecordingObjectStore store;
    private InMemoryLogCatalog catalog;
    private final List<LogWriter> writers = new ArrayList<>();
    private final UUID collection = UUID.randomUUID();

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
        scheduler = Executors.newScheduledThreadPool(2);
        io = Executors.newFixedThreadPool(8);
        store = new RecordingObjectStore(new LocalObjectStore(dir, io));
        catalog = new InMemoryLogCatalog();
        catalog.createCollection(collection);
    }

    @AfterEach
    void close() throws InterruptedException {
        writers.forEach(LogWriter::close);
        scheduler.shutdownNow();
        io.shutdownNow();
        assertTrue(scheduler.awaitTermination(10, TimeUnit.SECONDS) && io.awaitTermination(10, TimeUnit.SECONDS));
        assertEquals(0, allocator.getAllocatedMemory(), "every Arrow buffer is freed");
        allocator.close();
    }

    private LogWriter writer(LogWriterOptions options) {
        LogWriter writer = new LogWriter(store, catalog, allocator, options, scheduler);
        writers.add(writer);
        return writer;
    }

    private List<String> storedKeys() {
        return await(store.list(FragmentKeys.logPrefix(collection))).stream().map(ObjectInfo::key).toList();
    }

    private List<String> recordedKeys() {
        return await(catalog.fragments(collection, 0)).stream().map(FragmentRef::key).toList();
    }

    private LogPosition position() {
        return await(catalog.position(collection)).orElseThrow();
    }

    /** Sends each client's writes from its own thread, each after the previous one was acknowledged. */
    private static void sendConcurrently(List<List<List<LogRecord>>> writes, List<LogWriter> writersByClient,
                                         UUID collection) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(writes.size());
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < writes.size(); c++) {
                List<List<LogRecord>> client = writes.get(c);
                LogWriter writer = writersByClient.get(c);
                done.add(clients.submit(() -> {
                    start.await();
                    for (List<LogRecord> request : client) {
                        await(writer.append(collection, request));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> client : done) {
                client.get(120, TimeUnit.SECONDS);
            }
        } finally {
            clients.shutdownNow();
        }
    }

    @Test
    void concurrentAppendsToOneCollectionAreGroupedIntoGaplessFragments() throws Exception {
        long seed = Seeds.seed("concurrentAppendsToOneCollectionAreGroupedIntoGaplessFragments");
        LogWriter writer = writer(LogWriterOptions.defaults());
        List<List<List<LogRecord>>> writes = LogTestKit.randomWrites(new Random(seed), 16, 50, 4, 3);
        long total = writes.stream().flatMap(List::stream).mapToLong(List::size).sum();

        sendConcurrently(writes, Collections.nCopies(16, writer), collection);

        List<LogTestKit.ReadFragment> log = readLog(store, catalog, allocator, collection);
        assertLogHoldsExactly(log, writes);
        assertTrue(log.size() < 16 * 50, "writes were grouped: " + log.size() + " fragments for 800 writes");
        System.out.println(log.size() + " fragments for 800 writes");
        assertEquals(new LogPosition(total, 3), position());
        assertEquals(1, store.maxPutsInFlight(), "at most one fragment of a collection in flight");
        assertEquals(log.size(), writer.fragmentsCommitted());
        assertEquals(total, writer.recordsCommitted());
        assertEquals(16 * 50, writer.requestsCommitted());
        assertEquals(0, writer.commitConflicts());
        assertEquals(recordedKeys(), storedKeys(), "no object but the recorded fragments");
    }

    @Test
    void writesQueuedBehindACommitShareOneFragmentInArrivalOrder() throws Exception {
        CommitGate gate = new CommitGate(null);
        catalog.setCommitHook(gate);
        LogWriter writer = writer(LogWriterOptions.defaults().withCommitWindow(Duration.ZERO));

        CompletionStage<Void> first = writer.append(collection, List.of(add("a", 1f)));
        gate.awaitHeldCommit();
        List<CompletionStage<Void>> queued = List.of(
                writer.append(collection, List.of(add("b1", 2f), add("b2", 3f))),
                writer.append(collection, List.of(add("c", 4f))),
                writer.append(collection, List.of(add("d1", 5f), add("d2", 6f), add("d3", 7f))));
        gate.open();
        await(first);
        queued.forEach(LogTestKit::await);

        List<LogTestKit.ReadFragment> log = readLog(store, catalog, allocator, collection);
        assertEquals(List.of(new FragmentRef(0, 1, log.get(0).ref().key(), log.get(0).ref().bytes()),
                new FragmentRef(1, 7, log.get(1).ref().key(), log.get(1).ref().bytes())),
                log.stream().map(LogTestKit.ReadFragment::ref).toList());
        assertEquals(List.of("a", "b1", "b2", "c", "d1", "d2", "d3"),
                records(log).stream().map(LogRecord::id).toList());
        assertEquals(2, writer.fragmentsCommitted());
        assertEquals(4, writer.requestsCommitted());
    }

    @Test
    void writesWithinTheCommitWindowShareOneFragment() {
        LogWriter writer = writer(LogWriterOptions.defaults().withCommitWindow(Duration.ofMillis(500)));

        List<CompletionStage<Void>> writes = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            writes.add(writer.append(collection, List.of(add("r" + i, i))));
        }
        writes.forEach(LogTestKit::await);

        List<LogTestKit.ReadFragment> log = readLog(store, catalog, allocator, collection);
        assertEquals(1, log.size());
        assertEquals(List.of("r0", "r1", "r2", "r3", "r4"), records(log).stream().map(LogRecord::id).toList());
    }

    @Test
    void differentCollectionsCommitIndependently() throws Exception {
        UUID other = UUID.randomUUID();
        catalog.createCollection(other);
        CommitGate gate = new CommitGate(collection);
        catalog.setCommitHook(gate);
        LogWriter writer = writer(LogWriterOptions.defaults());

        CompletableFuture<Void> held = writer.append(collection, List.of(add("held", 1f))).toCompletableFuture();
        gate.awaitHeldCommit();
        await(writer.append(other, List.of(add("x", 1f, 2f))));
        await(writer.append(other, List.of(add("y", 3f, 4f))));

        assertFalse(held.isDone(), "the held collection has not committed");
        assertEquals(new LogPosition(2, 2), await(catalog.position(other)).orElseThrow());
        gate.open();
        await(held);
        assertEquals(new LogPosition(1, 1), position());
    }

    @Test
    void batchesAreCutAtMaxRecordsButAWriteIsNeverSplit() throws Exception {
        CommitGate gate = new CommitGate(null);
        catalog.setCommitHook(gate);
        LogWriter writer = writer(LogWriterOptions.defaults().withCommitWindow(Duration.ZERO).withMaxRecordsPerFragment(10));

        List<CompletionStage<Void>> writes = new ArrayList<>();
        writes.add(writer.append(collection, List.of(add("first", 1f))));
        gate.awaitHeldCommit();
        for (int w = 1; w <= 5; w++) {
            List<LogRecord> request = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                request.add(add("w" + w + "-" + i, i));
            }
            writes.add(writer.append(collection, request));
        }
        List<LogRecord> oversized = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            oversized.add(add("big-" + i, i));
        }
        writes.add(writer.append(collection, oversized));
        gate.open();
        writes.forEach(LogTestKit::await);

        assertEquals(List.of(1L, 8L, 8L, 4L, 15L), await(catalog.fragments(collection, 0)).stream()
                .map(FragmentRef::recordCount).toList());
    }

    @Test
    void twoWritersOnOneCatalogResolveConflictsWithoutLossOrDuplication() throws Exception {
        long seed = Seeds.seed("twoWritersOnOneCatalogResolveConflictsWithoutLossOrDuplication");
        // This test is about correctness under conflicts. Fairness between two saturating writers is probabilistic
        // (random back-off); with the default 10 attempts a write gave up in 0 of 150 runs, allow more here anyway.
        LogWriterOptions options = LogWriterOptions.defaults().withMaxCommitAttempts(100);
        LogWriter replicaA = writer(options);
        LogWriter replicaB = writer(options);

        // A caches the log's end, B moves it on: A's next commit must conflict, reload and land after B's fragment.
        List<List<LogRecord>> prelude = List.of(List.of(add("a-0", 0f)), List.of(add("b-0", 1f)), List.of(add("a-1", 2f)));
        await(replicaA.append(collection, prelude.get(0)));
        await(replicaB.append(collection, prelude.get(1)));
        await(replicaA.append(collection, prelude.get(2)));
        assertEquals(1, replicaA.commitConflicts());
        assertEquals(0, replicaB.commitConflicts());

        List<List<List<LogRecord>>> writes = LogTestKit.randomWrites(new Random(seed), 8, 25, 3, 1);
        List<LogWriter> byClient = new ArrayList<>();
        for (int c = 0; c < 8; c++) {
            byClient.add(c % 2 == 0 ? replicaA : replicaB);
        }
        sendConcurrently(writes, byClient, collection);

        List<List<List<LogRecord>>> all = new ArrayList<>(writes);
        all.add(prelude);
        List<LogTestKit.ReadFragment> log = readLog(store, catalog, allocator, collection);
        assertLogHoldsExactly(log, all);
        assertEquals(log.size(), replicaA.fragmentsCommitted() + replicaB.fragmentsCommitted());
        assertEquals(recordedKeys(), storedKeys(), "fragments of lost commits were deleted");
        System.out.println("conflicts: A=" + replicaA.commitConflicts() + " B=" + replicaB.commitConflicts()
                + ", fragments=" + log.size());
    }

    @Test
    void dimensionMismatchWithTheCollectionFailsOnlyThatWrite() throws Exception {
        LogWriter writer = writer(LogWriterOptions.defaults().withCommitWindow(Duration.ZERO));
        await(writer.append(collection, List.of(add("fixes-dimension", 1f, 2f, 3f))));
        CommitGate gate = new CommitGate(null);
        catalog.setCommitHook(gate);

        CompletionStage<Void> held = writer.append(collection, List.of(add("held", 1f, 1f, 1f)));
        gate.awaitHeldCommit();
        CompletionStage<Void> same = writer.append(collection, List.of(add("same", 4f, 5f, 6f)));
        CompletionStage<Void> wrong = writer.append(collection, List.of(add("wrong-1", 1f, 2f, 3f, 4f), add("wrong-2", 1f, 2f, 3f, 4f)));
        CompletionStage<Void> noEmbedding = writer.append(collection, List.of(LogRecord.delete("fixes-dimension")));
        gate.open();

        DimensionMismatchException mismatch = failure(wrong, DimensionMismatchException.class);
        assertEquals("Collection expecting embedding with dimension of 3, got 4", mismatch.getMessage());
        assertEquals(3, mismatch.expected());
        assertEquals(4, mismatch.got());
        await(held);
        await(same);
        await(noEmbedding);
        List<LogTestKit.ReadFragment> log = readLog(store, catalog, allocator, collection);
        assertEquals(List.of("fixes-dimension", "held", "same", "fixes-dimension"),
                records(log).stream().map(LogRecord::id).toList());
        assertEquals(List.of(1L, 1L, 2L), log.stream().map(f -> f.ref().recordCount()).toList());
        assertEquals(new LogPosition(4, 3), position());
    }

    @Test
    void firstWriteWithEmbeddingsInABatchFixesANewCollectionsDimension() throws Exception {
        CommitGate gate = new CommitGate(null);
        catalog.setCommitHook(gate);
        LogWriter writer = writer(LogWriterOptions.defaults().withCommitWindow(Duration.ZERO));

        CompletionStage<Void> held = writer.append(collection, List.of(LogRecord.delete("nothing-yet")));
        gate.awaitHeldCommit();
        CompletionStage<Void> deleteOnly = writer.append(collection, List.of(LogRecord.delete("x")));
        CompletionStage<Void> two = writer.append(collection, List.of(add("two", 1f, 2f)));
        CompletionStage<Void> five = writer.append(collection, List.of(add("five", 1f, 2f, 3f, 4f, 5f)));
        CompletionStage<Void> twoAgain = writer.append(collection, List.of(add("two-again", 3f, 4f)));
        gate.open();

        await(held);
        assertEquals("Collection expecting embedding with dimension of 2, got 5",
                failure(five, DimensionMismatchException.class).getMessage());
        await(deleteOnly);
        await(two);
        await(twoAgain);
        assertEquals(new LogPosition(4, 2), position());
        assertEquals(List.of("nothing-yet", "x", "two", "two-again"),
                records(readLog(store, catalog, allocator, collection)).stream().map(LogRecord::id).toList());
    }

    @Test
    void dimensionFixedByAnotherWriterIsEnforcedAfterTheConflict() {
        LogWriter replicaA = writer(LogWriterOptions.defaults());
        LogWriter replicaB = writer(LogWriterOptions.defaults());
        await(replicaA.append(collection, List.of(LogRecord.delete("a")))); // A caches: no dimension yet
        await(replicaB.append(collection, List.of(add("b", 1f, 2f, 3f, 4f)))); // B fixes 4

        DimensionMismatchException mismatch = failure(
                replicaA.append(collection, List.of(add("c", 1f, 2f, 3f))), DimensionMismatchException.class);

        assertEquals("Collection expecting embedding with dimension of 4, got 3", mismatch.getMessage());
        assertEquals(1, replicaA.commitConflicts());
        assertEquals(new LogPosition(2, 4), position());
        assertEquals(recordedKeys(), storedKeys());
    }

    @Test
    void failedCommitFailsTheWriteAndRecordsNothing() {
        RuntimeException outage = new IllegalStateException("catalog unavailable");
        AtomicInteger commits = new AtomicInteger();
        catalog.setCommitHook((c, fragment, dimension) -> {
            if (commits.incrementAndGet() == 1) {
                throw outage;
            }
            return null;
        });
        LogWriter writer = writer(LogWriterOptions.defaults());

        assertSame(outage, failure(writer.append(collection, List.of(add("lost", 1f))), IllegalStateException.class));
        assertEquals(new LogPosition(0, null), position());
        assertEquals(List.of(), recordedKeys());
        assertEquals(1, storedKeys().size(), "the unrecorded fragment stays for the garbage collector");

        await(writer.append(collection, List.of(add("kept", 2f))));
        assertEquals(List.of("kept"), records(readLog(store, catalog, allocator, collection)).stream().map(LogRecord::id).toList());
        assertEquals(new LogPosition(1, 1), position());
    }

    @Test
    void commitWithUnknownOutcomeFailsTheWriteButKeepsItsFragment() {
        // The catalog records the fragment, then the answer is lost: the writer must not delete the fragment, and
        // must reload the log's end before its next commit.
        AtomicBoolean loseAnswer = new AtomicBoolean(true);
        LogCatalog lossy = new LogCatalog() {
            @Override
            public CompletionStage<Optional<LogPosition>> position(UUID c) {
                return catalog.position(c);
            }

            @Override
            public CompletionStage<CommitResult> commit(UUID c, FragmentRef fragment, Integer dimension) {
                return catalog.commit(c, fragment, dimension).thenApply(result -> {
                    if (loseAnswer.getAndSet(false)) {
                        throw new IllegalStateException("connection reset");
                    }
                    return result;
                });
            }

            @Override
            public CompletionStage<List<FragmentRef>> fragments(UUID c, long fromOffset) {
                return catalog.fragments(c, fromOffset);
            }

            @Override
            public CompletionStage<Integer> forget(UUID c, long beforeOffset) {
                return catalog.forget(c, beforeOffset);
            }
        };
        LogWriter writer = new LogWriter(store, lossy, allocator, LogWriterOptions.defaults(), scheduler);
        writers.add(writer);

        assertEquals("connection reset",
                failure(writer.append(collection, List.of(add("maybe", 1f))), IllegalStateException.class).getMessage());
        await(writer.append(collection, List.of(add("next", 2f))));

        assertEquals(List.of("maybe", "next"),
                records(readLog(store, catalog, allocator, collection)).stream().map(LogRecord::id).toList());
        assertEquals(0, writer.commitConflicts(), "the position was reloaded, not guessed");
        assertEquals(recordedKeys(), storedKeys());
    }

    @Test
    void failedPutFailsTheWriteAndRecordsNothing() {
        RuntimeException full = new IllegalStateException("disk full");
        store.failPuts(key -> full);
        LogWriter writer = writer(LogWriterOptions.defaults());

        assertSame(full, failure(writer.append(collection, List.of(add("lost", 1f))), IllegalStateException.class));
        assertEquals(new LogPosition(0, null), position());
        assertEquals(List.of(), recordedKeys());
        assertEquals(List.of(), storedKeys());

        store.failPuts(key -> null);
        await(writer.append(collection, List.of(add("kept", 1f, 2f))));
        assertEquals(new LogPosition(1, 2), position());
    }

    @Test
    void conflictsAreRetriedAtTheNewEndOfTheLog() {
        AtomicInteger commits = new AtomicInteger();
        catalog.setCommitHook((c, fragment, dimension) ->
                commits.incrementAndGet() <= 2 ? LogCatalog.CommitResult.CONFLICT : null);
        LogWriter writer = writer(LogWriterOptions.defaults());

        await(writer.append(collection, List.of(add("a", 1f), add("b", 2f))));

        assertEquals(3, commits.get());
        assertEquals(2, writer.commitConflicts());
        assertEquals(1, writer.fragmentsCommitted());
        assertEquals(new LogPosition(2, 1), position());
        assertEquals(recordedKeys(), storedKeys(), "the refused fragments were deleted");
    }

    @Test
    void endlessConflictsFailTheWriteAfterMaxAttempts() {
        AtomicInteger commits = new AtomicInteger();
        catalog.setCommitHook((c, fragment, dimension) -> {
            commits.incrementAndGet();
            return LogCatalog.CommitResult.CONFLICT;
        });
        LogWriter writer = writer(LogWriterOptions.defaults().withMaxCommitAttempts(3));

        CommitConflictException gaveUp = failure(writer.append(collection, List.of(add("a", 1f))), CommitConflictException.class);

        assertEquals(3, gaveUp.attempts());
        assertEquals(3, commits.get());
        assertEquals(3, writer.commitConflicts());
        assertEquals(List.of(), storedKeys());
        assertEquals(new LogPosition(0, null), position());
    }

    @Test
    void writeToMissingCollectionFailsWithCollectionMissing() {
        UUID missing = UUID.randomUUID();
        LogWriter writer = writer(LogWriterOptions.defaults());

        CollectionMissingException failure = failure(writer.append(missing, List.of(add("a", 1f))), CollectionMissingException.class);

        assertEquals("Collection [" + missing + "] does not exist.", failure.getMessage());
        assertEquals(List.of(), await(store.list("")));
    }

    @Test
    void collectionDroppedAfterItsPositionWasCachedFailsTheWriteAndLeavesNoFragment() {
        LogWriter writer = writer(LogWriterOptions.defaults());
        await(writer.append(collection, List.of(add("a", 1f))));
        List<String> before = storedKeys();
        catalog.dropCollection(collection);

        failure(writer.append(collection, List.of(add("b", 1f))), CollectionMissingException.class);

        assertEquals(before, storedKeys());
    }

    @Test
    void unencodableRecordFailsOnlyItsWrite() throws Exception {
        CommitGate gate = new CommitGate(null);
        catalog.setCommitHook(gate);
        LogWriter writer = writer(LogWriterOptions.defaults().withCommitWindow(Duration.ZERO));

        CompletionStage<Void> held = writer.append(collection, List.of(add("held", 1f)));
        gate.awaitHeldCommit();
        CompletionStage<Void> good = writer.append(collection, List.of(add("good", 1f)));
        CompletionStage<Void> bad = writer.append(collection, List.of(add("bad\uD800", 1f)));
        CompletionStage<Void> alsoGood = writer.append(collection, List.of(add("also-good", 1f)));
        gate.open();

        failure(bad, IllegalArgumentException.class);
        await(held);
        await(good);
        await(alsoGood);
        assertEquals(List.of("held", "good", "also-good"),
                records(readLog(store, catalog, allocator, collection)).stream().map(LogRecord::id).toList());
    }

    @Test
    void emptyWriteIsRefused() {
        LogWriter writer = writer(LogWriterOptions.defaults());

        failure(writer.append(collection, List.of()), IllegalArgumentException.class);

        assertEquals(new LogPosition(0, null), position());
    }

    @Test
    void closeCommitsWaitingWritesAtOnceAndRefusesNewOnes() {
        LogWriter writer = writer(LogWriterOptions.defaults().withCommitWindow(Duration.ofHours(1)));
        CompletableFuture<Void> waiting = writer.append(collection, List.of(add("a", 1f))).toCompletableFuture();
        assertFalse(waiting.isDone());

        writer.close();

        assertTrue(waiting.isDone() && !waiting.isCompletedExceptionally(), "the waiting write was committed");
        assertEquals(new LogPosition(1, 1), position());
        failure(writer.append(collection, List.of(add("b", 1f))), LogWriterClosedException.class);
    }

    @Test
    void closeFailsWritesThatDoNotCommitInTime() throws Exception {
        CommitGate gate = new CommitGate(null);
        catalog.setCommitHook(gate);
        LogWriter writer = writer(LogWriterOptions.defaults().withCloseTimeout(Duration.ofMillis(200)));
        try {
            CompletionStage<Void> held = writer.append(collection, List.of(add("held", 1f)));
            gate.awaitHeldCommit();

            writer.close();

            failure(held, LogWriterClosedException.class);
        } finally {
            gate.open();
        }
    }
}
