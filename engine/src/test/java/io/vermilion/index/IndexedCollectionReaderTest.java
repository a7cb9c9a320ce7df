package io.vermilion.index;

import static io.vermilion.testing.TestData.json;
import static io.vermilion.testing.TestData.md;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vermilion.executor.ExactCollectionReader;
import io.vermilion.filter.WhereParser;
import io.vermilion.format.FormatTooNewException;
import io.vermilion.format.FormatTooOldException;
import io.vermilion.model.CollectionSnapshot;
import io.vermilion.model.DistanceFunction;
import io.vermilion.model.GetRequest;
import io.vermilion.model.QueryHit;
import io.vermilion.model.QueryRequest;
import io.vermilion.model.VectorQuantization;
import io.vermilion.record.Record;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.apache.lucene.util.VectorUtil;
import org.junit.jupiter.api.Test;

class IndexedCollectionReaderTest {

    private static float[] randomVector(Random random, int dimension) {
        float[] v = new float[dimension];
        for (int i = 0; i < dimension; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }

    private static float[] unit(float[] v) {
        float norm = (float) Math.sqrt(IndexSchema.sumOfSquares(v));
        float[] u = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            u[i] = v[i] / norm;
        }
        return u;
    }

    /** Every query with n_results covering the collection, and a few pages of get, equal the exact scan's. */
    private static void assertEqualsScan(List<Record> records, IndexedCollectionReader indexed, DistanceFunction space, Random random, int dimension) {
        ExactCollectionReader exact = new ExactCollectionReader(CollectionSnapshot.of(records));
        assertEquals(exact.count(), indexed.count());
        IndexTestKit.assertSameRecords(exact.get(GetRequest.all()), indexed.get(GetRequest.all()), "get all");
        for (int q = 0; q < 5; q++) {
            QueryRequest request = new QueryRequest(List.of(randomVector(random, dimension)), records.size(), null, null, null, space);
            IndexTestKit.assertSameHits(exact.query(request).get(0), indexed.query(request).get(0), space + " query " + q);
        }
    }

    @Test
    void requestEfSearchOverridesTheReadersDefault() throws Exception {
        Random random = new Random(5);
        List<Record> records = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            records.add(new Record("r" + i, randomVector(random, 16), null, null, null));
        }
        // Graph search always (threshold 0), with a tiny default ef: approximate unless the request raises ef
        // to the whole collection, where Lucene scores every vector exactly.
        SearchParameters narrow = new SearchParameters(1, 0, 3f);
        try (IndexedCollectionReader indexed = IndexTestKit.index(records,
                IndexSchema.defaults(DistanceFunction.L2, records), narrow)) {
            ExactCollectionReader exact = new ExactCollectionReader(CollectionSnapshot.of(records));
            int differing = 0;
            for (int q = 0; q < 20; q++) {
                List<float[]> query = List.of(randomVector(random, 16));
                QueryRequest wide = new QueryRequest(query, 10, null, null, null, DistanceFunction.L2, 3_000);
                IndexTestKit.assertSameHits(exact.query(wide).get(0), indexed.query(wide).get(0), "ef 3000, query " + q);
                QueryRequest byDefault = new QueryRequest(query, 10, null, null, null, DistanceFunction.L2);
                differing += ids(exact.query(byDefault).get(0)).equals(ids(indexed.query(byDefault).get(0))) ? 0 : 1;
            }
            assertTrue(differing > 0, "with the reader's ef 1 the graph search is approximate; ef 3000 made it exact");
        }
    }

    @Test
    void recordsAddedFromSeveralThreadsReadBackInSequenceOrder() throws Exception {
        Random random = new Random(11);
        List<Record> records = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            records.add(new Record("r" + i, randomVector(random, 8), md("k", i % 7), "doc " + i, null));
        }
        IndexSchema schema = IndexSchema.defaults(DistanceFunction.L2, records);
        try (org.apache.lucene.store.ByteBuffersDirectory directory = new org.apache.lucene.store.ByteBuffersDirectory()) {
            try (CollectionIndexWriter writer = CollectionIndexWriter.create(directory, schema)) {
                writer.addAll(records, record -> Long.parseLong(record.id().substring(1)), 3);
                writer.commit();
            }
            try (IndexedCollectionReader indexed = IndexedCollectionReader.open(directory, SearchParameters.DEFAULTS)) {
                assertEquals(5_000, indexed.count());
                IndexTestKit.assertSameRecords(records, indexed.get(GetRequest.all()), "all, in sequence order");
                assertEquals(List.of("r4997", "r4998", "r4999"),
                        indexed.get(new GetRequest(null, null, null, 3, 4_997)).stream().map(Record::id).toList());
            }
        }
    }

    @Test
    void recordsAddedOverTheWritersThreadsReadBackInSequenceOrder() throws Exception {
        Random random = new Random(12);
        List<Record> records = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            records.add(new Record("r" + i, randomVector(random, 8), md("k", i % 7), "doc " + i, null));
        }
        IndexSchema schema = IndexSchema.defaults(DistanceFunction.L2, records);
        java.util.concurrent.ThreadPoolExecutor pool = (java.util.concurrent.ThreadPoolExecutor)
                java.util.concurrent.Executors.newFixedThreadPool(3);
        try (org.apache.lucene.store.ByteBuffersDirectory directory = new org.apache.lucene.store.ByteBuffersDirectory()) {
            try (CollectionIndexWriter writer = CollectionIndexWriter.create(directory, schema, new MergeThreads(pool, 3))) {
                writer.addAll(records, record -> Long.parseLong(record.id().substring(1)));
                assertEquals(2, pool.getTaskCount(), "three parts: this thread adds one, the pool two");
                assertEquals(2, pool.getLargestPoolSize());
                writer.forceMerge();
                writer.commit();
            }
            try (IndexedCollectionReader indexed = IndexedCollectionReader.open(directory, SearchParameters.DEFAULTS)) {
                assertEquals(5_000, indexed.count());
                IndexTestKit.assertSameRecords(records, indexed.get(GetRequest.all()), "all, in sequence order");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void emptyCollectionReadsAsEmpty() throws Exception {
        try (IndexedCollectionReader indexed = IndexTestKit.index(List.of(), DistanceFunction.L2)) {
            assertEquals(0, indexed.count());
            assertEquals(List.of(), indexed.get(GetRequest.all()));
            QueryRequest request = new QueryRequest(List.of(new float[] {1f, 2f}, new float[] {3f, 4f}), 10, null, null, null, DistanceFunction.L2);
            assertEquals(List.of(List.of(), List.of()), indexed.query(request));
        }
    }

    @Test
    void recordsWithoutEmbeddingsAreReadButNeverQueryHits() throws Exception {
        List<Record> records = List.of(
                new Record("a", null, md("k", 1), "doc", null),
                new Record("b", new float[] {1f, 0f}, md("k", 2), null, null),
                new Record("c", null, null, null, "u"));
        try (IndexedCollectionReader indexed = IndexTestKit.index(records, DistanceFunction.L2)) {
            IndexTestKit.assertSameRecords(records, indexed.get(GetRequest.all()), "get");
            List<QueryHit> hits = indexed.query(new QueryRequest(List.of(new float[] {0f, 0f}), 5, null, null, null, DistanceFunction.L2)).get(0);
            assertEquals(List.of("b"), hits.stream().map(h -> h.record().id()).toList());
            assertEquals(1.0f, hits.get(0).distance());
        }
        try (IndexedCollectionReader indexed = IndexTestKit.index(List.of(records.get(0)), DistanceFunction.L2)) {
            assertEquals(List.of(List.of()), indexed.query(new QueryRequest(List.of(new float[] {0f}), 5, null, null, null, DistanceFunction.L2)));
        }
    }

    @Test
    void requestsThatDoNotWantEmbeddingsGetRecordsWithoutThem() throws Exception {
        List<Record> records = List.of(
                new Record("a", new float[] {1f, 0f}, md("k", 1), "doc a", "u"),
                new Record("b", new float[] {0f, 1f}, md("k", 2), "doc b", null));
        try (IndexedCollectionReader indexed = IndexTestKit.index(records, DistanceFunction.L2)) {
            List<Record> got = indexed.get(GetRequest.all().withEmbeddings(false));
            List<Record> stripped = records.stream()
                    .map(r -> new Record(r.id(), null, r.metadata(), r.document(), r.uri())).toList();
            IndexTestKit.assertSameRecords(stripped, got, "get without embeddings");
            QueryRequest request = new QueryRequest(List.of(new float[] {1f, 0f}), 2, null, null, null,
                    DistanceFunction.L2, 0, false);
            List<QueryHit> hits = indexed.query(request).get(0);
            assertEquals(List.of("a", "b"), hits.stream().map(h -> h.record().id()).toList());
            assertEquals(null, hits.get(0).record().embedding());
            assertEquals("doc a", hits.get(0).record().document());
            IndexTestKit.assertSameRecords(records, indexed.get(GetRequest.all()), "get with embeddings");
        }
    }

    @Test
    void embeddingsOfTheLargestDimensionReadBackExactly() throws Exception {
        Random random = new Random(8);
        List<Record> records = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            records.add(new Record("r" + i, randomVector(random, IndexSchema.MAX_DIMENSIONS), null, null, null));
        }
        try (IndexedCollectionReader indexed = IndexTestKit.index(records, DistanceFunction.L2)) {
            IndexTestKit.assertSameRecords(records, indexed.get(GetRequest.all()), "64 KiB embeddings");
        }
    }

    @Test
    void embeddingsWiderThanLucenesDefaultLimitAreIndexed() throws Exception {
        Random random = new Random(7);
        List<Record> records = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            records.add(new Record("r" + i, randomVector(random, 1536), null, null, null));
        }
        for (VectorQuantization quantization : VectorQuantization.values()) {
            IndexSchema schema = IndexSchema.forCollection(DistanceFunction.COSINE, quantization, 16, 100, records);
            try (IndexedCollectionReader indexed = IndexTestKit.index(records, schema, SearchParameters.DEFAULTS)) {
                assertEqualsScan(records, indexed, DistanceFunction.COSINE, random, 1536);
            }
        }
    }

    @Test
    void cosineDistanceToAZeroVectorIsOne() throws Exception {
        List<Record> records = List.of(
                new Record("zero", new float[] {0f, 0f, 0f}, null, null, null),
                new Record("x", new float[] {2f, 0f, 0f}, null, null, null),
                new Record("y", new float[] {-1f, -1f, 0f}, null, null, null));
        try (IndexedCollectionReader indexed = IndexTestKit.index(records, DistanceFunction.COSINE)) {
            List<QueryHit> hits = indexed.query(new QueryRequest(List.of(new float[] {3f, 4f, 0f}), 3, null, null, null, DistanceFunction.COSINE)).get(0);
            assertEquals(List.of("x", "zero", "y"), hits.stream().map(h -> h.record().id()).toList());
            assertEquals(0.39999998f, hits.get(0).distance());
            assertEquals(1.0f, hits.get(1).distance());
            assertEqualsScan(records, indexed, DistanceFunction.COSINE, new Random(3), 3);
        }
    }

    @Test
    void innerProductOnUnitVectorsUsesDotProductAndRefusesOthersLater() throws Exception {
        Random random = new Random(11);
        List<Record> records = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            records.add(new Record("r" + i, unit(randomVector(random, 8)), null, null, null));
        }
        IndexSchema schema = IndexSchema.defaults(DistanceFunction.IP, records);
        assertEquals(VectorSimilarityFunction.DOT_PRODUCT, schema.similarity());
        Directory directory = new ByteBuffersDirectory();
        CollectionIndexWriter.write(directory, schema, records);
        try (IndexedCollectionReader indexed = IndexedCollectionReader.open(directory, SearchParameters.DEFAULTS)) {
            assertEqualsScan(records, indexed, DistanceFunction.IP, random, 8);
        }
        try (CollectionIndexWriter writer = CollectionIndexWriter.append(directory)) {
            assertThrows(IllegalArgumentException.class, () -> writer.add(new Record("big", new float[] {2f, 0f, 0f, 0f, 0f, 0f, 0f, 0f}, null, null, null), 200));
        }
        List<Record> mixed = new ArrayList<>(records);
        mixed.add(new Record("big", new float[] {2f, 0f, 0f, 0f, 0f, 0f, 0f, 0f}, null, null, null));
        assertEquals(VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT, IndexSchema.defaults(DistanceFunction.IP, mixed).similarity());
        try (IndexedCollectionReader indexed = IndexTestKit.index(mixed, DistanceFunction.IP)) {
            assertEqualsScan(mixed, indexed, DistanceFunction.IP, random, 8);
        }
    }

    @Test
    void upsertsDeletesAndNewSegmentsKeepInsertionOrder() throws Exception {
        Random random = new Random(5);
        List<Record> expected = new ArrayList<>();
        Directory directory = new ByteBuffersDirectory();
        IndexSchema schema = new IndexSchema(DistanceFunction.L2, VectorSimilarityFunction.EUCLIDEAN, VectorQuantization.FLOAT32, 8, 50);
        try (CollectionIndexWriter writer = CollectionIndexWriter.create(directory, schema)) {
            for (int i = 0; i < 50; i++) {
                Record record = new Record("r" + i, randomVector(random, 4), md("i", i), "doc " + i, null);
                writer.add(record, i);
                expected.add(record);
            }
            writer.commit();
        }
        for (int round = 0; round < 3; round++) {
            try (CollectionIndexWriter writer = CollectionIndexWriter.append(directory)) {
                // Replace one record in place (it keeps its position), delete one, append two.
                int replaced = random.nextInt(expected.size());
                Record old = expected.get(replaced);
                Record updated = new Record(old.id(), randomVector(random, 4), md("i", -1, "round", round), old.document(), "u");
                writer.upsert(updated, sequenceOf(old));
                expected.set(replaced, updated);
                Record deleted = expected.remove(random.nextInt(expected.size()));
                writer.delete(deleted.id());
                for (int k = 0; k < 2; k++) {
                    int sequence = 1000 + round * 10 + k;
                    Record added = new Record("n" + sequence, randomVector(random, 4), md("i", sequence), null, null);
                    writer.add(added, sequence);
                    expected.add(added);
                }
                writer.commit();
            }
        }
        try (IndexedCollectionReader indexed = IndexedCollectionReader.open(directory, SearchParameters.DEFAULTS)) {
            assertEquals(schema, indexed.schema());
            assertEqualsScan(expected, indexed, DistanceFunction.L2, random, 4);
            ExactCollectionReader exact = new ExactCollectionReader(CollectionSnapshot.of(expected));
            GetRequest page = new GetRequest(null, WhereParser.parse(json("{'i': {'$ne': 3}}")), null, 7, 40);
            IndexTestKit.assertSameRecords(exact.get(page), indexed.get(page), "page");
        }
    }

    /** The tests above give records "rN" position N and "nS" position S. */
    private static long sequenceOf(Record record) {
        return Long.parseLong(record.id().substring(1));
    }

    @Test
    void storedRecordsRoundTripEveryField() throws Exception {
        String longId = "id-".repeat(300);
        List<Record> records = List.of(
                new Record("plain", new float[] {1.5f, -0f}, md("s", "v", "i", 3, "f", 2.5, "b", true, "a", List.of(1, 2)), "text", "uri"),
                new Record("empty-metadata", new float[] {0f, 1f}, md(), "", null),
                new Record("no-metadata", new float[] {1f, 1f}, null, null, null),
                new Record("x\uD800", new float[] {2f, 1f}, md("k", "lone \uDC00 surrogate"), "doc \uD800 with lone surrogate", "u\uDFFF"),
                new Record(longId, new float[] {3f, 1f}, md("𝄞", "clef"), "𝄞", null));
        try (IndexedCollectionReader indexed = IndexTestKit.index(records, DistanceFunction.L2)) {
            IndexTestKit.assertSameRecords(records, indexed.get(GetRequest.all()), "all");
            IndexTestKit.assertSameRecords(List.of(records.get(3), records.get(4)),
                    indexed.get(new GetRequest(List.of(longId, "x\uD800", "x\uFFFD"), null, null, null, 0)), "by id");
        }
    }

    @Test
    void documentTextIsIndexedForBm25() throws Exception {
        List<Record> records = List.of(
                new Record("a", new float[] {1f}, null, "The quick brown fox", null),
                new Record("b", new float[] {1f}, null, "quick quick quick, said the fox", null),
                new Record("c", new float[] {1f}, null, "nothing here", null));
        Directory directory = new ByteBuffersDirectory();
        CollectionIndexWriter.write(directory, IndexSchema.defaults(DistanceFunction.L2, records), records);
        try (DirectoryReader reader = DirectoryReader.open(directory)) {
            IndexSearcher searcher = new IndexSearcher(reader);
            TopDocs top = searcher.search(new TermQuery(new Term(IndexFields.TEXT, "quick")), 10);
            List<String> ids = new ArrayList<>();
            for (ScoreDoc hit : top.scoreDocs) {
                ids.add(StoredRecords.load(reader.storedFields(), hit.doc).id());
            }
            assertEquals(List.of("b", "a"), ids); // lowercased by StandardAnalyzer, ranked by BM25 term frequency
        }
    }

    @Test
    void requestsForAnotherSpaceOrDimensionAreRefused() throws Exception {
        List<Record> records = List.of(new Record("a", new float[] {1f, 0f}, null, null, null));
        try (IndexedCollectionReader indexed = IndexTestKit.index(records, DistanceFunction.L2)) {
            assertThrows(IllegalArgumentException.class,
                    () -> indexed.query(new QueryRequest(List.of(new float[] {1f, 0f}), 1, null, null, null, DistanceFunction.IP)));
            assertThrows(IllegalArgumentException.class,
                    () -> indexed.query(new QueryRequest(List.of(new float[] {1f, 0f, 0f}), 1, null, null, null, DistanceFunction.L2)));
        }
    }

    @Test
    void luceneScoresConvertBackToChromaDistances() {
        Random random = new Random(13);
        List<Record> unitRecords = List.of(new Record("u", unit(randomVector(random, 8)), null, null, null));
        List<Record> rawRecords = List.of(new Record("r", randomVector(random, 8), null, null, null));
        List<IndexSchema> schemas = List.of(
                IndexSchema.defaults(DistanceFunction.L2, rawRecords),
                IndexSchema.defaults(DistanceFunction.COSINE, rawRecords),
                IndexSchema.defaults(DistanceFunction.IP, unitRecords),
                IndexSchema.defaults(DistanceFunction.IP, rawRecords));
        assertEquals(VectorSimilarityFunction.DOT_PRODUCT, schemas.get(2).similarity());
        assertEquals(VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT, schemas.get(3).similarity());
        for (IndexSchema schema : schemas) {
            for (int i = 0; i < 200; i++) {
                float[] stored = schema.similarity() == VectorSimilarityFunction.DOT_PRODUCT && schema.space() == DistanceFunction.IP
                        ? unit(randomVector(random, 8))
                        : randomVector(random, 8);
                float[] query = randomVector(random, 8);
                float score = schema.similarity().compare(schema.searchVector(query), schema.indexedVector(stored));
                float exact = schema.space().distance(query, stored);
                float approximate = schema.approximateDistance(score, query);
                assertEquals(exact, approximate, 1e-3f * (1f + Math.abs(exact)), schema + " q·v");
            }
        }
    }

    @Test
    void schemaRoundTripsThroughCommitData() {
        for (DistanceFunction space : DistanceFunction.values()) {
            for (VectorQuantization quantization : VectorQuantization.values()) {
                IndexSchema schema = IndexSchema.forCollection(space, quantization, 24, 200, List.of());
                assertEquals(schema, IndexSchema.fromCommitData(schema.toCommitData()));
            }
        }
        assertThrows(IllegalArgumentException.class,
                () -> new IndexSchema(DistanceFunction.COSINE, VectorSimilarityFunction.COSINE, VectorQuantization.FLOAT32, 16, 100));
        assertThrows(IllegalArgumentException.class,
                () -> new IndexSchema(DistanceFunction.L2, VectorSimilarityFunction.EUCLIDEAN, VectorQuantization.FLOAT32, 0, 100));
    }

    @Test
    void indexInFormatOneIsTooOldAndInFormatThreeTooNew(@org.junit.jupiter.api.io.TempDir Path temp) throws Exception {
        IndexSchema schema = IndexSchema.defaults(DistanceFunction.L2, List.of());

        FormatTooOldException old = assertThrows(FormatTooOldException.class,
                () -> IndexedCollectionReader.open(indexWithFormat(temp, schema, "1"), SearchParameters.DEFAULTS));
        assertEquals("collection index '" + temp.resolve("1") + "' is in format version 1, no longer supported: this build reads"
                + " version 2", old.getMessage());
        FormatTooNewException newer = assertThrows(FormatTooNewException.class,
                () -> IndexedCollectionReader.open(indexWithFormat(temp, schema, "3"), SearchParameters.DEFAULTS));
        assertEquals(3, newer.version());
        assertThrows(FormatTooNewException.class, () -> CollectionIndexWriter.append(indexWithFormat(temp, schema, "3")));
        assertEquals("not a Vermilion collection index (format null)", assertThrows(IllegalArgumentException.class,
                () -> IndexedCollectionReader.open(indexWithFormat(temp, schema, null), SearchParameters.DEFAULTS))
                .getMessage());
        try (IndexedCollectionReader current = IndexedCollectionReader.open(indexWithFormat(temp, schema, "2"),
                SearchParameters.DEFAULTS)) {
            assertEquals(schema, current.schema());
        }
    }

    /** A committed index of one record whose commit data names index format {@code format} (null: none). */
    private static Directory indexWithFormat(Path temp, IndexSchema schema, String format) throws java.io.IOException {
        Directory directory = org.apache.lucene.store.FSDirectory.open(temp.resolve(String.valueOf(format)));
        CollectionIndexWriter.write(directory, schema, List.of(new Record("a", new float[] {1f, 0f}, null, null, null)));
        java.util.Map<String, String> data = new java.util.HashMap<>(schema.toCommitData());
        if (format == null) {
            data.remove(IndexSchema.FORMAT_KEY);
        } else {
            data.put(IndexSchema.FORMAT_KEY, format);
        }
        try (org.apache.lucene.index.IndexWriter writer = new org.apache.lucene.index.IndexWriter(directory,
                new org.apache.lucene.index.IndexWriterConfig().setOpenMode(
                        org.apache.lucene.index.IndexWriterConfig.OpenMode.APPEND)
                        .setCodec(schema.codec(MergeThreads.NONE))
                        .setIndexSort(new org.apache.lucene.search.Sort(
                                new org.apache.lucene.search.SortField(IndexFields.SEQ,
                                        org.apache.lucene.search.SortField.Type.LONG))))) {
            writer.setLiveCommitData(data.entrySet());
            writer.commit();
        }
        return directory;
    }

    @Test
    void luceneLogsThePanamaVectorProviderWithTheIncubatorModule() throws Exception {
        // The provider is chosen once per JVM, and only Lucene may ask which; so a fresh JVM reports its choice.
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), VectorProbe.class.getName())
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        System.out.println(output);
        assertEquals(0, process.exitValue(), output);
        assertTrue(output.contains("PanamaVectorizationProvider") && output.contains("Java vector incubator API enabled"), output);
    }

    /** Runs one SIMD kernel, which makes Lucene pick (and log) its vectorization provider. */
    public static final class VectorProbe {
        public static void main(String[] args) {
            System.out.println("dot=" + VectorUtil.dotProduct(new float[] {1f, 2f}, new float[] {3f, 4f}));
        }
    }

    private static List<String> ids(List<QueryHit> hits) {
        return hits.stream().map(hit -> hit.record().id()).toList();
    }
}
