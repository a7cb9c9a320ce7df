package io.vermilion.api;

import static io.vermilion.api.ApiTestSupport.get;
import static io.vermilion.api.ApiTestSupport.post;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

/**
 * A sparse {@code $knn} over HTTP after compaction: six records are compacted into a version (their sparse vectors
 * into its sparse index), an add, an update and a delete stay in the log, and each read level answers exactly:
 * the version alone, or the version merged with the tail (read-your-writes), with and without a filter.
 */
@QuarkusTest
@TestProfile(SearchAfterCompactionTest.CompactAtFive.class)
class SparseSearchAfterCompactionTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode json(String body) throws Exception {
        return JSON.readTree(body);
    }

    @Test
    void sparseKnnReadsTheCompactedSparseIndexAndTheLogTail() throws Exception {
        String col = TestCollections.createNamed(ApiTestSupport.uniqueName("sparse-compacted"), ",\"schema\":{\"keys\":"
                + "{\"sv\":{\"sparse_vector\":{\"sparse_vector_index\":{\"enabled\":true,\"config\":{}}}}}}");
        TestCollections.addAndAwaitCompaction(col, """
                {"ids": ["a", "b", "c", "d", "e", "f"], "embeddings": [[0, 0], [1, 0], [2, 0], [3, 0], [4, 0], [5, 0]],
                 "metadatas": [{"k": "x", "sv": {"indices": [1], "values": [1.0]}},
                               {"k": "y", "sv": {"indices": [1, 2], "values": [0.5, 1.0]}},
                               {"k": "x", "sv": {"indices": [2], "values": [2.0]}},
                               {"k": "y", "sv": {"indices": [3], "values": [1.0]}},
                               {"k": "y", "sv": {"indices": [1, 3], "values": [2.0, 1.0]}},
                               {"k": "x", "sv": {"indices": [5], "values": [1.0]}}]}""", 6);
        post(col + "/add", "{\"ids\": [\"g\"], \"embeddings\": [[6, 0]], "
                + "\"metadatas\": [{\"k\": \"y\", \"sv\": {\"indices\": [2], \"values\": [3.0]}}]}").statusCode(201);
        post(col + "/update", "{\"ids\": [\"a\"], \"metadatas\": [{\"sv\": {\"indices\": [1], \"values\": [4.0]}}]}")
                .statusCode(200);
        post(col + "/delete", "{\"ids\": [\"c\"]}").statusCode(200);
        assertEquals(3, json(get(col + "/indexing_status").extract().asString()).path("num_unindexed_ops").asInt());

        String body = """
                {"searches": [{"rank": {"$knn": {"query": {"indices": [1, 2], "values": [1, 1]}, "key": "sv"}},
                               "select": {"keys": ["#score"]}},
                              {"filter": {"k": "y"},
                               "rank": {"$knn": {"query": {"indices": [1, 2], "values": [1, 1]}, "key": "sv", "limit": 2}},
                               "select": {"keys": ["#score"]}}],
                 "read_level": "%s"}""";
        // Version: a = 1 - 1 = 0, b = 1 - 1.5 = -0.5, c = 1 - 2 = -1, e = 1 - 2 = -1 (c older); d and f share nothing.
        // Log: g = 1 - 3 = -2 added, a = 1 - 4 = -3 updated, c deleted.
        JsonNode latest = json(post(col + "/search", body.formatted("index_and_wal")).statusCode(200).extract().asString());
        assertEquals(json("[[\"a\", \"g\", \"e\", \"b\"], [\"g\", \"e\"]]"), latest.path("ids"));
        assertEquals(json("[[-3.0, -2.0, -1.0, -0.5], [-2.0, -1.0]]"), latest.path("scores"));
        JsonNode compacted = json(post(col + "/search", body.formatted("index_only")).statusCode(200).extract().asString());
        assertEquals(json("[[\"c\", \"e\", \"b\", \"a\"], [\"e\", \"b\"]]"), compacted.path("ids"));
        assertEquals(json("[[-1.0, -1.0, -0.5, 0.0], [-1.0, -0.5]]"), compacted.path("scores"));
    }
}
