package io.vermilion.compactor;

import static io.vermilion.compactor.CompactorTest.assertSameRecords;
import static io.vermilion.log.LogTestKit.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.vermilion.blockstore.BlockLimits;
import io.vermilion.blockstore.BlockRef;
import io.vermilion.catalog.FragmentRef;
import io.vermilion.catalog.InMemoryLogCatalog;
import io.vermilion.catalog.InMemoryVersionCatalog;
import io.vermilion.catalog.VersionRef;
import io.vermilion.env.Environment;
import io.vermilion.executor.CollectionStateCache;
import io.vermilion.index.IndexFileCache;
import io.vermilion.index.SearchParameters;
import io.vermilion.log.LogTestKit;
import io.vermilion.log.LogWriter;
import io.vermilion.log.LogWriterOptions;
import io.vermilion.model.CollectionSnapshot;
import io.vermilion.model.MutableCollectionState;
import io.vermilion.record.LogRecord;
import io.vermilion.record.MetadataValue;
import io.vermilion.record.Operation;
import io.vermilion.storage.LocalObjectStore;
import io.vermilion.storage.ObjectInfo;
import io.vermilion.testing.FaultyObjectStore;
import io.vermilion.testing.MutableClock;
import io.vermilion.testing.RecordingObjectStore;
import io.vermilion.testing.Seeds;
import io.vermilion.version.ManifestReader;
import io.vermilion.version.VersionFile;
import io.vermilion.version.VersionKeys;
import io.vermilion.version.VersionManifest;

/**
 * Copy-on-write record blocks: a compaction reads and rewrites only the blocks its tail lands in, keeps the others by
 * reference, survives a crash mid-rewrite, and builds on versions written before it.
 */
@ExtendWith(Seeds.class)
class CopyOnWriteCompactionTest {

    private static final Duration TTL = Duration.ofMinutes(1);
    private static final int DIMENSION = 4;

    @TempDir
    Path dir;

    private BufferAllocator allocator;
    private ScheduledExecutorService scheduler;
    private ExecutorService io;
    private ExecutorService work;
    private RecordingObjectStore recording;
    private FaultyObjectStore store;
    private InMemoryLogCatalog logCatalog;
    private MutableClock clock;
    private InMemoryVersionCatalog versions;
    private LogWriter writer;
    private CompactedCollectionLoader loader;
    private UUID collection = UUID.randomUUID();

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
        scheduler = Executors.newScheduledThreadPool(2);
        io = Executors.newFixedThreadPool(4);
        work = Executors.newFixedThreadPool(4);
        recording = new RecordingObjectStore(new LocalObjectStore(dir.resolve("store"), io));
        store = new FaultyObjectStore(recording);
        logCatalog = new InMemoryLogCatalog();
        clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        versions = new InMemoryVersionCatalog(clock);
        writer = new LogWriter(store, logCatalog, allocator,
                LogWriterOptions.defaults().withCommitWindow(Duration.ZERO).withMaxRecordsPerFragment(50), scheduler);
        loader = new CompactedCollectionLoader(store, allocator, work);
    }

    @AfterEach
    void close() throws InterruptedException {
        writer.close();
        scheduler.shutdownNow();
        work.shutdownNow();
        io.shutdownNow();
        assertTrue(scheduler.awaitTermination(10, TimeUnit.SECONDS) && work.awaitTermination(10, TimeUnit.SECONDS)
                && io.awaitTermination(10, TimeUnit.SECONDS));
        assertEquals(0, allocator.getAllocatedMemory());
        allocator.close();
    }

    /** Blocks of at most 3 records. */
    private Compactor compactor(String holder) {
        return new Compactor(store, logCatalog, versions, allocator, clock,
                CompactorOptions.defaults(Environment.deterministic(clock, 1)).withHolder(holder).withLeaseTtl(TTL)
                        .withBlockLimits(BlockLimits.defaults().withMaxRecords(3)).withWorkDir(dir.resolve("work")),
                work);
    }

    /** Records r00 .. r(count-1) with distinct vectors, metadata and documents, in one request. */
    private void addNumbered(Random random, int count) {
        List<LogRecord> request = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            float[] embedding = new float[DIMENSION];
            for (int d = 0; d < DIMENSION; d++) {
                embedding[d] = random.nextFloat() * 2 - 1;
            }
            request.add(new LogRecord(Operation.ADD, "r%02d".formatted(i), embedding,
                    Map.of("n", new MetadataValue.Int(i), "s", new MetadataValue.Str("v" + i)), "doc " + i,
                    i % 4 == 0 ? "uri:" + i : null));
        }
        await(writer.append(collection, request));
    }

    private CollectionSnapshot replayWholeLog() {
        MutableCollectionState state = new MutableCollectionState();
        state.applyAll(LogTestKit.records(LogTestKit.readLog(store, logCatalog, allocator, collection)));
        return state.snapshot();
    }

    private CompactedCollection loadCurrent() {
        return await(loader.loadCurrent(collection, versions)).orElseThrow();
    }

    private List<String> keysUnder(String prefix) {
        return await(store.list(prefix)).stream().map(ObjectInfo::key).toList();
    }

    private static List<String> blockKeys(VersionManifest manifest) {
        return manifest.blocks().blocks().stream().map(BlockRef::key).toList();
    }

    @Test
    void touchingOneRecordRewritesExactlyOneBlockAndKeepsTheOthersByReference() {
        logCatalog.createCollection(collection);
        addNumbered(new Random(Seeds.seed("touchingOneRecord")), 30);
        VersionManifest first = await(compactor("a").compact(collection)).orElseThrow();
        assertEquals(10, first.blocks().size());
        CollectionSnapshot version1 = loadCurrent().snapshot();
        await(writer.append(collection, List.of(new LogRecord(Operation.UPDATE, "r14", null,
                Map.of("n", new MetadataValue.Int(1400)), "changed", null))));
        int blockReadsBefore = blockReads(first);

        VersionManifest second = await(compactor("a").compact(collection)).orElseThrow();

        List<String> expected = new ArrayList<>(blockKeys(first));
        expected.set(4, VersionKeys.block(collection, 2, 0)); // r12, r13, r14
        assertEquals(expected, blockKeys(second));
        assertEquals(List.of(VersionKeys.block(collection, 2, 0)),
                keysUnder(VersionKeys.versionPrefix(collection, 2) + "blocks/"));
        assertEquals(1, blockReads(first) - blockReadsBefore, "only the block holding r14 is read");
        for (int i = 0; i < 10; i++) {
            if (i != 4) {
                assertEquals(first.file(first.blocks().blocks().get(i).key()),
                        second.file(second.blocks().blocks().get(i).key()), "block " + i + " kept as it was");
            }
        }
        assertEquals(30, second.recordCount());
        CollectionSnapshot version2 = loadCurrent().snapshot();
        assertSameRecords(replayWholeLog(), version2, "version 2");
        for (var record : version1.records()) {
            if (!record.id().equals("r14")) {
                assertSameRecord(record, version2.get(record.id()));
            }
        }
        assertEquals(Map.of("n", new MetadataValue.Int(1400), "s", new MetadataValue.Str("v14")),
                version2.get("r14").metadata());
        assertEquals("changed", version2.get("r14").document());
    }

    @Test
    void aRewriteLeftSmallFoldsInTheNextBlockWhenBothFitInOne() {
        logCatalog.createCollection(collection);
        addNumbered(new Random(Seeds.seed("aRewriteLeftSmall")), 40);
        Compactor compactor = new Compactor(store, logCatalog, versions, allocator, clock,
                CompactorOptions.defaults(Environment.deterministic(clock, 1)).withHolder("a").withLeaseTtl(TTL)
                        .withBlockLimits(BlockLimits.defaults().withMaxRecords(8)).withWorkDir(dir.resolve("work")),
                work);
        VersionManifest first = await(compactor.compact(collection)).orElseThrow();
        assertEquals(5, first.blocks().size());
        List<LogRecord> deletes = new ArrayList<>();
        for (int i = 16; i <= 21; i++) {
            deletes.add(LogRecord.delete("r%02d".formatted(i)));
        }
        await(writer.append(collection, deletes)); // block 2 keeps r22, r23: a quarter of 8, not less
        VersionManifest second = await(compactor.compact(collection)).orElseThrow();
        assertEquals(List.of(blockKeys(first).get(0), blockKeys(first).get(1), VersionKeys.block(collection, 2, 0),
                blockKeys(first).get(3), blockKeys(first).get(4)), blockKeys(second));
        deletes.clear();
        for (int i = 8; i <= 14; i++) {
            deletes.add(LogRecord.delete("r%02d".formatted(i)));
        }
        await(writer.append(collection, deletes)); // block 1 keeps r15 alone: small, and block 2's two records fit

        VersionManifest third = await(compactor.compact(collection)).orElseThrow();

        assertEquals(List.of(blockKeys(first).get(0), VersionKeys.block(collection, 3, 0), blockKeys(first).get(3),
                blockKeys(first).get(4)), blockKeys(third));
        BlockRef folded = third.blocks().blocks().get(1);
        assertEquals(List.of("r15", "r23", 3), List.of(folded.firstId(), folded.lastId(), folded.recordCount()));
        assertSameRecords(replayWholeLog(), loadCurrent().snapshot(), "version 3");
        assertEquals(27, third.recordCount());
    }

    private int blockReads(VersionManifest manifest) {
        return blockKeys(manifest).stream().mapToInt(recording::getsOf).sum();
    }

    @Test
    void newIdsAndDeletesLandInTheirNeighbouringBlocksAndEveryVersionEqualsTheReplay() {
        Random random = new Random(Seeds.seed("newIdsAndDeletes"));
        logCatalog.createCollection(collection);
        addNumbered(random, 30);
        Compactor compactor = compactor("a");
        Set<String> everBlock = new HashSet<>(blockKeys(await(compactor.compact(collection)).orElseThrow()));
        for (int round = 0; round < 12; round++) {
            List<LogRecord> request = new ArrayList<>();
            for (int i = 0; i < 1 + random.nextInt(4); i++) {
                String id = random.nextBoolean() ? "r%02d".formatted(random.nextInt(40))
                        : (random.nextBoolean() ? "a" : "z") + random.nextInt(100); // before, between and after
                request.add(random.nextInt(3) == 0 ? LogRecord.delete(id)
                        : LogTestKit.record(Operation.UPSERT, id, new float[] {round, i, 1, 2},
                                Map.of("round", new MetadataValue.Int(round)), "round " + round));
            }
            await(writer.append(collection, request));
            VersionManifest manifest = await(compactor.compact(collection)).orElseThrow();
            CollectionSnapshot expected = replayWholeLog();
            assertSameRecords(expected, loadCurrent().snapshot(), "round " + round);
            assertEquals(expected.size(), manifest.recordCount(), "round " + round);
            long kept = blockKeys(manifest).stream().filter(everBlock::contains).count();
            assertTrue(kept >= manifest.blocks().size() - 2L * request.size(),
                    "round " + round + ": at most two new blocks per record written, " + manifest.blocks());
            everBlock.addAll(blockKeys(manifest));
        }
    }

    @Test
    void crashDuringAPartialBlockRewriteOrAnUploadLosesNothingAndKeepsThePreviousVersionServing() throws Exception {
        logCatalog.createCollection(collection);
        addNumbered(new Random(Seeds.seed("crashDuringAPartialBlockRewrite")), 30);
        Compactor compactor = compactor("a");
        VersionManifest first = await(compactor.compact(collection)).orElseThrow();
        CollectionSnapshot version1 = loadCurrent().snapshot();
        List<String> version1Objects = keysUnder(VersionKeys.versionPrefix(collection, 1));
        // Touches blocks 0 (a delete and a new id in its range) and 9: two separate rewrites of three records each.
        await(writer.append(collection, List.of(LogRecord.delete("r01"),
                LogTestKit.record(Operation.UPSERT, "r28", new float[] {9, 9, 9, 9}, null, "moved"),
                LogTestKit.add("r015", 1, 2, 3, 4))));
        CollectionSnapshot full = replayWholeLog();
        int puts = 2 + 4 + 1; // two blocks, at least four index files, the manifest

        for (int n = 1; n <= puts; n++) {
            store.failPutIfAbsent(n);
            CompletableFuture<Optional<VersionManifest>> attempt = compactor.compact(collection).toCompletableFuture();
            ExecutionException failure = assertThrows(ExecutionException.class, () -> attempt.get(60, TimeUnit.SECONDS),
                    "put " + n);
            assertTrue(failure.getMessage().contains("injected failure"), failure.toString());
            assertEquals(1, loadCurrent().version(), "put " + n);
            assertSameRecords(version1, loadCurrent().snapshot(), "version 1 after failing put " + n);
            assertEquals(List.of(), keysUnder(VersionKeys.versionPrefix(collection, 2)), "put " + n);
            assertEquals(version1Objects, keysUnder(VersionKeys.versionPrefix(collection, 1)),
                    "the cleanup of put " + n + " deletes no block the failed version would have kept");
        }

        store.failPutIfAbsent(Integer.MAX_VALUE / 2);
        VersionManifest second = await(compactor("b").compact(collection)).orElseThrow();
        assertEquals(2, second.version());
        assertSameRecords(full, loadCurrent().snapshot(), "version 2");
        assertEquals(List.of(VersionKeys.block(collection, 2, 0), VersionKeys.block(collection, 2, 1)),
                keysUnder(VersionKeys.versionPrefix(collection, 2) + "blocks/"));
        assertEquals(blockKeys(first).subList(1, 9), blockKeys(second).subList(1, 9));
    }

    @Test
    void garbageCollectionKeepsExactlyTheBlocksLaterVersionsStillReference() {
        logCatalog.createCollection(collection);
        addNumbered(new Random(Seeds.seed("garbageCollectionKeeps")), 30);
        Compactor compactor = compactor("a");
        await(compactor.compact(collection)).orElseThrow();
        await(writer.append(collection, List.of(LogRecord.delete("r04"))));
        await(compactor.compact(collection)).orElseThrow();
        await(writer.append(collection, List.of(LogRecord.delete("r25"))));
        VersionManifest third = await(compactor.compact(collection)).orElseThrow();
        CollectionSnapshot expected = replayWholeLog();

        clock.advance(Duration.ofMinutes(10));
        await(new VersionGarbageCollector(store, versions, logCatalog, clock).collect(collection, Duration.ofMinutes(10)));

        for (long v = 1; v <= 2; v++) {
            String prefix = VersionKeys.versionPrefix(collection, v);
            List<String> stillUsed = third.files().stream().map(VersionFile::key).filter(k -> k.startsWith(prefix))
                    .sorted().toList();
            assertEquals(stillUsed, keysUnder(prefix), "version " + v + " keeps exactly what version 3 lists");
        }
        assertEquals(8, third.blocks().blocks().stream()
                .filter(b -> b.key().startsWith(VersionKeys.versionPrefix(collection, 1))).count(),
                "eight of version 1's ten blocks carried through version 2 into version 3");
        IndexFileCache files = new IndexFileCache(store, dir.resolve("index-cache"), 1L << 30, work);
        CollectionStateCache cold = new CollectionStateCache(store, logCatalog, versions, files, SearchParameters.DEFAULTS,
                allocator, work);
        assertSameRecords(expected, await(cold.snapshot(collection)), "version 3 read cold after collection");
    }

    /**
     * Blocks one version stopped using stay while a retained older version (time travel) or a fork's version still
     * lists them; the fork's version, compacted copy-on-write on top of its source's, reuses the source's blocks.
     */
    @Test
    void garbageCollectionKeepsBlocksThatRetainedVersionsAndForksStillRead() {
        logCatalog.createCollection(collection);
        addNumbered(new Random(Seeds.seed("retainedAndForks")), 30);
        Compactor compactor = compactor("a");
        VersionManifest first = await(compactor.compact(collection)).orElseThrow();
        VersionRef firstRef = await(versions.currentVersion(collection)).orElseThrow();
        // The fork starts from version 1 where it lies, then deletes r10 (block 3).
        UUID fork = UUID.randomUUID();
        logCatalog.createCollection(fork);
        await(logCatalog.commit(fork, new FragmentRef(0, first.logEndOffset(), "placeholder", 0), DIMENSION));
        await(logCatalog.forget(fork, first.logEndOffset()));
        assertTrue(await(versions.publish(fork, 0, firstRef)));
        await(writer.append(fork, List.of(LogRecord.delete("r10"))));
        VersionManifest forked = await(compactor.compact(fork)).orElseThrow();
        assertEquals(List.of(VersionKeys.block(fork, 2, 0)), blockKeys(forked).subList(3, 4));

        await(writer.append(collection, List.of(LogRecord.delete("r04")))); // block 1
        VersionManifest second = await(compactor.compact(collection)).orElseThrow();
        VersionRef secondRef = await(versions.currentVersion(collection)).orElseThrow();
        await(writer.append(collection, List.of(LogRecord.delete("r25")))); // block 8
        VersionManifest third = await(compactor.compact(collection)).orElseThrow();
        CollectionSnapshot forkRecords = await(loader.loadCurrent(fork, versions)).orElseThrow().snapshot();
        String forkManifest = await(versions.currentVersion(fork)).orElseThrow().manifestKey();
        io.vermilion.catalog.ForkLineage lineage = new io.vermilion.catalog.ForkLineage() {
            @Override
            public java.util.concurrent.CompletionStage<List<String>> sharedManifests(UUID c) {
                return CompletableFuture.completedFuture(c.equals(collection) ? List.of(forkManifest) : List.of());
            }

            @Override
            public java.util.concurrent.CompletionStage<Set<String>> sharedFragments(UUID c) {
                return CompletableFuture.completedFuture(Set.of());
            }

            @Override
            public java.util.concurrent.CompletionStage<List<VersionRef>> expireVersions(UUID c, long current,
                    Instant supersededBefore) {
                return CompletableFuture.completedFuture(c.equals(collection) ? List.of(secondRef) : List.of());
            }

            @Override
            public java.util.concurrent.CompletionStage<List<UUID>> dropped() {
                return CompletableFuture.completedFuture(List.of());
            }

            @Override
            public java.util.concurrent.CompletionStage<Boolean> isDroppedFork(UUID c) {
                return CompletableFuture.completedFuture(false);
            }

            @Override
            public java.util.concurrent.CompletionStage<Void> forgetDropped(UUID c) {
                return CompletableFuture.completedFuture(null);
            }
        };

        clock.advance(Duration.ofMinutes(10));
        await(new VersionGarbageCollector(store, versions, logCatalog, lineage, Duration.ofHours(1), clock)
                .collect(collection, Duration.ofMinutes(10)));

        String firstPrefix = VersionKeys.versionPrefix(collection, 1);
        Set<String> listed = new java.util.TreeSet<>();
        for (VersionManifest manifest : List.of(second, third, forked)) {
            manifest.files().stream().map(VersionFile::key).filter(k -> k.startsWith(firstPrefix)).forEach(listed::add);
        }
        assertEquals(List.copyOf(listed), keysUnder(firstPrefix), "version 1 keeps what versions 2, 3 and the fork list");
        List<String> firstBlocks = blockKeys(first);
        assertTrue(listed.contains(firstBlocks.get(1)), "block 1: only the fork still reads it");
        assertTrue(listed.contains(firstBlocks.get(3)), "block 3: only versions 2 and 3 still read it");
        assertTrue(listed.contains(firstBlocks.get(8)), "block 8: only version 2 (retained) and the fork read it");
        String secondPrefix = VersionKeys.versionPrefix(collection, 2);
        List<String> secondOwn = new ArrayList<>(second.files().stream().map(VersionFile::key)
                .filter(k -> k.startsWith(secondPrefix)).toList());
        secondOwn.add(VersionKeys.manifest(collection, 2));
        assertEquals(secondOwn.stream().sorted().toList(), keysUnder(secondPrefix), "version 2, retained, is whole");
        assertSameRecords(forkRecords, await(loader.loadCurrent(fork, versions)).orElseThrow().snapshot(),
                "the fork reads back after the source's garbage collection");
        assertEquals(29, forkRecords.size());
        assertEquals(null, forkRecords.get("r10"));
    }

    /** The frozen version 3 of the format fixtures (written by the code before copy-on-write) is the base. */
    @Test
    void versionWrittenBeforeCopyOnWriteIsTheBaseOfTheNext() {
        collection = UUID.fromString("0f8e3a52-6b1d-4c1e-9a57-2d3c4b5a6f70");
        logCatalog.createCollection(collection);
        await(logCatalog.commit(collection, new FragmentRef(0, 1200, "placeholder", 0), 3));
        await(logCatalog.forget(collection, 1200));
        byte[] manifestBytes = fixture("manifest-v1/manifest.json");
        String manifestKey = VersionKeys.manifest(collection, 3);
        VersionManifest frozen = new ManifestReader().read(manifestBytes, manifestKey);
        for (VersionFile file : frozen.files()) {
            String name = file.key().substring(file.key().lastIndexOf('/') + 1);
            await(store.put(file.key(), fixture((file.role() == VersionFile.Role.BLOCK ? "block-v1/" : "index-v2/")
                    + name)));
        }
        await(store.put(manifestKey, manifestBytes));
        assertTrue(await(versions.publish(collection, 0, new VersionRef(1, "placeholder/1", 0))));
        assertTrue(await(versions.publish(collection, 1, new VersionRef(2, "placeholder/2", 0))));
        assertTrue(await(versions.publish(collection, 2, new VersionRef(3, manifestKey, 1200))));
        CollectionSnapshot before = loadCurrent().snapshot();
        await(writer.append(collection, List.of(LogTestKit.record(Operation.UPDATE, "e-far", new float[] {5, 5, 5},
                null, "moved closer"))));

        VersionManifest next = await(compactor("a").compact(collection)).orElseThrow();

        assertEquals(4, next.version());
        assertEquals(List.of(blockKeys(frozen).get(0), VersionKeys.block(collection, 4, 0)), blockKeys(next));
        CollectionSnapshot after = loadCurrent().snapshot();
        assertEquals(before.records().stream().map(r -> r.id()).toList(),
                after.records().stream().map(r -> r.id()).toList());
        for (var record : before.records()) {
            if (!record.id().equals("e-far")) {
                assertSameRecord(record, after.get(record.id()));
            }
        }
        assertEquals("moved closer", after.get("e-far").document());
        assertEquals(List.of(5f, 5f, 5f), List.of(after.get("e-far").embedding()[0], after.get("e-far").embedding()[1],
                after.get("e-far").embedding()[2]));
    }

    private static void assertSameRecord(io.vermilion.record.Record want, io.vermilion.record.Record got) {
        org.junit.jupiter.api.Assertions.assertArrayEquals(want.embedding(), got.embedding(), want.id());
        assertEquals(want.metadata(), got.metadata(), want.id());
        assertEquals(want.document(), got.document(), want.id());
        assertEquals(want.uri(), got.uri(), want.id());
    }

    private static byte[] fixture(String path) {
        try (InputStream in = CopyOnWriteCompactionTest.class.getResourceAsStream("/fixtures/" + path)) {
            if (in == null) {
                throw new IllegalStateException("no fixture " + path);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
