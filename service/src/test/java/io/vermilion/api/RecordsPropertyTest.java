package io.vermilion.api;

import static io.vermilion.api.ApiTestSupport.createDatabase;
import static io.vermilion.api.ApiTestSupport.createTenant;
import static io.vermilion.api.ApiTestSupport.post;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vermilion.api.RecordsModel.Hit;
import io.vermilion.api.RecordsModel.Item;
import io.vermilion.api.RecordsModel.Rec;
import io.vermilion.api.RecordsModel.Space;
import io.vermilion.executor.CollectionStateCache;
import io.vermilion.sysdb.PostgresResource;
import jakarta.inject.Inject;
import java.math.BigInteger;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The records property test: seeded random sequences of add / upsert / update / delete / get / query / count, with
 * filters, sent over HTTP as the Chroma clients send them, every answer compared exactly with {@link RecordsModel}.
 * A failure names its seed and operation; {@code -Dtests.seed=N} replays it, {@code -Dtests.records.ops=N} sets the
 * length (not {@code vermilion.*}: the service's config mapping refuses unknown keys under that prefix). Runs on the
 * local folder store here and on S3 in {@link RecordsPropertyS3Test}.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
class RecordsPropertyTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    /** A small id space, so re-adds, upserts of existing ids and updates of missing ids are frequent. */
    private static final List<String> IDS = ids();
    private static final String[] WORDS = {"apple", "banana", "cherry", "date", "fig", "grape", "kiwi", "lemon",
            "mango", "café", "naïve", "日本", "Apple", "🍎", "say\"hi\"", "back\\slash"};
    private static final String[] CONTAINS = {"an", "rr", "é", "pp", "apple", "kiwi lemon", "Apple", "日", "zz", " ",
            "🍎", "\"", "\\"};
    private static final String[] REGEXES = {"^apple", "an+a", "(fig|kiwi)", "[cd]a", "o$", "é", "^$", "e.o", "^[A-Z]",
            "^.$"};
    private static final String[] STRINGS = {"red", "green", "blue", "Red", "café", ""};
    private static final String[] TAGS = {"a", "b", "c", "ü"};
    private static final double[] FLOATS = {-1.5, 0.25, 1.0, 2.5, 3.0, 3.75, -0.125, 1e20};
    private static final String[] URIS = {"uri-1", "https://example.com/a?b=c", "ü", "s3://bucket/key", ""};
    private static final String[] INCLUDES = {"documents", "embeddings", "metadatas", "uris", "distances"};

    @TestHTTPResource("/")
    URL server;

    @Inject
    CollectionStateCache states;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    // ---------------------------------------------------------------------------------------------------------
    // The property test
    // ---------------------------------------------------------------------------------------------------------

    @Test
    void randomOperationSequencesMatchTheReferenceModel() throws Exception {
        long seed = Long.getLong("tests.seed", new Random().nextLong());
        int operations = Integer.getInteger("tests.records.ops", 3000);
        System.out.println(getClass().getSimpleName() + ": seed=" + seed + " ops=" + operations
                + " (replay with -Dtests.seed=" + seed + ")");
        long started = System.nanoTime();
        new Run(seed).run(operations);
        afterRun();
        System.out.printf("%s: seed=%d, %d operations in %.1f s%n", getClass().getSimpleName(), seed, operations,
                (System.nanoTime() - started) / 1e9);
    }

    /** Checks a subclass adds about the run (e.g. that its settings were exercised). */
    protected void afterRun() {}

    /** One seeded run: a few collections (one per distance space), operations interleaved across them. */
    private final class Run {
        private final long seed;
        private final Random rnd;
        private final List<Target> targets = new ArrayList<>();
        private int op;
        private String what = "setup";
        private Target current;
        private final Map<String, long[]> stats = new TreeMap<>();

        Run(long seed) {
            this.seed = seed;
            this.rnd = new Random(seed);
        }

        void run(int operations) throws Exception {
            String tenant = createTenant();
            String db = createDatabase(tenant);
            String base = "/api/v2/tenants/" + tenant + "/databases/" + db;
            Space[] spaces = Space.values();
            int[] dims = {4, 3, 5};
            for (int i = 0; i < spaces.length; i++) {
                String name = "prop-" + spaces[i].wire;
                ObjectNode body = F.objectNode().put("name", name);
                body.putObject("configuration").putObject("hnsw").put("space", spaces[i].wire);
                if (spaces[i] == Space.COSINE) {
                    body.putObject("metadata").put("vermilion:quantization", "int8"); // compacted into an int8 index
                }
                JsonNode created = call("POST", base + "/collections", body, 200);
                targets.add(new Target(base, name, created.get("id").asText(), new RecordsModel(spaces[i]), dims[i]));
            }
            for (op = 0; op < operations; op++) {
                Target t = targets.get(rnd.nextInt(targets.size()));
                long t0 = System.nanoTime();
                current = t;
                String kind = step(t);
                stats.computeIfAbsent(kind, k -> new long[2])[0]++;
                stats.get(kind)[1] += System.nanoTime() - t0;
                if (op % 200 == 199) {
                    for (Target each : targets) {
                        verifyAll(each);
                    }
                }
                if (op % 1000 == 500) {
                    // Drop the materialized state: the next read replays the collection's whole log from the store.
                    for (Target each : targets) {
                        states.evict(UUID.fromString(each.id));
                        what = "cold replay of " + each.name;
                        verifyAll(each);
                    }
                }
            }
            for (Target each : targets) {
                verifyAll(each);
            }
            StringBuilder sb = new StringBuilder(RecordsPropertyTest.this.getClass().getSimpleName())
                    .append(": seed=").append(seed).append(" operations (count/ms):");
            stats.forEach((k, v) -> sb.append(' ').append(k).append('=').append(v[0]).append('/')
                    .append(v[1] / 1_000_000));
            System.out.println(sb);
        }

        /** One random operation on {@code t}; answers its kind, for the summary. */
        private String step(Target t) throws Exception {
            int dice = rnd.nextInt(100);
            if (dice < 15) {
                write(t, "add");
                return "add";
            } else if (dice < 30) {
                write(t, "upsert");
                return "upsert";
            } else if (dice < 42) {
                write(t, "update");
                return "update";
            } else if (dice < 48) {
                deleteByIds(t);
                return "delete-ids";
            } else if (dice < 53) {
                deleteByFilter(t);
                return "delete-where";
            } else if (dice < 66) {
                get(t);
                return "get";
            } else if (dice < 72) {
                search(t);
                return "search";
            } else if (dice < 88) {
                query(t);
                return "query";
            } else if (dice < 94) {
                count(t);
                return "count";
            } else if (dice < 96) {
                refusedWrite(t);
                return "refused-write";
            } else if (dice < 97) {
                refusedFilter(t);
                return "refused-filter";
            } else if (dice < 98) {
                dimension(t);
                return "dimension";
            } else {
                verifyAll(t);
                return "verify-all";
            }
        }

        // ---- writes ----

        private void write(Target t, String kind) throws Exception {
            boolean update = kind.equals("update");
            int n = rnd.nextInt(25) == 0 ? 0 : 1 + rnd.nextInt(4);
            List<Item> items = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                items.add(randomItem(t, !kind.equals("add"), update));
            }
            ObjectNode body = writeBody(items, update);
            what = kind + " " + body;
            call("POST", t.records(kind), body, kind.equals("add") ? 201 : 200, F.objectNode());
            switch (kind) {
                case "add" -> t.model.add(items);
                case "upsert" -> t.model.upsert(items);
                default -> t.model.update(items);
            }
        }

        /** A random record; {@code merging}: null metadata values (delete a key), {@code update}: null embeddings. */
        private Item randomItem(Target t, boolean merging, boolean update) {
            String id = IDS.get(rnd.nextInt(IDS.size()));
            float[] embedding = update && rnd.nextInt(3) == 0 ? null : randomVector(t.dim);
            return new Item(id, embedding, randomMetadata(merging), randomDocument(), randomUri());
        }

        private float[] randomVector(int dim) {
            float[] v = new float[dim];
            for (int i = 0; i < dim; i++) {
                v[i] = rnd.nextFloat() * 2 - 1;
            }
            return v;
        }

        private String randomDocument() {
            int r = rnd.nextInt(10);
            if (r < 2) {
                return null;
            }
            if (r == 2 && rnd.nextBoolean()) {
                return "";
            }
            int words = 1 + rnd.nextInt(4);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < words; i++) {
                sb.append(i == 0 ? "" : " ").append(pick(WORDS));
            }
            return sb.toString();
        }

        private String randomUri() {
            return rnd.nextInt(3) == 0 ? pick(URIS) : null;
        }

        /** Metadata with a few typed keys; null (none) sometimes, {} sometimes, null values when merging. */
        private Map<String, Object> randomMetadata(boolean merging) {
            if (rnd.nextInt(5) == 0) {
                return null;
            }
            Map<String, Object> m = new LinkedHashMap<>();
            if (rnd.nextInt(20) == 0) {
                return m;
            }
            if (rnd.nextInt(3) > 0) {
                int r = rnd.nextInt(40);
                m.put("i", r == 0 ? (Object) new BigInteger("9223372036854775808")
                        : r < 3 ? (Object) (rnd.nextInt(6) + (rnd.nextBoolean() ? 0.5 : 0.0))
                        : (Object) (long) rnd.nextInt(10));
            }
            if (rnd.nextInt(2) == 0) {
                m.put("f", rnd.nextInt(15) == 0 ? (Object) (long) rnd.nextInt(4) : (Object) pick(FLOATS));
            }
            if (rnd.nextInt(2) == 0) {
                m.put("s", pick(STRINGS));
            }
            if (rnd.nextInt(3) == 0) {
                m.put("b", rnd.nextBoolean());
            }
            if (rnd.nextInt(3) == 0) {
                List<Object> tags = new ArrayList<>();
                int k = rnd.nextInt(4);
                for (int i = 0; i < k; i++) {
                    tags.add(pick(TAGS));
                }
                m.put("tags", tags);
            }
            if (rnd.nextInt(4) == 0) {
                List<Object> nums = new ArrayList<>();
                int k = 1 + rnd.nextInt(3);
                boolean mixed = rnd.nextInt(8) == 0;
                for (int i = 0; i < k; i++) {
                    nums.add(mixed && i == k - 1 ? (Object) (rnd.nextInt(4) + 0.5) : (Object) (long) rnd.nextInt(4));
                }
                m.put("nums", nums);
            }
            if (rnd.nextInt(6) == 0) {
                List<Object> flags = new ArrayList<>();
                int k = 1 + rnd.nextInt(2);
                for (int i = 0; i < k; i++) {
                    flags.add(rnd.nextBoolean());
                }
                m.put("flags", flags);
            }
            if (merging) {
                for (String key : List.of("i", "f", "s", "b", "tags", "nums", "flags", "zz")) {
                    if (rnd.nextInt(8) == 0) {
                        m.put(key, null);
                    }
                }
            }
            return m;
        }

        /**
         * The JSON body: embeddings as float arrays or base64 (one encoding per request), optional columns absent,
         * explicit null, or a list with null items.
         */
        private ObjectNode writeBody(List<Item> items, boolean update) {
            ObjectNode body = F.objectNode();
            ArrayNode ids = body.putArray("ids");
            items.forEach(i -> ids.add(i.id()));
            boolean base64 = rnd.nextBoolean();
            boolean anyEmbedding = items.stream().anyMatch(i -> i.embedding() != null);
            if (update && !anyEmbedding && rnd.nextBoolean()) {
                if (rnd.nextBoolean()) {
                    body.putNull("embeddings");
                }
            } else {
                ArrayNode embeddings = body.putArray("embeddings");
                for (Item item : items) {
                    if (item.embedding() == null) {
                        embeddings.addNull();
                    } else if (base64) {
                        embeddings.add(base64(item.embedding()));
                    } else {
                        embeddings.add(floats(item.embedding()));
                    }
                }
            }
            column(body, "documents", items.stream().map(Item::document).toList(), F::textNode);
            column(body, "uris", items.stream().map(Item::uri).toList(), F::textNode);
            column(body, "metadatas", items.stream().map(Item::metadata).toList(), RecordsPropertyTest::metadataJson);
            return body;
        }

        /** A column whose items are all null may go out absent or as JSON null; otherwise as a list. */
        private <T> void column(ObjectNode body, String field, List<T> values,
                Function<T, JsonNode> render) {
            if (values.stream().allMatch(v -> v == null) && rnd.nextInt(3) > 0) {
                if (rnd.nextBoolean()) {
                    body.putNull(field);
                }
                return;
            }
            ArrayNode a = body.putArray(field);
            values.forEach(v -> a.add(v == null ? F.nullNode() : render.apply(v)));
        }

        // ---- deletes ----

        private void deleteByIds(Target t) throws Exception {
            int n = 1 + rnd.nextInt(4);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                ids.add(IDS.get(rnd.nextInt(IDS.size())));
            }
            ObjectNode body = F.objectNode();
            ArrayNode a = body.putArray("ids");
            ids.forEach(a::add);
            if (rnd.nextBoolean()) {
                body.putNull("where");
                body.putNull("where_document");
            }
            what = "delete " + body;
            int expected = t.model.deleteIds(ids);
            call("POST", t.records("delete"), body, 200, F.objectNode().put("deleted", expected));
        }

        private void deleteByFilter(Target t) throws Exception {
            ObjectNode body = F.objectNode();
            List<String> ids = rnd.nextInt(5) == 0 ? randomIds() : null;
            JsonNode where = null;
            JsonNode whereDocument = null;
            int r = rnd.nextInt(20);
            if (r == 0) {
                // {} or all-null: a no-op answered with 0
                if (rnd.nextBoolean()) {
                    body.putNull("ids");
                    body.putNull("where");
                    body.putNull("where_document");
                }
                what = "delete " + body;
                call("POST", t.records("delete"), body, 200, F.objectNode().put("deleted", 0));
                return;
            }
            if (r < 14) {
                where = randomWhere(0);
            }
            if (r >= 10) {
                whereDocument = randomWhereDocument(0);
            }
            Integer limit = rnd.nextInt(6) == 0 ? rnd.nextInt(4) : null;
            if (ids != null) {
                ArrayNode a = body.putArray("ids");
                ids.forEach(a::add);
            }
            if (where != null) {
                body.set("where", where);
            }
            if (whereDocument != null) {
                body.set("where_document", whereDocument);
            }
            if (limit != null) {
                body.put("limit", limit);
            }
            what = "delete " + body;
            int expected = t.model.deleteWhere(ids, where, whereDocument, limit);
            call("POST", t.records("delete"), body, 200, F.objectNode().put("deleted", expected));
        }

        // ---- reads ----

        private void get(Target t) throws Exception {
            ObjectNode body = F.objectNode();
            boolean nulls = rnd.nextBoolean(); // Python sends unset fields as null, JS leaves them out
            List<String> ids = rnd.nextInt(10) < 3 ? randomIds() : null;
            JsonNode where = rnd.nextInt(10) < 4 ? randomWhere(0) : null;
            JsonNode whereDocument = rnd.nextInt(10) < 2 ? randomWhereDocument(0) : null;
            Integer limit = rnd.nextInt(4) == 0 ? rnd.nextInt(10) : null;
            Integer offset = rnd.nextInt(4) == 0 ? rnd.nextInt(15) : null;
            List<String> include = rnd.nextInt(10) < 7 ? randomInclude(false) : null;
            putIds(body, ids, nulls);
            putOptional(body, "where", where, nulls);
            putOptional(body, "where_document", whereDocument, nulls);
            putOptional(body, "limit", limit == null ? null : F.numberNode(limit), nulls);
            putOptional(body, "offset", offset == null ? null : F.numberNode(offset), nulls);
            if (include != null) {
                ArrayNode a = body.putArray("include");
                include.forEach(a::add);
            }
            what = "get " + body;
            JsonNode response = call("POST", t.records("get"), body, 200);
            List<Rec> expected = t.model.get(ids, where, whereDocument, limit, offset == null ? 0 : offset);
            compareGet(response, expected, include == null ? List.of("documents", "metadatas") : include);
        }

        private void query(Target t) throws Exception {
            ObjectNode body = F.objectNode();
            boolean nulls = rnd.nextBoolean();
            int queries = rnd.nextInt(30) == 0 ? 0 : 1 + rnd.nextInt(3);
            List<float[]> vectors = new ArrayList<>();
            List<Rec> existing = t.model.all();
            for (int i = 0; i < queries; i++) {
                boolean reuse = !existing.isEmpty() && rnd.nextInt(4) == 0;
                vectors.add(reuse ? existing.get(rnd.nextInt(existing.size())).embedding.clone() : randomVector(t.dim));
            }
            Integer nResults = rnd.nextInt(5) == 0 ? null : rnd.nextInt(13);
            List<String> ids = rnd.nextInt(7) == 0 ? randomIds() : null;
            JsonNode where = rnd.nextInt(10) < 3 ? randomWhere(0) : null;
            JsonNode whereDocument = rnd.nextInt(7) == 0 ? randomWhereDocument(0) : null;
            List<String> include = rnd.nextInt(10) < 7 ? randomInclude(true) : null;
            ArrayNode q = body.putArray("query_embeddings");
            vectors.forEach(v -> q.add(floats(v)));
            putOptional(body, "n_results", nResults == null ? null : F.numberNode(nResults), nulls);
            putIds(body, ids, nulls);
            putOptional(body, "where", where, nulls);
            putOptional(body, "where_document", whereDocument, nulls);
            if (include != null) {
                ArrayNode a = body.putArray("include");
                include.forEach(a::add);
            }
            what = "query " + body;
            JsonNode response = call("POST", t.records("query"), body, 200);
            List<List<Hit>> expected = new ArrayList<>();
            for (float[] v : vectors) {
                expected.add(t.model.dimension() == null ? List.of() : t.model.rank(v, ids, where, whereDocument));
            }
            compareQuery(response, expected, nResults == null ? 10 : nResults,
                    include == null ? List.of("documents", "metadatas", "distances") : include);
        }

        /**
         * A search of the Search API: a dense {@code $knn} (its limit applied before the page), a where clause with
         * maybe an {@code #id} set, and a page; checked like a query (ids in order up to near-ties, scores equal to
         * the model's distances), or, without a rank, like a get (insertion order, scored by page position).
         */
        private void search(Target t) throws Exception {
            ObjectNode search = F.objectNode();
            List<Rec> existing = t.model.all();
            boolean ranked = rnd.nextInt(5) != 0;
            float[] v = !existing.isEmpty() && rnd.nextInt(4) == 0
                    ? existing.get(rnd.nextInt(existing.size())).embedding.clone() : randomVector(t.dim);
            int knnLimit = 1 + rnd.nextInt(12);
            // The $knn alone, or inside an expression that keeps its order: + c, * c (c > 0), exp, or RRF (Chroma's
            // clients' compilation, scoring the rank position).
            int transform = ranked ? rnd.nextInt(5) : 0;
            float constant = 0.5f + rnd.nextInt(4);
            if (ranked) {
                ObjectNode knn = F.objectNode();
                knn.putObject("$knn").put("limit", knnLimit).set("query", floats(v));
                ObjectNode rank = switch (transform) {
                    case 1 -> { // $sum [knn, c]
                        ObjectNode r = F.objectNode();
                        r.putArray("$sum").add(knn).addObject().put("$val", constant);
                        yield r;
                    }
                    case 2 -> { // $mul [c, knn]
                        ObjectNode r = F.objectNode();
                        ArrayNode terms = r.putArray("$mul");
                        terms.addObject().put("$val", constant);
                        terms.add(knn);
                        yield r;
                    }
                    case 3 -> (ObjectNode) F.objectNode().set("$exp", knn);
                    case 4 -> { // -(1 / (60 + rank))
                        ((ObjectNode) knn.get("$knn")).put("return_rank", true);
                        ObjectNode sum = F.objectNode();
                        sum.putArray("$sum").add(F.objectNode().put("$val", 60)).add(knn);
                        ObjectNode div = F.objectNode();
                        div.putObject("$div").<ObjectNode>set("left", F.objectNode().put("$val", 1)).set("right", sum);
                        ObjectNode r = F.objectNode();
                        r.putArray("$mul").add(F.objectNode().put("$val", -1)).add(div);
                        yield r;
                    }
                    default -> knn;
                };
                search.set("rank", rank);
            }
            JsonNode where = rnd.nextInt(10) < 4 ? randomWhere(0) : null;
            List<String> ids = rnd.nextInt(6) == 0 ? randomIds() : null;
            if (ids != null && ids.isEmpty()) {
                ids = null;
            }
            ObjectNode filter = F.objectNode();
            if (where != null && ids != null) {
                ArrayNode and = filter.putArray("$and");
                and.add(where);
                ArrayNode in = and.addObject().putObject("#id").putArray("$in");
                ids.forEach(in::add);
            } else if (where != null) {
                filter = (ObjectNode) where.deepCopy();
            } else if (ids != null) {
                ArrayNode in = filter.putObject("#id").putArray("$in");
                ids.forEach(in::add);
            }
            search.set("filter", filter.isEmpty() && rnd.nextBoolean() ? F.nullNode() : filter);
            int offset = rnd.nextInt(4) == 0 ? rnd.nextInt(4) : 0;
            Integer limit = rnd.nextBoolean() ? null : rnd.nextInt(9);
            ObjectNode page = search.putObject("limit").put("offset", offset);
            if (limit != null) {
                page.put("limit", limit);
            }
            search.putObject("select").putArray("keys").add("#score").add("#document").add("#metadata");
            ObjectNode body = F.objectNode();
            body.putArray("searches").add(search);
            what = "search " + body;
            JsonNode response = call("POST", t.records("search"), body, 200);
            JsonNode row = response.get("ids").get(0);
            if (!ranked) {
                List<Rec> expected = t.model.get(ids, where, null, limit, offset);
                List<String> expectedIds = expected.stream().map(r -> r.id).toList();
                List<String> actualIds = new ArrayList<>();
                row.forEach(id -> actualIds.add(id.asText()));
                check(expectedIds.equals(actualIds), "search without rank: expected " + expectedIds + ", got " + actualIds);
                for (int i = 0; i < expected.size(); i++) {
                    check(response.get("scores").get(0).get(i).doubleValue() == i, "score of page position " + i);
                }
                return;
            }
            List<Hit> hits = t.model.dimension() == null ? List.of() : t.model.rank(v, ids, where, null);
            hits = hits.subList(0, Math.min(knnLimit, hits.size()));
            int from = Math.min(offset, hits.size());
            int to = limit == null ? hits.size() : Math.min(hits.size(), from + limit);
            String expectedIds = hits.subList(from, to).stream().map(h -> h.rec().id + "@" + h.distance()).toList().toString();
            check(row.size() == to - from, "search: expected " + expectedIds + ", got " + row);
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < row.size(); i++) {
                String id = row.get(i).asText();
                Hit actual = hits.stream().filter(h -> h.rec().id.equals(id)).findFirst().orElse(null);
                check(actual != null && seen.add(id) && tied(actual.distance(), hits.get(from + i).distance()),
                        "search position " + i + ": expected " + expectedIds + ", got " + row);
                double score = response.get("scores").get(0).get(i).doubleValue();
                double d = actual.distance();
                double expectedScore = switch (transform) {
                    case 1 -> d + constant;
                    case 2 -> constant * d;
                    case 3 -> Math.exp(d);
                    case 4 -> -1.0 / (60 + from + i);
                    default -> d;
                };
                check(close(score, expectedScore), "search score of " + id + ": expected " + expectedScore
                        + ", got " + score);
                JsonNode document = response.get("documents").get(0).get(i);
                check(Objects.equals(actual.rec().document, document.isNull() ? null : document.asText()),
                        "search document of " + id + ": " + document);
            }
        }

        private void count(Target t) throws Exception {
            // index_only and index_and_bounded_wal depend on compaction timing (BoundedWalReadTest covers them)
            String suffix = rnd.nextInt(4) < 2 ? "?read_level=index_and_wal" : "";
            what = "count" + suffix;
            JsonNode response = call("GET", t.records("count") + suffix, null, 200);
            check(response.isInt() && response.intValue() == t.model.count(),
                    "count: expected " + t.model.count() + ", got " + response);
        }

        private void dimension(Target t) throws Exception {
            what = "get collection " + t.name;
            JsonNode c = call("GET", t.base + "/collections/" + t.name, null, 200);
            JsonNode d = c.get("dimension");
            Integer actual = d == null || d.isNull() ? null : d.intValue();
            check(Objects.equals(actual, t.model.dimension()),
                    "dimension: expected " + t.model.dimension() + ", got " + d);
        }

        /** Everything, every column, plus the count. */
        private void verifyAll(Target t) throws Exception {
            ObjectNode body = F.objectNode();
            ArrayNode a = body.putArray("include");
            List<String> include = List.of("embeddings", "documents", "metadatas", "uris");
            include.forEach(a::add);
            what = "verify all of " + t.name;
            compareGet(call("POST", t.records("get"), body, 200), t.model.get(null, null, null, null, 0), include);
            count(t);
        }

        // ---- refusals leave everything as it was ----

        private void refusedWrite(Target t) throws Exception {
            List<Item> items = new ArrayList<>();
            int n = 1 + rnd.nextInt(3);
            for (int i = 0; i < n; i++) {
                items.add(randomItem(t, false, false));
            }
            String kind = List.of("add", "upsert").get(rnd.nextInt(2));
            ObjectNode body = writeBody(items, false);
            int bad = rnd.nextInt(n);
            String expectedMessage;
            if (t.model.dimension() != null && rnd.nextBoolean()) {
                ArrayNode embeddings = F.arrayNode();
                for (int i = 0; i < n; i++) {
                    embeddings.add(floats(randomVector(t.dim + 1)));
                }
                body.set("embeddings", embeddings);
                expectedMessage = "Collection expecting embedding with dimension of " + t.model.dimension() + ", got "
                        + (t.dim + 1);
            } else {
                ArrayNode metadatas = body.putArray("metadatas");
                for (int i = 0; i < n; i++) {
                    metadatas.add(i == bad ? F.objectNode().put("$bad", 1) : F.nullNode());
                }
                expectedMessage = "Validation error: metadatas: Invalid metadata at index " + bad;
            }
            what = "refused " + kind + " " + body;
            JsonNode response = call("POST", t.records(kind), body, 400);
            check(response.path("error").asText().equals("InvalidArgumentError")
                    && response.path("message").asText().equals(expectedMessage),
                    "expected 400 " + expectedMessage + ", got " + response);
        }

        private void refusedFilter(Target t) throws Exception {
            ObjectNode body = F.objectNode();
            ObjectNode where = body.putObject("where");
            where.put("i", 1).put("s", "red"); // two keys: no implicit AND in Chroma
            String route = rnd.nextBoolean() ? "get" : "delete";
            what = "refused " + route + " " + body;
            JsonNode response = call("POST", t.records(route), body, 400);
            check(response.path("message").asText().equals("Invalid where clause"),
                    "expected 400 Invalid where clause, got " + response);
        }

        // ---- filters ----

        private <T> T pick(T[] values) {
            return values[rnd.nextInt(values.length)];
        }

        private double pick(double[] values) {
            return values[rnd.nextInt(values.length)];
        }

        private List<String> randomIds() {
            int n = rnd.nextInt(10) == 0 ? 0 : 1 + rnd.nextInt(5);
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                ids.add(IDS.get(rnd.nextInt(IDS.size())));
            }
            return ids;
        }

        private JsonNode randomWhere(int depth) {
            if (depth < 2 && rnd.nextInt(4) == 0) {
                ObjectNode node = F.objectNode();
                int n = rnd.nextInt(15) == 0 ? rnd.nextInt(2) : 2 + rnd.nextInt(2);
                ArrayNode children = node.putArray(rnd.nextBoolean() ? "$and" : "$or");
                for (int i = 0; i < n; i++) {
                    children.add(randomWhere(depth + 1));
                }
                return node;
            }
            ObjectNode node = F.objectNode();
            int field = rnd.nextInt(21);
            if (field < 5) {
                numeric(node, "i", true);
            } else if (field < 9) {
                numeric(node, "f", false);
            } else if (field < 12) {
                scalar(node, "s", F.textNode(pick(STRINGS)),
                        () -> F.textNode(pick(STRINGS)));
            } else if (field < 14) {
                scalar(node, "b", F.booleanNode(rnd.nextBoolean()), () -> F.booleanNode(rnd.nextBoolean()));
            } else if (field < 16) {
                contains(node, "tags", rnd.nextInt(10) == 0 ? F.numberNode(1) : F.textNode(pick(TAGS)));
            } else if (field < 18) {
                contains(node, "nums", rnd.nextInt(7) == 0 ? F.numberNode(rnd.nextInt(4) + 0.5)
                        : rnd.nextInt(9) == 0 ? F.numberNode((double) rnd.nextInt(4)) : F.numberNode(rnd.nextInt(4)));
            } else if (field == 20) {
                if (rnd.nextBoolean()) {
                    contains(node, "flags", F.booleanNode(rnd.nextBoolean()));
                } else {
                    // Chroma keeps the document and uri as these metadata keys, so a where clause sees them
                    String key = rnd.nextBoolean() ? "chroma:document" : "chroma:uri";
                    String value = key.equals("chroma:uri") ? pick(URIS) : pick(WORDS);
                    scalar(node, key, F.textNode(value), () -> F.textNode(value));
                }
            } else if (field == 18) {
                // operators on a key no record has: only the negative ones match
                switch (rnd.nextInt(4)) {
                    case 0 -> node.putObject("zz").put("$ne", 1);
                    case 1 -> node.putObject("zz").putArray("$nin").add("x");
                    case 2 -> node.putObject("zz").put("$not_contains", "a");
                    default -> node.put("zz", 1);
                }
            } else {
                String op = List.of("$contains", "$not_contains", "$regex", "$not_regex").get(rnd.nextInt(4));
                String text = op.endsWith("regex") ? pick(REGEXES) : pick(CONTAINS);
                node.putObject("#document").put(op, text);
            }
            return node;
        }

        /** Ops on a numeric field; operands mostly of the field's own type, sometimes the other one. */
        private void numeric(ObjectNode node, String key, boolean intField) {
            Supplier<JsonNode> operand = () -> {
                boolean sameType = rnd.nextInt(10) > 0;
                if (intField == sameType) {
                    return F.numberNode((long) rnd.nextInt(10));
                }
                return rnd.nextBoolean() ? F.numberNode(pick(FLOATS))
                        : F.numberNode(rnd.nextInt(6) + (rnd.nextBoolean() ? 0.5 : 0.0));
            };
            int r = rnd.nextInt(9);
            switch (r) {
                case 0 -> node.set(key, operand.get());
                case 1, 2, 3, 4, 5, 6 -> node.putObject(key).set(
                        List.of("$eq", "$ne", "$gt", "$gte", "$lt", "$lte").get(r - 1), operand.get());
                default -> {
                    ArrayNode list = node.putObject(key).putArray(rnd.nextBoolean() ? "$in" : "$nin");
                    JsonNode first = operand.get();
                    list.add(first);
                    int more = rnd.nextInt(3);
                    for (int i = 0; i < more; i++) {
                        JsonNode next = operand.get();
                        // an int list takes only ints; a float list takes both
                        boolean intList = first.isIntegralNumber();
                        list.add(intList && !next.isIntegralNumber() ? F.numberNode(next.longValue()) : next);
                    }
                }
            }
        }

        private void scalar(ObjectNode node, String key, JsonNode value, Supplier<JsonNode> more) {
            switch (rnd.nextInt(6)) {
                case 0, 1 -> node.set(key, value);
                case 2 -> node.putObject(key).set("$eq", value);
                case 3 -> node.putObject(key).set("$ne", rnd.nextInt(8) == 0 ? F.numberNode(1) : value);
                default -> {
                    ArrayNode list = node.putObject(key).putArray(rnd.nextBoolean() ? "$in" : "$nin");
                    list.add(value);
                    int n = rnd.nextInt(3);
                    for (int i = 0; i < n; i++) {
                        list.add(more.get());
                    }
                }
            }
        }

        private void contains(ObjectNode node, String key, JsonNode element) {
            int r = rnd.nextInt(10);
            if (r == 0) {
                node.set(key, element); // a scalar operator on an array field never matches
            } else {
                node.putObject(key).set(r < 6 ? "$contains" : "$not_contains", element);
            }
        }

        private JsonNode randomWhereDocument(int depth) {
            ObjectNode node = F.objectNode();
            if (depth < 2 && rnd.nextInt(5) == 0) {
                int n = rnd.nextInt(15) == 0 ? rnd.nextInt(2) : 2 + rnd.nextInt(2);
                ArrayNode children = node.putArray(rnd.nextBoolean() ? "$and" : "$or");
                for (int i = 0; i < n; i++) {
                    children.add(randomWhereDocument(depth + 1));
                }
                return node;
            }
            switch (rnd.nextInt(8)) {
                case 0, 1, 2 -> node.put("$contains", rnd.nextInt(30) == 0 ? "" : pick(CONTAINS));
                case 3, 4 -> node.put("$not_contains", pick(CONTAINS));
                case 5, 6 -> node.put("$regex", pick(REGEXES));
                default -> node.put("$not_regex", pick(REGEXES));
            }
            return node;
        }

        private List<String> randomInclude(boolean query) {
            List<String> out = new ArrayList<>();
            for (String name : INCLUDES) {
                if (rnd.nextInt(query && name.equals("distances") ? 4 : 2) != 0) {
                    out.add(name);
                }
            }
            Collections.shuffle(out, rnd);
            return out;
        }

        private void putIds(ObjectNode body, List<String> ids, boolean nulls) {
            if (ids != null) {
                ArrayNode a = body.putArray("ids");
                ids.forEach(a::add);
            } else if (nulls) {
                body.putNull("ids");
            }
        }

        private void putOptional(ObjectNode body, String field, JsonNode value, boolean nulls) {
            if (value != null) {
                body.set(field, value);
            } else if (nulls) {
                body.putNull(field);
            }
        }

        // ---- comparison ----

        private void compareGet(JsonNode response, List<Rec> expected, List<String> include) {
            JsonNode ids = response.get("ids");
            check(ids != null && ids.isArray() && ids.size() == expected.size() && sameIds(ids, expected),
                    "ids: expected " + expected.stream().map(r -> r.id).toList() + ", got " + ids);
            compareInclude(response, include);
            for (int i = 0; i < expected.size(); i++) {
                compareFields(response, include, expected.get(i), i, -1);
            }
            check(!response.has("distances") || response.get("distances").isNull(),
                    "get answered distances: " + response);
        }

        private void compareQuery(JsonNode response, List<List<Hit>> ranked, int nResults, List<String> include) {
            JsonNode ids = response.get("ids");
            check(ids != null && ids.isArray() && ids.size() == ranked.size(),
                    "ids: expected " + ranked.size() + " result lists, got " + ids);
            compareInclude(response, include);
            for (int q = 0; q < ranked.size(); q++) {
                List<Hit> hits = ranked.get(q);
                int n = Math.min(nResults, hits.size());
                JsonNode row = ids.get(q);
                String expectedIds = hits.subList(0, n).stream().map(h -> h.rec().id + "@" + h.distance()).toList()
                        .toString();
                check(row.isArray() && row.size() == n, "query " + q + ": expected " + expectedIds + ", got " + row);
                Set<String> seen = new HashSet<>();
                for (int i = 0; i < n; i++) {
                    String id = row.get(i).asText();
                    Hit actual = hits.stream().filter(h -> h.rec().id.equals(id)).findFirst().orElse(null);
                    // exact order, except that near-equal distances may come in either order
                    check(actual != null && seen.add(id) && tied(actual.distance(), hits.get(i).distance()),
                            "query " + q + " position " + i + ": expected " + expectedIds + ", got " + row);
                    compareFields(response, include, actual.rec(), q, i);
                    if (include.contains("distances")) {
                        double d = response.get("distances").get(q).get(i).doubleValue();
                        check(close(d, actual.distance()),
                                "query " + q + " distance of " + id + ": expected " + actual.distance() + ", got " + d);
                    }
                }
            }
            if (!include.contains("distances")) {
                check(response.has("distances") && response.get("distances").isNull(),
                        "distances: not included, but answered " + response.get("distances"));
            }
        }

        private void compareInclude(JsonNode response, List<String> include) {
            JsonNode echoed = response.get("include");
            ArrayNode sent = F.arrayNode();
            include.forEach(sent::add);
            check(sent.equals(echoed), "include: expected " + sent + ", got " + echoed);
            for (String column : List.of("embeddings", "documents", "metadatas", "uris")) {
                JsonNode value = response.get(column);
                check(value != null, "column " + column + " missing");
                check(include.contains(column) ? value.isArray() : value.isNull(),
                        "column " + column + (include.contains(column) ? " not answered: " : " answered: ") + value);
            }
        }

        /** The included columns of one record at {@code [i]} (get) or {@code [q][i]} (query, {@code i >= 0}). */
        private void compareFields(JsonNode response, List<String> include, Rec rec, int a, int b) {
            String at = rec.id + " at " + a + (b >= 0 ? "," + b : "");
            if (include.contains("documents")) {
                JsonNode v = cell(response, "documents", a, b);
                check(rec.document == null ? v.isNull() : v.isTextual() && v.textValue().equals(rec.document),
                        "document of " + at + ": expected " + rec.document + ", got " + v);
            }
            if (include.contains("uris")) {
                JsonNode v = cell(response, "uris", a, b);
                check(rec.uri == null ? v.isNull() : v.isTextual() && v.textValue().equals(rec.uri),
                        "uri of " + at + ": expected " + rec.uri + ", got " + v);
            }
            if (include.contains("metadatas")) {
                JsonNode v = cell(response, "metadatas", a, b);
                // Chroma keeps the uri as a hidden metadata entry: a record with a uri has a metadata object
                Map<String, Object> expected = rec.metadata == null && rec.uri != null ? Map.of() : rec.metadata;
                check(sameMetadata(expected, v), "metadata of " + at + ": expected " + expected + ", got " + v);
            }
            if (include.contains("embeddings")) {
                JsonNode v = cell(response, "embeddings", a, b);
                boolean same = v.isArray() && v.size() == rec.embedding.length;
                for (int k = 0; same && k < rec.embedding.length; k++) {
                    same = v.get(k).isNumber() && (float) v.get(k).doubleValue() == rec.embedding[k];
                }
                check(same, "embedding of " + at + ": expected " + Arrays.toString(rec.embedding) + ", got " + v);
            }
        }

        private void check(boolean ok, String message) {
            if (!ok) {
                throw new AssertionError("seed=" + seed + " op=" + op + " (" + what + "): " + message
                        + "\nreplay with -Dtests.seed=" + seed
                        + (current == null ? "" : "\nmodel of " + current.name + " (after the operation):\n"
                        + current.model.describe()));
            }
        }

        private JsonNode call(String method, String path, JsonNode body, int status) throws Exception {
            return call(method, path, body, status, null);
        }

        /** Sends one request; checks the status, the JSON content type and, when given, the exact body. */
        private JsonNode call(String method, String path, JsonNode body, int status, JsonNode expected)
                throws Exception {
            URI uri = URI.create(server.toString().replaceAll("/$", "") + path);
            HttpRequest.Builder request = HttpRequest.newBuilder(uri);
            if (body == null) {
                request.method(method, HttpRequest.BodyPublishers.noBody());
            } else {
                request.header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
            }
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            check(response.statusCode() == status, "status: expected " + status + ", got " + response.statusCode()
                    + " " + response.body());
            check(response.headers().firstValue("content-type").orElse("").startsWith("application/json"),
                    "content type: " + response.headers().firstValue("content-type"));
            JsonNode parsed = JSON.readTree(response.body());
            if (expected != null) {
                check(expected.equals(parsed), "body: expected " + expected + ", got " + parsed);
            }
            return parsed;
        }
    }

    /** One collection under test and its model. */
    private record Target(String base, String name, String id, RecordsModel model, int dim) {
        String records(String route) {
            return base + "/collections/" + id + "/" + route;
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Deterministic regressions: corners the random runs reach only rarely
    // ---------------------------------------------------------------------------------------------------------

    @Test
    void floatOperandMeetsAStoredIntTruncatedTowardZero() throws Exception {
        String col = collection("l2");
        write(col, "add", """
                {"ids":["two","three","f2"],"embeddings":[[1,0],[0,1],[1,1]],
                 "metadatas":[{"i":2},{"i":3},{"i":2.0}]}""", 201);
        // Chroma compares a stored int with (i64) 2.5 = 2, so int 2 is not below 2.5; a stored float 2.0 is
        assertIds(col, "{\"where\":{\"i\":{\"$lt\":2.5}}}", "[\"f2\"]");
        assertIds(col, "{\"where\":{\"i\":2.5}}", "[\"two\"]");
        assertIds(col, "{\"where\":{\"i\":{\"$gte\":2.5}}}", "[\"two\",\"three\"]");
        assertIds(col, "{\"where\":{\"i\":{\"$in\":[2.7,9]}}}", "[\"two\"]");
        assertIds(col, "{\"where\":{\"i\":{\"$nin\":[2.7,9]}}}", "[\"three\",\"f2\"]");
        assertIds(col, "{\"where\":{\"i\":2}}", "[\"two\",\"f2\"]");
    }

    @Test
    void updateOfAMissingIdStillFixesTheDimension() throws Exception {
        String col = collection("cosine");
        write(col, "update", "{\"ids\":[\"ghost\"],\"embeddings\":[\"" + base64(new float[] {1, 2, 3}) + "\"]}", 200);
        assertEquals("0", ApiTestSupport.get(col + "/count").statusCode(200).extract().asString());
        assertEquals(3, readJson(ApiTestSupport.get(collectionByName(col)).statusCode(200).extract().asString())
                .get("dimension").intValue());
        JsonNode refused = postJson(col + "/add", "{\"ids\":[\"a\"],\"embeddings\":[[1,2]]}", 400);
        assertEquals("Collection expecting embedding with dimension of 3, got 2", refused.get("message").asText());
    }

    @Test
    void reAddedIdGoesToTheEndWithNothingOfItsPast() throws Exception {
        String col = collection("ip");
        write(col, "add", """
                {"ids":["a","b","c"],"embeddings":[[1,0],[0,1],[1,1]],"documents":["x","y","z"],
                 "metadatas":[{"k":1},null,{"k":2}],"uris":["u",null,null]}""", 201);
        assertDeleted(col, "{\"ids\":[\"a\",\"a\",\"nope\"]}", 3);
        write(col, "add", "{\"ids\":[\"a\",\"a\"],\"embeddings\":[[2,2],[3,3]]}", 201); // first occurrence wins
        assertGet(col, "{\"include\":[\"documents\",\"metadatas\",\"uris\",\"embeddings\"]}", """
                {"ids":["b","c","a"],"embeddings":[[0.0,1.0],[1.0,1.0],[2.0,2.0]],"documents":["y","z",null],
                 "uris":[null,null,null],"metadatas":[null,{"k":2},null],
                 "include":["documents","metadatas","uris","embeddings"]}""");
        assertGet(col, "{\"ids\":[\"a\",\"b\"],\"limit\":1,\"offset\":1,\"include\":[]}", """
                {"ids":["a"],"embeddings":null,"documents":null,"uris":null,"metadatas":null,"include":[]}""");
    }

    @Test
    void metadataKeepsIntAndFloatApartThroughTheLog() throws Exception {
        String col = collection("l2");
        write(col, "add", """
                {"ids":["m"],"embeddings":[[1,2]],"metadatas":[{"i":3,"f":3.0,"big":9223372036854775808,
                 "mixed":[1,2.5],"ints":[1,2],"empty":[],"flags":[true],"s":""}]}""", 201);
        assertGet(col, "{\"include\":[\"metadatas\"]}", """
                {"ids":["m"],"embeddings":null,"documents":null,"uris":null,
                 "metadatas":[{"i":3,"f":3.0,"big":9.223372036854776E18,"mixed":[1.0,2.5],"ints":[1,2],
                 "flags":[true],"s":""}],"include":["metadatas"]}""");
        assertIds(col, "{\"where\":{\"mixed\":{\"$contains\":1.0}}}", "[\"m\"]");
        assertIds(col, "{\"where\":{\"mixed\":{\"$contains\":1}}}", "[]");
        assertIds(col, "{\"where\":{\"ints\":{\"$contains\":2.0}}}", "[]");
        assertIds(col, "{\"where\":{\"f\":3}}", "[\"m\"]");
        assertIds(col, "{\"where\":{\"empty\":{\"$not_contains\":1}}}", "[\"m\"]");
    }

    @Test
    void deletingKeysLeavesEmptyMetadataButNeverCreatesIt() throws Exception {
        String col = collection("l2");
        write(col, "upsert", """
                {"ids":["none","some"],"embeddings":[[1,2],[3,4]],"metadatas":[{"k":null},{"k":1}]}""", 200);
        write(col, "update", """
                {"ids":["some","ghost"],"embeddings":null,"metadatas":[{"k":null},{"k":5}],
                 "documents":[null,"d"]}""", 200);
        write(col, "upsert", "{\"ids\":[\"none\"],\"embeddings\":[[1,2]],\"metadatas\":[{}]}", 200);
        assertGet(col, "{\"include\":[\"metadatas\",\"documents\"]}", """
                {"ids":["none","some"],"embeddings":null,"documents":[null,null],"uris":null,
                 "metadatas":[null,{}],"include":["metadatas","documents"]}""");
        assertIds(col, "{\"where\":{\"k\":{\"$ne\":1}}}", "[\"none\",\"some\"]");
        assertDeleted(col, "{\"where\":{\"k\":{\"$nin\":[1]}},\"limit\":1}", 1);
        assertIds(col, "{}", "[\"some\"]");
    }

    private String collection(String space) throws Exception {
        String tenant = createTenant();
        String base = "/api/v2/tenants/" + tenant + "/databases/" + createDatabase(tenant);
        String name = ApiTestSupport.uniqueName("regress");
        String id = post(base + "/collections", "{\"name\":\"" + name + "\",\"configuration\":{\"hnsw\":{\"space\":\""
                + space + "\"}}}").statusCode(200).extract().path("id");
        return base + "/collections/" + id;
    }

    private static String collectionByName(String col) throws Exception {
        String id = col.substring(col.lastIndexOf('/') + 1);
        String base = col.substring(0, col.lastIndexOf('/'));
        JsonNode list = readJson(ApiTestSupport.get(base).statusCode(200).extract().asString());
        for (JsonNode c : list) {
            if (c.get("id").asText().equals(id)) {
                return base + "/" + c.get("name").asText();
            }
        }
        throw new AssertionError("no collection " + id);
    }

    private static void write(String col, String route, String body, int status) throws Exception {
        assertEquals(JSON.readTree("{}"), postJson(col + "/" + route, body, status), body);
    }

    private static void assertDeleted(String col, String body, int deleted) throws Exception {
        assertEquals(JSON.readTree("{\"deleted\":" + deleted + "}"), postJson(col + "/delete", body, 200), body);
    }

    private static void assertIds(String col, String body, String ids) throws Exception {
        assertEquals(JSON.readTree(ids), postJson(col + "/get", body, 200).get("ids"), body);
    }

    private static void assertGet(String col, String body, String expected) throws Exception {
        assertEquals(JSON.readTree(expected), postJson(col + "/get", body, 200), body);
    }

    private static JsonNode postJson(String path, String body, int status) throws Exception {
        return readJson(post(path, body).statusCode(status).extract().asString());
    }

    private static JsonNode readJson(String body) throws Exception {
        return JSON.readTree(body);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Shared helpers
    // ---------------------------------------------------------------------------------------------------------

    private static List<String> ids() {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 26; i++) {
            ids.add("id" + i);
        }
        ids.addAll(List.of("ID 3", "ü-7", "a/b", "日本-1"));
        return ids;
    }

    static ArrayNode floats(float[] v) {
        ArrayNode a = F.arrayNode(v.length);
        for (float x : v) {
            a.add(x);
        }
        return a;
    }

    static String base64(float[] v) {
        ByteBuffer buffer = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            buffer.putFloat(x);
        }
        return Base64.getEncoder().encodeToString(buffer.array());
    }

    static JsonNode metadataJson(Map<String, Object> m) {
        ObjectNode o = F.objectNode();
        m.forEach((k, v) -> o.set(k, valueJson(v)));
        return o;
    }

    private static JsonNode valueJson(Object v) {
        return switch (v) {
            case null -> F.nullNode();
            case String s -> F.textNode(s);
            case Boolean b -> F.booleanNode(b);
            case Long l -> F.numberNode(l);
            case Integer i -> F.numberNode(i);
            case Double d -> F.numberNode(d);
            case BigInteger big -> F.numberNode(big);
            case List<?> list -> {
                ArrayNode a = F.arrayNode();
                list.forEach(x -> a.add(valueJson(x)));
                yield a;
            }
            default -> throw new IllegalArgumentException(String.valueOf(v));
        };
    }

    private static boolean sameIds(JsonNode ids, List<Rec> expected) {
        for (int i = 0; i < expected.size(); i++) {
            if (!ids.get(i).isTextual() || !ids.get(i).textValue().equals(expected.get(i).id)) {
                return false;
            }
        }
        return true;
    }

    private static JsonNode cell(JsonNode response, String column, int a, int b) {
        JsonNode v = response.get(column).get(a);
        return b >= 0 ? v.get(b) : v;
    }

    /** Metadata equal key by key, ints as ints and floats as floats. */
    static boolean sameMetadata(Map<String, Object> expected, JsonNode actual) {
        if (expected == null) {
            return actual != null && actual.isNull();
        }
        if (actual == null || !actual.isObject() || actual.size() != expected.size()) {
            return false;
        }
        for (Map.Entry<String, Object> e : expected.entrySet()) {
            if (!sameValue(e.getValue(), actual.get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    private static boolean sameValue(Object expected, JsonNode actual) {
        if (actual == null) {
            return false;
        }
        return switch (expected) {
            case String s -> actual.isTextual() && actual.textValue().equals(s);
            case Boolean b -> actual.isBoolean() && actual.booleanValue() == b;
            case Long l -> actual.isIntegralNumber() && actual.canConvertToLong() && actual.longValue() == l;
            case Double d -> actual.isFloatingPointNumber() && actual.doubleValue() == d;
            case List<?> list -> {
                if (!actual.isArray() || actual.size() != list.size()) {
                    yield false;
                }
                for (int i = 0; i < list.size(); i++) {
                    if (!sameValue(list.get(i), actual.get(i))) {
                        yield false;
                    }
                }
                yield true;
            }
            default -> false;
        };
    }

    /** Distances within float32 rounding of each other (1e-6 relative), whose order the server may swap. */
    static boolean tied(double a, double b) {
        return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.max(Math.abs(a), Math.abs(b)));
    }

    /** Float32 distances against the model's double ones: 1e-5 relative, with a small absolute floor near zero. */
    static boolean close(double a, double b) {
        return Math.abs(a - b) <= 1e-6 + 1e-5 * Math.max(Math.abs(a), Math.abs(b));
    }
}
