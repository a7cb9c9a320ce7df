package io.vermilion.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vermilion.executor.ExactCollectionReader;
import io.vermilion.filter.Where;
import io.vermilion.filter.WhereDocument;
import io.vermilion.filter.WhereDocumentParser;
import io.vermilion.filter.WhereParser;
import io.vermilion.model.CollectionSnapshot;
import io.vermilion.model.DistanceFunction;
import io.vermilion.model.GetRequest;
import io.vermilion.model.QueryHit;
import io.vermilion.model.QueryRequest;
import io.vermilion.model.VectorQuantization;
import io.vermilion.record.MetadataValue;
import io.vermilion.record.Record;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The index-backed reader against the exact scan on a few thousand random records and random filters: {@code get}
 * and {@code count} identical, {@code query} identical whenever {@code n_results} covers every match (so the HNSW
 * approximation cannot matter), in every space and with float32 and int8 vectors. Re-run one case with
 * {@code -Dvermilion.seed=<seed>}.
 */
class IndexedCollectionReaderDifferentialTest {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final int RECORDS = 2_500;
    private static final int DIMENSION = 16;
    private static final String[] KEYS = {"k0", "k1", "k2", "k3", "k4"};
    private static final String LONG = "L".repeat(600);
    private static final String[] STRINGS = {"a", "b", "A", "", "é", "ab", LONG, "a\uD800"};
    private static final long[] INTS = {-3, -1, 0, 1, 2, 3, Long.MAX_VALUE, Long.MIN_VALUE, 9007199254740993L};
    private static final double[] FLOATS = {-2.5, -0.0, 0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 1e19, -1e19, 9007199254740992.0};
    private static final String[] PIECES = {"ab", "ba", "abc", "Abc", "xyz", " ", "\n", "é", "𝄞", "q", "zz", "o w", "\uFFFD"};
    private static final String[] FIXED_SUBSTRINGS = {"", "a", "ab", "abc", "bab", "𝄞", "é a", "\uFFFD", "\uDC00", "zzz", "abcabc", "Ab"};
    private static final String[] REGEXES = {
        "abc", "a\\.b", "ab+c", "x.z", "(?i)ABC", "^ab", "c$", "ab|ba", "[ab]{2}c", "(ab)+c", "é+", "b?c", "a{2}",
        "a{0,2}b", "\\d", "zz(?:z)?", "𝄞", "\\s", "ab*?c", "^$", "o w",
    };

    @Test
    void indexedReaderEqualsExactScan() throws Exception {
        String fixed = System.getProperty("vermilion.seed");
        long seed = fixed != null ? Long.parseLong(fixed) : System.nanoTime();
        System.out.println("IndexedCollectionReaderDifferentialTest seed=" + seed);
        try {
            run(seed);
        } catch (AssertionError | RuntimeException e) {
            throw new AssertionError("failed with -Dvermilion.seed=" + seed + ": " + e.getMessage(), e);
        }
    }

    private void run(long seed) throws Exception {
        Random random = new Random(seed);
        List<Record> records = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            records.add(randomRecord(random, i));
        }
        ExactCollectionReader exact = new ExactCollectionReader(CollectionSnapshot.of(records));
        boolean first = true;
        for (DistanceFunction space : DistanceFunction.values()) {
            for (VectorQuantization quantization : VectorQuantization.values()) {
                IndexSchema schema = IndexSchema.forCollection(space, quantization, 16, 100, records);
                // Threshold 0: whenever matches outnumber n_results the graph is walked.
                try (IndexedCollectionReader indexed = IndexTestKit.index(records, schema, new SearchParameters(100, 0, 2f))) {
                    assertEquals(exact.count(), indexed.count());
                    if (first) {
                        compareGets(random, records, exact, indexed, 250); // filters do not depend on the vectors
                        first = false;
                    }
                    compareQueries(random, records, exact, indexed, space, 30, schema.toString());
                }
            }
        }
    }

    private void compareGets(Random random, List<Record> records, ExactCollectionReader exact, IndexedCollectionReader indexed, int rounds) {
        for (int round = 0; round < rounds; round++) {
            Filter filter = randomFilter(random, records);
            Integer limit = random.nextInt(3) == 0 ? random.nextInt(50) : null;
            int offset = random.nextInt(3) == 0 ? random.nextInt(100) : 0;
            GetRequest request = new GetRequest(filter.ids, filter.where, filter.whereDocument, limit, offset);
            IndexTestKit.assertSameRecords(exact.get(request), indexed.get(request), filter + " limit=" + limit + " offset=" + offset);
        }
    }

    private void compareQueries(Random random, List<Record> records, ExactCollectionReader exact, IndexedCollectionReader indexed,
            DistanceFunction space, int rounds, String context) {
        for (int round = 0; round < rounds; round++) {
            Filter filter = randomFilter(random, records);
            int matching = exact.get(new GetRequest(filter.ids, filter.where, filter.whereDocument, null, 0)).size();
            int nResults = matching + random.nextInt(3);
            List<float[]> queries = List.of(randomVector(random), random.nextInt(8) == 0 ? new float[DIMENSION] : randomVector(random));
            QueryRequest request = new QueryRequest(queries, nResults, filter.ids, filter.where, filter.whereDocument, space);
            List<List<QueryHit>> expected = exact.query(request);
            List<List<QueryHit>> actual = indexed.query(request);
            assertEquals(expected.size(), actual.size());
            for (int q = 0; q < expected.size(); q++) {
                IndexTestKit.assertSameHits(expected.get(q), actual.get(q), context + " " + filter + " n=" + nResults);
            }
            // Few results: the graph is walked with the filter pushed down; hits may differ, never their validity.
            QueryRequest small = new QueryRequest(queries.subList(0, 1), 10, filter.ids, filter.where, filter.whereDocument, space);
            List<QueryHit> all = expected.get(0);
            Map<String, Float> valid = new LinkedHashMap<>();
            all.forEach(h -> valid.put(h.record().id(), h.distance()));
            List<QueryHit> hits = indexed.query(small).get(0);
            assertEquals(Math.min(10, all.size()), hits.size(), context + " " + filter);
            float previous = Float.NEGATIVE_INFINITY;
            for (QueryHit hit : hits) {
                assertEquals(valid.get(hit.record().id()), hit.distance(), context + " " + filter + " hit " + hit.record().id());
                assertTrue(hit.distance() + 0f >= previous, "ascending distances");
                previous = hit.distance() + 0f;
            }
        }
    }

    // ---- random records ----

    private static Record randomRecord(Random random, int i) {
        float[] embedding = random.nextInt(30) == 0 ? null : randomVector(random);
        Map<String, MetadataValue> metadata = null;
        if (random.nextInt(10) != 0) {
            metadata = new LinkedHashMap<>();
            int n = random.nextInt(KEYS.length + 1);
            for (int k = 0; k < n; k++) {
                metadata.put(KEYS[random.nextInt(KEYS.length)], randomValue(random));
            }
        }
        String document = random.nextInt(7) == 0 ? null : randomDocument(random);
        String uri = random.nextInt(4) == 0 ? "u" + random.nextInt(3) : null;
        return new Record("id" + i + (random.nextInt(200) == 0 ? LONG : ""), embedding, metadata, document, uri);
    }

    private static float[] randomVector(Random random) {
        float[] v = new float[DIMENSION];
        for (int i = 0; i < v.length; i++) {
            v[i] = random.nextInt(20) == 0 ? 0f : (float) random.nextGaussian();
        }
        if (random.nextInt(50) == 0) {
            return new float[DIMENSION]; // zero vectors: cosine distance 1
        }
        return v;
    }

    private static String randomDocument(Random random) {
        StringBuilder sb = new StringBuilder();
        int n = random.nextInt(12);
        for (int i = 0; i < n; i++) {
            sb.append(PIECES[random.nextInt(PIECES.length)]);
        }
        if (random.nextInt(40) == 0) {
            sb.append("\uDC00"); // an unpaired surrogate
        }
        if (random.nextInt(60) == 0) {
            sb.append("ab".repeat(400)).append("xyz");
        }
        return sb.toString();
    }

    private static MetadataValue randomValue(Random random) {
        return switch (random.nextInt(6)) {
            case 0 -> new MetadataValue.Str(STRINGS[random.nextInt(STRINGS.length)]);
            case 1, 2 -> new MetadataValue.Int(INTS[random.nextInt(INTS.length)]);
            case 3 -> new MetadataValue.Flt(FLOATS[random.nextInt(FLOATS.length)]);
            case 4 -> new MetadataValue.Bool(random.nextBoolean());
            default -> {
                int kind = random.nextInt(4);
                List<MetadataValue> elements = new ArrayList<>();
                int n = 1 + random.nextInt(3);
                for (int i = 0; i < n; i++) {
                    elements.add(switch (kind) {
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

    // ---- random filters, written as JSON and parsed as the service parses them ----

    private record Filter(List<String> ids, Where where, WhereDocument whereDocument, String text) {
        @Override
        public String toString() {
            return text;
        }
    }

    private static Filter randomFilter(Random random, List<Record> records) {
        JsonNode whereJson = random.nextInt(5) == 0 ? null : randomWhere(random, records, 3);
        JsonNode documentJson = random.nextInt(3) == 0 ? randomWhereDocument(random, records, 2) : null;
        List<String> ids = null;
        if (random.nextInt(6) == 0) {
            ids = new ArrayList<>();
            int n = random.nextInt(30);
            for (int i = 0; i < n; i++) {
                ids.add(random.nextInt(10) == 0 ? "unknown" : records.get(random.nextInt(records.size())).id());
            }
        }
        return new Filter(ids,
                whereJson == null ? null : WhereParser.parse(whereJson),
                documentJson == null ? null : WhereDocumentParser.parse(documentJson),
                "where=" + whereJson + " where_document=" + documentJson + " ids=" + (ids == null ? null : ids.size()));
    }

    private static JsonNode randomWhere(Random random, List<Record> records, int depth) {
        int choice = random.nextInt(depth > 0 ? 11 : 9);
        ObjectNode node = JSON.objectNode();
        if (choice >= 9) {
            ArrayNode children = node.putArray(choice == 9 ? "$and" : "$or");
            int n = random.nextInt(4);
            for (int i = 0; i < n; i++) {
                children.add(randomWhere(random, records, depth - 1));
            }
            return node;
        }
        String key = random.nextInt(12) == 0 ? "missing" : KEYS[random.nextInt(KEYS.length)];
        switch (choice) {
            case 0 -> node.set(key, randomScalar(random));
            case 1 -> node.putObject(key).set(random.nextBoolean() ? "$eq" : "$ne", randomScalar(random));
            case 2, 3 -> node.putObject(key).set(new String[] {"$gt", "$gte", "$lt", "$lte"}[random.nextInt(4)], randomNumber(random));
            case 4 -> node.putObject(key).set(random.nextBoolean() ? "$in" : "$nin", randomSet(random));
            case 5 -> node.putObject(key).set(random.nextBoolean() ? "$contains" : "$not_contains", randomScalar(random));
            case 6 -> node.putObject("#document").put(random.nextBoolean() ? "$contains" : "$not_contains", randomSubstring(random, records));
            case 7 -> node.putObject("#document").put(random.nextBoolean() ? "$regex" : "$not_regex", REGEXES[random.nextInt(REGEXES.length)]);
            default -> {
                if (random.nextBoolean()) {
                    node.put("chroma:uri", "u" + random.nextInt(3));
                } else {
                    String document = records.get(random.nextInt(records.size())).document();
                    node.putObject("chroma:document").put(random.nextBoolean() ? "$eq" : "$ne", document == null ? "" : document);
                }
            }
        }
        return node;
    }

    private static JsonNode randomWhereDocument(Random random, List<Record> records, int depth) {
        int choice = random.nextInt(depth > 0 ? 6 : 4);
        ObjectNode node = JSON.objectNode();
        switch (choice) {
            case 0 -> node.put("$contains", randomSubstring(random, records));
            case 1 -> node.put("$not_contains", randomSubstring(random, records));
            case 2 -> node.put("$regex", REGEXES[random.nextInt(REGEXES.length)]);
            case 3 -> node.put("$not_regex", REGEXES[random.nextInt(REGEXES.length)]);
            default -> {
                ArrayNode children = node.putArray(choice == 4 ? "$and" : "$or");
                int n = random.nextInt(3);
                for (int i = 0; i < n; i++) {
                    children.add(randomWhereDocument(random, records, depth - 1));
                }
            }
        }
        return node;
    }

    /** A fixed pattern, or a random slice (1 to 10 chars, maybe splitting a surrogate pair) of a stored document. */
    private static String randomSubstring(Random random, List<Record> records) {
        if (random.nextInt(3) == 0) {
            return FIXED_SUBSTRINGS[random.nextInt(FIXED_SUBSTRINGS.length)];
        }
        String document = records.get(random.nextInt(records.size())).document();
        if (document == null || document.isEmpty()) {
            return "ab";
        }
        int start = random.nextInt(document.length());
        int end = Math.min(document.length(), start + 1 + random.nextInt(10));
        return document.substring(start, end);
    }

    private static JsonNode randomScalar(Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> JSON.textNode(STRINGS[random.nextInt(STRINGS.length)]);
            case 1 -> JSON.booleanNode(random.nextBoolean());
            default -> randomNumber(random);
        };
    }

    private static JsonNode randomNumber(Random random) {
        return random.nextBoolean() ? JSON.numberNode(INTS[random.nextInt(INTS.length)]) : JSON.numberNode(FLOATS[random.nextInt(FLOATS.length)]);
    }

    private static JsonNode randomSet(Random random) {
        ArrayNode array = JSON.arrayNode();
        int n = 1 + random.nextInt(3);
        switch (random.nextInt(4)) {
            case 0 -> { for (int i = 0; i < n; i++) array.add(STRINGS[random.nextInt(STRINGS.length)]); }
            case 1 -> { for (int i = 0; i < n; i++) array.add(random.nextBoolean()); }
            case 2 -> { for (int i = 0; i < n; i++) array.add(INTS[random.nextInt(INTS.length)]); }
            default -> {
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
}
