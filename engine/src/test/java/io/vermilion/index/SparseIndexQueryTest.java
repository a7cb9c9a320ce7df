package io.vermilion.index;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vermilion.model.DistanceFunction;
import io.vermilion.model.SequencedHit;
import io.vermilion.record.MetadataValue;
import io.vermilion.record.Record;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.junit.jupiter.api.Test;

/**
 * The boundaries of {@link SparseIndexQuery} through {@link IndexedCollectionReader#sparseQuery}: exact ties (the
 * impact bound never certifies, so the candidates grow until exhausted), a query with more dimensions than Lucene
 * takes clauses, records whose overlap with the query only lowers their dot product, the dimension maxima the walk
 * bounds left-out dimensions with, and queries whose low-weight ubiquitous dimensions leave the walk.
 */
class SparseIndexQueryTest {

    private static MetadataValue.Sparse sparse(int[] indices, float[] values) {
        return new MetadataValue.Sparse(indices, values, null);
    }

    private static IndexedCollectionReader index(List<MetadataValue.Sparse> vectors) throws Exception {
        return IndexedCollectionReader.open(write(vectors), SearchParameters.DEFAULTS);
    }

    private static Directory write(List<MetadataValue.Sparse> vectors) throws Exception {
        List<Record> records = new ArrayList<>();
        for (int i = 0; i < vectors.size(); i++) {
            records.add(new Record("r" + i, null, Map.of("s", vectors.get(i)), null, null));
        }
        Directory directory = new ByteBuffersDirectory();
        CollectionIndexWriter.write(directory, IndexSchema.defaults(DistanceFunction.L2, List.of()), records);
        return directory;
    }

    private static List<String> ids(List<SequencedHit> hits) {
        return hits.stream().map(h -> h.hit().record().id()).toList();
    }

    private static List<Float> scores(List<SequencedHit> hits) {
        return hits.stream().map(h -> h.hit().distance()).toList();
    }

    @Test
    void exactTiesRankByInsertionOrder() throws Exception {
        List<MetadataValue.Sparse> vectors = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            vectors.add(sparse(new int[] {3, 7}, new float[] {0.5f, i % 2 == 0 ? 1f : 0.25f}));
        }
        try (IndexedCollectionReader reader = index(vectors)) {
            List<SequencedHit> hits = reader.sparseQuery("s", sparse(new int[] {7}, new float[] {2f}), 5, null,
                    Set.of(), false);
            assertEquals(List.of("r0", "r2", "r4", "r6", "r8"), ids(hits));
            assertEquals(List.of(-1f, -1f, -1f, -1f, -1f), scores(hits));
            List<SequencedHit> hidden = reader.sparseQuery("s", sparse(new int[] {7}, new float[] {2f}), 3, null,
                    Set.of("r0", "r4"), false);
            assertEquals(List.of("r2", "r6", "r8"), ids(hidden));
        }
    }

    @Test
    void queryWithMoreDimensionsThanLuceneClausesIsStillExact() throws Exception {
        int dims = IndexSearcher.getMaxClauseCount() + 100;
        List<MetadataValue.Sparse> vectors = List.of(
                sparse(new int[] {1, 5000}, new float[] {1f, 1f}),
                sparse(new int[] {2, 3}, new float[] {0.5f, 4f}),
                sparse(new int[] {999_999}, new float[] {1f}));
        int[] indices = IntStream.range(0, dims).toArray();
        float[] values = new float[dims];
        java.util.Arrays.fill(values, 0.5f);
        try (IndexedCollectionReader reader = index(vectors)) {
            List<SequencedHit> hits = reader.sparseQuery("s", sparse(indices, values), 10, null, Set.of(), false);
            // r1: 1 - (0.25 + 2) = -1.25; r0: only index 1 shared, 1 - 0.5 = 0.5; r2 shares nothing.
            assertEquals(List.of("r1", "r0"), ids(hits));
            assertEquals(List.of(-1.25f, 0.5f), scores(hits));
        }
    }

    @Test
    void recordsWhoseOverlapOnlyLowersTheDotStillRankAfterThePositiveOnes() throws Exception {
        List<MetadataValue.Sparse> vectors = List.of(
                sparse(new int[] {1}, new float[] {-2f}), // dot -2: score 3
                sparse(new int[] {1, 2}, new float[] {1f, 0f}), // dot 1: score 0
                sparse(new int[] {2}, new float[] {0f}), // dot 0 (shares a zero): score 1
                sparse(new int[] {1}, new float[] {-0.5f}), // dot -0.5: score 1.5
                sparse(new int[] {4}, new float[] {1f})); // shares nothing
        try (IndexedCollectionReader reader = index(vectors)) {
            MetadataValue.Sparse query = sparse(new int[] {1, 2}, new float[] {1f, 3f});
            List<SequencedHit> hits = reader.sparseQuery("s", query, 10, null, Set.of(), false);
            assertEquals(List.of("r1", "r2", "r3", "r0"), ids(hits));
            assertEquals(List.of(0f, 1f, 1.5f, 3f), scores(hits));
            // A negative query value meets negative stored values with a positive product.
            List<SequencedHit> negative = reader.sparseQuery("s", sparse(new int[] {1}, new float[] {-1f}), 2, null,
                    Set.of(), false);
            assertEquals(List.of("r0", "r3"), ids(negative));
            assertEquals(List.of(-1f, 0.5f), scores(negative));
        }
    }

    @Test
    void termMaximaAreTheLargestImpactOverEveryPostingsBlock() throws Exception {
        // Dimension 1 in 1,000 records (many postings blocks), dimension 2 in 50 (one short block), dimension 3
        // negative; the largest values sit in the middle, the last block and the first record respectively.
        java.util.Random random = new java.util.Random(11);
        List<MetadataValue.Sparse> vectors = new ArrayList<>();
        float[] ones = new float[1000];
        for (int i = 0; i < 1000; i++) {
            ones[i] = i == 517 ? 7.3f : random.nextFloat();
            boolean two = i >= 950;
            float twoValue = i == 999 ? 3.14159f : 0.5f;
            vectors.add(two ? sparse(new int[] {1, 2, 3}, new float[] {ones[i], twoValue, i == 0 ? -9.5f : -1f})
                    : sparse(new int[] {1, 3}, new float[] {ones[i], i == 0 ? -9.5f : -1f}));
        }
        try (org.apache.lucene.index.DirectoryReader reader = org.apache.lucene.index.DirectoryReader.open(write(vectors))) {
            SparseTermMaxima maxima = new SparseTermMaxima(reader);
            assertEquals(impact(7.3f), maxima.max(SparseFields.positiveField("s"), "1"));
            assertEquals(impact(3.14159f), maxima.max(SparseFields.positiveField("s"), "2"));
            assertEquals(impact(9.5f), maxima.max(SparseFields.negativeField("s"), "3"));
            assertEquals(0f, maxima.max(SparseFields.positiveField("s"), "3"));
            assertEquals(0f, maxima.max(SparseFields.positiveField("s"), "4"));
        }
    }

    @Test
    void lowWeightUbiquitousDimensionsLeaveTheWalkAndResultsStayExact() throws Exception {
        // Every record has dimension 0 (as the most frequent terms of a corpus) and five others valued +1 or -1, so
        // many records tie on those and dimension 0 alone orders them. Queries weigh dimension 0 about a hundredth of
        // the rest (as IDF does), so it leaves the impact walk and only its bound enters the certificate, and weigh it
        // enough that a certificate without that bound would cut records that belong in the top k. Answers must
        // equal brute force, ids and float32 scores, also with records hidden.
        java.util.Random random = new java.util.Random(5);
        List<MetadataValue.Sparse> vectors = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            java.util.TreeMap<Integer, Float> dims = new java.util.TreeMap<>();
            dims.put(0, 1f - random.nextFloat());
            while (dims.size() < 6) {
                dims.put(1 + random.nextInt(200), random.nextInt(10) == 0 ? -1f : 1f);
            }
            vectors.add(sparse(dims.keySet().stream().mapToInt(Integer::intValue).toArray(), toArray(dims.values())));
        }
        try (IndexedCollectionReader reader = index(vectors)) {
            for (int q = 0; q < 60; q++) {
                java.util.TreeMap<Integer, Float> dims = new java.util.TreeMap<>();
                dims.put(0, 0.04f + 0.01f * random.nextFloat());
                while (dims.size() < 4) {
                    dims.put(1 + random.nextInt(200), (float) (1 + random.nextInt(5)));
                }
                MetadataValue.Sparse query = sparse(dims.keySet().stream().mapToInt(Integer::intValue).toArray(),
                        toArray(dims.values()));
                int k = q % 3 == 0 ? 50 : 10;
                Set<String> hidden = q % 4 == 0 ? Set.of("r" + random.nextInt(3000), "r" + random.nextInt(3000))
                        : Set.of();
                List<Integer> expected = IntStream.range(0, vectors.size())
                        .filter(i -> !hidden.contains("r" + i) && vectors.get(i).overlaps(query)).boxed()
                        .sorted((a, b) -> {
                            int byScore = Float.compare(1f - query.dot(vectors.get(a)) + 0.0f,
                                    1f - query.dot(vectors.get(b)) + 0.0f);
                            return byScore != 0 ? byScore : Integer.compare(a, b);
                        }).limit(k).toList();
                List<SequencedHit> hits = reader.sparseQuery("s", query, k, null, hidden, false);
                assertEquals(expected.stream().map(i -> "r" + i).toList(), ids(hits), "query " + q);
                assertEquals(expected.stream().map(i -> 1f - query.dot(vectors.get(i))).toList(), scores(hits),
                        "query " + q);
            }
        }
    }

    private static float[] toArray(java.util.Collection<Float> values) {
        float[] out = new float[values.size()];
        int i = 0;
        for (float v : values) {
            out[i++] = v;
        }
        return out;
    }

    /** What FeatureField keeps of a value: its top 17 bits (8 mantissa bits), truncated. */
    private static float impact(float value) {
        return Float.intBitsToFloat((Float.floatToIntBits(value) >>> 15) << 15);
    }
}
