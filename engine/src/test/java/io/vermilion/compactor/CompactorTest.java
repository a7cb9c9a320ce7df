package io.vermilion.compactor;

import static io.vermilion.log.LogTestKit.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexOutput;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.vermilion.blockstore.BlockLimits;
import io.vermilion.catalog.FragmentRef;
import io.vermilion.catalog.InMemoryLogCatalog;
import io.vermilion.catalog.InMemoryVersionCatalog;
import io.vermilion.catalog.LogPosition;
import io.vermilion.catalog.VersionRef;
import io.vermilion.executor.CollectionStateCache;
import io.vermilion.executor.CollectionView;
import io.vermilion.executor.ExactCollectionReader;
import io.vermilion.filter.Where;
import io.vermilion.filter.WhereDocument;
import io.vermilion.filter.WhereDocumentParser;
import io.vermilion.filter.WhereParser;
import io.vermilion.index.IndexFileCache;
import io.vermilion.index.OpenPack;
import io.vermilion.index.IndexedCollectionReader;
import io.vermilion.index.SearchParameters;
import io.vermilion.log.FragmentKeys;
import io.vermilion.log.LogTestKit;
import io.vermilion.log.LogWriter;
import io.vermilion.log.LogWriterOptions;
import io.vermilion.model.CollectionSnapshot;
import io.vermilion.model.DistanceFunction;
import io.vermilion.model.GetRequest;
import io.vermilion.model.MutableCollectionState;
import io.vermilion.model.QueryHit;
import io.vermilion.model.QueryRequest;
import io.vermilion.record.LogRecord;
import io.vermilion.record.MetadataValue;
import io.vermilion.record.Operation;
import io.vermilion.record.Record;
import io.vermilion.storage.LocalObjectStore;
import io.vermilion.storage.ObjectInfo;
import io.vermilion.testing.FaultyObjectStore;
import io.vermilion.env.Environment;
import io.vermilion.testing.MutableClock;
import io.vermilion.testing.Seeds;
import io.vermilion.version.VersionFile;
import io.vermilion.version.VersionKeys;
import io.vermilion.version.VersionManifest;

@ExtendWith(Seeds.class)
class CompactorTest {

    private static final Duration TTL = Duration.ofMinutes(1);
    private static final int DIMENSION = 4;

    @TempDir
    Path dir;

    private BufferAllocator allocator;
    private ScheduledExecutorService scheduler;
    private ExecutorService io;
    private ExecutorService work;
    private FaultyObjectStore store;
    private InMemoryLogCatalog logCatalog;
    private MutableClock clock;
    private InMemoryVersionCatalog versions;
    private LogWriter writer;
    private CompactedCollectionLoader loader;
    private final UUID collection = UUID.randomUUID();

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
        scheduler = Executors.newScheduledThreadPool(2);
        io = Executors.newFixedThreadPool(4);
        work = Executors.newFixedThreadPool(4);
        store = new FaultyObjectStore(new LocalObjectStore(dir, io));
        logCatalog = new InMemoryLogCatalog();
        logCatalog.createCollection(collection);
        clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        versions = new InMemoryVersionCatalog(clock);
        writer = new LogWriter(store, logCatalog, allocator,
                LogWriterOptions.defaults().withCommitWindow(Duration.ZERO).withMaxRecordsPerFragment(7), scheduler);
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

    /** Tiny blocks (3 records) so every version has several. */
    private Compactor compactor(String holder) {
        return new Compactor(store, logCatalog, versions, allocator, clock,
                CompactorOptions.defaults(Environment.deterministic(clock, 1)).withHolder(holder).withLeaseTtl(TTL)
                        .withBlockLimits(BlockLimits.defaults().withMaxRecords(3)), work);
    }

    private static Random seeded(String test) {
        return new Random(Seeds.seed(test));
    }

    /** {@code requests} random writes over a small id pool, so ids are added, updated, deleted and re-added. */
    private void writeRandomly(Random random, int requests) {
        for (int r = 0; r < requests; r++) {
            List<LogRecord> request = new ArrayList<>();
            int n = 1 + random.nextInt(5);
            for (int i = 0; i < n; i++) {
                String id = "id-" + random.nextInt(25);
                Operation operation = Operation.values()[random.nextInt(Operation.values().length)];
                if (operation == Operation.DELETE) {
                    request.add(LogRecord.delete(id));
                    continue;
                }
                boolean full = operation == Operation.ADD || random.nextBoolean();
                float[] embedding = null;
                if (full || random.nextBoolean()) {
                    embedding = new float[DIMENSION];
                    for (int d = 0; d < DIMENSION; d++) {
                        embedding[d] = random.nextFloat() * 2 - 1;
                    }
                }
                Map<String, MetadataValue> metadata = null;
                if (random.nextInt(3) > 0) {
                    metadata = new LinkedHashMap<>();
                    metadata.put("n", new MetadataValue.Int(random.nextInt(10)));
                    if (random.nextBoolean()) {
                        metadata.put("s", new MetadataValue.Str("v" + random.nextInt(5)));
                    }
                    if (!full && random.nextBoolean()) {
                        metadata.put("s", null); // deletes the key on update / upsert of an existing id
                    }
                }
                String document = random.nextBoolean() ? "doc " + random.nextInt(100) : null;
                String uri = random.nextInt(4) == 0 ? "uri:" + random.nextInt(10) : null;
                request.add(new LogRecord(operation, id, embedding, metadata, document, uri));
            }
            await(writer.append(collection, request));
        }
    }

    /** The reference: every record of the whole log applied in order. */
    private CollectionSnapshot replayWholeLog() {
        MutableCollectionState state = new MutableCollectionState();
        state.applyAll(LogTestKit.records(LogTestKit.readLog(store, logCatalog, allocator, collection)));
        return state.snapshot();
    }

    private long logEnd() {
        return await(logCatalog.position(collection)).map(LogPosition::nextOffset).orElseThrow();
    }

    private CompactedCollection loadCurrent() {
        return await(loader.loadCurrent(collection, versions)).orElseThrow();
    }

    /** Same ids in the same order, and the same fields in every record. */
    static void assertSameRecords(CollectionSnapshot expected, CollectionSnapshot actual, String context) {
        assertEquals(ids(expected), ids(actual), context);
        for (Record want : expected.records()) {
            Record got = actual.get(want.id());
            assertArrayEquals(want.embedding(), got.embedding(), context + " " + want.id());
            assertEquals(want.metadata(), got.metadata(), context + " " + want.id());
            assertEquals(want.document(), got.document(), context + " " + want.id());
            assertEquals(want.uri(), got.uri(), context + " " + want.id());
        }
    }

    private static List<String> ids(CollectionSnapshot snapshot) {
        return snapshot.records().stream().map(Record::id).toList();
    }

    /** The version's Lucene files, fetched and opened: it holds every record of the version. */
    private void assertIndexHolds(VersionManifest manifest) throws Exception {
        try (ByteBuffersDirectory directory = new ByteBuffersDirectory()) {
            for (VersionFile file : manifest.files(VersionFile.Role.INDEX)) {
                byte[] bytes = await(store.get(file.key()));
                assertTrue(file.matches(bytes), file.key());
                String name = file.key().substring(file.key().lastIndexOf('/') + 1);
                try (IndexOutput out = directory.createOutput(name, IOContext.DEFAULT)) {
                    out.writeBytes(bytes, bytes.length);
                }
            }
            try (IndexedCollectionReader reader = IndexedCollectionReader.open(directory, SearchParameters.DEFAULTS)) {
                assertEquals(manifest.recordCount(), reader.count());
            }
        }
    }

    private List<String> keysUnder(String prefix) {
        return await(store.list(prefix)).stream().map(ObjectInfo::key).toList();
    }

    /** {@code count} records with distinct random vectors, appended in requests of 500. */
    private void addMany(Random random, int count) {
        for (int start = 0; start < count; start += 500) {
            List<LogRecord> request = new ArrayList<>();
            for (int i = start; i < Math.min(count, start + 500); i++) {
                float[] embedding = new float[DIMENSION];
                for (int d = 0; d < DIMENSION; d++) {
                    embedding[d] = random.nextFloat() * 2 - 1;
                }
                request.add(LogTestKit.add("r" + i, embedding));
            }
            await(writer.append(collection, request));
        }
    }

    @Test
    void compactionComputesOnItsBudgetOfLowPriorityThreads() throws Exception {
        addMany(seeded("compactionComputesOnItsBudgetOfLowPriorityThreads"), 2_500);

        try (CompactionThreads threads = new CompactionThreads(2)) {
            Compactor compactor = new Compactor(store, logCatalog, versions, allocator, clock,
                    CompactorOptions.defaults(Environment.deterministic(clock, 1)).withHolder("a").withLeaseTtl(TTL).withMergeThreads(threads.work()),
                    threads.coordinator());
            VersionManifest manifest = await(compactor.compact(collection)).orElseThrow();

            assertIndexHolds(manifest);
            assertEquals(2_500, manifest.recordCount());
            var work = (java.util.concurrent.ThreadPoolExecutor) threads.work().executor();
            var coordinator = (java.util.concurrent.ThreadPoolExecutor) threads.coordinator();
            assertEquals(2, threads.work().workers());
            assertEquals(2, work.getMaximumPoolSize());
            assertEquals(1, coordinator.getMaximumPoolSize());
            assertTrue(work.getTaskCount() > 0, "the build split its adds and merges over the work threads");
            assertEquals(List.of(Thread.MIN_PRIORITY, Thread.MIN_PRIORITY), List.of(
                    work.submit(() -> Thread.currentThread().getPriority()).get(),
                    coordinator.submit(() -> Thread.currentThread().getPriority()).get()));
        }
    }

    @Test
    void compactionWithABudgetOfOneThreadBuildsAndUpdatesTheIndex() throws Exception {
        Random random = seeded("compactionWithABudgetOfOneThreadBuildsAndUpdatesTheIndex");
        addMany(random, 1_500);

        try (CompactionThreads threads = new CompactionThreads(1)) {
            Compactor compactor = new Compactor(store, logCatalog, versions, allocator, clock,
                    CompactorOptions.defaults(Environment.deterministic(clock, 1)).withHolder("a").withLeaseTtl(TTL).withMergeThreads(threads.work()),
                    threads.coordinator());
            assertIndexHolds(await(compactor.compact(collection)).orElseThrow());
            writeRandomly(random, 10); // a small tail: the next version updates the index in place
            VersionManifest second = await(compactor.compact(collection)).orElseThrow();

            assertEquals(2, second.version());
            assertIndexHolds(second);
            assertSameRecords(replayWholeLog(), loadCurrent().snapshot(), "version 2");
            assertEquals(1, ((java.util.concurrent.ThreadPoolExecutor) threads.work().executor()).getLargestPoolSize());
        }
    }

    @Test
    void compactedVersionEqualsReplayOfWholeLog() throws Exception {
        writeRandomly(seeded("compactedVersionEqualsReplayOfWholeLog"), 60);

        VersionManifest manifest = await(compactor("a").compact(collection)).orElseThrow();

        CompactedCollection loaded = loadCurrent();
        assertEquals(1, manifest.version());
        assertEquals(logEnd(), loaded.logEndOffset());
        assertEquals(Optional.of(new VersionRef(1, VersionKeys.manifest(collection, 1), logEnd())),
                await(versions.currentVersion(collection)));
        assertSameRecords(replayWholeLog(), loaded.snapshot(), "version 1");
        assertTrue(manifest.blocks().size() > 1, "tiny block limit gives several blocks");
        assertIndexHolds(manifest);
    }

    @Test
    void incrementalCompactionEqualsFullReplay() throws Exception {
        Random random = seeded("incrementalCompactionEqualsFullReplay");
        Compactor compactor = compactor("a");
        for (int version = 1; version <= 4; version++) {
            writeRandomly(random, 25);

            VersionManifest manifest = await(compactor.compact(collection)).orElseThrow();

            assertEquals(version, manifest.version());
            CompactedCollection loaded = loadCurrent();
            assertEquals(logEnd(), loaded.logEndOffset());
            assertSameRecords(replayWholeLog(), loaded.snapshot(), "version " + version);
            assertIndexHolds(manifest);
        }
    }

    @Test
    void readerStartingFromVersionAppliesOnlyTheTail() {
        Random random = seeded("readerStartingFromVersionAppliesOnlyTheTail");
        writeRandomly(random, 30);
        await(compactor("a").compact(collection)).orElseThrow();
        writeRandomly(random, 30);

        CompactedCollection version = loadCurrent();
        MutableCollectionState state = new MutableCollectionState(version.snapshot());
        for (LogTestKit.ReadFragment fragment : LogTestKit.readLog(store, logCatalog, allocator, collection)) {
            if (fragment.ref().startOffset() >= version.logEndOffset()) {
                state.applyAll(fragment.fragment().records());
            }
        }

        assertSameRecords(replayWholeLog(), state.snapshot(), "version 1 + tail");
    }

    /**
     * The query executor over compacted versions answers exactly like an exact scan of the whole log replayed, with
     * a compaction every few writes, so reads cross every boundary: empty version, version only, version plus a tail
     * that updates, deletes and re-adds its records, and views still open on a superseded version.
     */
    @Test
    void viewsOverVersionsAndTailAnswerLikeTheWholeLog() throws Exception {
        Random random = seeded("viewsOverVersionsAndTailAnswerLikeTheWholeLog");
        IndexFileCache files = new IndexFileCache(store, dir.resolve("index-cache"), 1L << 30, work);
        CollectionStateCache views = new CollectionStateCache(store, logCatalog, versions, files,
                SearchParameters.DEFAULTS, allocator, work);
        Compactor compactor = compactor("a");
        CollectionView heldOpen = null;
        int compactions = 0;
        for (int step = 0; step < 40; step++) {
            writeRandomly(random, 1 + random.nextInt(3));
            if (step % 3 == 2) {
                compactions += await(compactor.compact(collection)).isPresent() ? 1 : 0;
            }
            CollectionSnapshot expected = replayWholeLog();
            ExactCollectionReader exact = new ExactCollectionReader(expected);
            try (CollectionView view = await(views.view(collection))) {
                assertViewAnswers(exact, view, random, "step " + step + " (version " + view.versionNumber() + ")");
            }
            if (step == 10) {
                heldOpen = await(views.view(collection)); // outlives later versions
            }
        }
        assertTrue(compactions >= 10, "compacted " + compactions + " times");
        assertTrue(views.versionSwitches() >= 5, "switched versions " + views.versionSwitches() + " times");
        assertTrue(heldOpen.count() >= 0, "a view on a superseded version still reads");
        heldOpen.close();
    }

    @Test
    void writesDuringCompactionsAreNeverLostAndEachVersionIsAPrefixOfTheLog() throws Exception {
        Random random = seeded("writesDuringCompactionsAreNeverLostAndEachVersionIsAPrefixOfTheLog");
        long writerSeed = random.nextLong();
        java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
        CompletableFuture<Void> writes = CompletableFuture.runAsync(() -> {
            Random own = new Random(writerSeed);
            while (!stop.get()) {
                writeRandomly(own, 1);
            }
        });
        Compactor compactor = compactor("a");
        List<VersionManifest> published = new ArrayList<>();
        while (published.size() < 8) {
            await(compactor.compact(collection)).ifPresent(published::add);
        }
        stop.set(true);
        writes.get(60, TimeUnit.SECONDS);

        for (VersionManifest manifest : published) { // each version holds exactly the log before its end offset
            MutableCollectionState prefix = new MutableCollectionState();
            for (LogTestKit.ReadFragment fragment : LogTestKit.readLog(store, logCatalog, allocator, collection)) {
                if (fragment.ref().endOffset() <= manifest.logEndOffset()) {
                    prefix.applyAll(fragment.fragment().records());
                }
            }
            CompactedCollection loaded = await(loader.load(collection, new VersionRef(manifest.version(),
                    VersionKeys.manifest(collection, manifest.version()), manifest.logEndOffset())));
            assertSameRecords(prefix.snapshot(), loaded.snapshot(), "version " + manifest.version());
        }
        IndexFileCache files = new IndexFileCache(store, dir.resolve("index-cache"), 1L << 30, work);
        CollectionStateCache views = new CollectionStateCache(store, logCatalog, versions, files,
                SearchParameters.DEFAULTS, allocator, work);
        assertSameRecords(replayWholeLog(), await(views.snapshot(collection)), "latest version + tail");
    }

    @Test
    void concurrentOpensOfOneVersionShareOneFetchAndEvictionKeepsLocalFiles() throws Exception {
        writeRandomly(seeded("concurrentOpensOfOneVersionShareOneFetchAndEvictionKeepsLocalFiles"), 30);
        await(compactor("a").compact(collection)).orElseThrow();
        VersionRef ref = await(versions.currentVersion(collection)).orElseThrow();
        IndexFileCache files = new IndexFileCache(store, dir.resolve("index-cache"), 1L << 30, work);
        List<CompletableFuture<IndexedCollectionReader>> opens = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            opens.add(files.open(collection, ref, SearchParameters.DEFAULTS).toCompletableFuture());
        }
        for (CompletableFuture<IndexedCollectionReader> open : opens) {
            try (IndexedCollectionReader reader = open.get(60, TimeUnit.SECONDS)) {
                assertEquals(loadCurrent().records().size(), reader.count());
            }
        }
        assertEquals(1, files.fetches(), "one fetch for eight concurrent opens");

        CollectionStateCache views = new CollectionStateCache(store, logCatalog, versions, files,
                SearchParameters.DEFAULTS, allocator, work);
        CollectionSnapshot before = await(views.snapshot(collection));
        views.evict(collection); // forgets memory only: the next view opens the same local files
        assertSameRecords(before, await(views.snapshot(collection)), "after eviction");
        assertEquals(1, files.fetches());
    }

    @Test
    void smallTailUpdatesThePreviousIndexAndUploadsOnlyNewFiles() throws Exception {
        Random random = seeded("smallTailUpdatesThePreviousIndexAndUploadsOnlyNewFiles");
        Compactor compactor = compactor("a");
        writeRandomly(random, 60);
        VersionManifest first = await(compactor.compact(collection)).orElseThrow();
        await(writer.append(collection, List.of(new LogRecord(Operation.ADD, "new-one", new float[] {1, 2, 3, 4},
                null, "fresh", null))));
        await(writer.append(collection, List.of(LogRecord.delete(loadCurrent().records().get(0).id()))));

        VersionManifest second = await(compactor.compact(collection)).orElseThrow();

        String firstPrefix = VersionKeys.versionPrefix(collection, 1);
        List<VersionFile> reused = second.files(VersionFile.Role.INDEX).stream()
                .filter(f -> f.key().startsWith(firstPrefix)).toList();
        List<VersionFile> uploaded = second.files(VersionFile.Role.INDEX).stream()
                .filter(f -> f.key().startsWith(VersionKeys.versionPrefix(collection, 2))).toList();
        assertTrue(!reused.isEmpty(), "version 2 reuses version 1's segment files");
        assertTrue(first.files(VersionFile.Role.INDEX).containsAll(reused));
        assertTrue(uploaded.stream().anyMatch(f -> f.key().contains("segments_")), "a new commit point: " + uploaded);
        // Each version has its own open pack (what opening its index reads, small files whole): not a new segment's.
        assertEquals(1, uploaded.stream().filter(f -> f.key().endsWith("/" + OpenPack.NAME)).count());
        long reusedBytes = reused.stream().mapToLong(VersionFile::size).sum();
        long uploadedBytes = uploaded.stream().filter(f -> !f.key().endsWith("/" + OpenPack.NAME))
                .mapToLong(VersionFile::size).sum();
        assertTrue(uploadedBytes < reusedBytes, uploadedBytes + " bytes uploaded, " + reusedBytes + " reused");
        assertIndexHolds(second);
        assertSameRecords(replayWholeLog(), loadCurrent().snapshot(), "version 2");
        CollectionSnapshot expected = replayWholeLog();

        clock.advance(Duration.ofMinutes(10));
        await(new VersionGarbageCollector(store, versions, logCatalog, clock).collect(collection, Duration.ofMinutes(10)));
        List<String> leftInFirst = await(store.list(firstPrefix)).stream().map(ObjectInfo::key).sorted().toList();
        assertEquals(second.files().stream().map(VersionFile::key).filter(k -> k.startsWith(firstPrefix)).sorted()
                        .toList(), leftInFirst, "garbage collection keeps exactly the files version 2 still uses");
        assertTrue(leftInFirst.containsAll(reused.stream().map(VersionFile::key).toList()));
        IndexFileCache files = new IndexFileCache(store, dir.resolve("index-cache"), 1L << 30, work);
        CollectionStateCache views = new CollectionStateCache(store, logCatalog, versions, files,
                SearchParameters.DEFAULTS, allocator, work);
        assertSameRecords(expected, await(views.snapshot(collection)), "version 2 read back");
    }

    @Test
    void garbageOfSupersededVersionsGoesAfterTheGracePeriodOnly() throws Exception {
        Random random = seeded("garbageOfSupersededVersionsGoesAfterTheGracePeriodOnly");
        Compactor compactor = compactor("a");
        writeRandomly(random, 40);
        await(compactor.compact(collection)).orElseThrow();
        writeRandomly(random, 30);
        VersionManifest second = await(compactor.compact(collection)).orElseThrow();
        writeRandomly(random, 10);
        CollectionSnapshot expected = replayWholeLog();
        int fragmentsBefore = await(logCatalog.fragments(collection, 0)).size();
        VersionGarbageCollector garbage = new VersionGarbageCollector(store, versions, logCatalog, clock);
        Duration grace = Duration.ofMinutes(10);

        assertEquals(VersionGarbageCollector.Collected.NOTHING, await(garbage.collect(collection, grace)));
        assertTrue(!await(store.list(VersionKeys.versionPrefix(collection, 1))).isEmpty(), "version 1 kept in grace");

        clock.advance(grace);
        VersionGarbageCollector.Collected collected = await(garbage.collect(collection, grace));

        // Version 2 appended to version 1's index and kept some of its blocks: what version 2 lists of version 1
        // stays, the rest is gone.
        String prefix1 = VersionKeys.versionPrefix(collection, 1);
        String prefix2 = VersionKeys.versionPrefix(collection, 2);
        assertEquals(second.files().stream().map(VersionFile::key).filter(key -> key.startsWith(prefix1)).sorted()
                .toList(), keysUnder(prefix1));
        assertTrue(!keysUnder(prefix1).contains(VersionKeys.manifest(collection, 1)), "version 1's manifest is gone");
        assertEquals(second.files().stream().filter(file -> file.key().startsWith(prefix2)).count() + 1,
                await(store.list(prefix2)).size());
        List<FragmentRef> left = await(logCatalog.fragments(collection, 0));
        assertTrue(left.stream().allMatch(f -> f.startOffset() >= second.logEndOffset()), "only the tail stays: " + left);
        assertEquals(fragmentsBefore - left.size(), collected.fragments());
        assertTrue(collected.versionObjects() > 1, "version 1's manifest, blocks and index files");
        long objectsUnderLog = await(store.list(FragmentKeys.logPrefix(collection))).size();
        assertEquals(left.size(), objectsUnderLog);

        IndexFileCache files = new IndexFileCache(store, dir.resolve("index-cache"), 1L << 30, work);
        CollectionStateCache cold = new CollectionStateCache(store, logCatalog, versions, files, SearchParameters.DEFAULTS,
                allocator, work);
        assertSameRecords(expected, await(cold.snapshot(collection)), "version 2 + tail after collection");
    }

    /**
     * Issue 12: once told of a version its replica published, the cache opens it and replays the tail beside the state
     * it serves, so the next read finds it open: nothing to open, fetch or read.
     */
    @Test
    void preparedVersionIsOpenBeforeTheNextRead() throws Exception {
        IndexFileCache files = new IndexFileCache(store, dir.resolve("index-cache"), 1L << 30, work);
        CollectionStateCache views = new CollectionStateCache(store, logCatalog, versions, files,
                SearchParameters.DEFAULTS, allocator, work);
        await(writer.append(collection, List.of(added("a"), added("b"))));
        assertEquals(List.of("a", "b"), ids(await(views.snapshot(collection))));
        await(writer.append(collection, List.of(added("c"))));
        VersionManifest manifest = await(compactor("a").compact(collection)).orElseThrow();
        await(writer.append(collection, List.of(added("d"))));

        await(views.prepare(collection, new VersionRef(manifest.version(), VersionKeys.manifest(collection, 1), 3)));
        assertEquals(1, views.versionsOpenedAhead());
        assertEquals(1, views.versionSwitches());
        assertEquals(1, views.versionsWarmed(), "queried once with an embedding of the state held, before the switch");
        long opens = files.localOpens() + files.fetches();
        long caughtUp = views.snapshotsCaughtUp();

        try (CollectionView view = await(views.view(collection))) {
            assertEquals(1, view.versionNumber(), "the first read after the publication reads the new version");
            assertEquals(1, view.tailSize());
            assertEquals(List.of("a", "b", "c", "d"), view.get(GetRequest.all()).stream().map(Record::id).toList());
        }
        assertEquals(opens, files.localOpens() + files.fetches(), "the read opened nothing");
        assertEquals(caughtUp, views.snapshotsCaughtUp(), "the read read nothing");
    }

    @Test
    void preparingACollectionNeverReadOpensItsVersionForTheFirstRead() throws Exception {
        IndexFileCache files = new IndexFileCache(store, dir.resolve("index-cache"), 1L << 30, work);
        CollectionStateCache views = new CollectionStateCache(store, logCatalog, versions, files,
                SearchParameters.DEFAULTS, allocator, work);
        await(writer.append(collection, List.of(added("a"), added("b"))));
        VersionManifest manifest = await(compactor("a").compact(collection)).orElseThrow();

        await(views.prepare(collection, new VersionRef(manifest.version(), VersionKeys.manifest(collection, 1), 2)));
        long opens = files.localOpens() + files.fetches();

        try (CollectionView view = await(views.view(collection))) {
            assertEquals(1, view.versionNumber());
            assertEquals(List.of("a", "b"), view.get(GetRequest.all()).stream().map(Record::id).toList());
        }
        assertEquals(opens, files.localOpens() + files.fetches(), "the read opened nothing");
        assertEquals(1, views.snapshotsCached());
        assertEquals(0, views.snapshotsCaughtUp());
        assertEquals(1, views.versionsOpenedAhead());
    }

    /**
     * Issue 10: a replica caches a collection (no version yet), the collection is written again, compacted, and its
     * log collected past the grace period while nobody reads it. The next read catches up from the new version.
     */
    @Test
    void staleCacheCatchesUpFromTheNewestVersionAfterLogGarbageCollection() throws Exception {
        IndexFileCache files = new IndexFileCache(store, dir.resolve("index-cache"), 1L << 30, work);
        CollectionStateCache views = new CollectionStateCache(store, logCatalog, versions, files,
                SearchParameters.DEFAULTS, allocator, work);
        await(writer.append(collection, List.of(added("a"), added("b"))));
        assertEquals(List.of("a", "b"), ids(await(views.snapshot(collection))));
        await(writer.append(collection, List.of(added("c"))));
        assertEquals(3, await(compactor("a").compact(collection)).orElseThrow().logEndOffset());
        Duration grace = Duration.ofSeconds(5);
        clock.advance(grace);
        await(new VersionGarbageCollector(store, versions, logCatalog, clock).collect(collection, grace));
        assertEquals(List.of(), await(logCatalog.fragments(collection, 0)), "the whole log was collected");

        try (CollectionView view = await(views.view(collection))) {
            assertEquals(3, view.count());
            assertEquals(1, view.versionNumber());
            assertEquals(List.of("a", "b", "c"), view.get(GetRequest.all()).stream().map(Record::id).toList());
        }
        assertEquals(1, views.versionSwitches());
    }

    /**
     * A cache on version 1 whose next fragments went with version 2's garbage collection, while writes after
     * version 2 stay in the log: the next read loads version 2 and applies that tail.
     */
    @Test
    void staleCacheOnAnOlderVersionCatchesUpWhenTheLogResumesPastIt() throws Exception {
        IndexFileCache files = new IndexFileCache(store, dir.resolve("index-cache"), 1L << 30, work);
        CollectionStateCache views = new CollectionStateCache(store, logCatalog, versions, files,
                SearchParameters.DEFAULTS, allocator, work);
        Compactor compactor = compactor("a");
        await(writer.append(collection, List.of(added("a"), added("b"))));
        await(compactor.compact(collection)).orElseThrow();
        await(writer.append(collection, List.of(added("c"))));
        try (CollectionView view = await(views.view(collection))) {
            assertEquals(1, view.versionNumber());
            assertEquals(3, view.count());
        }
        await(writer.append(collection, List.of(added("d"))));
        assertEquals(4, await(compactor.compact(collection)).orElseThrow().logEndOffset());
        await(writer.append(collection, List.of(added("e"), LogRecord.delete("a"))));
        Duration grace = Duration.ofSeconds(5);
        clock.advance(grace);
        await(new VersionGarbageCollector(store, versions, logCatalog, clock).collect(collection, grace));
        assertEquals(List.of(4L), await(logCatalog.fragments(collection, 0)).stream()
                .map(FragmentRef::startOffset).toList(), "only the tail after version 2 is left");

        try (CollectionView view = await(views.view(collection))) {
            assertEquals(2, view.versionNumber());
            assertEquals(List.of("b", "c", "d", "e"), view.get(GetRequest.all()).stream().map(Record::id).toList());
        }
    }

    private static LogRecord added(String id) {
        return new LogRecord(Operation.ADD, id, new float[] {1, 2, 3, id.charAt(0)}, null, "doc " + id, null);
    }

    private static final String[] WHERES = {null, "{\"n\": {\"$gte\": 5}}", "{\"s\": \"v1\"}",
            "{\"$or\": [{\"n\": {\"$lt\": 2}}, {\"s\": {\"$ne\": \"v3\"}}]}", "{\"s\": {\"$nin\": [\"v0\", \"v2\"]}}"};
    private static final String[] WHERE_DOCUMENTS = {null, "{\"$contains\": \"doc 1\"}", "{\"$not_contains\": \"5\"}",
            "{\"$regex\": \"^doc [0-4]\"}"};

    private static void assertViewAnswers(ExactCollectionReader exact, CollectionView view, Random random, String context)
            throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        assertEquals(exact.count(), view.count(), context + " count");
        assertEquals(ids(exact.get(GetRequest.all())), ids(view.get(GetRequest.all())), context + " get all");
        assertSameRecords(CollectionSnapshot.of(exact.get(GetRequest.all())),
                CollectionSnapshot.of(view.get(GetRequest.all())), context);
        for (int i = 0; i < 6; i++) {
            String w = WHERES[random.nextInt(WHERES.length)];
            String wd = WHERE_DOCUMENTS[random.nextInt(WHERE_DOCUMENTS.length)];
            Where where = w == null ? null : WhereParser.parse(json.readTree(w));
            WhereDocument whereDocument = wd == null ? null : WhereDocumentParser.parse(json.readTree(wd));
            List<String> idFilter = random.nextInt(3) == 0 ? List.of("id-" + random.nextInt(25), "id-" + random.nextInt(25)) : null;
            Integer limit = random.nextBoolean() ? null : random.nextInt(6);
            GetRequest get = new GetRequest(idFilter, where, whereDocument, limit, random.nextInt(4));
            String filters = context + " where " + w + " where_document " + wd + " ids " + idFilter;
            assertEquals(ids(exact.get(get)), ids(view.get(get)), filters + " limit " + limit + " offset " + get.offset());
            float[] query = new float[DIMENSION];
            for (int d = 0; d < DIMENSION; d++) {
                query[d] = random.nextFloat() * 2 - 1;
            }
            QueryRequest request = new QueryRequest(List.of(query), 1 + random.nextInt(8), idFilter, where, whereDocument,
                    DistanceFunction.L2);
            List<QueryHit> want = exact.query(request).get(0);
            List<QueryHit> got = view.query(request).get(0);
            assertEquals(want.stream().map(h -> h.record().id()).toList(), got.stream().map(h -> h.record().id()).toList(),
                    filters + " query ids");
            for (int h = 0; h < want.size(); h++) {
                assertEquals(want.get(h).distance(), got.get(h).distance(), filters + " distance " + h);
            }
        }
    }

    private static List<String> ids(List<Record> records) {
        return records.stream().map(Record::id).toList();
    }

    @Test
    void nothingNewPublishesNothing() {
        assertEquals(Optional.empty(), await(compactor("a").compact(collection)));
        writeRandomly(seeded("nothingNewPublishesNothing"), 5);
        assertEquals(1, await(compactor("a").compact(collection)).orElseThrow().version());

        assertEquals(Optional.empty(), await(compactor("a").compact(collection)));
        assertEquals(1, loadCurrent().version());
    }

    @Test
    void failedCompactionLeavesPreviousVersionCurrentAndReadable() throws Exception {
        Random random = seeded("failedCompactionLeavesPreviousVersionCurrentAndReadable");
        writeRandomly(random, 30);
        Compactor compactor = compactor("a");
        await(compactor.compact(collection)).orElseThrow();
        CollectionSnapshot version1 = replayWholeLog();
        writeRandomly(random, 30);
        CollectionSnapshot full = replayWholeLog();
        int puts = 2 + full.size() / 3 + 3; // blocks + some index files + manifest, roughly: fail at every step up to it

        for (int n = 1; n <= puts; n++) {
            store.failPutIfAbsent(n);
            CompletableFuture<Optional<VersionManifest>> attempt = compactor.compact(collection).toCompletableFuture();
            ExecutionException failure = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> attempt.get(60, TimeUnit.SECONDS), "put " + n);
            assertTrue(failure.getMessage().contains("injected failure"), failure.toString());

            CompactedCollection current = loadCurrent();
            assertEquals(1, current.version(), "put " + n);
            assertSameRecords(version1, current.snapshot(), "version 1 after failing put " + n);
            assertEquals(List.of(), keysUnder(VersionKeys.versionPrefix(collection, 2)), "put " + n);
        }

        store.failPutIfAbsent(Integer.MAX_VALUE / 2);
        VersionManifest manifest = await(compactor("b").compact(collection)).orElseThrow(); // the lease was released
        assertEquals(2, manifest.version());
        assertSameRecords(full, loadCurrent().snapshot(), "version 2");
        assertIndexHolds(manifest);
    }

    @Test
    void leftoversOfACrashedAttemptDoNotBlockTheNext() throws Exception {
        Random random = seeded("leftoversOfACrashedAttemptDoNotBlockTheNext");
        writeRandomly(random, 20);
        assertEquals(1, await(compactor("a").compact(collection)).orElseThrow().version());
        writeRandomly(random, 20);
        // What a compactor killed while writing version 2 leaves: files at the keys the next attempt needs.
        await(store.put(VersionKeys.block(collection, 2, 0), new byte[] {1, 2, 3}));
        await(store.put(VersionKeys.indexFile(collection, 2, "segments_1"), new byte[] {4}));

        VersionManifest manifest = await(compactor("b").compact(collection)).orElseThrow();

        assertEquals(2, manifest.version());
        assertSameRecords(replayWholeLog(), loadCurrent().snapshot(), "version 2");
        assertIndexHolds(manifest);
    }

    @Test
    void racingCompactorsPublishExactlyOnce() {
        Random random = seeded("racingCompactorsPublishExactlyOnce");
        Compactor a = compactor("a");
        Compactor b = compactor("b");
        for (int round = 1; round <= 5; round++) {
            writeRandomly(random, 10);

            CompletableFuture<Optional<VersionManifest>> first = a.compact(collection).toCompletableFuture();
            CompletableFuture<Optional<VersionManifest>> second = b.compact(collection).toCompletableFuture();

            Optional<VersionManifest> fromA = await(first);
            Optional<VersionManifest> fromB = await(second);
            assertTrue(fromA.isPresent() != fromB.isPresent(), "round " + round + ": " + fromA + " / " + fromB);
            assertEquals(round, loadCurrent().version());
            assertSameRecords(replayWholeLog(), loadCurrent().snapshot(), "round " + round);
        }
    }

    @Test
    void heldLeaseKeepsOthersOut() {
        writeRandomly(seeded("heldLeaseKeepsOthersOut"), 10);
        assertTrue(await(versions.tryAcquireLease(collection, "other", TTL)));

        assertEquals(Optional.empty(), await(compactor("a").compact(collection)));
        assertEquals(Optional.empty(), await(versions.currentVersion(collection)));
        await(versions.releaseLease(collection, "other"));
        assertEquals(1, await(compactor("a").compact(collection)).orElseThrow().version());
    }

    @Test
    void expiredLeaseCanBeTakenOver() {
        writeRandomly(seeded("expiredLeaseCanBeTakenOver"), 10);
        assertTrue(await(versions.tryAcquireLease(collection, "crashed", TTL)));
        assertEquals(Optional.empty(), await(compactor("a").compact(collection)));

        clock.advance(TTL);

        assertEquals(1, await(compactor("a").compact(collection)).orElseThrow().version());
        assertFalse(await(versions.renewLease(collection, "crashed", TTL)));
    }

    @Test
    void compactorWhoseLeaseLapsedMidWayPublishesNothing() throws Exception {
        Random random = seeded("compactorWhoseLeaseLapsedMidWayPublishesNothing");
        writeRandomly(random, 20);
        CompletableFuture<Void> gate = store.holdPutsIfAbsent();
        CompletableFuture<Optional<VersionManifest>> slow = compactor("slow").compact(collection).toCompletableFuture();
        await(store.arrived()); // "slow" holds the lease and is about to write its first file

        clock.advance(TTL); // "slow"'s lease lapses while it waits on its first put
        store.openForLaterCalls();
        VersionManifest fast = await(compactor("fast").compact(collection)).orElseThrow();
        gate.complete(null); // "slow" resumes: its files collide with "fast"'s, so it gives up

        ExecutionException failure = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> slow.get(60, TimeUnit.SECONDS));
        assertTrue(failure.getMessage().contains("already exists"), failure.toString());
        assertEquals(1, fast.version());
        assertEquals(1, loadCurrent().version());
        assertSameRecords(replayWholeLog(), loadCurrent().snapshot(), "version 1");
        assertIndexHolds(fast); // "slow" deleted nothing of "fast"'s
    }

    @Test
    void heartbeatKeepsTheLeaseOfACompactionLongerThanItsTtl() throws Exception {
        writeRandomly(seeded("heartbeatKeepsTheLeaseOfACompactionLongerThanItsTtl"), 10);
        InMemoryVersionCatalog realTime = new InMemoryVersionCatalog(java.time.Clock.systemUTC());
        Duration ttl = Duration.ofMillis(300);
        CompactorOptions options = CompactorOptions.defaults(Environment.deterministic(clock, 1)).withLeaseTtl(ttl);
        Compactor withoutHeartbeat = new Compactor(store, logCatalog, realTime, allocator, clock,
                options.withHolder("plain"), work);
        Compactor withHeartbeat = new Compactor(store, logCatalog, realTime, allocator, clock,
                options.withHolder("beating"), work, scheduler);

        for (Compactor compactor : List.of(withoutHeartbeat, withHeartbeat)) {
            CompletableFuture<Void> gate = store.holdPutsIfAbsent();
            CompletableFuture<Optional<VersionManifest>> running = compactor.compact(collection).toCompletableFuture();
            await(store.arrived());
            Thread.sleep(4 * ttl.toMillis()); // four TTLs while the compaction waits on its first write
            store.openForLaterCalls();
            gate.complete(null);
            Optional<VersionManifest> result = running.get(60, TimeUnit.SECONDS);
            if (compactor == withoutHeartbeat) {
                assertEquals(Optional.empty(), result, "the lease lapsed: nothing published");
                assertEquals(Optional.empty(), await(realTime.currentVersion(collection)));
            } else {
                assertEquals(1, result.orElseThrow().version(), "the heartbeat kept the lease");
                assertEquals(1, await(realTime.currentVersion(collection)).orElseThrow().version());
            }
        }
    }

    @Test
    void shouldCompactByRecordsBytesOrAge() {
        CompactionThresholds thresholds = new CompactionThresholds(100, 1_000, Duration.ofMinutes(10));
        Optional<VersionRef> current = Optional.of(new VersionRef(1, VersionKeys.manifest(collection, 1), 50));
        List<io.vermilion.catalog.FragmentRef> tail = List.of(
                new io.vermilion.catalog.FragmentRef(50, 60, "a", 400), new io.vermilion.catalog.FragmentRef(60, 70, "b", 400));

        assertFalse(Compactor.shouldCompact(new LogPosition(50, 4), current, List.of(), Duration.ofDays(1), thresholds));
        assertFalse(Compactor.shouldCompact(new LogPosition(70, 4), current, tail, Duration.ofMinutes(1), thresholds));
        assertTrue(Compactor.shouldCompact(new LogPosition(150, 4), current, tail, Duration.ZERO, thresholds));
        assertTrue(Compactor.shouldCompact(new LogPosition(71, 4), current,
                List.of(tail.get(0), tail.get(1), new io.vermilion.catalog.FragmentRef(70, 71, "c", 300)),
                Duration.ZERO, thresholds));
        assertTrue(Compactor.shouldCompact(new LogPosition(70, 4), current, tail, Duration.ofMinutes(10), thresholds));
        assertTrue(Compactor.shouldCompact(new LogPosition(1, null), Optional.empty(), List.of(), Duration.ZERO,
                new CompactionThresholds(1, 1, Duration.ofHours(1))));
    }
}
