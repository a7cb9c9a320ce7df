package io.vermilion.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vermilion.filter.WhereParser;
import io.vermilion.index.CollectionIndexWriter;
import io.vermilion.index.IndexSchema;
import io.vermilion.index.IndexedCollectionReader;
import io.vermilion.index.SearchParameters;
import io.vermilion.model.DistanceFunction;
import io.vermilion.model.RankExpr;
import io.vermilion.model.SearchHit;
import io.vermilion.model.SearchRequest;
import io.vermilion.record.LogRecord;
import io.vermilion.record.MetadataValue;
import io.vermilion.record.Operation;
import io.vermilion.record.Record;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.junit.jupiter.api.Test;

/**
 * Sparse {@code $knn} over a compacted version plus a log tail: scores worked out by hand ({@code 1 - q·v}), then
 * random collections against a brute-force scan of the final records (exact ids and scores).
 */
class SparseKnnTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    static MetadataValue.Sparse sparse(int[] indices, float[] values) {
        return new MetadataValue.Sparse(indices, values, null);
    }

    static Record record(String id, MetadataValue.Sparse vector, String color) {
        Map<String, MetadataValue> metadata = new HashMap<>();
        metadata.put("color", new MetadataValue.Str(color));
        if (vector != null) {
            metadata.put("bm25", vector);
        }
        return new Record(id, new float[] {0}, metadata, "doc " + id, null);
    }

    private static List<SearchHit> search(CollectionView view, RankExpr rank, String where) throws Exception {
        return SearchExecutor.search(view, new SearchRequest(where == null ? null : WhereParser.parse(JSON.readTree(where)),
                rank, null, 0, null, DistanceFunction.L2, 0, false));
    }

    private static CollectionView view(List<Record> compacted, List<LogRecord> tailRecords) throws Exception {
        Directory directory = new ByteBuffersDirectory();
        CollectionIndexWriter.write(directory, IndexSchema.defaults(DistanceFunction.L2, compacted), compacted);
        IndexedCollectionReader version = IndexedCollectionReader.open(directory, SearchParameters.DEFAULTS);
        CollectionTail tail = new CollectionTail(version);
        tail.apply(tailRecords, compacted.size());
        return new CollectionView(version, 1, tail.view());
    }

    @Test
    void sparseKnnScoresOneMinusDotOverVersionAndTailSkippingRecordsWithoutOverlap() throws Exception {
        List<Record> compacted = List.of(
                record("a", sparse(new int[] {1, 5}, new float[] {0.5f, 2f}), "red"),
                record("b", sparse(new int[] {2}, new float[] {3f}), "red"), // no shared index: not a hit
                record("c", null, "red"), // no sparse vector: not a hit
                record("d", sparse(new int[] {5, 9}, new float[] {0.25f, 1f}), "blue"));
        List<LogRecord> tail = List.of(
                new LogRecord(Operation.ADD, "e", new float[] {0}, Map.of("color", new MetadataValue.Str("red"),
                        "bm25", sparse(new int[] {1, 5, 7}, new float[] {1f, 1f, 1f})), null, null),
                new LogRecord(Operation.UPDATE, "d", null, Map.of("color", new MetadataValue.Str("red")), null, null));
        // query {1: 2, 5: 1, -1 (u32 max): 4}: a = 1 - (1 + 2) = -2, d = 1 - 0.25 = 0.75, e = 1 - (2 + 1) = -2.
        RankExpr.Knn knn = new RankExpr.Knn(null, new MetadataValue.Sparse(new int[] {1, 5, -1},
                new float[] {2f, 1f, 4f}, null), "bm25", 10, null, false);
        try (CollectionView view = view(compacted, tail)) {
            List<SearchHit> hits = search(view, knn, null);
            assertEquals(List.of("a", "e", "d"), hits.stream().map(h -> h.record().id()).toList());
            assertEquals(List.of(-2f, -2f, 0.75f), hits.stream().map(SearchHit::score).toList());
            List<SearchHit> red = search(view, new RankExpr.Knn(null, knn.sparse(), "bm25", 2, null, false),
                    "{\"color\": \"red\"}");
            assertEquals(List.of("a", "e"), red.stream().map(h -> h.record().id()).toList());
            List<SearchHit> blueOnly = search(view, knn, "{\"color\": \"blue\"}");
            assertEquals(List.of(), blueOnly);
        }
    }

    @Test
    void sparseKnnEqualsBruteForceOnRandomCollections() throws Exception {
        Random random = new Random(15);
        for (int round = 0; round < 30; round++) {
            int n = 5 + random.nextInt(60);
            List<Record> all = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                all.add(record("id" + i, random.nextInt(6) == 0 ? null : randomSparse(random),
                        random.nextBoolean() ? "red" : "blue"));
            }
            int split = random.nextInt(n + 1);
            List<LogRecord> tail = new ArrayList<>();
            for (Record r : all.subList(split, n)) {
                tail.add(new LogRecord(Operation.ADD, r.id(), r.embedding(), r.metadata(), r.document(), null));
            }
            MetadataValue.Sparse query = randomSparse(random);
            int limit = 1 + random.nextInt(12);
            String where = random.nextBoolean() ? null : "{\"color\": \"red\"}";
            try (CollectionView view = view(all.subList(0, split), tail)) {
                List<SearchHit> hits = search(view, new RankExpr.Knn(null, query, "bm25", limit, null, false), where);
                List<Map.Entry<Integer, Float>> expected = bruteForce(all, query, limit, where != null);
                assertEquals(expected.stream().map(e -> "id" + e.getKey()).toList(),
                        hits.stream().map(h -> h.record().id()).toList(), "round " + round);
                assertEquals(expected.stream().map(Map.Entry::getValue).toList(),
                        hits.stream().map(SearchHit::score).toList(), "round " + round);
            }
        }
    }

    /** Position to score of the best {@code limit} records, by score then position; dot in double then float. */
    private static List<Map.Entry<Integer, Float>> bruteForce(List<Record> all, MetadataValue.Sparse query,
            int limit, boolean redOnly) {
        Map<Integer, Float> q = new TreeMap<>();
        for (int i = 0; i < query.indices().length; i++) {
            q.put(query.indices()[i], query.values()[i]);
        }
        List<Map.Entry<Integer, Float>> scored = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            Record r = all.get(i);
            if (!(r.metadata().get("bm25") instanceof MetadataValue.Sparse v)
                    || (redOnly && !r.metadata().get("color").equals(new MetadataValue.Str("red")))) {
                continue;
            }
            float dot = 0;
            boolean shared = false;
            for (int j = 0; j < v.indices().length; j++) { // indices ascending, as the query's
                Float w = q.get(v.indices()[j]);
                if (w != null) {
                    dot += w * v.values()[j];
                    shared = true;
                }
            }
            if (shared) {
                scored.add(Map.entry(i, 1.0f - dot));
            }
        }
        scored.sort(Comparator.comparing((Map.Entry<Integer, Float> e) -> e.getValue()).thenComparing(Map.Entry::getKey));
        return scored.subList(0, Math.min(limit, scored.size()));
    }

    /** Non-negative indices below 40 (so vectors overlap), strictly ascending; values in (-1, 3). */
    private static MetadataValue.Sparse randomSparse(Random random) {
        int size = 1 + random.nextInt(6);
        int[] indices = random.ints(0, 40).distinct().limit(size).sorted().toArray();
        float[] values = new float[indices.length];
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextFloat() * 4 - 1;
        }
        return sparse(indices, values);
    }
}
