package io.vermilion.executor;

import static io.vermilion.log.LogTestKit.add;
import static io.vermilion.log.LogTestKit.await;
import static io.vermilion.log.LogTestKit.failure;
import static io.vermilion.testing.TestData.md;
import static io.vermilion.testing.TestData.vec;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.vermilion.catalog.CollectionMissingException;
import io.vermilion.catalog.FragmentRef;
import io.vermilion.catalog.InMemoryLogCatalog;
import io.vermilion.catalog.LogCatalog;
import io.vermilion.catalog.LogPosition;
import io.vermilion.log.CorruptFragmentException;
import io.vermilion.log.FragmentKeys;
import io.vermilion.log.FragmentWriter;
import io.vermilion.log.LogTestKit;
import io.vermilion.log.LogWriter;
import io.vermilion.log.LogWriterListener;
import io.vermilion.log.LogWriterOptions;
import io.vermilion.model.CollectionSnapshot;
import io.vermilion.model.GetRequest;
import io.vermilion.model.MutableCollectionState;
import io.vermilion.index.SearchParameters;
import io.vermilion.env.Environment;
import io.vermilion.record.LogRecord;
import io.vermilion.record.MetadataValue;
import io.vermilion.record.Operation;
import io.vermilion.record.Record;
import io.vermilion.storage.LocalObjectStore;
import io.vermilion.testing.RecordingObjectStore;
import io.vermilion.testing.TestData;

class CollectionStateCacheTest {

    @TempDir
    Path dir;

    private BufferAllocator allocator;
    private ScheduledExecutorService scheduler;
    private ExecutorService io;
    private RecordingObjectStore store;
    private InMemoryLogCatalog catalog;
    private LogWriter writer;
    private CollectionStateCache cache;
    private final UUID collection = UUID.randomUUID();

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
        scheduler = Executors.newScheduledThreadPool(2);
        io = Executors.newFixedThreadPool(4);
        store = new RecordingObjectStore(new LocalObjectStore(dir, io));
        catalog = new InMemoryLogCatalog();
        catalog.createCollection(collection);
        writer = new LogWriter(store, catalog, allocator, LogWriterOptions.defaults().withCommitWindow(Duration.ZERO),
                scheduler);
        cache = new CollectionStateCache(store, catalog, allocator, io);
    }

    @AfterEach
    void close() throws InterruptedException {
        writer.close();
        scheduler.shutdownNow();
        io.shutdownNow();
        assertTrue(scheduler.awaitTermination(10, TimeUnit.SECONDS) && io.awaitTermination(10, TimeUnit.SECONDS));
        assertEquals(0, allocator.getAllocatedMemory());
        allocator.close();
    }

    private CollectionSnapshot snapshot() {
        return await(cache.snapshot(collection));
    }

    private List<String> recordedKeys() {
        return await(catalog.fragments(collection, 0)).stream().map(FragmentRef::key).toList();
    }

    private static LogRecord write(Operation operation, String id, float[] embedding, Map<String, MetadataValue> metadata,
                                   String document) {
        return new LogRecord(operation, id, embedding, metadata, document, null);
    }

    /** Same ids in the same order, and the same fields in every record. */
    private static void assertSameRecords(CollectionSnapshot expected, CollectionSnapshot actual, String context) {
        assertEquals(TestData.ids(expected.records()), TestData.ids(actual.records()), context);
        for (Record want : expected.records()) {
            Record got = actual.get(want.id());
            assertArrayEquals(want.embedding(), got.embedding(), context + " " + want.id());
            assertEquals(want.metadata(), got.metadata(), context + " " + want.id());
            assertEquals(want.document(), got.document(), context + " " + want.id());
            assertEquals(want.uri(), got.uri(), context + " " + want.id());
        }
    }

    @Test
    void everyAcknowledgedWriteIsInTheNextSnapshot() {
        for (int i = 0; i < 50; i++) {
            await(writer.append(collection, List.of(add("r" + i, i, i))));

            CollectionSnapshot snapshot = snapshot();

            assertEquals(i + 1, snapshot.size());
            assertArrayEquals(vec(i, i), snapshot.get("r" + i).embedding());
        }
    }

    @Test
    void appliesChromaSemanticsAcrossFragments() {
        await(writer.append(collection, List.of(
                write(Operation.ADD, "a", vec(1, 1), md("x", 1, "keep", "k"), "doc a"),
                write(Operation.ADD, "b", vec(2, 2), null, "doc b"))));
        await(writer.append(collection, List.of(write(Operation.ADD, "a", vec(9, 9), md("x", 9), "ignored"))));
        await(writer.append(collection, List.of(write(Operation.UPSERT, "a", null, md("x", null, "y", 2.5), null))));
        await(writer.append(collection, List.of(write(Operation.UPDATE, "missing", vec(3, 3), null, "ignored"))));
        await(writer.append(collection, List.of(write(Operation.UPSERT, "c", vec(3, 3), md("z", true), null))));
        await(writer.append(collection, List.of(LogRecord.delete("b"))));
        await(writer.append(collection, List.of(write(Operation.UPDATE, "c", null, null, "doc c"))));
        assertEquals(7, recordedKeys().size());

        CollectionSnapshot snapshot = snapshot();

        assertEquals(List.of("a", "c"), TestData.ids(snapshot.records()));
        Record a = snapshot.get("a");
        assertArrayEquals(vec(1, 1), a.embedding());
        assertEquals(md("keep", "k", "y", 2.5), a.metadata());
        assertEquals("doc a", a.document());
        Record c = snapshot.get("c");
        assertArrayEquals(vec(3, 3), c.embedding());
        assertEquals(md("z", true), c.metadata());
        assertEquals("doc c", c.document());
        assertNull(snapshot.get("b"));
        assertNull(snapshot.get("missing"));
    }

    /**
     * Chroma's {@code index_and_bounded_wal} over a log without a version: the view holds the oldest {@code k} log
     * operations only, cut inside a fragment when the bound falls there; a bound past the end reads it all.
     */
    @Test
    void boundedViewHoldsTheOldestOperationsUpToTheBound() {
        await(writer.append(collection, List.of(add("a", 1, 1), add("b", 2, 2))));
        await(writer.append(collection, List.of(write(Operation.UPSERT, "a", null, md("x", 2), null))));
        await(writer.append(collection, List.of(LogRecord.delete("b"))));
        await(writer.append(collection, List.of(add("c", 3, 3), add("d", 4, 4), add("e", 5, 5))));
        LogPosition end = await(catalog.position(collection)).orElseThrow();
        assertEquals(7, end.nextOffset());
        Map<Long, List<String>> expected = new LinkedHashMap<>();
        expected.put(0L, List.of());
        expected.put(1L, List.of("a"));
        expected.put(2L, List.of("a", "b"));
        expected.put(3L, List.of("a", "b"));
        expected.put(4L, List.of("a"));
        expected.put(5L, List.of("a", "c")); // inside the last fragment
        expected.put(6L, List.of("a", "c", "d"));
        expected.put(7L, List.of("a", "c", "d", "e"));
        expected.put(1000L, List.of("a", "c", "d", "e"));
        for (Map.Entry<Long, List<String>> e : expected.entrySet()) {
            try (CollectionView view = await(cache.boundedView(collection, end, null, e.getKey()))) {
                List<Record> records = view.get(GetRequest.all());
                assertEquals(e.getValue(), TestData.ids(records), "bound " + e.getKey());
                assertEquals(e.getValue().size(), view.count(), "bound " + e.getKey());
                if (e.getKey() >= 3) {
                    assertEquals(md("x", 2), records.get(0).metadata(), "the upsert is the third operation");
                }
            }
        }
        assertEquals(List.of("a", "c", "d", "e"), TestData.ids(snapshot().records()), "the held state is whole");

        // The prefix for a bound never changes: the last one read is kept, and the next read of it reads no log.
        try (CollectionView first = await(cache.boundedView(collection, end, null, 5))) {
            assertEquals(List.of("a", "c"), TestData.ids(first.get(GetRequest.all())));
        }
        long kept = cache.boundedViewsKept();
        int reads = store.totalGets();
        await(writer.append(collection, List.of(add("f", 6, 6)))); // the log grows past the bound: the prefix stays
        LogPosition later = await(catalog.position(collection)).orElseThrow();
        try (CollectionView again = await(cache.boundedView(collection, later, null, 5))) {
            assertEquals(List.of("a", "c"), TestData.ids(again.get(GetRequest.all())));
        }
        assertEquals(kept + 1, cache.boundedViewsKept());
        assertEquals(reads, store.totalGets(), "no fragment read again");
    }

    @Test
    void snapshotsMatchAReferenceModelOverRandomWrites() {
        long seed = Long.getLong("tests.seed", new Random().nextLong());
        System.out.println("snapshotsMatchAReferenceModelOverRandomWrites seed=" + seed);
        Random random = new Random(seed);
        MutableCollectionState model = new MutableCollectionState();
        Operation[] operations = Operation.values();

        for (int round = 0; round < 60; round++) {
            // A few writes at once (they may share fragments), then a read.
            List<CompletionStage<Void>> acks = new ArrayList<>();
            for (int w = random.nextInt(4); w >= 0; w--) {
                List<LogRecord> request = new ArrayList<>();
                for (int r = random.nextInt(3); r >= 0; r--) {
                    Operation op = operations[random.nextInt(operations.length)];
                    String id = "id" + random.nextInt(12);
                    request.add(op == Operation.DELETE ? LogRecord.delete(id) : write(op, id,
                            op == Operation.UPDATE && random.nextBoolean() ? null : vec(random.nextFloat(), random.nextFloat()),
                            randomMetadata(random), random.nextInt(3) == 0 ? null : "doc" + random.nextInt(5)));
                }
                model.applyAll(request);
                acks.add(writer.append(collection, request));
            }
            acks.forEach(LogTestKit::await);

            assertSameRecords(model.snapshot(), snapshot(), "round " + round + " (seed " + seed + ")");
        }
        CollectionStateCache cold = new CollectionStateCache(store, catalog, allocator, io);
        assertSameRecords(model.snapshot(), await(cold.snapshot(collection)), "rebuilt from the whole log");
    }

    private static Map<String, MetadataValue> randomMetadata(Random random) {
        if (random.nextInt(3) == 0) {
            return null;
        }
        Map<String, MetadataValue> metadata = new LinkedHashMap<>();
        for (int k = random.nextInt(3); k >= 0; k--) {
            String key = "k" + random.nextInt(4);
            metadata.put(key, switch (random.nextInt(5)) {
                case 0 -> null; // deletes the key on update/upsert
                case 1 -> new MetadataValue.Int(random.nextInt(100));
                case 2 -> new MetadataValue.Flt(random.nextInt(100) / 4.0);
                case 3 -> new MetadataValue.Bool(random.nextBoolean());
                default -> new MetadataValue.Str("s" + random.nextInt(10));
            });
        }
        return metadata;
    }

    @Test
    void concurrentSnapshotsReadAndApplyEachFragmentOnce() {
        for (int i = 0; i < 5; i++) {
            await(writer.append(collection, List.of(add("r" + i, i))));
        }
        CompletableFuture<Void> gate = store.closeGetGate();

        List<CompletionStage<CollectionSnapshot>> snapshots = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            snapshots.add(cache.snapshot(collection)); // all see the same log end; one catches up, the rest wait for it
        }
        gate.complete(null);

        CollectionSnapshot first = await(snapshots.get(0));
        assertEquals(List.of("r0", "r1", "r2", "r3", "r4"), TestData.ids(first.records()));
        for (CompletionStage<CollectionSnapshot> snapshot : snapshots) {
            assertEquals(first.records(), await(snapshot).records());
        }
        for (String key : recordedKeys()) {
            assertEquals(1, store.getsOf(key), key);
        }
        assertEquals(first.records(), snapshot().records(), "nothing new: the same records, without reading");
        assertEquals(5, store.totalGets());
    }

    @Test
    void snapshotsRacingWithWritesApplyEachFragmentOnce() throws Exception {
        int writes = 200;
        AtomicBoolean writing = new AtomicBoolean(true);
        ExecutorService readers = Executors.newFixedThreadPool(4);
        try {
            CountDownLatch started = new CountDownLatch(4);
            List<Future<Integer>> reads = new ArrayList<>();
            for (int r = 0; r < 4; r++) {
                reads.add(readers.submit(() -> {
                    started.countDown();
                    int previous = 0;
                    int count = 0;
                    while (writing.get()) {
                        int size = snapshot().size();
                        assertTrue(size >= previous, "a later snapshot never has fewer records");
                        previous = size;
                        count++;
                    }
                    return count;
                }));
            }
            started.await();
            for (int i = 0; i < writes; i++) {
                await(writer.append(collection, List.of(add("r" + i, i))));
                assertNotNull(snapshot().get("r" + i), "acknowledged write r" + i + " is visible");
            }
            writing.set(false);
            for (Future<Integer> read : reads) {
                assertTrue(read.get(60, TimeUnit.SECONDS) > 0);
            }
        } finally {
            writing.set(false);
            readers.shutdownNow();
        }

        assertEquals(writes, snapshot().size());
        for (String key : recordedKeys()) {
            assertEquals(1, store.getsOf(key), "fragment read once: " + key);
        }
    }

    @Test
    void writesOfAnotherReplicaAreInTheNextSnapshot() {
        LogWriter otherReplica = new LogWriter(store, catalog, allocator, LogWriterOptions.defaults(), scheduler);
        try {
            for (int i = 0; i < 10; i++) {
                LogWriter replica = i % 2 == 0 ? writer : otherReplica;
                await(replica.append(collection, List.of(add("r" + i, i))));

                assertEquals(i + 1, snapshot().size());
            }
        } finally {
            otherReplica.close();
        }
    }

    /** A writer whose recorded fragments go straight into {@link #cache}, as the service wires its replica's. */
    private LogWriter writeThroughWriter() {
        return new LogWriter(store, catalog, allocator, LogWriterOptions.defaults().withCommitWindow(Duration.ZERO),
                scheduler, LogWriterListener.NONE, Environment.system(), cache::committed);
    }

    @Test
    void ownWritesAreAppliedAtWriteTimeAndNeverReadBackFromTheStore() {
        try (LogWriter own = writeThroughWriter()) {
            for (int i = 0; i < 20; i++) {
                await(own.append(collection, List.of(add("r" + i, i, i))));

                CollectionSnapshot snapshot = snapshot();

                assertEquals(i + 1, snapshot.size());
                assertArrayEquals(vec(i, i), snapshot.get("r" + i).embedding());
            }
        }

        assertEquals(0, store.totalGets(), "no fragment read back");
        assertEquals(20, cache.ownFragmentsApplied());
        assertEquals(recordedKeys().size(), 20);
    }

    @Test
    void ownWritesInterleavedWithAnotherReplicasMatchAReferenceModel() {
        long seed = Long.getLong("tests.seed", new Random().nextLong());
        System.out.println("ownWritesInterleavedWithAnotherReplicasMatchAReferenceModel seed=" + seed);
        Random random = new Random(seed);
        MutableCollectionState model = new MutableCollectionState();
        Operation[] operations = Operation.values();
        try (LogWriter own = writeThroughWriter()) {
            for (int round = 0; round < 60; round++) {
                // Mostly this replica's writes; sometimes the other replica's (writer) come between them.
                for (int w = random.nextInt(4); w >= 0; w--) {
                    List<LogRecord> request = new ArrayList<>();
                    for (int r = random.nextInt(3); r >= 0; r--) {
                        Operation op = operations[random.nextInt(operations.length)];
                        String id = "id" + random.nextInt(12);
                        request.add(op == Operation.DELETE ? LogRecord.delete(id) : write(op, id,
                                op == Operation.UPDATE && random.nextBoolean() ? null
                                        : vec(random.nextFloat(), random.nextFloat()),
                                randomMetadata(random), random.nextInt(3) == 0 ? null : "doc" + random.nextInt(5)));
                    }
                    model.applyAll(request);
                    await((random.nextInt(5) == 0 ? writer : own).append(collection, request));
                }
                if (random.nextBoolean()) {
                    assertSameRecords(model.snapshot(), snapshot(), "round " + round + " (seed " + seed + ")");
                }
            }
        }
        assertSameRecords(model.snapshot(), snapshot(), "at the end (seed " + seed + ")");
        assertTrue(cache.ownFragmentsApplied() > 0, "seed " + seed);
        CollectionStateCache cold = new CollectionStateCache(store, catalog, allocator, io);
        assertSameRecords(model.snapshot(), await(cold.snapshot(collection)), "rebuilt from the whole log");
    }

    @Test
    void ownWritesPastTheWriteThroughLimitDropTheStateAndTheNextReadTakesThemFromTheLog() {
        UUID sizing = UUID.randomUUID();
        catalog.createCollection(sizing);
        await(writer.append(sizing, List.of(add("r0", 0f, 0f))));
        long fragmentBytes = await(catalog.fragments(sizing, 0)).getFirst().bytes();
        CollectionStateCache limited = new CollectionStateCache(store, catalog, null, null, SearchParameters.DEFAULTS,
                allocator, io, Environment.system(), Long.MAX_VALUE, fragmentBytes * 5 / 2);
        try (LogWriter own = new LogWriter(store, catalog, allocator,
                LogWriterOptions.defaults().withCommitWindow(Duration.ZERO), scheduler, LogWriterListener.NONE,
                Environment.system(), limited::committed)) {
            for (int i = 0; i < 5; i++) {
                await(own.append(collection, List.of(add("r" + i, i, i))));
            }
        }
        int getsBefore = store.totalGets();

        CollectionSnapshot snapshot = await(limited.snapshot(collection));

        assertEquals(List.of("r0", "r1", "r2", "r3", "r4"), TestData.ids(snapshot.records()));
        assertArrayEquals(vec(4, 4), snapshot.get("r4").embedding());
        assertEquals(2, limited.ownFragmentsApplied(), "two fragments fit in two and a half");
        assertEquals(1, limited.writeThroughsDropped());
        assertEquals(5, store.totalGets() - getsBefore, "the dropped state is rebuilt from the whole log");
    }

    @Test
    void ownFragmentThatCannotBeAppliedIsReadFromTheLogInstead() {
        await(writer.append(collection, List.of(add("r0", 0f))));
        assertEquals(1, snapshot().size()); // the state ends at offset 1
        await(writer.append(collection, List.of(add("r1", 1f))));
        FragmentRef second = await(catalog.fragments(collection, 1)).getFirst();

        cache.committed(collection, second, new byte[] {1, 2, 3}); // not a fragment: the state is given up

        assertEquals(List.of("r0", "r1"), TestData.ids(snapshot().records()));
        assertEquals(0, cache.ownFragmentsApplied());
    }

    @Test
    void ownFragmentOfACollectionNotHeldIsLeftToTheNextRead() {
        await(writer.append(collection, List.of(add("r0", 0f))));
        await(writer.append(collection, List.of(add("r1", 1f))));
        FragmentRef second = await(catalog.fragments(collection, 1)).getFirst();

        cache.committed(collection, second, await(store.get(second.key())));

        assertEquals(List.of("r0", "r1"), TestData.ids(snapshot().records()));
        assertEquals(0, cache.ownFragmentsApplied(), "the state did not start at offset 1");
    }

    @Test
    void unrecordedFragmentsAreNeverRead() {
        String orphan = FragmentKeys.newFragmentKey(collection, 0);
        await(store.put(orphan, new FragmentWriter(allocator).write(List.of(add("ghost", 1f)), 0)));
        await(writer.append(collection, List.of(add("real", 2f))));
        String ahead = FragmentKeys.newFragmentKey(collection, 1);
        await(store.put(ahead, new FragmentWriter(allocator).write(List.of(add("ghost-ahead", 3f)), 1)));

        assertEquals(List.of("real"), TestData.ids(snapshot().records()));
        assertEquals(0, store.getsOf(orphan));
        assertEquals(0, store.getsOf(ahead));
    }

    @Test
    void missingCollectionFailsWithCollectionMissing() {
        UUID missing = UUID.randomUUID();
        assertEquals(missing, failure(cache.snapshot(missing), CollectionMissingException.class).collection());

        await(writer.append(collection, List.of(add("a", 1f))));
        assertEquals(1, snapshot().size());
        catalog.dropCollection(collection);

        failure(cache.snapshot(collection), CollectionMissingException.class);
    }

    @Test
    void collectionDroppedWhileCatchingUpFailsWithCollectionMissing() {
        await(writer.append(collection, List.of(add("a", 1f))));
        LogCatalog droppingCatalog = new LogCatalog() {
            @Override
            public CompletionStage<Optional<LogPosition>> position(UUID c) {
                return catalog.position(c);
            }

            @Override
            public CompletionStage<CommitResult> commit(UUID c, FragmentRef fragment, Integer dimension) {
                return catalog.commit(c, fragment, dimension);
            }

            @Override
            public CompletionStage<List<FragmentRef>> fragments(UUID c, long fromOffset) {
                catalog.dropCollection(c); // between reading the position and the fragments
                return catalog.fragments(c, fromOffset);
            }

            @Override
            public CompletionStage<Integer> forget(UUID c, long beforeOffset) {
                return catalog.forget(c, beforeOffset);
            }
        };
        CollectionStateCache racing = new CollectionStateCache(store, droppingCatalog, allocator, io);

        failure(racing.snapshot(collection), CollectionMissingException.class);
    }

    @Test
    void evictedCollectionIsRebuiltFromTheLog() {
        await(writer.append(collection, List.of(add("a", 1f))));
        await(writer.append(collection, List.of(add("b", 2f))));
        CollectionSnapshot before = snapshot();

        cache.evict(collection);
        CollectionSnapshot after = snapshot();

        assertSameRecords(before, after, "rebuilt");
        for (String key : recordedKeys()) {
            assertEquals(2, store.getsOf(key));
        }
    }

    @Test
    void failedReadIsRetriedByTheNextSnapshot() {
        await(writer.append(collection, List.of(add("a", 1f))));
        await(writer.append(collection, List.of(write(Operation.UPSERT, "a", null, md("n", 1), null))));
        await(writer.append(collection, List.of(add("b", 2f))));
        String second = recordedKeys().get(1);
        RuntimeException outage = new IllegalStateException("store unavailable");
        store.failGets(key -> key.equals(second) ? outage : null);

        assertSame(outage, failure(cache.snapshot(collection), IllegalStateException.class));

        store.failGets(key -> null);
        CollectionSnapshot snapshot = snapshot();
        assertEquals(List.of("a", "b"), TestData.ids(snapshot.records()));
        assertEquals(md("n", 1), snapshot.get("a").metadata());
    }

    @Test
    void corruptRecordedFragmentFailsTheSnapshotNamingItsKey() {
        await(writer.append(collection, List.of(add("a", 1f))));
        String key = recordedKeys().get(0);
        byte[] bytes = await(store.get(key));
        bytes[bytes.length / 2] ^= 0x40;
        await(store.put(key, bytes));

        CorruptFragmentException corrupt = failure(cache.snapshot(collection), CorruptFragmentException.class);

        assertEquals(key, corrupt.key());
    }

    @Test
    void fragmentWhoseContentDisagreesWithTheCatalogIsCorrupt() {
        await(writer.append(collection, List.of(add("a", 1f), add("b", 2f))));
        String key = recordedKeys().get(0);
        await(store.put(key, new FragmentWriter(allocator).write(List.of(add("a", 1f)), 0))); // one record, not two

        CorruptFragmentException corrupt = failure(cache.snapshot(collection), CorruptFragmentException.class);

        assertEquals(key, corrupt.key());
        assertTrue(corrupt.getMessage().contains("holds offsets [0, 1) but the catalog recorded [0, 2)"), corrupt.getMessage());
    }

    @Test
    void countsSnapshotsServedFromMemoryAndThoseThatReadTheLog() {
        await(writer.append(collection, List.of(LogTestKit.add("a", 1f))));
        snapshot(); // reads the fragment
        snapshot(); // nothing new
        snapshot();
        await(writer.append(collection, List.of(LogTestKit.add("b", 1f))));
        snapshot(); // reads the new fragment
        assertEquals(2, cache.snapshotsCached());
        assertEquals(2, cache.snapshotsCaughtUp());
    }

    @Test
    void idleCollectionsAreEvictedLeastRecentlyReadFirstToStayWithinTheMemoryBudget() {
        int collectionsCount = 12;
        List<UUID> ids = new ArrayList<>();
        List<CollectionSnapshot> expected = new ArrayList<>();
        Random random = new Random(13);
        for (int c = 0; c < collectionsCount; c++) {
            UUID id = UUID.randomUUID();
            catalog.createCollection(id);
            List<LogRecord> records = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                float[] embedding = new float[8];
                for (int d = 0; d < embedding.length; d++) {
                    embedding[d] = random.nextFloat();
                }
                records.add(add("r%03d".formatted(i), embedding));
            }
            await(writer.append(id, records));
            ids.add(id);
            MutableCollectionState state = new MutableCollectionState();
            state.applyAll(records);
            expected.add(state.snapshot());
        }
        // Every collection holds the same shape, so the same estimate: 20 × (overhead + 8 floats + a 4-char id).
        long perCollection = 20 * (CollectionStateCache.TAIL_RECORD_OVERHEAD + 4 * 8 + 2 * 4);
        CollectionStateCache budgeted = new CollectionStateCache(store, catalog, null, null, SearchParameters.DEFAULTS,
                allocator, io, Environment.system(), 5 * perCollection + perCollection / 2);
        for (int c = 0; c < collectionsCount; c++) {
            assertSameRecords(expected.get(c), await(budgeted.snapshot(ids.get(c))), "first read of " + c);
            assertEquals(Math.min(c + 1, 5), budgeted.heldCollections(), "held after reading " + (c + 1));
            assertEquals(Math.min(c + 1, 5) * perCollection, budgeted.heldBytes());
        }
        assertEquals(collectionsCount - 5, budgeted.evictions());

        // The five most recently read are held: reading them again reads nothing.
        for (int c = collectionsCount - 1; c >= collectionsCount - 5; c--) {
            assertSameRecords(expected.get(c), await(budgeted.snapshot(ids.get(c))), "held " + c);
        }
        assertEquals(5, budgeted.snapshotsCached());
        // An evicted collection answers exactly, and takes the place of the least recently read (the last one, 11).
        assertSameRecords(expected.get(0), await(budgeted.snapshot(ids.get(0))), "evicted 0");
        assertEquals(5, budgeted.heldCollections());
        assertEquals(collectionsCount - 5 + 1, budgeted.evictions());
        assertSameRecords(expected.get(collectionsCount - 2), await(budgeted.snapshot(ids.get(collectionsCount - 2))),
                "still held");
        assertEquals(6, budgeted.snapshotsCached());
        assertSameRecords(expected.get(collectionsCount - 1), await(budgeted.snapshot(ids.get(collectionsCount - 1))),
                "evicted 11");
        assertEquals(6, budgeted.snapshotsCached());
        assertEquals(5 * perCollection, budgeted.heldBytes());
    }
}
