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
 * takes clauses, and records whose overlap with the query only lowers their dot product.
 */
class SparseIndexQueryTest {

    private static MetadataValue.Sparse sparse(int[] indices, float[] values) {
        return new MetadataValue.Sparse(indices, values, null);
    }

    private static IndexedCollectionReader index(List<MetadataValue.Sparse> vectors) throws Exception {
        List<Record> records = new ArrayList<>();
        for (int i = 0; i < vectors.size(); i++) {
            records.add(new Record("r" + i, null, Map.of("s", vectors.get(i)), null, null));
        }
        Directory directory = new ByteBuffersDirectory();
        CollectionIndexWriter.write(directory, IndexSchema.defaults(DistanceFunction.L2, List.of()), records);
        return IndexedCollectionReader.open(directory, SearchParameters.DEFAULTS);
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
}
