package io.vermilion.api;

import static io.vermilion.api.ApiTestSupport.get;
import static io.vermilion.api.ApiTestSupport.post;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Search and indexing status over a compacted version plus a log tail, over HTTP: a write of six records is
 * compacted, three later operations stay in the log (the profile compacts at five pending records only), and each
 * read level sees exactly its part.
 */
@QuarkusTest
@TestProfile(SearchAfterCompactionTest.CompactAtFive.class)
class SearchAfterCompactionTest {

    /** The tiny profile, but compacting only once five records are pending: three stay in the log for good. */
    public static class CompactAtFive extends TinyCompactionProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> overrides = new HashMap<>(super.getConfigOverrides());
            overrides.put("vermilion.compaction.age", "1h");
            return overrides;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String body) throws Exception {
        return JSON.readTree(body);
    }

    @Test
    void readLevelsSeeTheCompactedVersionAloneOrWithTheLogTail() throws Exception {
        String col = TestCollections.create("compacted");
        TestCollections.addAndAwaitCompaction(col, TestCollections.SIX_POINTS, 6);
        post(col + "/add", "{\"ids\": [\"g\", \"h\"], \"embeddings\": [[2.5, 1], [9, 0]], "
                + "\"metadatas\": [{\"k\": \"y\"}, {\"k\": \"w\"}]}").statusCode(201);
        post(col + "/update", "{\"ids\": [\"b\"], \"metadatas\": [{\"k\": \"y\"}]}").statusCode(200);

        assertEquals(json("{\"op_indexing_progress\": " + (6f / 9f) + ", \"num_unindexed_ops\": 3, "
                + "\"num_indexed_ops\": 6, \"total_ops\": 9}"), json(get(col + "/indexing_status").extract().asString()));
        assertEquals("8", get(col + "/count").statusCode(200).extract().asString());
        assertEquals("6", get(col + "/count?read_level=index_only").statusCode(200).extract().asString());

        String body = """
                {"searches": [{"filter": {"k": "y"}, "rank": {"$knn": {"query": [2.5, 0], "limit": 3}},
                               "select": {"keys": ["#score", "k"]}},
                              {"rank": {"$knn": {"query": [2.5, 0], "limit": 4}},
                               "group_by": {"keys": ["k"], "aggregate": {"$max_k": {"keys": ["#score"], "k": 1}}}}],
                 "read_level": "%s"}""";
        JsonNode latest = json(post(col + "/search", body.formatted("index_and_wal")).statusCode(200).extract().asString());
        // y now: b (updated in the log), c, d, g (added to the log). Nearest three to 2.5: c, d (tied, c older), g.
        // The four nearest overall are all y now (c, d, g, b): the group keeps the farthest, b.
        assertEquals(json("[[\"c\", \"d\", \"g\"], [\"b\"]]"), latest.path("ids"));
        assertEquals(json("[[0.25, 0.25, 1.0], null]"), latest.path("scores"));
        assertEquals(json("[[{\"k\": \"y\"}, {\"k\": \"y\"}, {\"k\": \"y\"}], null]"), latest.path("metadatas"));
        JsonNode compacted = json(post(col + "/search", body.formatted("index_only")).statusCode(200).extract().asString());
        // The version alone: y is c and d. The four nearest are c, d (y), b (x), e (z; tied with b, younger): one per
        // group, c keeping its place before d on the tie.
        assertEquals(json("[[\"c\", \"d\"], [\"c\", \"b\", \"e\"]]"), compacted.path("ids"));
        assertEquals(json("[[0.25, 0.25], null]"), compacted.path("scores"));
    }
}
