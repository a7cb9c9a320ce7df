package io.vermilion.api;

import static io.vermilion.api.ApiTestSupport.assertError;
import static io.vermilion.api.ApiTestSupport.get;
import static io.vermilion.api.ApiTestSupport.post;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vermilion.sysdb.PostgresResource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Record writes and reads refuse bad input with Chroma's status and words, and leave the stored data untouched. */
@QuarkusTest
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
class RecordValidationTest {

    private String col;

    @BeforeEach
    void collectionWithOneRecord() {
        col = TestCollections.create("val");
        post(col + "/add", "{\"ids\":[\"keep\"],\"embeddings\":[[1,2,3]],\"documents\":[\"kept\"]}").statusCode(201);
    }

    private void assertUntouched() {
        get(col + "/count").statusCode(200).body(equalTo("1"));
        post(col + "/get", "{\"include\":[\"documents\",\"embeddings\"]}").statusCode(200)
                .body("ids", contains("keep")).body("documents", contains("kept"))
                .body("embeddings[0]", contains(1.0f, 2.0f, 3.0f));
    }

    @Test
    void oneBadRecordWritesNothing() {
        assertError(post(col + "/add", "{\"ids\":[\"a\",\"b\"],\"embeddings\":[[1,2,3],[1,2]]}"), 400,
                "InvalidArgumentError", "Inconsistent dimensions in provided embeddings");
        assertError(post(col + "/add", "{\"ids\":[\"a\",\"\"],\"embeddings\":[[1,2,3],[1,2,3]]}"), 400,
                "InvalidArgumentError", "Empty ID, ID must have at least one character");
        assertError(post(col + "/add", "{\"ids\":[\"a\",\"b\"],\"embeddings\":[[1,2,3]]}"), 400,
                "InvalidArgumentError", "Inconsistent number of IDs, embeddings, documents, URIs and metadatas");
        assertError(post(col + "/upsert", "{\"ids\":[\"keep\",\"b\"],\"embeddings\":[[1,2,3],[1e40,0,0]]}"), 400,
                "InvalidArgumentError", "Validation error: embeddings: Embeddings must not contain NaN or Infinity values");
        assertError(post(col + "/add", "{\"ids\":[\"a\"],\"embeddings\":[[]]}"), 400, "InvalidArgumentError",
                "Validation error: embeddings: Each embedding must have at least 1 dimension");
        assertError(post(col + "/add", "{\"ids\":[\"a\",\"b\"],\"embeddings\":[[1,2,3],[1,2,3]],"
                + "\"metadatas\":[{\"ok\":1},{\"$bad\":1}]}"), 400, "InvalidArgumentError",
                "Validation error: metadatas: Invalid metadata at index 1");
        assertError(post(col + "/add", "{\"ids\":[\"a\"],\"embeddings\":[[1,2]]}"), 400, "InvalidArgumentError",
                "Collection expecting embedding with dimension of 3, got 2");
        assertError(post(col + "/update", "{\"ids\":[\"keep\"],\"documents\":[\"changed\"],\"embeddings\":[[1,2]]}"),
                400, "InvalidArgumentError", "Collection expecting embedding with dimension of 3, got 2");
        assertUntouched();
    }

    @Test
    void wrongShapesAre422() {
        assertError(post(col + "/add", "{\"ids\":[\"a\"]}"), 422, "ChromaError",
                "Failed to deserialize the JSON body into the target type: missing field `embeddings`");
        post(col + "/add", "{\"ids\":[\"a\"],\"embeddings\":[null]}").statusCode(422);
        post(col + "/add", "{\"ids\":[\"a\"],\"embeddings\":[[1,2,3]],\"metadatas\":[{\"o\":{\"x\":1}}]}").statusCode(422);
        post(col + "/add", "{\"ids\":[\"a\"],\"embeddings\":[[1,2,3]],\"metadatas\":[{\"n\":null}]}").statusCode(422);
        post(col + "/add", "{\"ids\":[\"a\"],\"embeddings\":[[1,2,3]],\"metadatas\":[{\"m\":[1,\"x\"]}]}").statusCode(422);
        assertError(post(col + "/get", "{\"include\":[\"data\"]}"), 422, "ChromaError",
                "Failed to deserialize the JSON body into the target type: include[0]: unknown variant `data`, "
                        + "expected one of `distances`, `documents`, `embeddings`, `metadatas`, `uris`");
        assertError(post(col + "/get", "{\"limit\":-1}"), 422, "ChromaError",
                "Failed to deserialize the JSON body into the target type: limit: invalid value: integer `-1`, expected u32");
        assertError(post(col + "/query", "{\"n_results\":1}"), 422, "ChromaError",
                "Failed to deserialize the JSON body into the target type: missing field `query_embeddings`");
        assertError(post(col + "/get", ""), 400, "InvalidArgumentError",
                "Failed to parse the request body as JSON: EOF while parsing a value at line 1 column 0");
        assertUntouched();
    }

    @Test
    void base64EmbeddingsAreLittleEndianFloat32() {
        // [0.5, 1.5, -2] as little-endian float32
        post(col + "/add", "{\"ids\":[\"b64\"],\"embeddings\":[\"AAAAPwAAwD8AAADA\"]}").statusCode(201);
        post(col + "/get", "{\"ids\":[\"b64\"],\"include\":[\"embeddings\"]}").statusCode(200)
                .body("embeddings[0]", contains(0.5f, 1.5f, -2.0f));
        assertError(post(col + "/add", "{\"ids\":[\"x\"],\"embeddings\":[\"AAA=\"]}"), 400, "InvalidArgumentError",
                "Invalid byte length: 2 bytes cannot be converted to f32 values (must be divisible by 4)");
        post(col + "/add", "{\"ids\":[\"x\"],\"embeddings\":[\"!!!!\"]}").statusCode(400)
                .body("error", equalTo("InvalidArgumentError"));
        post(col + "/add", "{\"ids\":[\"x\",\"y\"],\"embeddings\":[\"AAAAPwAAwD8AAADA\",[1,2,3]]}").statusCode(422);
        assertError(post(col + "/query", "{\"query_embeddings\":[\"AAAAPwAAwD8AAADA\"]}"), 422, "ChromaError",
                "Failed to deserialize the JSON body into the target type: query_embeddings[0]: invalid type: "
                        + "string \"AAAAPwAAwD8AAADA\", expected a sequence");
        get(col + "/count").statusCode(200).body(equalTo("2"));
    }

    @Test
    void aRecordWithAUriAndNoMetadataShowsAnEmptyMetadataObjectAsChromaDoes() {
        post(col + "/add", "{\"ids\":[\"u\",\"n\"],\"embeddings\":[[1,0,0],[0,1,0]],\"uris\":[\"s3://b/k\",null]}")
                .statusCode(201);
        post(col + "/get", "{\"ids\":[\"u\",\"n\"],\"include\":[\"metadatas\",\"uris\"]}").statusCode(200)
                .body("ids", contains("u", "n"))
                .body("metadatas[0].size()", equalTo(0))
                .body("metadatas[1]", nullValue())
                .body("uris", contains("s3://b/k", null));
        post(col + "/query", "{\"query_embeddings\":[[1,0,0]],\"n_results\":1,\"include\":[\"metadatas\"]}")
                .statusCode(200)
                .body("ids[0]", contains("u"))
                .body("metadatas[0][0].size()", equalTo(0));
    }

    @Test
    void filtersAreValidated() {
        assertError(post(col + "/get", "{\"where\":{\"a\":1,\"b\":2}}"), 400, "InvalidArgumentError",
                "Invalid where clause");
        assertError(post(col + "/get", "{\"where\":{\"a\":{\"$gt\":\"x\"}}}"), 400, "InvalidArgumentError",
                "Invalid where clause");
        assertError(post(col + "/get", "{\"where_document\":{\"$contains\":1}}"), 400, "InvalidArgumentError",
                "Invalid where document clause");
        post(col + "/get", "{\"where_document\":{\"$regex\":\"[\"}}").statusCode(400)
                .body("message", org.hamcrest.Matchers.startsWith("Regex syntax errror: "));
        assertError(post(col + "/delete", "{\"where\":{\"$not\":1}}"), 400, "InvalidArgumentError",
                "Invalid where clause");
        assertUntouched();
    }

    @Test
    void deleteRulesFollowChroma() {
        post(col + "/delete", "{}").statusCode(200).body("deleted", equalTo(0));
        assertError(post(col + "/delete", "{\"ids\":[]}"), 400, "InvalidArgumentError",
                "Validation error: ids, where: Either ids or where must be specified");
        assertError(post(col + "/delete", "{\"ids\":[\"keep\"],\"limit\":1}"), 400, "InvalidArgumentError",
                "Validation error: limit, where: limit can only be specified when a where clause is provided");
        assertUntouched();
        post(col + "/delete", "{\"ids\":[\"nope\",\"nope\"]}").statusCode(200).body("deleted", equalTo(2));
        post(col + "/add", "{\"ids\":[\"a\",\"b\",\"c\"],\"embeddings\":[[1,1,1],[2,2,2],[3,3,3]],"
                + "\"metadatas\":[{\"k\":1},{\"k\":1},{\"k\":2}]}").statusCode(201);
        post(col + "/delete", "{\"where\":{\"k\":1},\"limit\":1}").statusCode(200).body("deleted", equalTo(1));
        post(col + "/get", "{}").statusCode(200).body("ids", contains("keep", "b", "c"));
        post(col + "/delete", "{\"ids\":[\"c\",\"keep\"],\"where\":{\"k\":2}}").statusCode(200).body("deleted", equalTo(1));
        post(col + "/get", "{}").statusCode(200).body("ids", contains("keep", "b"));
    }

    @Test
    void limitsAreRefusedAsQuotaErrors() {
        String longId = "x".repeat(129);
        assertError(post(col + "/add", "{\"ids\":[\"" + longId + "\"],\"embeddings\":[[1,2,3]]}"), 422, "ChromaError",
                "Quota exceeded: 'ID size (bytes)' exceeded quota limit for action 'Add': current usage of 129 "
                        + "exceeds limit of 128");
        String longDoc = "d".repeat(16385);
        assertError(post(col + "/upsert", "{\"ids\":[\"keep\"],\"embeddings\":[[1,2,3]],\"documents\":[\"" + longDoc
                + "\"]}"), 422, "ChromaError", "Quota exceeded: 'Document size (bytes)' exceeded quota limit for action "
                + "'Upsert': current usage of 16385 exceeds limit of 16384");
        assertUntouched();
    }

    /**
     * Issue 10: a 100,000-dimension embedding was accepted with auth off and every later compaction of its collection
     * failed. What the vector index cannot hold is refused on every write and on query, and nothing is stored.
     */
    @Test
    void embeddingsWiderThanTheIndexCanHoldAreRefused() {
        String name = ApiTestSupport.uniqueName("wide");
        String fresh = TestCollections.createNamed(name, "");
        int max = io.vermilion.index.IndexSchema.MAX_DIMENSIONS;
        String tooWide = zeros(100_000);
        String message = "Validation error: embeddings: Embedding dimension 100000 exceeds the maximum of " + max
                + " this server can index";
        assertError(post(fresh + "/add", "{\"ids\":[\"a\"],\"embeddings\":[" + tooWide + "]}"), 400,
                "InvalidArgumentError", message);
        assertError(post(fresh + "/upsert", "{\"ids\":[\"a\"],\"embeddings\":[" + tooWide + "]}"), 400,
                "InvalidArgumentError", message);
        assertError(post(fresh + "/update", "{\"ids\":[\"a\"],\"embeddings\":[" + tooWide + "]}"), 400,
                "InvalidArgumentError", message);
        assertError(post(fresh + "/add", "{\"ids\":[\"a\"],\"embeddings\":[" + zeros(max + 1) + "]}"), 400,
                "InvalidArgumentError", "Validation error: embeddings: Embedding dimension " + (max + 1)
                        + " exceeds the maximum of " + max + " this server can index");
        assertError(post(fresh + "/query", "{\"query_embeddings\":[" + tooWide + "]}"), 400, "InvalidArgumentError",
                "Validation error: query_embeddings: Embedding dimension 100000 exceeds the maximum of " + max
                        + " this server can index");
        get(fresh + "/count").statusCode(200).body(equalTo("0"));
        String byName = "/api/v2/tenants/default_tenant/databases/default_database/collections/" + name;
        get(byName).statusCode(200).body("dimension", nullValue());

        post(fresh + "/add", "{\"ids\":[\"widest\"],\"embeddings\":[" + zeros(max) + "]}").statusCode(201);
        get(fresh + "/count").statusCode(200).body(equalTo("1"));
        get(byName).statusCode(200).body("dimension", equalTo(max));
    }

    private static String zeros(int dimension) {
        return "[" + String.join(",", java.util.Collections.nCopies(dimension, "0")) + "]";
    }

    @Test
    void readsOfAMissingCollectionAre404() {
        String missing = "/api/v2/tenants/default_tenant/databases/default_database/collections/"
                + "00000000-0000-4000-8000-0000000000aa";
        assertError(post(missing + "/get", "{}"), 404, "NotFoundError",
                "Collection [00000000-0000-4000-8000-0000000000aa] does not exist");
        assertError(post(missing + "/add", "{\"ids\":[\"a\"],\"embeddings\":[[1]]}"), 404, "NotFoundError",
                "Collection [00000000-0000-4000-8000-0000000000aa] does not exist");
        assertError(get(missing.replace("00000000-0000-4000-8000-0000000000aa", "not-a-uuid") + "/count"), 400,
                "InvalidArgumentError", "Collection ID is not a valid UUIDv4");
        assertError(get(col + "/count?read_level=bogus"), 400, "InvalidArgumentError",
                "Failed to deserialize query string: read_level: unknown variant `bogus`, expected one of "
                        + "`index_and_wal`, `index_only`, `index_and_bounded_wal`");
    }

    @Test
    void queryEdgeCases() {
        post(col + "/query", "{\"query_embeddings\":[[1,2,3]],\"n_results\":5,\"include\":[]}").statusCode(200)
                .body("ids[0]", contains("keep")).body("distances", nullValue()).body("documents", nullValue());
        post(col + "/query", "{\"query_embeddings\":[[1,2,3]],\"n_results\":0}").statusCode(200)
                .body("ids", contains(org.hamcrest.Matchers.empty()));
        post(col + "/query", "{\"query_embeddings\":[]}").statusCode(200).body("ids", org.hamcrest.Matchers.empty());
        post(col + "/query", "{\"query_embeddings\":[[1,2,3]],\"ids\":[]}").statusCode(200)
                .body("ids", contains(org.hamcrest.Matchers.empty()));
        assertError(post(col + "/query", "{\"query_embeddings\":[[1,2]]}"), 400, "InvalidArgumentError",
                "Collection expecting embedding with dimension of 3, got 2");
    }
}
