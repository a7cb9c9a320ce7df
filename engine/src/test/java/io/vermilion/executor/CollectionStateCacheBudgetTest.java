package io.vermilion.executor;

import static io.vermilion.log.LogTestKit.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.vermilion.catalog.InMemoryLogCatalog;
import io.vermilion.catalog.InMemoryVersionCatalog;
import io.vermilion.catalog.VersionRef;
import io.vermilion.compactor.Compactor;
import io.vermilion.compactor.CompactorOptions;
import io.vermilion.env.Environment;
import io.vermilion.index.IndexFileCache;
import io.vermilion.index.SearchParameters;
import io.vermilion.log.LogWriter;
import io.vermilion.log.LogWriterOptions;
import io.vermilion.model.CollectionSnapshot;
import io.vermilion.model.DistanceFunction;
import io.vermilion.model.GetRequest;
import io.vermilion.model.MutableCollectionState;
import io.vermilion.model.QueryHit;
import io.vermilion.model.QueryRequest;
import io.vermilion.record.LogRecord;
import io.vermilion.record.Operation;
import io.vermilion.record.Record;
import io.vermilion.storage.LocalObjectStore;
import io.vermilion.testing.MutableClock;
import io.vermilion.version.VersionKeys;
import io.vermilion.version.VersionManifest;

/**
 * The memory budget over compacted versions: a version's estimate counts the vectors a search of it reads, versions
 * opened ahead (not by a read) are evicted like any other state, and an evicted collection answers exactly what it
 * answered before, including writes made while it was out of memory.
 */
class CollectionStateCacheBudgetTest {

    private static final int DIMENSION = 4;
    private static final int RECORDS = 20;

    @TempDir
    Path dir;

    private BufferAllocator allocator;
    private ScheduledExecutorService scheduler;
    private ExecutorService work;
    private LocalObjectStore store;
    private InMemoryLogCatalog logCatalog;
    private InMemoryVersionCatalog versions;
    private MutableClock clock;
    private LogWriter writer;
    private IndexFileCache files;

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
        scheduler = Executors.newScheduledThreadPool(2);
        work = Executors.newFixedThreadPool(4);
        store = new LocalObjectStore(dir.resolve("objects"), work);
        logCatalog = new InMemoryLogCatalog();
        clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        versions = new InMemoryVersionCatalog(clock);
        writer = new LogWriter(store, logCatalog, allocator, LogWriterOptions.defaults().withCommitWindow(Duration.ZERO),
                scheduler);
        files = new IndexFileCache(store, dir.resolve("index-cache"), 1L << 30, work);
    }

    @AfterEach
    void close() throws InterruptedException {
        writer.close();
        scheduler.shutdownNow();
        work.shutdownNow();
        assertTrue(scheduler.awaitTermination(10, TimeUnit.SECONDS) && work.awaitTermination(10, TimeUnit.SECONDS));
    }

    private Compactor compactor() {
        return new Compactor(store, logCatalog, versions, allocator, clock,
                CompactorOptions.defaults(Environment.deterministic(clock, 1)).withHolder("a"), work);
    }

    private CollectionStateCache cache(long budget) {
        return new CollectionStateCache(store, logCatalog, versions, files, SearchParameters.DEFAULTS, allocator, work,
                Environment.system(), budget);
    }

    /** A collection of {@link #RECORDS} random records, compacted into version 1; returns its records. */
    private List<LogRecord> compacted(UUID collection, Random random) {
        logCatalog.createCollection(collection);
        List<LogRecord> records = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            records.add(record(Operation.ADD, "r" + i, random, "doc " + i));
        }
        await(writer.append(collection, records));
        VersionManifest manifest = await(compactor().compact(collection)).orElseThrow();
        assertEquals(1, manifest.version());
        return records;
    }

    private static LogRecord record(Operation operation, String id, Random random, String document) {
        float[] embedding = new float[DIMENSION];
        for (int d = 0; d < DIMENSION; d++) {
            embedding[d] = random.nextFloat() * 2 - 1;
        }
        return new LogRecord(operation, id, embedding, null, document, null);
    }

    private VersionRef current(UUID collection) {
        return await(versions.currentVersion(collection)).orElseThrow();
    }

    /** One compacted version of 20 × 4 floats: its overhead, Lucene's per-record heap and the float32 vectors it scans. */
    private static final long VERSION_ESTIMATE = CollectionStateCache.VERSION_OVERHEAD
            + RECORDS * (CollectionStateCache.VERSION_BYTES_PER_RECORD + 4L * DIMENSION);

    /**
     * A bounded view over a version (Chroma's {@code index_and_bounded_wal}): the version plus the oldest operations of
     * the log after it; the prefix is kept for the next bounded read, and the reference it holds on the version goes
     * with the collection (the version's local files are deleted once it is forgotten, so nothing kept it open).
     */
    @Test
    void boundedViewOverAVersionKeepsItsPrefixAndGivesTheVersionUpWithTheCollection() throws Exception {
        UUID collection = UUID.randomUUID();
        Random random = new Random(3);
        compacted(collection, random);
        await(writer.append(collection, List.of(record(Operation.ADD, "x", random, "x"),
                record(Operation.ADD, "y", random, "y"))));
        await(writer.append(collection, List.of(LogRecord.delete("r0"))));
        CollectionStateCache cache = cache(Long.MAX_VALUE);
        var end = await(logCatalog.position(collection)).orElseThrow();
        VersionRef version = current(collection);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            expected.add("r" + i);
        }
        expected.add("x");
        expected.add("y");
        for (int read = 0; read < 2; read++) {
            try (CollectionView view = await(cache.boundedView(collection, end, version, 2))) {
                assertEquals(RECORDS + 2, view.count(), "the delete of r0 is past the bound");
                assertEquals(expected, view.get(GetRequest.all()).stream().map(Record::id).toList());
            }
        }
        assertEquals(1, cache.boundedViewsKept());
        try (CollectionView full = await(cache.view(collection, end, version))) {
            assertEquals(RECORDS + 1, full.count());
        }
        Path folder = dir.resolve("index-cache").resolve(collection.toString()).resolve("%020d".formatted(1));
        assertTrue(java.nio.file.Files.isDirectory(folder));
        cache.forget(collection);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (java.nio.file.Files.exists(folder)) {
            assertTrue(System.nanoTime() < deadline, "version 1's files stay: some reader of it was never closed");
            Thread.sleep(20);
        }
    }

    @Test
    void versionEstimateCountsTheVectorsASearchOfItReads() {
        UUID collection = UUID.randomUUID();
        compacted(collection, new Random(1));
        CollectionStateCache cache = cache(Long.MAX_VALUE);

        try (CollectionView view = await(cache.view(collection))) {
            assertEquals(1, view.versionNumber());
            assertEquals(0, view.tailSize());
        }
        assertEquals(VERSION_ESTIMATE, cache.heldBytes());
    }

    @Test
    void versionsOpenedAheadAreEvictedToStayWithinTheBudget() {
        Random random = new Random(2);
        List<UUID> collections = new ArrayList<>();
        for (int c = 0; c < 6; c++) {
            UUID collection = UUID.randomUUID();
            compacted(collection, random);
            collections.add(collection);
        }
        CollectionStateCache cache = cache(2 * VERSION_ESTIMATE + VERSION_ESTIMATE / 2);

        for (UUID collection : collections) {
            await(cache.prepare(collection, current(collection))); // as the compactor does after publishing
        }

        assertEquals(6, cache.versionsOpenedAhead());
        assertEquals(2, cache.heldCollections());
        assertEquals(2 * VERSION_ESTIMATE, cache.heldBytes());
        assertEquals(4, cache.evictions());
        // The two opened last are held: reading them opens nothing.
        long opens = files.localOpens() + files.fetches();
        for (UUID collection : collections.subList(4, 6)) {
            try (CollectionView view = await(cache.view(collection))) {
                assertEquals(RECORDS, view.count());
            }
        }
        assertEquals(opens, files.localOpens() + files.fetches());
        assertEquals(2, cache.snapshotsCached());
    }

    @Test
    void evictedCollectionAnswersExactlyWithWritesMadeWhileEvicted() {
        Random random = new Random(3);
        UUID evicted = UUID.randomUUID();
        List<LogRecord> log = new ArrayList<>(compacted(evicted, random));
        UUID other = UUID.randomUUID();
        compacted(other, random);
        CollectionStateCache cache = cache(VERSION_ESTIMATE + VERSION_ESTIMATE / 2); // one version fits
        float[] query = {0.5f, -0.25f, 0.75f, 0.1f};
        QueryRequest request = new QueryRequest(List.of(query), 5, null, null, null, DistanceFunction.L2);

        List<QueryHit> before;
        try (CollectionView view = await(cache.view(evicted))) {
            before = view.query(request).get(0);
        }
        assertEquals(exact(log).query(request).get(0).stream().map(h -> h.record().id()).toList(),
                before.stream().map(h -> h.record().id()).toList());
        try (CollectionView view = await(cache.view(other))) {
            assertEquals(RECORDS, view.count());
        }
        assertEquals(1, cache.evictions());
        assertEquals(1, cache.heldCollections());

        // Written while out of memory: an update of the nearest record, a delete, an add.
        String nearest = before.get(0).record().id();
        List<LogRecord> writes = List.of(
                new LogRecord(Operation.UPDATE, nearest, new float[] {9, 9, 9, 9}, null, "moved far", null),
                LogRecord.delete(before.get(1).record().id()),
                new LogRecord(Operation.ADD, "new", query.clone(), null, "at the query", null));
        await(writer.append(evicted, writes));
        log.addAll(writes);

        ExactCollectionReader exact = exact(log);
        try (CollectionView view = await(cache.view(evicted))) {
            assertEquals(1, view.versionNumber());
            List<QueryHit> want = exact.query(request).get(0);
            List<QueryHit> got = view.query(request).get(0);
            assertEquals("new", got.get(0).record().id());
            assertEquals(0f, got.get(0).distance());
            assertEquals(want.stream().map(h -> h.record().id()).toList(), got.stream().map(h -> h.record().id()).toList());
            for (int h = 0; h < want.size(); h++) {
                assertEquals(want.get(h).distance(), got.get(h).distance(), "distance " + h);
                assertEquals(want.get(h).record().document(), got.get(h).record().document());
            }
            List<Record> all = view.get(GetRequest.all());
            assertEquals(RECORDS, all.size()); // 20 - 1 deleted + 1 added
            Record moved = all.stream().filter(r -> r.id().equals(nearest)).findFirst().orElseThrow();
            assertArrayEquals(new float[] {9, 9, 9, 9}, moved.embedding());
            assertEquals("moved far", moved.document());
        }
        assertEquals(2, cache.evictions(), "reading it back evicted the other collection");
    }

    private static ExactCollectionReader exact(List<LogRecord> log) {
        MutableCollectionState state = new MutableCollectionState();
        state.applyAll(log);
        return new ExactCollectionReader(state.snapshot());
    }
}
