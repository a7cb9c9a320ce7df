package io.vermilion.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vermilion.filter.Where;
import io.vermilion.filter.WhereDocument;
import io.vermilion.filter.WhereDocumentParser;
import io.vermilion.filter.WhereParser;
import io.vermilion.model.CollectionSnapshot;
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
import io.vermilion.testing.TestData;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Random write sequences and random filters, checked against a naive model written here from Chroma's rules
 * (independently of the engine's code). Re-run one case with {@code -Dtests.seed=<seed>}.
 */
class ExactCollectionReaderRandomizedTest {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final String[] IDS = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"};
    private static final String[] KEYS = {"k0", "k1", "k2", "k3"};
    private static final String[] STRINGS = {"a", "b", "A", ""};
    private static final long[] INTS = {-2, 0, 1, 2, 3};
    private static final double[] FLOATS = {-2.5, -2.0, 0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0};
    private static final String[] DOCUMENTS = {null, "", "ab", "ba", "Abba", "b\n", "xyz", "aab"};
    private static final String[] SUBSTRINGS = {"", "a", "b", "ab", "A", "z"};
    /** Each regex with an independent description of what it matches, in Rust's semantics. */
    private static final Map<String, Predicate<String>> REGEXES = new LinkedHashMap<>();

    static {
        REGEXES.put("a+", d -> d.contains("a"));
        REGEXES.put("^b", d -> d.startsWith("b"));
        REGEXES.put("b$", d -> d.endsWith("b"));
        REGEXES.put("(?i)A", d -> d.toLowerCase().contains("a"));
        REGEXES.put("[ab]{2}", d -> d.contains("aa") || d.contains("ab") || d.contains("ba") || d.contains("bb"));
        REGEXES.put("^.$", d -> d.length() == 1 && !d.equals("\n"));
    }

    private static final float[] COMPONENTS = {-2f, -1f, 0f, 1f, 2f, 0.5f};

    @Test
    void readerAgreesWithNaiveModelOnRandomWritesFiltersAndQueries() {
        String fixed = System.getProperty(Seeds.PROPERTY);
        long base = fixed != null ? Long.parseLong(fixed) : System.nanoTime();
        int runs = fixed != null ? 1 : 200;
        for (int run = 0; run < runs; run++) {
            long seed = base + run;
            try {
                runOnce(seed);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("failed, " + Seeds.replay(seed) + ": " + e.getMessage(), e);
            }
        }
    }

    private void runOnce(long seed) {
        Random random = new Random(seed);
        MutableCollectionState state = new MutableCollectionState();
        List<ModelRecord> model = new ArrayList<>();
        int writes = random.nextInt(60);
        for (int w = 0; w < writes; w++) {
            LogRecord log = randomWrite(random);
            state.apply(log);
            applyToModel(model, log);
        }
        CollectionSnapshot snapshot = state.snapshot();
        assertSameRecords(model, snapshot.records());
        ExactCollectionReader reader = new ExactCollectionReader(snapshot);
        assertEquals(model.size(), reader.count());

        for (int q = 0; q < 20; q++) {
            JsonNode whereJson = random.nextInt(4) == 0 ? null : randomWhere(random, 3);
            JsonNode documentJson = random.nextInt(3) == 0 ? randomWhereDocument(random, 2) : null;
            List<String> ids = random.nextInt(3) == 0 ? randomIds(random) : null;
            Where where = whereJson == null ? null : WhereParser.parse(whereJson);
            WhereDocument whereDocument = documentJson == null ? null : WhereDocumentParser.parse(documentJson);
            String context = "where=" + whereJson + " where_document=" + documentJson + " ids=" + ids;

            List<ModelRecord> expected = model.stream()
                    .filter(r -> ids == null || ids.contains(r.id))
                    .filter(r -> whereJson == null || naiveWhere(whereJson, r))
                    .filter(r -> documentJson == null || naiveDocument(documentJson, r.document))
                    .toList();

            Integer limit = random.nextInt(3) == 0 ? random.nextInt(6) : null;
            int offset = random.nextInt(3) == 0 ? random.nextInt(6) : 0;
            List<String> expectedIds = expected.stream().map(r -> r.id).skip(offset).limit(limit == null ? Long.MAX_VALUE : limit).toList();
            assertEquals(expectedIds, TestData.ids(reader.get(new GetRequest(ids, where, whereDocument, limit, offset))), context);

            DistanceFunction distance = DistanceFunction.values()[random.nextInt(3)];
            int nResults = random.nextInt(8);
            float[] query = randomVector(random);
            List<QueryHit> hits = reader.query(new QueryRequest(List.of(query), nResults, ids, where, whereDocument, distance)).get(0);
            List<Object[]> ranked = new ArrayList<>();
            for (int i = 0; i < expected.size(); i++) {
                if (expected.get(i).embedding == null) {
                    continue; // never a query hit
                }
                ranked.add(new Object[] {expected.get(i).id, naiveDistance(distance, query, expected.get(i).embedding), i});
            }
            ranked.sort(Comparator.<Object[]>comparingDouble(o -> (Float) o[1]).thenComparingInt(o -> (Integer) o[2]));
            List<String> expectedHits = ranked.stream().limit(nResults).map(o -> (String) o[0]).toList();
            List<Float> expectedDistances = ranked.stream().limit(nResults).map(o -> (Float) o[1]).toList();
            String queryContext = context + " distance=" + distance + " n=" + nResults + " q=" + Arrays.toString(query);
            assertEquals(expectedHits, hits.stream().map(h -> h.record().id()).toList(), queryContext);
            assertEquals(expectedDistances, hits.stream().map(QueryHit::distance).toList(), queryContext);
        }
    }

    // ---- random writes and the naive model of Chroma's write semantics ----

    private static final class ModelRecord {
        final String id;
        float[] embedding;
        Map<String, MetadataValue> metadata;
        String document;
        String uri;

        ModelRecord(String id) {
            this.id = id;
        }
    }

    private LogRecord randomWrite(Random random) {
        String id = IDS[random.nextInt(IDS.length)];
        Operation op = Operation.values()[random.nextInt(4)];
        if (op == Operation.DELETE) {
            return LogRecord.delete(id);
        }
        boolean partial = op != Operation.ADD;
        float[] embedding = partial && random.nextInt(4) == 0 ? null : randomVector(random);
        Map<String, MetadataValue> metadata = null;
        if (random.nextInt(5) != 0) {
            metadata = new LinkedHashMap<>();
            int n = random.nextInt(KEYS.length + 1);
            for (int i = 0; i < n; i++) {
                String key = KEYS[random.nextInt(KEYS.length)];
                metadata.put(key, partial && random.nextInt(4) == 0 ? null : randomValue(random));
            }
        }
        String document = random.nextInt(3) == 0 ? null : DOCUMENTS[random.nextInt(DOCUMENTS.length)];
        String uri = random.nextInt(3) == 0 ? "u" + random.nextInt(3) : null;
        return new LogRecord(op, id, embedding, metadata, document, uri);
    }

    private static void applyToModel(List<ModelRecord> model, LogRecord log) {
        ModelRecord existing = model.stream().filter(r -> r.id.equals(log.id())).findFirst().orElse(null);
        switch (log.operation()) {
            case DELETE -> model.remove(existing);
            case ADD, UPSERT, UPDATE -> {
                if (existing == null && log.operation() == Operation.UPDATE) {
                    return;
                }
                if (existing != null && log.operation() == Operation.ADD) {
                    return;
                }
                if (existing == null) {
                    ModelRecord created = new ModelRecord(log.id());
                    created.embedding = log.embedding();
                    created.document = log.document();
                    created.uri = log.uri();
                    if (log.metadata() != null) {
                        Map<String, MetadataValue> kept = new LinkedHashMap<>();
                        log.metadata().forEach((k, v) -> {
                            if (v != null) {
                                kept.put(k, v);
                            }
                        });
                        created.metadata = kept.isEmpty() ? null : kept;
                    }
                    model.add(created);
                    return;
                }
                if (log.embedding() != null) {
                    existing.embedding = log.embedding();
                }
                if (log.document() != null) {
                    existing.document = log.document();
                }
                if (log.uri() != null) {
                    existing.uri = log.uri();
                }
                if (log.metadata() != null) {
                    boolean hadMetadata = existing.metadata != null;
                    Map<String, MetadataValue> merged = hadMetadata ? new LinkedHashMap<>(existing.metadata) : new LinkedHashMap<>();
                    log.metadata().forEach((k, v) -> {
                        if (v == null) {
                            merged.remove(k);
                        } else {
                            merged.put(k, v);
                        }
                    });
                    existing.metadata = merged.isEmpty() && !hadMetadata ? null : merged;
                }
            }
        }
    }

    private static void assertSameRecords(List<ModelRecord> model, List<Record> actual) {
        assertEquals(model.stream().map(r -> r.id).toList(), TestData.ids(actual));
        for (int i = 0; i < model.size(); i++) {
            ModelRecord m = model.get(i);
            Record r = actual.get(i);
            assertEquals(Arrays.toString(m.embedding), Arrays.toString(r.embedding()), m.id);
            assertEquals(m.metadata, r.metadata(), m.id);
            assertEquals(m.document, r.document(), m.id);
            assertEquals(m.uri, r.uri(), m.id);
        }
    }

    private static MetadataValue randomValue(Random random) {
        int kind = random.nextInt(6);
        return switch (kind) {
            case 0 -> new MetadataValue.Str(STRINGS[random.nextInt(STRINGS.length)]);
            case 1 -> new MetadataValue.Int(INTS[random.nextInt(INTS.length)]);
            case 2 -> new MetadataValue.Flt(FLOATS[random.nextInt(FLOATS.length)]);
            case 3 -> new MetadataValue.Bool(random.nextBoolean());
            default -> {
                int elementKind = random.nextInt(4);
                List<MetadataValue> elements = new ArrayList<>();
                int n = 1 + random.nextInt(3);
                for (int i = 0; i < n; i++) {
                    elements.add(switch (elementKind) {
                        case 0 -> new MetadataValue.Str(STRINGS[random.nextInt(STRINGS.length)]);
                        case 1 -> new MetadataValue.Int(INTS[random.nextInt(INTS.length)]);
                        case 2 -> new MetadataValue.Flt(FLOATS[random.nextInt(FLOATS.length)]);
                        default -> new MetadataValue.Bool(random.nextBoolean());
                    });
                }
                yield new MetadataValue.Array(elements);
            }
        };
    }

    private static float[] randomVector(Random random) {
        float[] v = new float[3];
        for (int i = 0; i < v.length; i++) {
            v[i] = COMPONENTS[random.nextInt(COMPONENTS.length)];
        }
        return v;
    }

    private static List<String> randomIds(Random random) {
        List<String> ids = new ArrayList<>();
        int n = random.nextInt(5);
        for (int i = 0; i < n; i++) {
            ids.add(random.nextInt(6) == 0 ? "unknown" : IDS[random.nextInt(IDS.length)]);
        }
        return ids;
    }

    // ---- random filters ----

    private static JsonNode randomWhere(Random random, int depth) {
        int choice = random.nextInt(depth > 0 ? 10 : 8);
        ObjectNode node = JSON.objectNode();
        if (choice >= 8) {
            ArrayNode children = node.putArray(choice == 8 ? "$and" : "$or");
            int n = random.nextInt(4);
            for (int i = 0; i < n; i++) {
                children.add(randomWhere(random, depth - 1));
            }
            return node;
        }
        String key = random.nextInt(12) == 0 ? "missing" : KEYS[random.nextInt(KEYS.length)];
        switch (choice) {
            case 0 -> node.set(key, randomScalarJson(random));
            case 1 -> node.putObject(key).set(random.nextBoolean() ? "$eq" : "$ne", randomScalarJson(random));
            case 2, 3 -> node.putObject(key).set(new String[] {"$gt", "$gte", "$lt", "$lte"}[random.nextInt(4)], randomNumberJson(random));
            case 4 -> node.putObject(key).set(random.nextBoolean() ? "$in" : "$nin", randomSetJson(random));
            case 5 -> node.putObject(key).set(random.nextBoolean() ? "$contains" : "$not_contains", randomScalarJson(random));
            case 6 -> node.putObject("#document").put(new String[] {"$contains", "$not_contains"}[random.nextInt(2)], SUBSTRINGS[random.nextInt(SUBSTRINGS.length)]);
            default -> node.putObject("#document").put(random.nextBoolean() ? "$regex" : "$not_regex", randomRegex(random));
        }
        return node;
    }

    private static JsonNode randomWhereDocument(Random random, int depth) {
        int choice = random.nextInt(depth > 0 ? 6 : 4);
        ObjectNode node = JSON.objectNode();
        switch (choice) {
            case 0 -> node.put("$contains", SUBSTRINGS[random.nextInt(SUBSTRINGS.length)]);
            case 1 -> node.put("$not_contains", SUBSTRINGS[random.nextInt(SUBSTRINGS.length)]);
            case 2 -> node.put("$regex", randomRegex(random));
            case 3 -> node.put("$not_regex", randomRegex(random));
            default -> {
                ArrayNode children = node.putArray(choice == 4 ? "$and" : "$or");
                int n = random.nextInt(3);
                for (int i = 0; i < n; i++) {
                    children.add(randomWhereDocument(random, depth - 1));
                }
            }
        }
        return node;
    }

    private static String randomRegex(Random random) {
        return new ArrayList<>(REGEXES.keySet()).get(random.nextInt(REGEXES.size()));
    }

    private static JsonNode randomScalarJson(Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> JSON.textNode(STRINGS[random.nextInt(STRINGS.length)]);
            case 1 -> JSON.booleanNode(random.nextBoolean());
            default -> randomNumberJson(random);
        };
    }

    private static JsonNode randomNumberJson(Random random) {
        return random.nextBoolean()
                ? JSON.numberNode(INTS[random.nextInt(INTS.length)])
                : JSON.numberNode(FLOATS[random.nextInt(FLOATS.length)]);
    }

    private static JsonNode randomSetJson(Random random) {
        ArrayNode array = JSON.arrayNode();
        int n = 1 + random.nextInt(3);
        switch (random.nextInt(4)) {
            case 0 -> { for (int i = 0; i < n; i++) array.add(STRINGS[random.nextInt(STRINGS.length)]); }
            case 1 -> { for (int i = 0; i < n; i++) array.add(random.nextBoolean()); }
            case 2 -> { for (int i = 0; i < n; i++) array.add(INTS[random.nextInt(INTS.length)]); }
            default -> { // float first, then floats or ints
                array.add(FLOATS[random.nextInt(FLOATS.length)]);
                for (int i = 1; i < n; i++) {
                    if (random.nextBoolean()) {
                        array.add(FLOATS[random.nextInt(FLOATS.length)]);
                    } else {
                        array.add(INTS[random.nextInt(INTS.length)]);
                    }
                }
            }
        }
        return array;
    }

    // ---- the naive evaluation of Chroma's filter rules, straight from the JSON ----

    private static boolean naiveWhere(JsonNode where, ModelRecord record) {
        String key = where.fieldNames().next();
        JsonNode value = where.get(key);
        if (key.equals("$and")) {
            for (JsonNode child : value) {
                if (!naiveWhere(child, record)) {
                    return false;
                }
            }
            return true;
        }
        if (key.equals("$or")) {
            for (JsonNode child : value) {
                if (naiveWhere(child, record)) {
                    return true;
                }
            }
            return false;
        }
        String op = value.isObject() ? value.fieldNames().next() : "$eq";
        JsonNode operand = value.isObject() ? value.get(op) : value;
        if (key.equals("#document")) {
            ObjectNode documentClause = JSON.objectNode();
            documentClause.set(op, operand);
            return naiveDocument(documentClause, record.document);
        }
        MetadataValue stored = record.metadata == null ? null : record.metadata.get(key);
        return switch (op) {
            case "$eq" -> naiveCompare(stored, operand, 0);
            case "$ne" -> !naiveCompare(stored, operand, 0);
            case "$gt" -> naiveCompare(stored, operand, 1);
            case "$gte" -> naiveCompare(stored, operand, 2);
            case "$lt" -> naiveCompare(stored, operand, 3);
            case "$lte" -> naiveCompare(stored, operand, 4);
            case "$in" -> naiveIn(stored, operand);
            case "$nin" -> !naiveIn(stored, operand);
            case "$contains" -> naiveArrayContains(stored, operand);
            case "$not_contains" -> !naiveArrayContains(stored, operand);
            default -> throw new IllegalStateException(op);
        };
    }

    /**
     * Chroma's reference model: a float operand meeting an int becomes {@code (long) f}, an int operand meeting a
     * float becomes {@code (double) i}; then both sides must have the same type. {@code how}: 0 eq, 1 gt, 2 gte,
     * 3 lt, 4 lte.
     */
    private static boolean naiveCompare(MetadataValue stored, JsonNode operand, int how) {
        if (stored == null || stored instanceof MetadataValue.Array) {
            return false;
        }
        if (operand.isTextual()) {
            return how == 0 && stored instanceof MetadataValue.Str s && s.value().equals(operand.textValue());
        }
        if (operand.isBoolean()) {
            return how == 0 && stored instanceof MetadataValue.Bool b && b.value() == operand.booleanValue();
        }
        double sign;
        if (stored instanceof MetadataValue.Int i) {
            long o = operand.isIntegralNumber() ? operand.longValue() : (long) operand.doubleValue();
            sign = Long.compare(i.value(), o);
        } else if (stored instanceof MetadataValue.Flt f) {
            double o = operand.doubleValue();
            if (Double.isNaN(f.value())) {
                return false;
            }
            sign = f.value() < o ? -1 : f.value() > o ? 1 : 0;
        } else {
            return false;
        }
        return switch (how) {
            case 0 -> sign == 0;
            case 1 -> sign > 0;
            case 2 -> sign >= 0;
            case 3 -> sign < 0;
            default -> sign <= 0;
        };
    }

    private static boolean naiveIn(MetadataValue stored, JsonNode list) {
        boolean floatList = list.get(0).isFloatingPointNumber();
        for (JsonNode element : list) {
            JsonNode asTyped = floatList ? JSON.numberNode(element.doubleValue()) : element;
            if (naiveCompare(stored, asTyped, 0)) {
                return true;
            }
        }
        return false;
    }

    private static boolean naiveArrayContains(MetadataValue stored, JsonNode operand) {
        if (!(stored instanceof MetadataValue.Array array)) {
            return false;
        }
        for (MetadataValue element : array.elements()) {
            boolean equal = switch (element) {
                case MetadataValue.Str s -> operand.isTextual() && s.value().equals(operand.textValue());
                case MetadataValue.Bool b -> operand.isBoolean() && b.value() == operand.booleanValue();
                case MetadataValue.Int i -> operand.isIntegralNumber() && i.value() == operand.longValue();
                case MetadataValue.Flt f -> operand.isFloatingPointNumber() && f.value() == operand.doubleValue();
                case MetadataValue.Array nested -> false;
                case MetadataValue.Sparse nested -> false;
            };
            if (equal) {
                return true;
            }
        }
        return false;
    }

    private static boolean naiveDocument(JsonNode clause, String document) {
        String key = clause.fieldNames().next();
        JsonNode value = clause.get(key);
        return switch (key) {
            case "$and" -> {
                boolean all = true;
                for (JsonNode child : value) {
                    all &= naiveDocument(child, document);
                }
                yield all;
            }
            case "$or" -> {
                boolean any = false;
                for (JsonNode child : value) {
                    any |= naiveDocument(child, document);
                }
                yield any;
            }
            case "$contains" -> document != null && document.contains(value.textValue());
            case "$not_contains" -> document == null || !document.contains(value.textValue());
            case "$regex" -> document != null && REGEXES.get(value.textValue()).test(document);
            case "$not_regex" -> document == null || !REGEXES.get(value.textValue()).test(document);
            default -> throw new IllegalStateException(key);
        };
    }

    // ---- distances, written out again in float32 ----

    private static float naiveDistance(DistanceFunction function, float[] q, float[] v) {
        switch (function) {
            case L2 -> {
                float sum = 0f;
                for (int i = 0; i < q.length; i++) {
                    sum += (q[i] - v[i]) * (q[i] - v[i]);
                }
                return sum;
            }
            case IP -> {
                float dot = 0f;
                for (int i = 0; i < q.length; i++) {
                    dot += q[i] * v[i];
                }
                return 1f - dot;
            }
            default -> {
                float qq = 0f;
                float vv = 0f;
                for (int i = 0; i < q.length; i++) {
                    qq += q[i] * q[i];
                    vv += v[i] * v[i];
                }
                float qNorm = (float) Math.sqrt(qq) + 1e-32f;
                float vInverse = 1f / ((float) Math.sqrt(vv) + 1e-30f);
                float dot = 0f;
                for (int i = 0; i < q.length; i++) {
                    dot += (q[i] / qNorm) * (v[i] * vInverse);
                }
                return 1f - dot;
            }
        }
    }

}
