package io.vermilion.api;

import static io.vermilion.api.ApiTestSupport.get;
import static io.vermilion.api.ApiTestSupport.post;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code read_level} {@code index_and_bounded_wal} over HTTP, as Chroma's own count test checks it: six records
 * compacted, then a log tail longer than, as long as, and shorter than the bound K = 3 (one collection each; the
 * profile compacts only at five pending records, so the tails stay in the log). A bounded read sees the compacted
 * version plus the K oldest tail operations, on get, count, query and search alike; the other levels see all or none.
 */
@QuarkusTest
@TestProfile(BoundedWalReadTest.BoundThree.class)
class BoundedWalReadTest {

    /** Compacting at five pending records, never by age; bounded reads see three log operations. */
    public static class BoundThree extends SearchAfterCompactionTest.CompactAtFive {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
            overrides.put("vermilion.read.bounded-wal-entries", "3");
            return overrides;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] LEVELS = {"index_and_wal", "index_and_bounded_wal", "index_only"};

    private static JsonNode json(String body) throws Exception {
        return JSON.readTree(body);
    }

    /** A collection of six records a..f at (i, 0), all compacted, then {@code tail} written to its log. */
    private static String compactedThen(String... tail) throws Exception {
        String col = TestCollections.create("bounded");
        TestCollections.addAndAwaitCompaction(col, TestCollections.SIX_POINTS, 6);
        for (String write : tail) {
            String[] route = write.split(" ", 2);
            post(col + "/" + route[0], route[1]).statusCode(route[0].equals("add") ? 201 : 200);
        }
        return col;
    }

    private static final String UPDATE_B = "update {\"ids\": [\"b\"], \"metadatas\": [{\"k\": \"y\"}]}";

    private static int count(String col, String level) {
        return Integer.parseInt(get(col + "/count?read_level=" + level).statusCode(200).extract().asString());
    }

    private static JsonNode getIds(String col, String level) throws Exception {
        return json(post(col + "/get", "{\"read_level\": \"" + level + "\"}").statusCode(200).extract().asString())
                .path("ids");
    }

    private static JsonNode queryIds(String col, String level) throws Exception {
        return json(post(col + "/query", "{\"query_embeddings\": [[2.5, 0]], \"n_results\": 4, \"where\": {\"k\": \"y\"},"
                + " \"read_level\": \"" + level + "\"}").statusCode(200).extract().asString()).path("ids");
    }

    private static JsonNode searchIds(String col, String level) throws Exception {
        return json(post(col + "/search", """
                {"searches": [{"filter": {"k": "y"}, "rank": {"$knn": {"query": [2.5, 0]}}, "limit": {"limit": 3}}],
                 "read_level": "%s"}""".formatted(level)).statusCode(200).extract().asString()).path("ids");
    }

    @Test
    void aTailLongerThanTheBoundIsReadUpToTheBoundInLogOrder() throws Exception {
        // Four operations: b becomes y; then g (y, at 2.5 + 1i), h and i (y, nearest of all to (2.5, 0)) in one
        // write, so the bound falls inside that write's fragment: the bounded read sees b's update, g and h, not i.
        String col = compactedThen(UPDATE_B, """
                add {"ids": ["g", "h", "i"], "embeddings": [[2.5, 1], [9, 0], [2.5, 0.1]],
                     "metadatas": [{"k": "y"}, {"k": "w"}, {"k": "y"}]}""");

        assertEquals(9, count(col, "index_and_wal"));
        assertEquals(8, count(col, "index_and_bounded_wal"));
        assertEquals(6, count(col, "index_only"));

        assertEquals(json("[\"a\", \"b\", \"c\", \"d\", \"e\", \"f\", \"g\", \"h\", \"i\"]"), getIds(col, "index_and_wal"));
        assertEquals(json("[\"a\", \"b\", \"c\", \"d\", \"e\", \"f\", \"g\", \"h\"]"), getIds(col, "index_and_bounded_wal"));
        assertEquals(json("[\"a\", \"b\", \"c\", \"d\", \"e\", \"f\"]"), getIds(col, "index_only"));

        // y nearest (2.5, 0): i 0.01, c and d 0.25 (c older first), g 1, b 2.25.
        assertEquals(json("[[\"i\", \"c\", \"d\", \"g\"]]"), queryIds(col, "index_and_wal"));
        assertEquals(json("[[\"c\", \"d\", \"g\", \"b\"]]"), queryIds(col, "index_and_bounded_wal"));
        assertEquals(json("[[\"c\", \"d\"]]"), queryIds(col, "index_only"));

        assertEquals(json("[[\"i\", \"c\", \"d\"]]"), searchIds(col, "index_and_wal"));
        assertEquals(json("[[\"c\", \"d\", \"g\"]]"), searchIds(col, "index_and_bounded_wal"));
        assertEquals(json("[[\"c\", \"d\"]]"), searchIds(col, "index_only"));
    }

    @Test
    void aTailAsLongAsTheBoundIsReadWhole() throws Exception {
        String col = compactedThen(UPDATE_B, """
                add {"ids": ["g", "h"], "embeddings": [[2.5, 1], [9, 0]], "metadatas": [{"k": "y"}, {"k": "w"}]}""");
        for (String level : new String[] {"index_and_wal", "index_and_bounded_wal"}) {
            assertEquals(8, count(col, level), level);
            assertEquals(json("[\"a\", \"b\", \"c\", \"d\", \"e\", \"f\", \"g\", \"h\"]"), getIds(col, level), level);
            assertEquals(json("[[\"c\", \"d\", \"g\", \"b\"]]"), queryIds(col, level), level);
            assertEquals(json("[[\"c\", \"d\", \"g\"]]"), searchIds(col, level), level);
        }
        assertEquals(6, count(col, "index_only"));
        assertEquals(json("[[\"c\", \"d\"]]"), queryIds(col, "index_only"));
    }

    @Test
    void aTailShorterThanTheBoundIsReadWhole() throws Exception {
        // A delete is an operation like any other: c leaves the y group.
        String col = compactedThen(UPDATE_B, "delete {\"ids\": [\"c\"]}");
        for (String level : new String[] {"index_and_wal", "index_and_bounded_wal"}) {
            assertEquals(5, count(col, level), level);
            assertEquals(json("[\"a\", \"b\", \"d\", \"e\", \"f\"]"), getIds(col, level), level);
            assertEquals(json("[[\"d\", \"b\"]]"), queryIds(col, level), level);
            assertEquals(json("[[\"d\", \"b\"]]"), searchIds(col, level), level);
        }
        assertEquals(6, count(col, "index_only"));
        assertEquals(json("[[\"c\", \"d\"]]"), searchIds(col, "index_only"));
    }

    @Test
    void anUnknownReadLevelInAGetOrQueryBodyIsA422() {
        String col = TestCollections.create("bounded");
        String message = "Failed to deserialize the JSON body into the target type: " + ReadLevel.unknown("latest");
        ApiTestSupport.assertError(post(col + "/get", "{\"read_level\": \"latest\"}"), 422, "ChromaError", message);
        ApiTestSupport.assertError(post(col + "/query", "{\"query_embeddings\": [[1, 2]], \"read_level\": \"latest\"}"),
                422, "ChromaError", message);
    }
}
