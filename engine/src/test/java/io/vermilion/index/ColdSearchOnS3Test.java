package io.vermilion.index;

import static io.vermilion.log.LogTestKit.await;
import static io.vermilion.testing.TestData.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;

import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.vermilion.catalog.InMemoryLogCatalog;
import io.vermilion.catalog.InMemoryVersionCatalog;
import io.vermilion.catalog.VersionRef;
import io.vermilion.compactor.Compactor;
import io.vermilion.env.Environment;
import io.vermilion.filter.Where;
import io.vermilion.filter.WhereParser;
import io.vermilion.log.LogTestKit;
import io.vermilion.log.LogWriter;
import io.vermilion.model.DistanceFunction;
import io.vermilion.model.QueryHit;
import io.vermilion.model.QueryRequest;
import io.vermilion.record.LogRecord;
import io.vermilion.record.MetadataValue;
import io.vermilion.record.Operation;
import io.vermilion.storage.ObjectStore;
import io.vermilion.testing.FaultyObjectStore;
import io.vermilion.testing.S3VersionStack;
import io.vermilion.testing.RecordingObjectStore;
import io.vermilion.version.ManifestReader;
import io.vermilion.version.ManifestWriter;
import io.vermilion.version.VersionFile;
import io.vermilion.version.VersionKeys;
import io.vermilion.version.VersionManifest;

/**
 * Cold kNN queries answered from the versions' sketches, against a real S3-compatible server over HTTP with empty
 * local caches: the compactor writes a sketch per segment (also for the segments an incremental version adds), a cold
 * query with candidates covering the collection answers exactly as a brute-force scan (filter and deletions
 * honoured), a failed sketch read fails only that query, a version once local is searched over its graph again, and
 * versions written without sketches are still read.
 */
class ColdSearchOnS3Test {

    private static final int RECORDS = 3000;
    private static final int ADDED = 400;
    private static final int DIMENSION = 32;
    private static final int PAGE = 4096;
    /** Records deleted by version 2: every 75th of the first version's. */
    private static final int DELETE_EVERY = 75;

    @TempDir
    Path dir;

    private final long seed = Long.getLong("tests.seed", new Random().nextLong());
    private final Random random = new Random(seed);
    private final UUID collection = UUID.randomUUID();
    private final Map<String, float[]> embeddings = new HashMap<>();
    private S3VersionStack stack;
    private ExecutorService work;
    private BufferAllocator allocator;
    private ObjectStore s3;
    private InMemoryVersionCatalog versions;
    private LogWriter writer;

    @BeforeEach
    void writeTwoVersions() {
        System.out.println("ColdSearchOnS3Test seed=" + seed);
        stack = S3VersionStack.start("cold");
        work = stack.work();
        allocator = stack.allocator();
        s3 = stack.s3();
        InMemoryLogCatalog log = stack.log();
        log.createCollection(collection);
        versions = stack.versions();
        writer = stack.writer();
        Compactor compactor = stack.compactor();
        add(0, RECORDS);
        assertEquals(1, await(compactor.compact(collection)).orElseThrow().version());
        // Version 2 applies a small tail to version 1's index (the incremental path): deletions and a new segment.
        List<LogRecord> deletes = new ArrayList<>();
        for (int i = 0; i < RECORDS; i += DELETE_EVERY) {
            deletes.add(LogTestKit.record(Operation.DELETE, "r" + i, null, null, null));
        }
        await(writer.append(collection, deletes));
        add(RECORDS, RECORDS + ADDED);
        assertEquals(2, await(compactor.compact(collection)).orElseThrow().version());
    }

    @AfterEach
    void stop() throws Exception {
        stack.close();
    }

    private void add(int from, int to) {
        for (int start = from; start < to; start += 500) {
            List<LogRecord> request = new ArrayList<>();
            for (int i = start; i < Math.min(to, start + 500); i++) {
                float[] embedding = new float[DIMENSION];
                for (int d = 0; d < DIMENSION; d++) {
                    embedding[d] = (float) random.nextGaussian();
                }
                embeddings.put("r" + i, embedding);
                request.add(LogTestKit.record(Operation.ADD, "r" + i, embedding,
                        Map.of("bucket", new MetadataValue.Int(i % 5)), null));
            }
            await(writer.append(collection, request));
        }
    }

    private static boolean deleted(int i) {
        return i < RECORDS && i % DELETE_EVERY == 0;
    }

    private float[] randomVector() {
        float[] v = new float[DIMENSION];
        for (int d = 0; d < DIMENSION; d++) {
            v[d] = (float) random.nextGaussian();
        }
        return v;
    }

    private VersionRef current() {
        return await(versions.currentVersion(collection)).orElseThrow();
    }

    private List<VersionFile> indexFiles(VersionRef ref) {
        return manifest(ref).files(VersionFile.Role.INDEX);
    }

    private VersionManifest manifest(VersionRef ref) {
        return new ManifestReader().read(await(s3.get(ref.manifestKey())), ref.manifestKey());
    }

    private static List<List<String>> answers(List<List<QueryHit>> hits) {
        return hits.stream().map(list -> list.stream().map(h -> h.record().id() + "@" + h.distance()).toList()).toList();
    }

    private static List<String> sketchKeys(List<VersionFile> files) {
        return files.stream().map(VersionFile::key).filter(k -> ColdSketch.isSketch(k.substring(k.lastIndexOf('/') + 1)))
                .sorted().toList();
    }

    /** The exact answers: the version fully downloaded and every accepted vector scored. */
    private List<List<String>> bruteForce(VersionRef ref, QueryRequest request) {
        IndexFileCache full = new IndexFileCache(s3, dir.resolve("exact-" + UUID.randomUUID()), 1L << 30, work);
        try (IndexedCollectionReader reader = await(full.open(collection, ref,
                new SearchParameters(100, Integer.MAX_VALUE, 3f)))) {
            return answers(reader.query(request));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** As served today: the version fully downloaded, searched over its graph. */
    private List<List<String>> graphSearch(VersionRef ref, QueryRequest request) {
        IndexFileCache full = new IndexFileCache(s3, dir.resolve("graph-" + UUID.randomUUID()), 1L << 30, work);
        try (IndexedCollectionReader reader = await(full.open(collection, ref, SearchParameters.DEFAULTS))) {
            return answers(reader.query(request));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void theCompactorWritesASketchForEverySegmentAndAnIncrementalVersionKeepsThePreviousOnes() throws Exception {
        List<String> first = sketchKeys(indexFiles(new VersionRef(1, VersionKeys.manifest(collection, 1), 0)));
        assertEquals(1, first.size(), "version 1 is one merged segment: " + first);
        List<String> second = sketchKeys(indexFiles(current()));
        IndexFileCache full = new IndexFileCache(s3, dir.resolve("full"), 1L << 30, work);
        try (IndexedCollectionReader reader = await(full.open(collection, current(), SearchParameters.DEFAULTS))) {
            assertEquals(RECORDS + ADDED - (RECORDS + DELETE_EVERY - 1) / DELETE_EVERY, reader.count());
        }
        int segments;
        try (org.apache.lucene.store.Directory local = org.apache.lucene.store.FSDirectory.open(dir.resolve("full")
                .resolve(collection.toString()).resolve("%020d".formatted(current().version())))) {
            segments = org.apache.lucene.index.SegmentInfos.readLatestCommit(local).size();
        }
        assertTrue(segments >= 2, "version 2 adds a segment: " + segments);
        assertEquals(segments, second.size(), "one sketch per segment: " + second);
        assertTrue(second.contains(first.getFirst()), "the kept segment's sketch is listed again, not rewritten");
    }

    @Test
    void coldQueriesWithCandidatesCoveringTheCollectionAnswerExactlyAsABruteForceScan() throws Exception {
        VersionRef ref = current();
        List<float[]> vectors = new ArrayList<>();
        for (int q = 0; q < 4; q++) {
            vectors.add(randomVector());
        }
        vectors.add(embeddings.get("r" + DELETE_EVERY)); // deleted: would be its own nearest at distance 0
        vectors.add(embeddings.get("r" + 2 * DELETE_EVERY));
        vectors.add(embeddings.get("r1")); // bucket 1: outside the filter below
        vectors.add(embeddings.get("r" + (RECORDS + 3))); // in the added segment, bucket 3
        QueryRequest plain = new QueryRequest(vectors, 10, null, null, null, DistanceFunction.L2);
        Where bucket2 = WhereParser.parse(json("{'bucket': 2}"));
        QueryRequest filtered = new QueryRequest(vectors, 7, null, bucket2, null, DistanceFunction.L2);
        List<List<String>> expected = bruteForce(ref, plain);
        List<List<String>> expectedFiltered = bruteForce(ref, filtered);
        assertEquals("r1@0.0", expected.get(6).getFirst());
        assertEquals("r" + (RECORDS + 3) + "@0.0", expected.get(7).getFirst());


        IndexFileCache cold = new IndexFileCache(s3, dir.resolve("cold"), 1L << 30, work, Environment.system(),
                new LazyOpenOptions(true, PAGE, 64 << 20, 0, RECORDS + ADDED));
        try (IndexedCollectionReader reader = await(cold.open(collection, ref, SearchParameters.DEFAULTS))) {
            List<List<String>> got = answers(reader.query(plain));
            List<List<String>> gotFiltered = answers(reader.query(filtered));
            assertEquals(expected, got);
            assertEquals(expectedFiltered, gotFiltered);
            for (List<String> answer : got) {
                for (String hit : answer) {
                    assertFalse(deleted(Integer.parseInt(hit.substring(1, hit.indexOf('@')))), hit + " was deleted");
                }
            }
            for (List<String> answer : gotFiltered) {
                assertEquals(7, answer.size());
                for (String hit : answer) {
                    assertEquals(2, Integer.parseInt(hit.substring(1, hit.indexOf('@'))) % 5, hit + " is not in bucket 2");
                }
            }
            assertEquals(2L * vectors.size(), reader.coldQueries(), "every query vector answered from the sketches");
        }
    }

    @Test
    void coldAnswersCarryExactDistancesAndOnceTheVersionIsLocalTheGraphIsSearchedAsBefore() throws Exception {
        VersionRef ref = current();
        List<float[]> vectors = new ArrayList<>();
        for (int q = 0; q < 6; q++) {
            vectors.add(randomVector());
        }
        QueryRequest request = new QueryRequest(vectors, 10, null, null, null, DistanceFunction.L2);
        // Every live record's exact distance to each query.
        QueryRequest everything = new QueryRequest(vectors, RECORDS + ADDED, null, null, null, DistanceFunction.L2);
        List<Map<String, String>> exact = new ArrayList<>();
        for (List<String> answer : bruteForce(ref, everything)) {
            Map<String, String> byId = new HashMap<>();
            answer.forEach(hit -> byId.put(hit.substring(0, hit.indexOf('@')), hit));
            exact.add(byId);
        }
        List<List<String>> graph = graphSearch(ref, request);

        FaultyObjectStore gated = new FaultyObjectStore(s3);
        // The background download cannot finish while the sketch path is checked: a page in the middle of the largest
        // file (the vectors, alone or in a compound file; not read on open) fails.
        VersionFile largest = indexFiles(ref).stream().max(java.util.Comparator.comparingLong(VersionFile::size))
                .orElseThrow();
        long middle = largest.size() / 2 / PAGE * PAGE;
        gated.failRangesOverlapping(largest.key().substring(largest.key().lastIndexOf('/')), middle, middle + PAGE);
        IndexFileCache cold = new IndexFileCache(gated, dir.resolve("cold"), 1L << 30, work, Environment.system(),
                new LazyOpenOptions(true, PAGE, 64 << 20, 2, 20));
        try (IndexedCollectionReader reader = await(cold.open(collection, ref, SearchParameters.DEFAULTS))) {
            await(cold.warmed(collection, ref.version()));
            assertEquals(0, cold.fetches(), "the download failed");
            gated.healRanges();
            List<List<String>> got = answers(reader.query(request));
            for (int q = 0; q < got.size(); q++) {
                assertEquals(10, got.get(q).size());
                for (String hit : got.get(q)) {
                    assertEquals(exact.get(q).get(hit.substring(0, hit.indexOf('@'))), hit, "exact distance");
                }
                List<Float> distances = got.get(q).stream().map(h -> Float.parseFloat(h.substring(h.indexOf('@') + 1)))
                        .toList();
                assertEquals(distances.stream().sorted().toList(), distances, "nearest first");
            }
            assertEquals(vectors.size(), reader.coldQueries());
        }
        try (IndexedCollectionReader reader = await(cold.open(collection, ref, SearchParameters.DEFAULTS))) {
            await(cold.warmed(collection, ref.version()));
            assertEquals(1, cold.fetches(), "the second open downloaded the version");
            assertEquals(graph, answers(reader.query(request)), "a local version is searched over its graph");
            assertEquals(0, reader.coldQueries());
        }
    }

    @Test
    void aSketchReadFailingMidWayFailsThatQueryAndTheNextQueryAnswers() throws Exception {
        VersionRef ref = current();
        QueryRequest request = new QueryRequest(List.of(randomVector(), randomVector()), 10, null, null, null,
                DistanceFunction.L2);
        List<List<String>> expected = bruteForce(ref, request);
        FaultyObjectStore faulty = new FaultyObjectStore(s3);
        faulty.failRangesOverlapping(".vsk", 2L * PAGE, 3L * PAGE); // a page in the middle of version 1's sketch
        IndexFileCache cold = new IndexFileCache(faulty, dir.resolve("cold"), 1L << 30, work, Environment.system(),
                new LazyOpenOptions(true, PAGE, 64 << 20, 0, RECORDS + ADDED));
        try (IndexedCollectionReader reader = await(cold.open(collection, ref, SearchParameters.DEFAULTS))) {
            RuntimeException failed = assertThrows(RuntimeException.class, () -> reader.query(request));
            assertTrue(causes(failed).contains("injected failure of a ranged read"), causes(failed));
            assertTrue(faulty.failedRanges() > 0);
            faulty.healRanges();
            assertEquals(expected, answers(reader.query(request)));
            assertEquals(2, reader.coldQueries(), "the failed query is not counted");
        }
    }

    @Test
    void aVersionWrittenWithoutSketchesIsSearchedOverItsGraph() throws Exception {
        // Version 1's files minus its sketch, published as another version: what the compactor wrote before sketches.
        VersionManifest first = manifest(new VersionRef(1, VersionKeys.manifest(collection, 1), 0));
        List<VersionFile> withoutSketch = first.files().stream()
                .filter(f -> !ColdSketch.isSketch(f.key().substring(f.key().lastIndexOf('/') + 1))).toList();
        assertEquals(first.files().size() - 1, withoutSketch.size());
        String key = VersionKeys.manifest(collection, 9);
        await(s3.put(key, new ManifestWriter().write(new VersionManifest(collection, 9, first.logEndOffset(),
                first.recordCount(), first.dimension(), first.space(), withoutSketch, first.blocks(), Instant.now()))));
        VersionRef older = new VersionRef(9, key, first.logEndOffset());
        QueryRequest request = new QueryRequest(List.of(randomVector(), randomVector(), randomVector()), 10, null, null,
                null, DistanceFunction.L2);
        List<List<String>> graph = graphSearch(older, request);


        IndexFileCache cold = new IndexFileCache(s3, dir.resolve("cold"), 1L << 30, work, Environment.system(),
                new LazyOpenOptions(true, PAGE, 64 << 20, 0));
        try (IndexedCollectionReader reader = await(cold.open(collection, older, SearchParameters.DEFAULTS))) {
            assertEquals(graph, answers(reader.query(request)));
            assertEquals(0, reader.coldQueries(), "no sketch: the graph was searched");
        }
    }

    @Test
    void aVersionNoLargerThanTheExactSearchThresholdIsAnsweredExactlyWhileCold() throws Exception {
        VersionRef ref = current();
        QueryRequest request = new QueryRequest(List.of(randomVector(), randomVector(), randomVector()), 10, null, null,
                null, DistanceFunction.L2);
        List<List<String>> expected = bruteForce(ref, request);
        // The default 150 candidates of 3,400 vectors, but a threshold above them: the graph path would scan exactly.
        SearchParameters scanned = new SearchParameters(100, RECORDS + ADDED, 3f);
        IndexFileCache cold = new IndexFileCache(s3, dir.resolve("cold"), 1L << 30, work, Environment.system(),
                new LazyOpenOptions(true, PAGE, 64 << 20, 0));
        try (IndexedCollectionReader reader = await(cold.open(collection, ref, scanned))) {
            assertEquals(expected, answers(reader.query(request)));
            assertEquals(3, reader.coldQueries(), "answered from the sketches' path, every vector scored");
        }
    }

    @Test
    void eachVersionHasItsOwnOpenPackAndALazyOpenReadsItInsteadOfEachFilesHeaderAndFooter() throws Exception {
        for (long version : new long[] {1, 2}) {
            List<String> packs = indexFiles(new VersionRef(version, VersionKeys.manifest(collection, version), 0))
                    .stream().map(VersionFile::key).filter(k -> OpenPack.isPack(name(k))).toList();
            assertEquals(List.of(VersionKeys.indexFile(collection, version, OpenPack.NAME)), packs);
        }
        VersionRef ref = current();
        long indexFiles = indexFiles(ref).stream().filter(f -> !ColdSketch.isSketch(name(f.key()))).count();
        assertTrue(indexFiles > 20, "version 2 has two segments' files: " + indexFiles);
        RecordingObjectStore recording = new RecordingObjectStore(s3);
        IndexFileCache cold = new IndexFileCache(recording, dir.resolve("cold"), 1L << 30, work, Environment.system(),
                new LazyOpenOptions(true, PAGE, 64 << 20, 0, RECORDS + ADDED));
        QueryRequest request = new QueryRequest(List.of(randomVector(), embeddings.get("r" + (RECORDS + 5))), 10, null,
                null, null, DistanceFunction.L2);
        try (IndexedCollectionReader reader = await(cold.open(collection, ref, SearchParameters.DEFAULTS))) {
            Map<String, Integer> opening = new java.util.TreeMap<>(recording.rangedReadsByKey());
            opening.keySet().removeIf(key -> ColdSketch.isSketch(name(key)));
            assertEquals(Map.of(VersionKeys.indexFile(collection, 2, OpenPack.NAME), 1), opening,
                    "opening read the pack alone (and started on the sketches)");
            assertEquals(bruteForce(ref, request), answers(reader.query(request)));
        }
    }

    @Test
    void aVersionWhoseOpenPackIsCorruptOpensFileByFileAndAnswersTheSame() throws Exception {
        VersionRef ref = current();
        QueryRequest request = new QueryRequest(List.of(randomVector(), randomVector()), 10, null, null, null,
                DistanceFunction.L2);
        List<List<String>> expected = bruteForce(ref, request);
        String pack = VersionKeys.indexFile(collection, 2, OpenPack.NAME);
        byte[] bytes = await(s3.get(pack));
        bytes[bytes.length / 2] ^= 0x20; // same size, another CRC32C than the manifest lists
        await(s3.put(pack, bytes));

        RecordingObjectStore recording = new RecordingObjectStore(s3);
        IndexFileCache cold = new IndexFileCache(recording, dir.resolve("cold"), 1L << 30, work, Environment.system(),
                new LazyOpenOptions(true, PAGE, 64 << 20, 0, RECORDS + ADDED));
        try (IndexedCollectionReader reader = await(cold.open(collection, ref, SearchParameters.DEFAULTS))) {
            Map<String, Integer> opening = recording.rangedReadsByKey();
            long segmentInfos = opening.keySet().stream().filter(key -> key.endsWith(".si")).count();
            assertEquals(2, segmentInfos, "each segment's files were read one by one: " + opening.keySet());
            assertEquals(1, opening.get(pack), "the pack was read once");
            assertEquals(expected, answers(reader.query(request)));
        }
    }

    private static String name(String key) {
        return key.substring(key.lastIndexOf('/') + 1);
    }

    private static String causes(Throwable failure) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = failure; t != null; t = t.getCause()) {
            all.append(t).append(" <- ");
        }
        return all.toString();
    }
}
