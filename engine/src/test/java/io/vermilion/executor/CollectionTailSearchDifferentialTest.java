package io.vermilion.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vermilion.filter.Where;
import io.vermilion.filter.WhereParser;
import io.vermilion.model.DistanceFunction;
import io.vermilion.model.GetRequest;
import io.vermilion.model.MutableCollectionState;
import io.vermilion.model.QueryHit;
import io.vermilion.model.QueryRequest;
import io.vermilion.record.LogRecord;
import io.vermilion.record.MetadataValue;
import io.vermilion.record.Operation;
import io.vermilion.record.Record;
import io.vermilion.testing.Seeds;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The log tail's search ({@link CollectionTail} rows + {@link TailSearch}) against the simple scan it replaces
 * ({@link ExactCollectionReader} over {@link MutableCollectionState}'s snapshot) on random tails with adds, upserts,
 * updates, deletes and re-adds: the same ids in the same order (exact ties by insertion order; only near ties may
 * swap) and distances within 1e-5; views taken earlier keep answering as of their moment while the tail grows and
 * records die.
 */
class CollectionTailSearchDifferentialTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int[] DIMENSIONS = {3, 16, 24, 384};

    @Test
    void tailSearchAnswersAsTheSimpleScanOnRandomTails() throws Exception {
        long seed = Seeds.seed("tailSearchAnswersAsTheSimpleScanOnRandomTails");
        Random random = new Random(seed);
        for (int run = 0; run < 40; run++) {
            runOnce(random, DIMENSIONS[run % DIMENSIONS.length], run % 3 == 0, "run " + run + ", " + Seeds.replay(seed));
        }
    }

    /**
     * A tail past {@link TailSearch#TWO_PASS_MIN_ROWS} is ranked by its int8 codes first and re-scored exactly: the
     * answers are still the simple scan's, with updates, deletes, records without embeddings, exact ties, filters
     * and every distance, and views taken before later batches still answer as they did.
     */
    @Test
    void largeTailSearchedInTwoPassesAnswersAsTheSimpleScan() throws Exception {
        long seed = Seeds.seed("largeTailSearchedInTwoPassesAnswersAsTheSimpleScan");
        Random random = new Random(seed);
        for (int dimension : new int[] {32, 384}) {
            CollectionTail tail = new CollectionTail(null);
            MutableCollectionState reference = new MutableCollectionState();
            List<float[]> seen = new ArrayList<>();
            long offset = 0;
            for (int b = 0; b < 5; b++) {
                List<LogRecord> batch = new ArrayList<>();
                for (int i = 0; i < 1_000; i++) {
                    String id = "big" + random.nextInt(5_000);
                    int pick = random.nextInt(100);
                    if (pick < 5) {
                        batch.add(LogRecord.delete(id));
                        continue;
                    }
                    float[] embedding = pick < 8 ? null : !seen.isEmpty() && pick < 12
                            ? seen.get(random.nextInt(seen.size())).clone() : vector(random, dimension, false);
                    if (embedding != null) {
                        seen.add(embedding);
                    }
                    batch.add(new LogRecord(embedding == null ? Operation.UPDATE : Operation.UPSERT, id, embedding,
                            Map.of("g", new MetadataValue.Int(random.nextInt(4))), null, null));
                }
                tail.apply(batch, offset);
                offset += batch.size();
                batch.forEach(reference::apply);
                String at = "dim " + dimension + " batch " + b + ", " + Seeds.replay(seed);
                ExactCollectionReader exact = new ExactCollectionReader(reference.snapshot());
                assertTrue(b < 3 || exact.count() >= TailSearch.TWO_PASS_MIN_ROWS, at + ": the tail is large enough");
                compare(random, exact, tail.view(), dimension, false, seen, at);
            }
        }
    }

    @Test
    void tailWithMixedDimensionsIsSearchedRecordByRecordAsBefore() throws Exception {
        List<LogRecord> writes = List.of(
                new LogRecord(Operation.ADD, "a", new float[] {1, 0, 0}, Map.of("g", new MetadataValue.Int(0)), null, null),
                new LogRecord(Operation.ADD, "b", new float[] {0, 1, 0, 0}, Map.of("g", new MetadataValue.Int(1)), null, null),
                new LogRecord(Operation.ADD, "c", new float[] {0, 1, 0}, Map.of("g", new MetadataValue.Int(0)), null, null));
        CollectionTail tail = new CollectionTail(null);
        tail.apply(writes, 0);
        MutableCollectionState reference = new MutableCollectionState();
        writes.forEach(reference::apply);
        ExactCollectionReader exact = new ExactCollectionReader(reference.snapshot());
        Where g0 = WhereParser.parse(JSON.readTree("{\"g\": 0}"));
        try (CollectionView view = new CollectionView(null, 0, tail.view())) {
            QueryRequest filtered = new QueryRequest(List.of(new float[] {0.5f, 1, 0}), 5, null, g0, null,
                    DistanceFunction.L2);
            assertEquals(List.of("c", "a"), view.query(filtered).get(0).stream().map(h -> h.record().id()).toList());
            assertEquals(exact.query(filtered).get(0).stream().map(QueryHit::distance).toList(),
                    view.query(filtered).get(0).stream().map(QueryHit::distance).toList());
            QueryRequest all = new QueryRequest(List.of(new float[] {0.5f, 1, 0}), 5, null, null, null, DistanceFunction.L2);
            IllegalArgumentException before = org.junit.jupiter.api.Assertions.assertThrows(
                    IllegalArgumentException.class, () -> exact.query(all));
            IllegalArgumentException now = org.junit.jupiter.api.Assertions.assertThrows(
                    IllegalArgumentException.class, () -> view.query(all));
            assertEquals(before.getMessage(), now.getMessage());
        }
    }

    private void runOnce(Random random, int dimension, boolean grid, String context) throws Exception {
        CollectionTail tail = new CollectionTail(null);
        MutableCollectionState reference = new MutableCollectionState();
        List<float[]> seen = new ArrayList<>();
        List<Object[]> kept = new ArrayList<>(); // earlier views with their reference readers
        long offset = 0;
        int batches = 1 + random.nextInt(12);
        for (int b = 0; b < batches; b++) {
            List<LogRecord> batch = new ArrayList<>();
            int size = 1 + random.nextInt(random.nextBoolean() ? 8 : 60);
            for (int i = 0; i < size; i++) {
                batch.add(randomWrite(random, dimension, grid, seen));
            }
            tail.apply(batch, offset);
            offset += batch.size();
            batch.forEach(reference::apply);
            ExactCollectionReader exact = new ExactCollectionReader(reference.snapshot());
            CollectionTail.View view = tail.view();
            String at = context + " dim " + dimension + (grid ? " grid" : "") + " batch " + b;
            compare(random, exact, view, dimension, grid, seen, at);
            if (random.nextBoolean()) {
                kept.add(new Object[] {view, exact, at});
            }
        }
        for (Object[] old : kept) {
            compare(random, (ExactCollectionReader) old[1], (CollectionTail.View) old[0], dimension, grid, seen,
                    old[2] + " (view re-read after later batches)");
        }
    }

    private static void compare(Random random, ExactCollectionReader exact, CollectionTail.View tail, int dimension,
                                boolean grid, List<float[]> seen, String context) throws Exception {
        try (CollectionView view = new CollectionView(null, 0, tail)) {
            assertEquals(exact.count(), view.count(), context + " count");
            assertEquals(ids(exact.get(GetRequest.all())), ids(view.get(GetRequest.all())), context + " get all");
            for (int round = 0; round < 8; round++) {
                DistanceFunction distance = grid ? (random.nextBoolean() ? DistanceFunction.L2 : DistanceFunction.IP)
                        : DistanceFunction.values()[random.nextInt(3)];
                Where where = random.nextInt(3) == 0
                        ? WhereParser.parse(JSON.readTree("{\"g\": {\"$lte\": " + random.nextInt(4) + "}}")) : null;
                List<String> idFilter = random.nextInt(4) == 0
                        ? List.of("r" + random.nextInt(40), "r" + random.nextInt(40), "r" + random.nextInt(40)) : null;
                float[] query = !seen.isEmpty() && random.nextInt(4) == 0 ? seen.get(random.nextInt(seen.size()))
                        : vector(random, dimension, grid);
                int n = random.nextInt(5) == 0 ? 100 : 1 + random.nextInt(12);
                QueryRequest request = new QueryRequest(List.of(query, vector(random, dimension, grid)), n, idFilter,
                        where, null, distance);
                List<List<QueryHit>> want = exact.query(request);
                List<List<QueryHit>> got = view.query(request);
                List<List<QueryHit>> everything = exact.query(new QueryRequest(request.queries(), 1_000, idFilter,
                        where, null, distance));
                List<String> order = ids(exact.get(GetRequest.all()));
                for (int q = 0; q < want.size(); q++) {
                    String at = context + " " + distance + " n " + n + " where " + (where != null) + " ids " + idFilter
                            + " query " + q;
                    assertSameHits(want.get(q), got.get(q), everything.get(q), order, at);
                }
            }
        }
    }

    /**
     * The same ids in the same order with distances within 1e-5, except that hits whose simple-scan distances are
     * that close (a near tie the kernels' other summation order may resolve the other way) may swap; hits the tail
     * search itself finds exactly tied (equal vectors; sums exact in float32) come in insertion order.
     */
    private static void assertSameHits(List<QueryHit> want, List<QueryHit> got, List<QueryHit> all,
                                       List<String> insertionOrder, String at) {
        java.util.Map<String, Float> simple = new java.util.HashMap<>();
        all.forEach(h -> simple.put(h.record().id(), h.distance()));
        assertEquals(want.size(), got.size(), at + " hits");
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (int h = 0; h < want.size(); h++) {
            float w = want.get(h).distance();
            float g = got.get(h).distance();
            String id = got.get(h).record().id();
            assertTrue(close(w, g), at + " distance " + h + ": simple scan " + w + ", tail search " + g);
            assertTrue(seen.add(id), at + " " + id + " twice");
            if (!id.equals(want.get(h).record().id())) {
                Float mine = simple.get(id);
                assertTrue(mine != null && close(mine, w), at + " hit " + h + ": simple scan has "
                        + want.get(h).record().id() + " at " + w + ", tail search " + id + " (simple scan: " + mine
                        + "); only a near tie may swap. Simple scan " + hitIds(want) + ", tail search " + hitIds(got));
            }
            if (h > 0 && Float.compare(got.get(h - 1).distance() + 0f, g + 0f) == 0) {
                assertTrue(insertionOrder.indexOf(got.get(h - 1).record().id()) < insertionOrder.indexOf(id),
                        at + " exact tie at " + h + " not in insertion order: " + hitIds(got));
            }
            assertEquals(all.stream().filter(x -> x.record().id().equals(id)).findFirst().orElseThrow().record(),
                    got.get(h).record(), at + " record " + h);
        }
    }

    private static boolean close(float expected, float actual) {
        return Math.abs(expected - actual) <= 1e-5f * Math.max(1f, Math.abs(expected));
    }

    private static List<String> hitIds(List<QueryHit> hits) {
        return hits.stream().map(h -> h.record().id()).toList();
    }

    private static LogRecord randomWrite(Random random, int dimension, boolean grid, List<float[]> seen) {
        String id = "r" + random.nextInt(40);
        int pick = random.nextInt(100);
        Operation operation = pick < 35 ? Operation.ADD : pick < 55 ? Operation.UPSERT : pick < 75 ? Operation.UPDATE
                : Operation.DELETE;
        if (operation == Operation.DELETE) {
            return LogRecord.delete(id);
        }
        float[] embedding;
        if (operation == Operation.UPDATE && random.nextBoolean()) {
            embedding = null;
        } else if (!seen.isEmpty() && random.nextInt(5) == 0) {
            embedding = seen.get(random.nextInt(seen.size())).clone(); // an exact tie
        } else {
            embedding = vector(random, dimension, grid);
            seen.add(embedding);
        }
        Map<String, MetadataValue> metadata = operation == Operation.UPDATE && random.nextBoolean() ? null
                : Map.of("g", new MetadataValue.Int(random.nextInt(4)));
        return new LogRecord(operation, id, embedding, metadata, "doc " + id, null);
    }

    /**
     * Gaussian components of norm about 1, as embeddings have (the sums' rounding then stays far below 1e-5), or
     * multiples of 1/4 in [-1, 1] (exact sums in float32: many exact ties).
     */
    private static float[] vector(Random random, int dimension, boolean grid) {
        float[] v = new float[dimension];
        float scale = (float) (1 / Math.sqrt(dimension));
        for (int i = 0; i < dimension; i++) {
            v[i] = grid ? (random.nextInt(9) - 4) / 4f : (float) random.nextGaussian() * scale;
        }
        return v;
    }

    private static List<String> ids(List<Record> records) {
        return records.stream().map(Record::id).toList();
    }
}
