package io.vermilion.api;

import static io.vermilion.api.ApiTestSupport.post;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

/**
 * BM25 over {@code #document} over a compacted version plus a log tail, over HTTP: six documents are compacted, then
 * an update and an add stay in the log; {@code index_and_wal} reads its own writes, {@code index_only} the version.
 */
@QuarkusTest
@TestProfile(SearchAfterCompactionTest.CompactAtFive.class)
class SearchBm25AfterCompactionTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void bm25ReadsTheCompactedIndexAndTheLogTail() throws Exception {
        String col = TestCollections.create("bm25c");
        TestCollections.addAndAwaitCompaction(col, """
                {"ids": ["a", "b", "c", "d", "e", "f"], "embeddings": [[0, 0], [1, 0], [2, 0], [3, 0], [4, 0], [5, 0]],
                 "documents": ["apple pie", "apple tart", "banana bread", "cherry jam", "date loaf", "fig roll"]}""", 6);
        post(col + "/update", "{\"ids\": [\"b\"], \"documents\": [\"cherry crumble\"]}").statusCode(200);
        post(col + "/add", "{\"ids\": [\"g\"], \"embeddings\": [[6, 0]], \"documents\": [\"apple, apple\"]}")
                .statusCode(201);

        String body = """
                {"searches": [{"rank": {"$knn": {"query": "apple", "key": "#document"}}},
                              {"rank": {"$knn": {"query": "cherry", "key": "#document"}}}],
                 "read_level": "%s"}""";
        JsonNode latest = JSON.readTree(post(col + "/search", body.formatted("index_and_wal")).statusCode(200)
                .extract().asString());
        // b no longer says apple; g (in the log) says it twice. b and d tie on cherry: b was inserted first.
        assertEquals(JSON.readTree("[[\"g\", \"a\"], [\"b\", \"d\"]]"), latest.path("ids"));
        JsonNode compacted = JSON.readTree(post(col + "/search", body.formatted("index_only")).statusCode(200)
                .extract().asString());
        assertEquals(JSON.readTree("[[\"a\", \"b\"], [\"d\"]]"), compacted.path("ids"));
    }
}
