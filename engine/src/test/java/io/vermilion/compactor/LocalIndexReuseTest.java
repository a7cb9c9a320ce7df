package io.vermilion.compactor;

import static io.vermilion.compactor.CompactorTest.assertSameRecords;
import static io.vermilion.log.LogTestKit.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
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
import io.vermilion.storage.LocalObjectStore;
import io.vermilion.testing.MutableClock;
import io.vermilion.testing.RecordingObjectStore;
import io.vermilion.testing.Seeds;
import io.vermilion.version.VersionFile;
import io.vermilion.version.VersionManifest;

/**
 * The compactor and the replica's local index cache: a published version's files are handed to the cache, the next
 * compaction takes them from there instead of the store (a corrupt local copy is fetched again), and a full build
 * cut into several segments answers exactly as one merged segment.
 */
@ExtendWith(Seeds.class)
class LocalIndexReuseTest {

    private static final Duration TTL = Duration.ofMinutes(1);
    private static final int DIMENSION = 4;

    @TempDir
    Path dir;

    private BufferAllocator allocator;
    private ScheduledExecutorService scheduler;
    private ExecutorService io;
    private ExecutorService work;
    private RecordingObjectStore store;
    private InMemoryLogCatalog logCatalog;
    private MutableClock clock;
    private InMemoryVersionCatalog versions;
    private LogWriter writer;
    private IndexFileCache cache;

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
        scheduler = Executors.newScheduledThreadPool(2);
        io = Executors.newFixedThreadPool(4);
        work = Executors.newFixedThreadPool(4);
        store = new RecordingObjectStore(new LocalObjectStore(dir.resolve("store"), io));
        logCatalog = new InMemoryLogCatalog();
        clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        versions = new InMemoryVersionCatalog(clock);
        writer = new LogWriter(store, logCatalog, allocator,
                LogWriterOptions.defaults().withCommitWindow(Duration.ZERO).withMaxRecordsPerFragment(50), scheduler);
        cache = new IndexFileCache(store, dir.resolve("cache"), 1L << 30, work);
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
                .withBlockLimits(BlockLimits.defaults().withMaxRecords(3)).withWorkDir(dir.resolve("work"));
    }

    /** Records r00 .. r(count-1) of {@code collection} with random vectors, metadata and documents, in one request. */
    private void addNumbered(UUID collection, Random random, int count) {
        List<LogRecord> request = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            request.add(new LogRecord(Operation.ADD, "r%02d".formatted(i), vector(random),
                    Map.of("n", new MetadataValue.Int(i)), "doc " + i, null));
        }
        await(writer.append(collection, request));
    }

    private static float[] vector(Random random) {
        float[] embedding = new float[DIMENSION];
        for (int d = 0; d < DIMENSION; d++) {
            embedding[d] = random.nextFloat() * 2 - 1;
        }
        return embedding;
    }

    private CollectionSnapshot replayWholeLog(UUID collection) {
        MutableCollectionState state = new MutableCollectionState();
        state.applyAll(LogTestKit.records(LogTestKit.readLog(store, logCatalog, allocator, collection)));
        return state.snapshot();
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

    /** Every record the published index of the version holds, in insertion order. */
    private CollectionSnapshot indexed(VersionManifest manifest) throws IOException {
        try (Directory directory = published(manifest);
             IndexedCollectionReader reader = IndexedCollectionReader.open(directory, SearchParameters.DEFAULTS)) {
            MutableCollectionState state = new MutableCollectionState();
            reader.get(new GetRequest(null, null, null, null, 0)).forEach(state::put);
            return state.snapshot();
        }
    }

    private Path cachedFolder(UUID collection, long version) {
        return dir.resolve("cache").resolve(collection.toString()).resolve("%020d".formatted(version));
    }

    @Test
    void previousIndexFilesInTheLocalCacheAreNotFetchedFromTheStore() throws IOException {
        UUID collection = UUID.randomUUID();
        logCatalog.createCollection(collection);
        addNumbered(collection, new Random(Seeds.seed("previousIndexFilesInTheLocalCache")), 30);
        Compactor compactor = new Compactor(store, logCatalog, versions, allocator, clock,
                options().withLocalIndex(cache), work);
        VersionManifest first = await(compactor.compact(collection)).orElseThrow();
        List<VersionFile> firstIndex = first.files(VersionFile.Role.INDEX);
        for (VersionFile file : firstIndex) {
            String name = file.key().substring(file.key().lastIndexOf('/') + 1);
            assertEquals(file.size(), Files.size(cachedFolder(collection, 1).resolve(name)), name + " handed to the cache");
        }
        assertEquals(1, cache.adoptedVersions());
        await(writer.append(collection, List.of(new LogRecord(Operation.UPDATE, "r14", null,
                Map.of("n", new MetadataValue.Int(1400)), "changed", null))));

        VersionManifest second = await(compactor.compact(collection)).orElseThrow();

        for (VersionFile file : firstIndex) {
            assertEquals(0, store.getsOf(file.key()), file.key() + " taken from the local cache");
        }
        assertEquals(firstIndex.stream().mapToLong(VersionFile::size).sum(), cache.reusedBytes());
        assertTrue(second.files(VersionFile.Role.INDEX).stream().anyMatch(firstIndex::contains),
                "the update keeps files of version 1 by reference");
        assertTrue(Files.isDirectory(cachedFolder(collection, 2)), "version 2 handed to the cache");
        assertSameRecords(replayWholeLog(collection), indexed(second), "version 2's index");
        assertEquals(1400L, ((MetadataValue.Int) indexed(second).get("r14").metadata().get("n")).value());
    }

    @Test
    void aCorruptFileInTheLocalCacheIsFetchedAgainAndTheVersionIsCorrect() throws IOException {
        UUID collection = UUID.randomUUID();
        logCatalog.createCollection(collection);
        addNumbered(collection, new Random(Seeds.seed("aCorruptFileInTheLocalCache")), 30);
        Compactor compactor = new Compactor(store, logCatalog, versions, allocator, clock,
                options().withLocalIndex(cache), work);
        VersionManifest first = await(compactor.compact(collection)).orElseThrow();
        List<VersionFile> firstIndex = first.files(VersionFile.Role.INDEX);
        VersionFile largest = firstIndex.stream().max(Comparator.comparingLong(VersionFile::size)).orElseThrow();
        Path corrupt = cachedFolder(collection, 1).resolve(largest.key().substring(largest.key().lastIndexOf('/') + 1));
        try (FileChannel channel = FileChannel.open(corrupt, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer one = ByteBuffer.allocate(1);
            channel.read(one, largest.size() / 2);
            one.put(0, (byte) (one.get(0) ^ 0x5a)).rewind();
            channel.write(one, largest.size() / 2);
        }
        await(writer.append(collection, List.of(LogRecord.delete("r07"),
                LogTestKit.record(Operation.UPSERT, "r31", new float[] {1, 2, 3, 4},
                        Map.of("n", new MetadataValue.Int(31)), "new"))));

        VersionManifest second = await(compactor.compact(collection)).orElseThrow();

        assertEquals(1, store.getsOf(largest.key()), "the corrupt local copy is fetched from the store");
        for (VersionFile file : firstIndex) {
            if (!file.equals(largest)) {
                assertEquals(0, store.getsOf(file.key()), file.key() + " taken from the local cache");
            }
        }
        assertEquals(firstIndex.stream().mapToLong(VersionFile::size).sum() - largest.size(), cache.reusedBytes());
        CollectionSnapshot expected = replayWholeLog(collection);
        assertEquals(30, expected.size());
        assertSameRecords(expected, indexed(second), "version 2's index");
        assertFalse(indexed(second).records().stream().anyMatch(r -> r.id().equals("r07")));
    }

    @Test
    void aVersionBuiltInSeveralSegmentsAnswersExactlyAsOneMergedSegment() throws IOException {
        Random random = new Random(Seeds.seed("aVersionBuiltInSeveralSegments"));
        UUID segmented = UUID.randomUUID();
        UUID merged = UUID.randomUUID();
        logCatalog.createCollection(segmented);
        logCatalog.createCollection(merged);
        List<LogRecord> records = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            records.add(new LogRecord(Operation.ADD, "r%02d".formatted(i), vector(random),
                    Map.of("n", new MetadataValue.Int(i % 4)), null, null));
        }
        await(writer.append(segmented, records));
        await(writer.append(merged, records));

        // Blocks of 3: a segment is cut after the block that reaches 10 records: 12 + 12 + 12 + 4.
        VersionManifest several = await(new Compactor(store, logCatalog, versions, allocator, clock,
                options().withSegmentRecords(10), work).compact(segmented)).orElseThrow();
        VersionManifest one = await(new Compactor(store, logCatalog, versions, allocator, clock,
                options().withSegmentRecords(Long.MAX_VALUE), work).compact(merged)).orElseThrow();

        try (Directory severalFiles = published(several); Directory oneFile = published(one);
             IndexedCollectionReader severalReader = IndexedCollectionReader.open(severalFiles, SearchParameters.DEFAULTS);
             IndexedCollectionReader oneReader = IndexedCollectionReader.open(oneFile, SearchParameters.DEFAULTS)) {
            assertEquals(4, SegmentInfos.readLatestCommit(severalFiles).size());
            assertEquals(1, SegmentInfos.readLatestCommit(oneFile).size());
            assertEquals(40, severalReader.count());
            for (int q = 0; q < 8; q++) {
                float[] query = vector(random);
                for (Integer n : new Integer[] {null, 2}) {
                    List<String> expected = nearest(records, query, n, 5);
                    Where where = n == null ? null : WhereParser.parse(
                            new com.fasterxml.jackson.databind.ObjectMapper().readTree("{\"n\": " + n + "}"));
                    QueryRequest request = new QueryRequest(List.of(query), 5, null, where, null, DistanceFunction.L2,
                            0, false);
                    assertEquals(expected, ids(severalReader.query(request)), "query " + q + " n=" + n);
                    assertEquals(expected, ids(oneReader.query(request)), "query " + q + " n=" + n);
                }
            }
        }
    }

    /** The ids of the {@code k} records nearest to {@code query} by squared L2 (of those with n = {@code n}). */
    private static List<String> nearest(List<LogRecord> records, float[] query, Integer n, int k) {
        return records.stream()
                .filter(r -> n == null || r.metadata().get("n").equals(new MetadataValue.Int(n)))
                .sorted(Comparator.comparingDouble(r -> squaredDistance(r.embedding(), query)))
                .limit(k).map(LogRecord::id).toList();
    }

    private static double squaredDistance(float[] a, float[] b) {
        double sum = 0;
        for (int d = 0; d < a.length; d++) {
            sum += (a[d] - b[d]) * (double) (a[d] - b[d]);
        }
        return sum;
    }

    private static List<String> ids(List<List<QueryHit>> hits) {
        return hits.getFirst().stream().map(hit -> hit.record().id()).toList();
    }
}
