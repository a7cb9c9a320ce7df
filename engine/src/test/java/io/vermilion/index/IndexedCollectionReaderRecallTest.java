package io.vermilion.index;

import static io.vermilion.testing.TestData.json;
import static io.vermilion.testing.TestData.md;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vermilion.executor.ExactCollectionReader;
import io.vermilion.filter.Where;
import io.vermilion.filter.WhereParser;
import io.vermilion.model.CollectionSnapshot;
import io.vermilion.model.DistanceFunction;
import io.vermilion.model.QueryHit;
import io.vermilion.model.QueryRequest;
import io.vermilion.model.VectorQuantization;
import io.vermilion.record.Record;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.junit.jupiter.api.Test;

/**
 * Recall@10 of the graph search (the exact-scan shortcut switched off) on clustered data, unfiltered and with a
 * filter keeping about half the records, for every space, both similarities of {@code ip}, and both quantizations:
 * at least 0.95 (0.93 for filtered maximum inner product, the one case HNSW navigates noticeably worse).
 * Re-run one case with {@code -Dvermilion.seed=<seed>}.
 */
class IndexedCollectionReaderRecallTest {

    private static final int RECORDS = 3_000;
    private static final int DIMENSION = 16;
    private static final int CLUSTERS = 40;
    private static final int QUERIES = 60;
    private static final int K = 10;

    @Test
    void graphSearchRecallAtTenOnClusteredData() throws Exception {
        String fixed = System.getProperty("vermilion.seed");
        long seed = fixed != null ? Long.parseLong(fixed) : System.nanoTime();
        System.out.println("IndexedCollectionReaderRecallTest seed=" + seed);
        Random random = new Random(seed);
        float[][] centers = new float[CLUSTERS][];
        for (int c = 0; c < CLUSTERS; c++) {
            centers[c] = gaussian(random, 1f);
        }
        List<Record> raw = new ArrayList<>();
        List<Record> normalized = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            int cluster = random.nextInt(CLUSTERS);
            float[] v = add(centers[cluster], gaussian(random, 0.15f));
            raw.add(new Record("r" + i, v, md("even", cluster % 2 == 0, "cluster", cluster), null, null));
            normalized.add(new Record("r" + i, unit(v), md("even", cluster % 2 == 0, "cluster", cluster), null, null));
        }
        Where half = WhereParser.parse(json("{'even': true}"));
        List<String> failures = new ArrayList<>();
        for (DistanceFunction space : DistanceFunction.values()) {
            for (List<Record> records : space == DistanceFunction.IP ? List.of(normalized, raw) : List.of(raw)) {
                ExactCollectionReader exact = new ExactCollectionReader(CollectionSnapshot.of(records));
                List<float[]> queries = new ArrayList<>();
                for (int q = 0; q < QUERIES; q++) {
                    queries.add(add(records.get(random.nextInt(RECORDS)).embedding(), gaussian(random, 0.05f)));
                }
                for (VectorQuantization quantization : VectorQuantization.values()) {
                    IndexSchema schema = IndexSchema.forCollection(space, quantization, 16, 100, records);
                    try (IndexedCollectionReader indexed = IndexTestKit.index(records, schema, new SearchParameters(100, 0, 2f))) {
                        for (Where where : new Where[] {null, half}) {
                            QueryRequest request = new QueryRequest(queries, K, null, where, null, space);
                            double recall = recall(exact.query(request), indexed.query(request));
                            String line = String.format("recall@%d %s %s %s filter=%s: %.4f", K, space.wireName(), schema.similarity(),
                                    quantization, where == null ? "none" : "half", recall);
                            System.out.println(line);
                            // Maximum inner product over vectors of varied norm navigates worst when filtered
                            // (0.957-0.99 over 12 seeds at 60 queries); every other case stays >= 0.99.
                            boolean hardest = schema.similarity() == VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT && where != null;
                            if (recall < (hardest ? 0.93 : 0.95)) {
                                failures.add(line);
                            }
                        }
                    }
                }
            }
        }
        assertTrue(failures.isEmpty(), "seed=" + seed + " " + failures);
    }

    private static double recall(List<List<QueryHit>> expected, List<List<QueryHit>> actual) {
        int found = 0;
        int total = 0;
        for (int q = 0; q < expected.size(); q++) {
            Set<String> truth = new HashSet<>();
            expected.get(q).forEach(h -> truth.add(h.record().id()));
            for (QueryHit hit : actual.get(q)) {
                found += truth.contains(hit.record().id()) ? 1 : 0;
            }
            total += truth.size();
        }
        return (double) found / total;
    }

    private static float[] gaussian(Random random, float scale) {
        float[] v = new float[DIMENSION];
        for (int i = 0; i < DIMENSION; i++) {
            v[i] = (float) random.nextGaussian() * scale;
        }
        return v;
    }

    private static float[] add(float[] a, float[] b) {
        float[] sum = new float[a.length];
        for (int i = 0; i < a.length; i++) {
            sum[i] = a[i] + b[i];
        }
        return sum;
    }

    private static float[] unit(float[] v) {
        float norm = (float) Math.sqrt(IndexSchema.sumOfSquares(v));
        float[] u = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            u[i] = v[i] / norm;
        }
        return u;
    }
}
