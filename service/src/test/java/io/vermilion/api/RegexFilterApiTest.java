package io.vermilion.api;

import static io.vermilion.api.ApiTestSupport.assertError;
import static io.vermilion.api.ApiTestSupport.post;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vermilion.sysdb.PostgresResource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code $regex} filters over HTTP: patterns that make a backtracking engine blow up answer with the exact matches,
 * and patterns that cannot be served answer 400 in Chroma's error format before any data is read.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
class RegexFilterApiTest {

    private String col;

    @BeforeEach
    void collectionOfLongRunsOfA() {
        col = TestCollections.create("regex");
        post(col + "/add", "{\"ids\":[\"a16k\",\"a16k-bang\",\"a4k\",\"a4k-b\"],"
                + "\"embeddings\":[[1,0],[0,1],[1,1],[2,1]],\"documents\":[\"" + "a".repeat(16_000) + "\",\""
                + "a".repeat(16_000) + "!\",\"" + "a".repeat(4_000) + "\",\"" + "a".repeat(4_000) + "b\"]}")
                .statusCode(201);
    }

    @Test
    void catastrophicBacktrackingPatternsAnswerWithTheExactMatches() {
        post(col + "/get", "{\"where_document\":{\"$regex\":\"(a+)+$\"}}").statusCode(200)
                .body("ids", contains("a16k", "a4k"));
        post(col + "/get", "{\"where_document\":{\"$regex\":\"(a|aa)+$\"}}").statusCode(200)
                .body("ids", contains("a16k", "a4k"));
        post(col + "/get", "{\"where\":{\"#document\":{\"$not_regex\":\"(a|aa)+$\"}}}").statusCode(200)
                .body("ids", contains("a16k-bang", "a4k-b"));
        post(col + "/query", "{\"query_embeddings\":[[1,0]],\"n_results\":4,"
                + "\"where_document\":{\"$regex\":\"(a|aa)+b$\"}}").statusCode(200)
                .body("ids[0]", contains("a4k-b"));
    }

    @Test
    void unservablePatternsAreInvalidArgumentErrors() {
        assertError(post(col + "/get", "{\"where_document\":{\"$regex\":\"(a)\\\\1\"}}"), 400, "InvalidArgumentError",
                "Regex syntax errror: regex parse error:\n    (a)\\1\n       ^^\nerror: backreferences are not supported");
        assertError(post(col + "/get", "{\"where_document\":{\"$not_regex\":\"a(?=b)\"}}"), 400, "InvalidArgumentError",
                "Regex syntax errror: regex parse error:\n    a(?=b)\n     ^^^\n"
                        + "error: look-around, including look-ahead and look-behind, is not supported");
        assertError(post(col + "/query", "{\"query_embeddings\":[[1,0]],"
                + "\"where_document\":{\"$regex\":\"((a{1000}){1000}){1000}\"}}"), 400, "InvalidArgumentError",
                "Regex syntax errror: Compiled regex exceeds size limit of 5000 instructions.");
        String deep = "(".repeat(300) + "a" + ")".repeat(300);
        post(col + "/get", "{\"where_document\":{\"$regex\":\"" + deep + "\"}}").statusCode(400)
                .body("error", equalTo("InvalidArgumentError"));
        post(col + "/delete", "{\"where_document\":{\"$regex\":\"[a&&b]\"}}").statusCode(400)
                .body("error", equalTo("InvalidArgumentError"));
        post(col + "/get", "{}").statusCode(200).body("ids", contains("a16k", "a16k-bang", "a4k", "a4k-b"));
    }
}
