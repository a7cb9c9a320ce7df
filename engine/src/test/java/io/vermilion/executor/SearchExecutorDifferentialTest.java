package io.vermilion.executor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vermilion.filter.Where;
import io.vermilion.filter.WhereParser;
import io.vermilion.index.CollectionIndexWriter;
import io.vermilion.index.IndexSchema;
import io.vermilion.index.IndexedCollectionReader;
import io.vermilion.index.SearchParameters;
import io.vermilion.model.DistanceFunction;
import io.vermilion.model.RankExpr;
import io.vermilion.model.RecordParts;
import io.vermilion.model.SearchGroupBy;
import io.vermilion.model.SearchHit;
import io.vermilion.model.SearchRequest;
import io.vermilion.record.LogRecord;
import io.vermilion.record.MetadataValue;
import io.vermilion.record.Operation;
import io.vermilion.record.Record;
import io.vermilion.testing.Seeds;
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
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Random collections (a compacted version plus a log tail of adds, updates, upserts and deletes) and random searches
 * — every rank operator, knn defaults and rank positions, group_by with $min_k/$max_k (one or two group keys, one or
 * two aggregate keys, a key some records lack), filters on metadata, #id and
 * #document, offset and limit — each compared, ids and float32 scores exactly, with a brute-force answer computed
 * here record by record from Chroma's rules, under L2 or inner product, and the record parts each search selects
 * (metadata, document, embedding; the executor loads only the returned page) equal to the model's. Integer
 * coordinates keep distances exact and make ties common.
 * Re-run one case with {@code -Dtests.seed=<seed>}.
 */
@ExtendWith(Seeds.class)
class SearchExecutorDifferentialTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] COLORS = {"red", "blue", "green"};
    private static final String[] FILTERS = {
        null, "{\"color\": \"red\"}", "{\"color\": {\"$ne\": \"blue\"}}", "{\"rank\": {\"$gte\": 2}}",
        "{\"$or\": [{\"color\": \"green\"}, {\"rank\": {\"$lt\": 1}}]}", "{\"#id\": {\"$in\": [\"r1\", \"r3\", \"r5\", \"r8\", \"r13\"]}}",
        "{\"#id\": {\"$nin\": [\"r0\", \"r2\"]}}", "{\"#document\": {\"$contains\": \"odd\"}}",
        "{\"$and\": [{\"#document\": {\"$not_contains\": \"odd\"}}, {\"color\": {\"$in\": [\"red\", \"green\"]}}]}"};

    /** A live record of the model with its insertion sequence. */
    private record Live(Record record, long sequence) {}

    @Test
    void searchesEqualBruteForceOverVersionAndTail() throws Exception {
        long seed = Seeds.seed("searchesEqualBruteForceOverVersionAndTail");
        Random random = new Random(seed);
        for (int round = 0; round < 25; round++) {
            runRound(random, seed, round);
        }
    }

    private void runRound(Random random, long seed, int round) throws Exception {
        int compactedCount = 5 + random.nextInt(20);
        Map<String, Live> model = new LinkedHashMap<>();
        List<Record> compacted = new ArrayList<>();
        for (int i = 0; i < compactedCount; i++) {
            Record r = randomRecord(random, "r" + i);
            compacted.add(r);
            model.put(r.id(), new Live(r, i));
        }
        Directory directory = new ByteBuffersDirectory();
        DistanceFunction space = random.nextBoolean() ? DistanceFunction.L2 : DistanceFunction.IP;
        CollectionIndexWriter.write(directory, IndexSchema.defaults(space, compacted), compacted);
        try (IndexedCollectionReader version = IndexedCollectionReader.open(directory, SearchParameters.DEFAULTS)) {
            CollectionTail tail = new CollectionTail(version);
            List<LogRecord> ops = new ArrayList<>();
            int opCount = random.nextInt(15);
            for (int i = 0; i < opCount; i++) {
                String id = "r" + random.nextInt(compactedCount + 8);
                long offset = compactedCount + i;
                switch (random.nextInt(4)) {
                    case 0 -> {
                        Record r = randomRecord(random, id);
                        ops.add(new LogRecord(Operation.ADD, id, r.embedding(), r.metadata(), r.document(), null));
                        model.putIfAbsent(id, new Live(r, offset));
                    }
                    case 1 -> {
                        Record r = randomRecord(random, id);
                        ops.add(new LogRecord(Operation.UPSERT, id, r.embedding(), r.metadata(), r.document(), null));
                        Live old = model.get(id);
                        if (old == null) {
                            model.put(id, new Live(r, offset));
                        } else {
                            // Chroma: an upsert of a live id is an update, so its metadata merges into the old one.
                            Map<String, MetadataValue> merged = new HashMap<>(old.record().metadata());
                            merged.putAll(r.metadata());
                            model.put(id, new Live(new Record(id, r.embedding(), merged, r.document(), null),
                                    old.sequence()));
                        }
                    }
                    case 2 -> {
                        float[] embedding = random.nextBoolean() ? null : point(random);
                        Map<String, MetadataValue> metadata = Map.of("color", new MetadataValue.Str(COLORS[random.nextInt(3)]));
                        ops.add(new LogRecord(Operation.UPDATE, id, embedding, metadata, null, null));
                        Live old = model.get(id);
                        if (old != null) {
                            Map<String, MetadataValue> merged = new HashMap<>(old.record().metadata());
                            merged.putAll(metadata);
                            Record r = old.record();
                            model.put(id, new Live(new Record(id, embedding == null ? r.embedding() : embedding, merged,
                                    r.document(), null), old.sequence()));
                        }
                    }
                    default -> {
                        ops.add(LogRecord.delete(id));
                        model.remove(id);
                    }
                }
            }
            tail.apply(ops, compactedCount);
            version.tryRetain();
            try (CollectionView view = new CollectionView(version, 1, tail.view())) {
                for (int s = 0; s < 12; s++) {
                    String filterJson = FILTERS[random.nextInt(FILTERS.length)];
                    Where filter = filterJson == null ? null : WhereParser.parse(JSON.readTree(filterJson));
                    RankExpr rank = random.nextInt(8) == 0 ? null : randomRank(random, 0);
                    SearchGroupBy groupBy = rank != null && random.nextInt(3) == 0 ? new SearchGroupBy(
                            someOf(random, "color", "rank"), someOf(random, "#score", "rank"), 1 + random.nextInt(3),
                            random.nextBoolean())
                            : null;
                    int offset = random.nextInt(3);
                    Integer limit = random.nextBoolean() ? null : random.nextInt(6);
                    RecordParts parts = new RecordParts(random.nextBoolean(), random.nextBoolean(), random.nextBoolean());
                    SearchRequest request = new SearchRequest(filter, rank, groupBy, offset, limit, space, 0, parts);
                    List<SearchHit> actual = SearchExecutor.search(view, request);
                    List<Scored> expected = bruteForce(new ArrayList<>(model.values()), request);
                    String context = "round " + round + " (" + space + ") search " + s + " rank " + rank + " filter " + filterJson
                            + " group " + groupBy + " offset " + offset + " limit " + limit + "; " + Seeds.replay(seed);
                    assertEquals(expected.stream().map(e -> e.live.record().id()).toList(),
                            actual.stream().map(h -> h.record().id()).toList(), context);
                    assertEquals(expected.stream().map(e -> e.score).toList(),
                            actual.stream().map(SearchHit::score).toList(), context);
                    for (int h = 0; h < actual.size(); h++) {
                        Record want = expected.get(h).live.record();
                        Record got = actual.get(h).record();
                        if (parts.metadata()) {
                            assertEquals(want.metadata(), got.metadata(), context);
                        }
                        if (parts.document()) {
                            assertEquals(want.document(), got.document(), context);
                        }
                        if (parts.embedding()) {
                            assertArrayEquals(want.embedding(), got.embedding(), context);
                        }
                    }
                }
            }
        }
    }

    /** One of the two keys, or both in either order (group_by keys, aggregate keys compared lexicographically). */
    private static List<String> someOf(Random random, String a, String b) {
        return switch (random.nextInt(4)) {
            case 0 -> List.of(a);
            case 1 -> List.of(b);
            case 2 -> List.of(a, b);
            default -> List.of(b, a);
        };
    }

    private static float[] point(Random random) {
        return new float[] {random.nextInt(7) - 3, random.nextInt(7) - 3};
    }

    private static Record randomRecord(Random random, String id) {
        Map<String, MetadataValue> metadata = new HashMap<>();
        if (random.nextInt(6) != 0) {
            metadata.put("color", new MetadataValue.Str(COLORS[random.nextInt(3)]));
        }
        metadata.put("rank", new MetadataValue.Int(random.nextInt(4)));
        return new Record(id, point(random), metadata, random.nextBoolean() ? "odd " + id : "even " + id, null);
    }

    private static RankExpr randomRank(Random random, int depth) {
        int pick = depth >= 3 ? random.nextInt(2) : random.nextInt(11);
        return switch (pick) {
            case 0 -> new RankExpr.Knn(point(random), 1 + random.nextInt(8),
                    random.nextBoolean() ? null : (float) random.nextInt(5), random.nextBoolean());
            case 1 -> new RankExpr.Value(random.nextInt(7) - 3);
            case 2 -> new RankExpr.Sum(terms(random, depth));
            case 3 -> new RankExpr.Mul(terms(random, depth));
            case 4 -> new RankExpr.Max(terms(random, depth));
            case 5 -> new RankExpr.Min(terms(random, depth));
            case 6 -> new RankExpr.Sub(randomRank(random, depth + 1), randomRank(random, depth + 1));
            case 7 -> new RankExpr.Div(randomRank(random, depth + 1), randomRank(random, depth + 1));
            case 8 -> new RankExpr.Abs(randomRank(random, depth + 1));
            case 9 -> new RankExpr.Exp(randomRank(random, depth + 1));
            default -> new RankExpr.Log(randomRank(random, depth + 1));
        };
    }

    private static List<RankExpr> terms(Random random, int depth) {
        List<RankExpr> terms = new ArrayList<>();
        int n = 1 + random.nextInt(3);
        for (int i = 0; i < n; i++) {
            terms.add(randomRank(random, depth + 1));
        }
        return terms;
    }

    // ---- the brute-force reference ----

    private record Scored(Live live, float score) {}

    /** A record's value under an expression: {@code in} when the record is in the expression's support. */
    private record Eval(boolean in, float value) {}

    private interface Op {
        float apply(float a, float b);
    }

    private static List<Scored> bruteForce(List<Live> live, SearchRequest request) {
        List<Live> passing = new ArrayList<>();
        for (Live l : live) {
            if (request.filter() == null || request.filter().matches(l.record())) {
                passing.add(l);
            }
        }
        passing.sort(Comparator.comparingLong(Live::sequence));
        if (request.rank() == null) {
            List<Scored> page = new ArrayList<>();
            int end = request.limit() == null ? passing.size() : Math.min(passing.size(), request.offset() + request.limit());
            for (int i = request.offset(); i < end; i++) {
                page.add(new Scored(passing.get(i), i - request.offset()));
            }
            return page;
        }
        List<Map<String, float[]>> knnHits = new ArrayList<>(); // id -> {distance, position}
        for (RankExpr.Knn knn : request.rank().knns()) {
            List<Live> nearest = new ArrayList<>(passing);
            nearest.sort(Comparator.<Live>comparingDouble(l -> request.distance().distance(knn.query(), l.record().embedding()))
                    .thenComparingLong(Live::sequence));
            Map<String, float[]> hits = new HashMap<>();
            for (int i = 0; i < Math.min(knn.limit(), nearest.size()); i++) {
                hits.put(nearest.get(i).record().id(),
                        new float[] {request.distance().distance(knn.query(), nearest.get(i).record().embedding()), i});
            }
            knnHits.add(hits);
        }
        List<Scored> ranked = new ArrayList<>();
        for (Live l : passing) {
            int[] next = {0};
            Eval e = eval(request.rank(), l.record().id(), knnHits, next);
            if (e.in) {
                ranked.add(new Scored(l, e.value));
            }
        }
        Comparator<Scored> order = (a, b) -> {
            int c = Float.compare(a.score, b.score);
            return c != 0 ? c : Long.compare(a.live.sequence(), b.live.sequence());
        };
        ranked.sort(order);
        if (request.groupBy() != null) {
            SearchGroupBy g = request.groupBy();
            Map<List<Object>, List<Scored>> groups = new LinkedHashMap<>();
            for (Scored s : ranked) {
                List<Object> key = new ArrayList<>();
                for (String k : g.keys()) {
                    key.add(s.live.record().metadata().get(k));
                }
                groups.computeIfAbsent(key, x -> new ArrayList<>()).add(s);
            }
            List<Scored> kept = new ArrayList<>();
            for (List<Scored> group : groups.values()) {
                Comparator<Scored> byAggregate = (a, b) -> compareAggregate(a, b, g.aggregateKeys());
                group.sort(g.max() ? byAggregate.reversed() : byAggregate);
                kept.addAll(group.subList(0, Math.min(g.k(), group.size())));
            }
            kept.sort(order);
            ranked = kept;
        }
        int from = Math.min(request.offset(), ranked.size());
        int to = request.limit() == null ? ranked.size() : Math.min(ranked.size(), from + request.limit());
        return ranked.subList(from, to);
    }

    private static int compareAggregate(Scored a, Scored b, List<String> keys) {
        for (String key : keys) {
            int c;
            if (key.equals("#score")) {
                c = Double.compare(a.score, b.score);
            } else {
                MetadataValue x = a.live.record().metadata().get(key);
                MetadataValue y = b.live.record().metadata().get(key);
                c = x == null || y == null ? Boolean.compare(x != null, y != null)
                        : Long.compare(((MetadataValue.Int) x).value(), ((MetadataValue.Int) y).value());
            }
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    /** Chroma's rule per record: a default lets a side stand in for records it does not name. */
    private static Eval eval(RankExpr expr, String id, List<Map<String, float[]>> knns, int[] next) {
        return switch (expr) {
            case RankExpr.Knn k -> {
                float[] hit = knns.get(next[0]++).get(id);
                yield hit != null ? new Eval(true, k.returnRank() ? hit[1] : hit[0])
                        : new Eval(false, k.defaultScore() == null ? Float.NaN : k.defaultScore());
            }
            case RankExpr.Value v -> new Eval(false, v.value());
            case RankExpr.Sum s -> fold(s.terms(), 0f, (a, b) -> a + b, id, knns, next);
            case RankExpr.Mul m -> fold(m.terms(), 1f, (a, b) -> a * b, id, knns, next);
            case RankExpr.Max m -> fold(m.terms(), -Float.MAX_VALUE,
                    (a, b) -> Float.isNaN(a) ? b : Float.isNaN(b) ? a : Math.max(a, b), id, knns, next);
            case RankExpr.Min m -> fold(m.terms(), Float.MAX_VALUE,
                    (a, b) -> Float.isNaN(a) ? b : Float.isNaN(b) ? a : Math.min(a, b), id, knns, next);
            case RankExpr.Sub s -> combine(expr, eval(s.left(), id, knns, next), eval(s.right(), id, knns, next), (a, b) -> a - b);
            case RankExpr.Div d -> combine(expr, eval(d.left(), id, knns, next), eval(d.right(), id, knns, next), (a, b) -> a / b);
            case RankExpr.Abs a -> unary(eval(a.operand(), id, knns, next), Math::abs, a.operand());
            case RankExpr.Exp e -> unary(eval(e.operand(), id, knns, next), Math::exp, e.operand());
            case RankExpr.Log l -> unary(eval(l.operand(), id, knns, next), Math::log, l.operand());
        };
    }

    private static Eval fold(List<RankExpr> terms, float start, Op op, String id, List<Map<String, float[]>> knns, int[] next) {
        // The accumulator starts as a constant: it names nobody and stands in for everyone.
        boolean in = false;
        boolean hasDefault = true;
        float value = start;
        for (RankExpr term : terms) {
            Eval e = eval(term, id, knns, next);
            boolean termDefault = hasDefault(term);
            boolean nowIn = hasDefault && termDefault ? in || e.in : hasDefault ? e.in : termDefault ? in : in && e.in;
            value = op.apply(value, e.value);
            in = nowIn;
            hasDefault = hasDefault && termDefault;
        }
        return new Eval(in, value);
    }

    private static Eval combine(RankExpr parent, Eval left, Eval right, Op op) {
        RankExpr l = parent instanceof RankExpr.Sub s ? s.left() : ((RankExpr.Div) parent).left();
        RankExpr r = parent instanceof RankExpr.Sub s ? s.right() : ((RankExpr.Div) parent).right();
        boolean ld = hasDefault(l);
        boolean rd = hasDefault(r);
        boolean in = ld && rd ? left.in || right.in : ld ? right.in : rd ? left.in : left.in && right.in;
        return new Eval(in, op.apply(left.value, right.value));
    }

    private static Eval unary(Eval e, java.util.function.DoubleUnaryOperator op, RankExpr operand) {
        return new Eval(e.in, (float) op.applyAsDouble(e.value));
    }

    /** Whether an expression scores records it does not name (every leaf below has a default or is a constant). */
    private static boolean hasDefault(RankExpr expr) {
        return switch (expr) {
            case RankExpr.Knn k -> k.defaultScore() != null;
            case RankExpr.Value v -> true;
            case RankExpr.Sum s -> s.terms().stream().allMatch(SearchExecutorDifferentialTest::hasDefault);
            case RankExpr.Mul m -> m.terms().stream().allMatch(SearchExecutorDifferentialTest::hasDefault);
            case RankExpr.Max m -> m.terms().stream().allMatch(SearchExecutorDifferentialTest::hasDefault);
            case RankExpr.Min m -> m.terms().stream().allMatch(SearchExecutorDifferentialTest::hasDefault);
            case RankExpr.Sub s -> hasDefault(s.left()) && hasDefault(s.right());
            case RankExpr.Div d -> hasDefault(d.left()) && hasDefault(d.right());
            case RankExpr.Abs a -> hasDefault(a.operand());
            case RankExpr.Exp e -> hasDefault(e.operand());
            case RankExpr.Log l -> hasDefault(l.operand());
        };
    }
}
