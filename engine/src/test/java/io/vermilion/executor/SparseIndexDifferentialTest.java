package io.vermilion.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vermilion.blockstore.SequencedRecord;
import io.vermilion.filter.Where;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.junit.jupiter.api.Test;

/**
 * The sparse index ({@code SparseIndexQuery} under {@link SparseKnn}) against brute force: random zipfian sparse
 * vectors in a version built over several commits (so several segments, with deletes and replacements inside the
 * index), a log tail that adds, upserts, updates and deletes, many queries with and without a filter; ids and scores
 * must equal an exact scan of the final records. Seeded; the seed is in every failure message.
 */
class SparseIndexDifferentialTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int VOCABULARY = 300;

    @Test
    void sparseIndexTopKEqualsBruteForceOverVersionTailDeletesAndUpdates() throws Exception {
        run(1501, false);
    }

    @Test
    void sparseIndexTopKEqualsBruteForceWithNegativeAndZeroValues() throws Exception {
        run(1502, true);
    }

    @Test
    void bm25IdfScalesTheQueryAsChromaOverVersionAndTail() throws Exception {
        Random random = new Random(1503);
        Map<String, Record> state = new LinkedHashMap<>();
        try (CollectionView view = build(random, state, false)) {
            MetadataValue.Sparse query = randomSparse(random, false);
            MetadataValue.Sparse scaled = SparseIdf.scaled(view, "sv", query);
            float n = state.size();
            for (int i = 0; i < query.indices().length; i++) {
                int t = query.indices()[i];
                int nt = (int) state.values().stream().filter(r -> r.metadata().get("sv") instanceof MetadataValue.Sparse v
                        && java.util.Arrays.stream(v.indices()).anyMatch(x -> x == t)).count();
                float idf = (float) Math.log1p((n - nt + 0.5f) / (nt + 0.5f));
                assertEquals(idf * query.values()[i], scaled.values()[i], "dimension " + t);
            }
            // Chroma's own worked example (idf.rs): a term in 5 of 10 documents has idf ln 2; n_t is clamped to n.
            assertEquals((float) Math.log(2), SparseIdf.idf(10, 5));
            assertEquals((float) Math.log1p(0.5 / 10.5), SparseIdf.idf(10, 12));
        }
    }

    private static void run(long seed, boolean signed) throws Exception {
        Random random = new Random(seed);
        Map<String, Record> state = new LinkedHashMap<>();
        try (CollectionView view = build(random, state, signed)) {
            // The view's exact scan holds exactly the model's final records.
            Map<String, Record> scanned = new HashMap<>();
            List<SequencedRecord> all = view.sequencedScan(null, false);
            for (SequencedRecord r : all) {
                scanned.put(r.record().id(), r.record());
            }
            assertEquals(state.keySet(), scanned.keySet(), "seed " + seed);
            for (Map.Entry<String, Record> e : state.entrySet()) {
                assertEquals(e.getValue().metadata(), scanned.get(e.getKey()).metadata(), "seed " + seed);
            }
            for (int q = 0; q < 300; q++) {
                MetadataValue.Sparse query = randomSparse(random, signed);
                int limit = switch (q % 5) {
                    case 0 -> 1;
                    case 1 -> 5;
                    case 2 -> 10;
                    case 3 -> 50;
                    default -> 1 + random.nextInt(200);
                };
                int below = random.nextInt(100);
                String whereJson = q % 3 == 0 ? "{\"color\": \"red\"}"
                        : q % 3 == 1 ? "{\"rank\": {\"$lt\": " + below + "}}" : null;
                java.util.function.Predicate<Record> passes = q % 3 == 0
                        ? r -> r.metadata().get("color").equals(new MetadataValue.Str("red"))
                        : q % 3 == 1 ? r -> ((MetadataValue.Int) r.metadata().get("rank")).value() < below : r -> true;
                Where where = whereJson == null ? null : WhereParser.parse(JSON.readTree(whereJson));
                List<SearchHit> hits = SearchExecutor.search(view, new SearchRequest(where,
                        new RankExpr.Knn(null, query, "sv", limit, null, false), null, 0, null, DistanceFunction.L2,
                        0, false));
                List<Map.Entry<String, Float>> expected = bruteForce(all, query, limit, passes);
                String context = "seed " + seed + " query " + q + " " + query + " limit " + limit + " where " + whereJson;
                assertEquals(expected.stream().map(Map.Entry::getKey).toList(),
                        hits.stream().map(h -> h.record().id()).toList(), context);
                assertEquals(expected.stream().map(Map.Entry::getValue).toList(),
                        hits.stream().map(SearchHit::score).toList(), context);
            }
        }
    }

    /**
     * A version of ~3000 records written over three commits (with replacements and deletes between them), then a
     * log tail; {@code state} receives the final records by id.
     */
    private static CollectionView build(Random random, Map<String, Record> state, boolean signed) throws Exception {
        Directory directory = new ByteBuffersDirectory();
        List<Record> first = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            first.add(record("id" + i, random, signed));
        }
        long sequence = 0;
        Map<String, Long> sequences = new HashMap<>();
        try (CollectionIndexWriter writer = CollectionIndexWriter.create(directory,
                IndexSchema.defaults(DistanceFunction.L2, first))) {
            for (int part = 0; part < 3; part++) {
                for (Record r : first.subList(part * 1000, (part + 1) * 1000)) {
                    sequences.put(r.id(), sequence);
                    writer.add(r, sequence++);
                    state.put(r.id(), r);
                }
                // Replace and delete some already indexed records before the next commit.
                for (int j = 0; j < 40; j++) {
                    String id = "id" + random.nextInt((part + 1) * 1000);
                    if (random.nextBoolean()) {
                        Record replaced = record(id, random, signed);
                        Long kept = sequences.get(id);
                        long at = kept != null ? kept : sequence++;
                        writer.upsert(replaced, at);
                        sequences.put(id, at);
                        state.put(id, replaced);
                    } else {
                        writer.delete(id);
                        sequences.remove(id);
                        state.remove(id);
                    }
                }
                writer.commit();
            }
        }
        IndexedCollectionReader version = IndexedCollectionReader.open(directory, SearchParameters.DEFAULTS);
        List<LogRecord> tail = new ArrayList<>();
        for (int j = 0; j < 400; j++) {
            String id = "id" + random.nextInt(3300);
            switch (random.nextInt(4)) {
                case 0 -> { // add (or, for an existing id, Chroma's add is ignored: use new ids only)
                    String fresh = "t" + j;
                    Record r = record(fresh, random, signed);
                    tail.add(new LogRecord(Operation.ADD, fresh, r.embedding(), r.metadata(), r.document(), null));
                    state.put(fresh, r);
                }
                case 1 -> { // Chroma's upsert of an existing record updates it: metadata merges
                    Record r = record(id, random, signed);
                    tail.add(new LogRecord(Operation.UPSERT, id, r.embedding(), r.metadata(), r.document(), null));
                    Record old = state.get(id);
                    Map<String, MetadataValue> merged = new HashMap<>(old == null ? Map.of() : old.metadata());
                    merged.putAll(r.metadata());
                    state.put(id, new Record(id, r.embedding(), merged, r.document(), null));
                }
                case 2 -> {
                    if (state.containsKey(id)) {
                        Map<String, MetadataValue> change = new HashMap<>();
                        change.put("sv", randomSparse(random, signed));
                        tail.add(new LogRecord(Operation.UPDATE, id, null, change, null, null));
                        Record old = state.get(id);
                        Map<String, MetadataValue> merged = new HashMap<>(old.metadata());
                        merged.putAll(change);
                        state.put(id, new Record(id, old.embedding(), merged, old.document(), null));
                    }
                }
                default -> {
                    tail.add(LogRecord.delete(id));
                    state.remove(id);
                }
            }
        }
        CollectionTail collectionTail = new CollectionTail(version);
        collectionTail.apply(tail, sequence);
        return new CollectionView(version, 1, collectionTail.view());
    }

    /** Id to score of the best {@code limit} of the view's records passing {@code passes}, ties by sequence. */
    private static List<Map.Entry<String, Float>> bruteForce(List<SequencedRecord> all, MetadataValue.Sparse query,
            int limit, java.util.function.Predicate<Record> passes) {
        record Scored(String id, long sequence, float score) {}
        List<Scored> scored = new ArrayList<>();
        for (SequencedRecord r : all) {
            if (!passes.test(r.record()) || !(r.record().metadata().get("sv") instanceof MetadataValue.Sparse v)) {
                continue;
            }
            float dot = 0;
            boolean shared = false;
            int i = 0;
            int j = 0;
            while (i < query.indices().length && j < v.indices().length) {
                int c = Integer.compareUnsigned(query.indices()[i], v.indices()[j]);
                if (c == 0) {
                    dot += query.values()[i++] * v.values()[j++];
                    shared = true;
                } else if (c < 0) {
                    i++;
                } else {
                    j++;
                }
            }
            if (shared) {
                scored.add(new Scored(r.record().id(), r.sequence(), 1.0f - dot));
            }
        }
        scored.sort(Comparator.comparingDouble((Scored s) -> s.score + 0.0f).thenComparingLong(Scored::sequence));
        List<Map.Entry<String, Float>> out = new ArrayList<>();
        for (Scored s : scored.subList(0, Math.min(limit, scored.size()))) {
            out.add(Map.entry(s.id, s.score));
        }
        return out;
    }

    private static Record record(String id, Random random, boolean signed) {
        Map<String, MetadataValue> metadata = new HashMap<>();
        metadata.put("color", new MetadataValue.Str(random.nextBoolean() ? "red" : "blue"));
        metadata.put("rank", new MetadataValue.Int(random.nextInt(100)));
        if (random.nextInt(10) != 0) {
            metadata.put("sv", randomSparse(random, signed));
        }
        return new Record(id, new float[] {random.nextFloat()}, metadata, null, null);
    }

    /**
     * 1–40 distinct zipfian indices out of {@value #VOCABULARY} (a few are frequent, most rare), strictly ascending;
     * values in (0, 2], or with {@code signed} also negative and zero ones; some duplicated values make ties.
     */
    static MetadataValue.Sparse randomSparse(Random random, boolean signed) {
        int size = 1 + random.nextInt(40);
        java.util.TreeSet<Integer> chosen = new java.util.TreeSet<>();
        while (chosen.size() < size) {
            double u = random.nextDouble();
            chosen.add((int) Math.min(VOCABULARY - 1, Math.floor(Math.pow(VOCABULARY, u)) - 1));
        }
        int[] indices = chosen.stream().mapToInt(Integer::intValue).toArray();
        float[] values = new float[indices.length];
        for (int i = 0; i < values.length; i++) {
            float v = random.nextInt(8) == 0 ? 1.0f : random.nextFloat() * 2 + 1e-3f;
            if (signed) {
                int kind = random.nextInt(6);
                v = kind == 0 ? -v : kind == 1 ? 0f : v;
            }
            values[i] = v;
        }
        assertTrue(indices.length == values.length);
        return new MetadataValue.Sparse(indices, values, null);
    }
}
