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
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Vermilion's BM25 extension over HTTP: {@code {"$knn": {"query": "<text>", "key": "#document"}}} ranks documents by
 * BM25 (score {@code -bm25}), reads the log tail, composes with a dense {@code $knn} by RRF and with a filter, and
 * refuses empty or oversized texts with Chroma's 400 (nothing stored changes).
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
class SearchBm25Test {

    private static final ObjectMapper JSON = new ObjectMapper();
    private String col;

    @BeforeEach
    void collectionOfFiveDocuments() {
        col = TestCollections.create("bm25");
        post(col + "/add", """
                {"ids": ["a", "b", "c", "d", "e"], "embeddings": [[0, 0], [1, 0], [2, 0], [3, 0], [10, 0]],
                 "documents": ["apple pie", "banana split", "cherry tart", null, "Apple crumble with apple"],
                 "metadatas": [{"kind": "fruit"}, {"kind": "fruit"}, {"kind": "stone"}, null, {"kind": "baked"}]}""")
                .statusCode(201);
    }

    private JsonNode search(String body) throws Exception {
        return JSON.readTree(post(col + "/search", body).statusCode(200).extract().asString());
    }

    /**
     * Lucene's BM25 (k1 1.2, b 0.75) of one query term: 4 documents with text, 10 terms in all, {@code df}
     * documents with the term; lengths up to 40 are stored exactly.
     */
    private static float bm25(int df, int freq, int length) {
        float idf = (float) Math.log(1 + (4 - df + 0.5D) / (df + 0.5D));
        float avgdl = (float) (10 / 4.0);
        float normInverse = 1f / (1.2f * ((1 - 0.75f) + 0.75f * length / avgdl));
        return idf - idf / (1f + freq * normInverse);
    }

    @Test
    void textKnnOnDocumentRanksByBm25ScoredNegated() throws Exception {
        JsonNode r = search("""
                {"searches": [{"rank": {"$knn": {"query": "APPLE?", "key": "#document"}},
                               "select": {"keys": ["#score", "#document"]}}]}""");
        assertEquals(JSON.readTree("[[\"e\", \"a\"]]"), r.get("ids"));
        assertEquals(-bm25(2, 2, 4), r.get("scores").get(0).get(0).floatValue());
        assertEquals(-bm25(2, 1, 2), r.get("scores").get(0).get(1).floatValue());
        assertEquals("Apple crumble with apple", r.get("documents").get(0).get(0).asText());
        JsonNode two = search("""
                {"searches": [{"rank": {"$knn": {"query": "apple tart", "key": "#document", "limit": 1}},
                               "select": {"keys": ["#score"]}}]}""");
        // "tart" is rarer than "apple": c's score is bm25(tart) alone and beats e's.
        assertEquals(JSON.readTree("[[\"c\"]]"), two.get("ids"));
        assertEquals(-bm25(1, 1, 2), two.get("scores").get(0).get(0).floatValue());
    }

    @Test
    void bm25FusesWithDenseByRrfAndHonoursTheFilter() throws Exception {
        JsonNode r = search("""
                {"searches": [{
                   "rank": {"$mul": [{"$val": -1}, {"$sum": [
                       {"$div": {"left": {"$val": 1}, "right": {"$sum": [{"$val": 60},
                           {"$knn": {"query": [3, 0], "limit": 2, "default": 100, "return_rank": true}}]}}},
                       {"$div": {"left": {"$val": 1}, "right": {"$sum": [{"$val": 60},
                           {"$knn": {"query": "apple", "key": "#document", "limit": 2, "default": 100,
                                     "return_rank": true}}]}}}]}]},
                   "select": {"keys": ["#score"]}},
                  {"filter": {"kind": "fruit"}, "rank": {"$knn": {"query": "apple", "key": "#document"}}}]}""");
        // Dense ranks: d 0, c 1; BM25 ranks: e 0, a 1. d and e tie, as do c and a: ties break by insertion order.
        assertEquals(JSON.readTree("[[\"d\", \"e\", \"a\", \"c\"], [\"a\"]]"), r.get("ids"));
        float first = -(1f / 60f + 1f / 160f);
        float second = -(1f / 61f + 1f / 160f);
        assertEquals(JSON.readTree("[" + first + ", " + first + ", " + second + ", " + second + "]"),
                r.get("scores").get(0));
    }

    @Test
    void theLargestTextQueryWithAFilterIsAnswered() throws Exception {
        // 1024 terms, the most allowed, with a filter (Bm25CandidatesTest covers the same over a compacted index, where
        // terms and filter together pass Lucene's clause limit).
        post(col + "/upsert", "{\"ids\": [\"f\"], \"embeddings\": [[5, 0]], \"documents\": [\"apple w0 w1\"]}")
                .statusCode(200);
        String terms = IntStream.range(0, 1023).mapToObj(i -> "w" + i).collect(Collectors.joining(" "));
        JsonNode r = search("{\"searches\": [{\"filter\": {\"$or\": [{\"kind\": \"fruit\"}, {\"kind\": \"baked\"}]},"
                + " \"rank\": {\"$knn\": {\"query\": \"apple " + terms + "\", \"key\": \"#document\"}}}]}");
        assertEquals(JSON.readTree("[[\"e\", \"a\"]]"), r.get("ids"));
    }

    @Test
    void emptyOrOversizedTextQueriesAreRefusedWith400() {
        String path = "Validation error: searches[0].rank.$knn.query: ";
        assertError(post(col + "/search", "{\"searches\": [{\"rank\": {\"$knn\": {\"query\": \"\", \"key\": \"#document\"}}}]}"),
                400, "InvalidArgumentError", path + "text query for #document has no searchable words");
        assertError(post(col + "/search", "{\"searches\": [{\"rank\": {\"$knn\": {\"query\": \" ?! \", \"key\": \"#document\"}}}]}"),
                400, "InvalidArgumentError", path + "text query for #document has no searchable words");
        String longText = "apple ".repeat(3000);
        assertError(post(col + "/search", "{\"searches\": [{\"rank\": {\"$knn\": {\"query\": \"" + longText
                        + "\", \"key\": \"#document\"}}}]}"),
                400, "InvalidArgumentError", path + "text query of 18000 characters exceeds the maximum of 16384");
        String manyTerms = IntStream.range(0, 1025).mapToObj(i -> "w" + i).collect(Collectors.joining(" "));
        assertError(post(col + "/search", "{\"searches\": [{\"rank\": {\"$knn\": {\"query\": \"" + manyTerms
                        + "\", \"key\": \"#document\"}}}]}"),
                400, "InvalidArgumentError", path + "text query has 1025 distinct terms, more than the maximum of 1024");
        assertEquals("5", get(col + "/count").statusCode(200).extract().asString(), "nothing stored changed");
    }
}
