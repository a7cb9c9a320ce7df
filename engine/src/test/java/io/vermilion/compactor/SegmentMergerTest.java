package io.vermilion.compactor;

import static io.vermilion.compactor.CompactorTest.assertSameRecords;
import static io.vermilion.log.LogTestKit.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
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
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexOutput;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.vermilion.blockstore.BlockLimits;
import io.vermilion.catalog.InMemoryLogCatalog;
import io.vermilion.catalog.InMemoryVersionCatalog;
import io.vermilion.env.Environment;
import io.vermilion.filter.Where;
import io.vermilion.filter.WhereParser;
import io.vermilion.index.IndexFileCache;
import io.vermilion.index.IndexedCollectionReader;
import io.vermilion.index.SearchParameters;
import io.vermilion.log.LogWriter;
import io.vermilion.log.LogWriterOptions;
import io.vermilion.model.CollectionSnapshot;
import io.vermilion.model.DistanceFunction;
import io.vermilion.model.GetRequest;
import io.vermilion.model.MutableCollectionState;
import io.vermilion.model.QueryRequest;
import io.vermilion.record.LogRecord;
import io.vermilion.record.MetadataValue;
import io.vermilion.record.Operation;
import io.vermilion.storage.LocalObjectStore;
import io.vermilion.testing.FaultyObjectStore;
import io.vermilion.testing.MutableClock;
import io.vermilion.testing.Seeds;
import io.vermilion.version.VersionFile;
import io.vermilion.version.VersionKeys;
import io.vermilion.version.VersionManifest;

/**
 * The segment merge policy: a version whose compactions appended more segments than the policy keeps is folded into
 * a new version with the same blocks and log end offset, fewer segments and exactly the same answers; a merge that
 * fails before publishing leaves the previous version current and nothing under the new version's prefix.
 */
@ExtendWith(Seeds.class)
class SegmentMergerTest {

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
    private IndexFileCache cache;
    private final UUID collection = UUID.randomUUID();
    /** Every record as last written, by id (the test's own model of the collection). */
    private final Map<String, LogRecord> live = new java.util.TreeMap<>();

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
        scheduler = Executors.newScheduledThreadPool(2);
        io = Executors.newFixedThreadPool(4);
        work = Executors.newFixedThreadPool(4);
        store = new FaultyObjectStore(new LocalObjectStore(dir.resolve("store"), io));
        logCatalog = new InMemoryLogCatalog();
        clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        versions = new InMemoryVersionCatalog(clock);
        writer = new LogWriter(store, logCatalog, allocator,
                LogWriterOptions.defaults().withCommitWindow(Duration.ZERO).withMaxRecordsPerFragment(50), scheduler);
        cache = new IndexFileCache(store, dir.resolve("cache"), 1L << 30, work);
        logCatalog.createCollection(collection);
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

    private CompactorOptions options() {
        return CompactorOptions.defaults(Environment.deterministic(clock, 1)).withHolder("a").withLeaseTtl(TTL)
                .withBlockLimits(BlockLimits.defaults().withMaxRecords(3)).withWorkDir(dir.resolve("work"))
                .withLocalIndex(cache);
    }

    private Compactor compactor() {
        return new Compactor(store, logCatalog, versions, allocator, clock, options(), work);
    }

    private SegmentMerger merger(int maxSegments) {
        return new SegmentMerger(store, versions, allocator, clock, options(), maxSegments, work, null);
    }

    /**
     * Version 1 of 40 records (one segment), then five compactions of 8 new records and 2 upserts of existing ones
     * each (one segment more each): six segments.
     */
    private VersionManifest sixSegments(Random random) {
        write(random, 0, 40, 0);
        VersionManifest last = await(compactor().compact(collection)).orElseThrow();
        for (int round = 0; round < 5; round++) {
            write(random, 40 + 8 * round, 8, 2);
            last = await(compactor().compact(collection)).orElseThrow();
        }
        return last;
    }

    /** Adds records r{from} .. r{from+count-1} and upserts {@code upserts} random existing ones, in one request. */
    private void write(Random random, int from, int count, int upserts) {
        List<LogRecord> request = new ArrayList<>();
        for (int u = 0; u < upserts; u++) {
            request.add(record(Operation.UPSERT, "r%03d".formatted(random.nextInt(from)), random));
        }
        for (int i = from; i < from + count; i++) {
            request.add(record(Operation.ADD, "r%03d".formatted(i), random));
        }
        request.forEach(r -> live.put(r.id(), r));
        await(writer.append(collection, request));
    }

    private static LogRecord record(Operation operation, String id, Random random) {
        return new LogRecord(operation, id, vector(random), Map.of("n", new MetadataValue.Int(random.nextInt(4))),
                "doc " + id, null);
    }

    private static float[] vector(Random random) {
        float[] embedding = new float[DIMENSION];
        for (int d = 0; d < DIMENSION; d++) {
            embedding[d] = random.nextFloat() * 2 - 1;
        }
        return embedding;
    }

    @Test
    void foldingTheSmallestSegmentsKeepsEveryAnswerWithFewerSegments() throws IOException {
        Random random = new Random(Seeds.seed("foldingTheSmallestSegments"));
        VersionManifest before = sixSegments(random);
        assertEquals(6, SegmentMerger.segments(before));
        List<float[]> queries = new ArrayList<>();
        for (int q = 0; q < 8; q++) {
            queries.add(vector(random));
        }
        List<List<String>> answersBefore = answers(before, queries);
        assertEquals(expected(queries), answersBefore, "the appended version answers as brute force");

        VersionManifest merged = await(merger(3).merge(collection).toCompletableFuture()).orElseThrow();

        assertEquals(before.version() + 1, merged.version());
        assertEquals(3, SegmentMerger.segments(merged));
        assertEquals(merged.version(), await(versions.currentVersion(collection)).orElseThrow().version());
        assertEquals(before.logEndOffset(), merged.logEndOffset());
        assertEquals(before.recordCount(), merged.recordCount());
        assertEquals(before.blocks(), merged.blocks());
        assertEquals(before.files(VersionFile.Role.BLOCK), merged.files(VersionFile.Role.BLOCK));
        assertEquals(answersBefore, answers(merged, queries), "the same answers after the fold");
        assertSameRecords(indexed(before), indexed(merged), "the merged version's records");
        assertEquals(80, indexed(merged).size());
        try (Directory files = published(merged)) {
            assertEquals(3, SegmentInfos.readLatestCommit(files).size());
        }
        // The two largest segments are kept by reference: only the folded one's files are new.
        long kept = merged.files(VersionFile.Role.INDEX).stream()
                .filter(file -> file.key().endsWith(".si") && before.files().contains(file)).count();
        assertEquals(2, kept);
        assertEquals(Optional.empty(), await(merger(3).merge(collection).toCompletableFuture()),
                "three segments are within the policy");
        assertEquals(Optional.empty(), await(merger(6).merge(collection).toCompletableFuture()));
    }

    @Test
    void aMergeThatFailsBeforePublishingLeavesThePreviousVersionServing() throws IOException {
        Random random = new Random(Seeds.seed("aMergeThatFailsBeforePublishing"));
        VersionManifest before = sixSegments(random);
        List<float[]> queries = List.of(vector(random), vector(random), vector(random));
        List<List<String>> answersBefore = answers(before, queries);
        SegmentMerger merger = merger(2);

        int failures = 0;
        Optional<VersionManifest> merged = Optional.empty();
        for (int n = 1; merged.isEmpty(); n++) {
            store.failPutIfAbsent(n);
            CompletableFuture<Optional<VersionManifest>> attempt = merger.merge(collection).toCompletableFuture();
            try {
                merged = attempt.get(60, TimeUnit.SECONDS);
                assertTrue(merged.isPresent(), "put " + n);
            } catch (ExecutionException | InterruptedException | java.util.concurrent.TimeoutException e) {
                assertTrue(e.getMessage().contains("injected failure"), e.toString());
                failures++;
                assertEquals(before.version(), await(versions.currentVersion(collection)).orElseThrow().version(),
                        "put " + n);
                assertEquals(List.of(), await(store.list(VersionKeys.versionPrefix(collection, before.version() + 1))),
                        "put " + n);
                assertEquals(answersBefore, answers(before, queries), "put " + n);
            }
        }
        store.failPutIfAbsent(Integer.MAX_VALUE / 2);

        assertTrue(failures >= 3, "the folded segment's files, its sketch and the manifest each failed once: " + failures);
        assertEquals(2, SegmentMerger.segments(merged.get()));
        assertEquals(answersBefore, answers(merged.get(), queries));
        assertSameRecords(indexed(before), indexed(merged.get()), "the merged version's records");
    }

    @Test
    void aMergerNeverRunsWhileACompactionHoldsTheLease() {
        Random random = new Random(Seeds.seed("aMergerNeverRunsWhileACompaction"));
        VersionManifest before = sixSegments(random);
        assertTrue(await(versions.tryAcquireLease(collection, "another", TTL)));

        assertEquals(Optional.empty(), await(merger(2).merge(collection).toCompletableFuture()));
        assertEquals(before.version(), await(versions.currentVersion(collection)).orElseThrow().version());
        assertThrows(IllegalArgumentException.class, () -> merger(0));
    }

    @Test
    void foldingIsDueOnceCaughtUpOrPastFourTimesThePolicyDuringAnIngest() {
        VersionManifest six = sixSegments(new Random(Seeds.seed("foldingIsDue")));
        assertEquals(6, SegmentMerger.segments(six));
        assertTrue(merger(5).due(six, true));
        assertEquals(false, merger(5).due(six, false), "6 <= 4 x 5 while compactions lag");
        assertTrue(merger(1).due(six, false), "6 > 4 x 1");
        assertEquals(false, merger(6).due(six, true));
    }

    /** Top 5 ids by squared L2 for each query, without a filter and with n = 2, by brute force over the model. */
    private List<List<String>> expected(List<float[]> queries) {
        List<List<String>> all = new ArrayList<>();
        for (float[] query : queries) {
            for (Integer n : new Integer[] {null, 2}) {
                all.add(live.values().stream()
                        .filter(r -> n == null || r.metadata().get("n").equals(new MetadataValue.Int(n)))
                        .sorted(Comparator.comparingDouble(r -> squaredDistance(r.embedding(), query)))
                        .limit(5).map(LogRecord::id).toList());
            }
        }
        return all;
    }

    /** The published version's answers to each query, without a filter and with n = 2. */
    private List<List<String>> answers(VersionManifest manifest, List<float[]> queries) throws IOException {
        List<List<String>> all = new ArrayList<>();
        try (Directory files = published(manifest);
             IndexedCollectionReader reader = IndexedCollectionReader.open(files, SearchParameters.DEFAULTS)) {
            for (float[] query : queries) {
                for (Integer n : new Integer[] {null, 2}) {
                    Where where = n == null ? null : WhereParser.parse(
                            new com.fasterxml.jackson.databind.ObjectMapper().readTree("{\"n\": " + n + "}"));
                    QueryRequest request = new QueryRequest(List.of(query), 5, null, where, null, DistanceFunction.L2,
                            0, false);
                    all.add(reader.query(request).getFirst().stream().map(hit -> hit.record().id()).toList());
                }
            }
        }
        return all;
    }

    /** Every record the published index of the version holds. */
    private CollectionSnapshot indexed(VersionManifest manifest) throws IOException {
        try (Directory files = published(manifest);
             IndexedCollectionReader reader = IndexedCollectionReader.open(files, SearchParameters.DEFAULTS)) {
            MutableCollectionState state = new MutableCollectionState();
            reader.get(new GetRequest(null, null, null, null, 0)).forEach(state::put);
            return state.snapshot();
        }
    }

    /** The version's index files as published (fetched from the store and checked), in memory. */
    private Directory published(VersionManifest manifest) throws IOException {
        ByteBuffersDirectory directory = new ByteBuffersDirectory();
        for (VersionFile file : manifest.files(VersionFile.Role.INDEX)) {
            byte[] bytes = await(store.get(file.key()));
            assertTrue(file.matches(bytes), file.key());
            try (IndexOutput out = directory.createOutput(file.key().substring(file.key().lastIndexOf('/') + 1),
                    IOContext.DEFAULT)) {
                out.writeBytes(bytes, bytes.length);
            }
        }
        return directory;
    }

    private static double squaredDistance(float[] a, float[] b) {
        double sum = 0;
        for (int d = 0; d < a.length; d++) {
            sum += (a[d] - b[d]) * (double) (a[d] - b[d]);
        }
        return sum;
    }
}
