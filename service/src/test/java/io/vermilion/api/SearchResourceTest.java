package io.vermilion.api;

import static io.vermilion.api.ApiTestSupport.assertError;
import static io.vermilion.api.ApiTestSupport.get;
import static io.vermilion.api.ApiTestSupport.post;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vermilion.sysdb.PostgresResource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Search API and indexing status over HTTP: Chroma's wire format in both directions, reads of the log tail,
 * {@code read_level}, and Chroma's 4xx for malformed searches (never a 500, nothing stored changes).
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
class SearchResourceTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private String col;

    @BeforeEach
    void collectionOfFourPoints() {
        col = TestCollections.create("search");
        post(col + "/add", """
                {"ids": ["a", "b", "c", "d"], "embeddings": [[0, 0], [1, 0], [2, 0], [3, 0]],
                 "documents": ["apple pie", "banana split", "cherry tart", null],
                 "metadatas": [{"kind": "fruit", "n": 1}, {"kind": "fruit", "n": 2}, {"kind": "stone", "n": 3}, null]}""")
                .statusCode(201);
    }

    private JsonNode search(String body) throws Exception {
        return JSON.readTree(post(col + "/search", body).statusCode(200).extract().asString());
    }

    @Test
    void knnSearchAnswersInChromasShapeWithUnselectedColumnsNull() throws Exception {
        JsonNode r = search("""
                {"searches": [{"rank": {"$knn": {"query": [2.5, 0], "limit": 3}},
                               "select": {"keys": ["#score", "#document", "kind", "#id"]}},
                              {"rank": null, "limit": {"offset": 1, "limit": 2}}]}""");
        assertEquals(JSON.readTree("""
                {"ids": [["c", "d", "b"], ["b", "c"]],
                 "documents": [["cherry tart", null, "banana split"], null],
                 "embeddings": [null, null],
                 "metadatas": [[{"kind": "stone"}, null, {"kind": "fruit"}], null],
                 "scores": [[0.25, 0.25, 2.25], null],
                 "select": [["#document", "#score", "#id", "kind"], []]}"""), r);
    }

    @Test
    void reciprocalRankFusionFilterAndGroupBy() throws Exception {
        // RRF as the clients compile it: -(1/(60 + rank_a) + 1/(60 + rank_b)).
        JsonNode r = search("""
                {"searches": [{
                   "filter": {"$and": [{"#id": {"$nin": ["d"]}}, {"#document": {"$contains": "a"}}]},
                   "rank": {"$mul": [{"$val": -1}, {"$sum": [
                       {"$div": {"left": {"$val": 1}, "right": {"$sum": [{"$val": 60},
                           {"$knn": {"query": [0, 0], "limit": 2, "default": 100, "return_rank": true}}]}}},
                       {"$div": {"left": {"$val": 1}, "right": {"$sum": [{"$val": 60},
                           {"$knn": {"query": [2, 0], "limit": 2, "default": 100, "return_rank": true}}]}}}]}]},
                   "group_by": {"keys": ["kind"], "aggregate": {"$min_k": {"keys": ["#score"], "k": 1}}},
                   "select": {"keys": ["#score", "#metadata", "#embedding"]}}],
                 "read_level": "index_and_wal"}""");
        // Ranks: knn(0,0) a 0, b 1; knn(2,0) c 0, b 1. b: 1/61 + 1/61; a: 1/60 + 1/160; c: 1/160 + 1/60.
        float b = -(1f / 61f + 1f / 61f);
        float a = -(1f / 60f + 1f / 160f);
        float c = -(1f / 160f + 1f / 60f);
        // Groups: fruit {b, a} keeps b (lowest score); stone keeps c.
        assertEquals(2, r.get("ids").get(0).size());
        assertEquals("b", r.get("ids").get(0).get(0).asText());
        assertEquals("c", r.get("ids").get(0).get(1).asText());
        assertEquals(b, r.get("scores").get(0).get(0).floatValue());
        assertEquals(c, r.get("scores").get(0).get(1).floatValue());
        assertEquals(JSON.readTree("[[1.0, 0.0], [2.0, 0.0]]"), r.get("embeddings").get(0));
        assertEquals(JSON.readTree("[{\"kind\": \"fruit\", \"n\": 2}, {\"kind\": \"stone\", \"n\": 3}]"),
                r.get("metadatas").get(0));
        assertEquals(true, a > b);
    }

    @Test
    void searchReadsTheLogTailUnlessIndexOnly() throws Exception {
        post(col + "/upsert", "{\"ids\": [\"e\"], \"embeddings\": [[2.4, 0]]}").statusCode(200);
        JsonNode wal = search("{\"searches\": [{\"rank\": {\"$knn\": {\"query\": [2.5, 0], \"limit\": 1}}}]}");
        assertEquals("e", wal.get("ids").get(0).get(0).asText());
        JsonNode indexOnly = search("{\"searches\": [{\"rank\": {\"$knn\": {\"query\": [2.5, 0], \"limit\": 1}}}],"
                + " \"read_level\": \"index_only\"}");
        assertEquals(0, indexOnly.get("ids").get(0).size(), "nothing is compacted yet");
        assertEquals("0", get(col + "/count?read_level=index_only").statusCode(200).extract().asString());
        assertEquals("5", get(col + "/count?read_level=index_and_wal").statusCode(200).extract().asString());
        assertEquals(JSON.readTree("{\"op_indexing_progress\": 0.0, \"num_unindexed_ops\": 5, \"num_indexed_ops\": 0,"
                + " \"total_ops\": 5}"), JSON.readTree(get(col + "/indexing_status").statusCode(200).extract().asString()));
    }

    @Test
    void sparseVectorsAreStoredReturnedAndRankedByOneMinusDot() throws Exception {
        // A sparse $knn needs a sparse index on its key (as on Chroma): this collection declares one on bm25.
        col = TestCollections.createNamed(ApiTestSupport.uniqueName("sparse"), ",\"schema\":{\"keys\":{\"bm25\":"
                + "{\"sparse_vector\":{\"sparse_vector_index\":{\"enabled\":true,\"config\":{}}}}}}");
        post(col + "/upsert", """
                {"ids": ["s1", "s2", "s3"], "embeddings": [[5, 0], [6, 0], [7, 0]],
                 "metadatas": [{"bm25": {"#type": "sparse_vector", "indices": [1, 4], "values": [0.5, 2.0]}},
                               {"bm25": {"indices": [4, 4294967295], "values": [1.5, 3.0], "tokens": ["x", "y"]}},
                               {"bm25": {"indices": [2], "values": [9.0]}}]}""").statusCode(200);
        JsonNode got = JSON.readTree(post(col + "/get", "{\"ids\": [\"s2\"], \"include\": [\"metadatas\"]}")
                .statusCode(200).extract().asString());
        assertEquals(JSON.readTree("""
                [{"bm25": {"#type": "sparse_vector", "indices": [4, 4294967295], "values": [1.5, 3.0],
                           "tokens": ["x", "y"]}}]"""), got.get("metadatas"));
        // Query {1: 2, 4: 1}: s1 = 1 - (1 + 2) = -2; s2 = 1 - 1.5 = -0.5; s3 shares no index.
        JsonNode r = search("""
                {"searches": [{"rank": {"$knn": {"query": {"indices": [1, 4], "values": [2, 1]}, "key": "bm25"}},
                               "select": {"keys": ["#score"]}}]}""");
        assertEquals(JSON.readTree("[[\"s1\", \"s2\"]]"), r.get("ids"));
        assertEquals(JSON.readTree("[[-2.0, -0.5]]"), r.get("scores"));
        assertError(post(col + "/upsert", """
                {"ids": ["bad"], "embeddings": [[1, 1]], "metadatas": [{"bm25": {"indices": [3, 1], "values": [1, 1]}}]}"""),
                400, "InvalidArgumentError", "Validation error: metadatas: Invalid metadata at index 0");
        assertError(post(col + "/upsert", """
                {"ids": ["bad"], "embeddings": [[1, 1]], "metadatas": [{"bm25": {"indices": [1, 2], "values": [1]}}]}"""),
                400, "InvalidArgumentError", "Validation error: metadatas: Invalid metadata at index 0");
        assertEquals("3", get(col + "/count").statusCode(200).extract().asString(), "refused writes stored nothing");
    }

    @Test
    void malformedSearchesAreRefusedWithChromasErrors() {
        String prefix = "Failed to deserialize the JSON body into the target type: ";
        assertError(post(col + "/search", "{}"), 422, "ChromaError", prefix + "missing field `searches`");
        assertError(post(col + "/search", "{\"searches\": [{\"rank\": {\"$pow\": 2}}]}"), 422, "ChromaError",
                prefix + "searches[0].rank: unknown variant `$pow`, expected one of `$abs`, `$div`, `$exp`, `$knn`, "
                        + "`$log`, `$max`, `$min`, `$mul`, `$sub`, `$sum`, `$val`");
        assertError(post(col + "/search", "{\"searches\": [{\"rank\": {\"$val\": \"x\"}}]}"), 422, "ChromaError",
                prefix + "searches[0].rank.$val: invalid type: string \"x\", expected f32");
        assertError(post(col + "/search", "{\"searches\": [{\"rank\": {\"$sub\": {\"left\": {\"$val\": 1}}}}]}"), 422,
                "ChromaError", prefix + "missing field `right`");
        assertError(post(col + "/search", "{\"searches\": [{\"rank\": {\"$knn\": {\"query\": [1, 0], \"limit\": -1}}}]}"),
                422, "ChromaError", prefix + "searches[0].rank.$knn.limit: invalid value: integer `-1`, expected u32");
        assertError(post(col + "/search", "{\"searches\": [], \"read_level\": \"eventually\"}"), 422, "ChromaError",
                prefix + RecordResource.unknownReadLevel("eventually"));
        assertError(post(col + "/search", "{\"searches\": [{\"rank\": {\"$knn\": {\"query\": [1, 0, 0]}}}]}"), 400,
                "InvalidArgumentError", "Collection expecting embedding with dimension of 2, got 3");
        assertError(post(col + "/search", "{\"searches\": [{\"rank\": {\"$knn\": {\"query\": "
                + "{\"indices\": [1], \"values\": [0.5]}}}}]}"), 400, "InvalidArgumentError",
                "Cannot filter using metadata key '#embedding' with type 'SparseVector' because indexing is disabled");
        assertError(post(col + "/search", "{\"searches\": [{\"rank\": {\"$knn\": {\"query\": "
                + "{\"indices\": [2, 1], \"values\": [0.5, 1]}, \"key\": \"sparse\"}}}]}"), 400, "InvalidArgumentError",
                "Validation error: rank: Invalid sparse vector in KNN query: Sparse vector indices must be sorted in "
                        + "strictly ascending order (no duplicates)");
        assertError(post(col + "/search", "{\"searches\": [{\"group_by\": {\"keys\": [\"kind\"]}}]}"), 400,
                "InvalidArgumentError", "Validation error: searches[0].group_by: group_by keys and aggregate must both "
                        + "be specified or both be omitted");
        assertError(post(col + "/search", "{\"searches\": [{\"group_by\": {\"keys\": [\"kind\"], \"aggregate\": "
                + "{\"$min_k\": {\"keys\": [\"#score\"], \"k\": 1}}}}]}"), 400, "InvalidArgumentError",
                "Validation error: searches[0].group_by: group_by requires rank expression to be specified");
        assertError(post(col + "/search", "{\"searches\": [{\"rank\": {\"$knn\": {\"query\": [1, 0]}}, "
                + "\"group_by\": {\"keys\": [\"#score\"], \"aggregate\": {\"$min_k\": {\"keys\": [\"#score\"], \"k\": 1}}}}]}"),
                400, "InvalidArgumentError", "Validation error: searches[0].group_by: group_by keys must be metadata "
                        + "fields (cannot use #score, #document, #embedding, or #metadata)");
        assertError(post(col + "/search", "{\"searches\": [{\"filter\": {\"n\": {\"$gt\": \"x\"}}}]}"), 422, "ChromaError",
                prefix + "searches[0].filter: Invalid where clause");
        String deep = "{\"$abs\": ".repeat(100) + "{\"$val\": 1}" + "}".repeat(100);
        assertError(post(col + "/search", "{\"searches\": [{\"rank\": " + deep + "}]}"), 400, "InvalidArgumentError",
                "Rank expression nested deeper than 64 levels");
        post(col + "/get", "{}").statusCode(200).body("ids", org.hamcrest.Matchers.contains("a", "b", "c", "d"));
    }

    @Test
    void theLargestLimitsAreServedWithoutQuotas() throws Exception {
        JsonNode r = search("{\"searches\": [{\"rank\": {\"$knn\": {\"query\": [0, 0], \"limit\": 4294967295}},"
                + " \"limit\": {\"offset\": 4294967295}}, {\"rank\": {\"$knn\": {\"query\": [0, 0], \"limit\": 4294967295}},"
                + " \"limit\": {\"offset\": 1, \"limit\": 4294967295}}]}");
        assertEquals(JSON.readTree("[[], [\"b\", \"c\", \"d\"]]"), r.get("ids"));
    }

    @Test
    void nonFiniteScoresAreNullAndRankLast() throws Exception {
        // 1 / (0 * distance) is +inf for every hit but a (0 * 0 = 0, 1 / 0 = inf too); log(distance - 2) is NaN below 2.
        JsonNode r = search("""
                {"searches": [{"rank": {"$div": {"left": {"$val": 1}, "right": {"$mul": [{"$val": 0},
                                   {"$knn": {"query": [0, 0], "limit": 2}}]}}}, "select": {"keys": ["#score"]}},
                              {"rank": {"$log": {"$sub": {"left": {"$knn": {"query": [0, 0], "limit": 4}},
                                   "right": {"$val": 2}}}}, "select": {"keys": ["#score"]}}]}""");
        assertEquals(JSON.readTree("[[\"a\", \"b\"], [\"c\", \"d\", \"a\", \"b\"]]"), r.get("ids"));
        assertEquals(JSON.readTree("[[null, null], [" + (float) Math.log(2) + ", " + (float) Math.log(7)
                + ", null, null]]"), r.get("scores"));
    }

    @Test
    void searchOfAMissingCollectionIsNotFound() {
        post("/api/v2/tenants/default_tenant/databases/default_database/collections/"
                + "00000000-0000-4000-8000-000000000000/search", "{\"searches\": []}").statusCode(404);
    }
}
