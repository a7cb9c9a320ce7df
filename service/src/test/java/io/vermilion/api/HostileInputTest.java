package io.vermilion.api;

import static io.restassured.RestAssured.given;
import static io.vermilion.api.ApiTestSupport.assertError;
import static io.vermilion.api.ApiTestSupport.get;
import static io.vermilion.api.ApiTestSupport.post;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import io.vermilion.sysdb.PostgresResource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Text the catalog or the log cannot keep (NUL, unpaired surrogates), numbers out of range, malformed
 * configurations and empty query values are refused with Chroma's 4xx before anything is stored.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
class HostileInputTest {

    private static final String DB = "/api/v2/tenants/default_tenant/databases/default_database";
    private String colId;
    private String col;

    /** A request whose path is sent exactly as written (percent escapes included). */
    private static ValidatableResponse raw(String method, String path, String body) {
        var spec = given().urlEncodingEnabled(false).contentType("application/json");
        if (body != null) {
            spec = spec.body(body);
        }
        return spec.request(method, path).then();
    }

    @BeforeEach
    void collectionWithOneRecord() {
        String name = ApiTestSupport.uniqueName("hostile");
        colId = post(DB + "/collections", "{\"name\":\"" + name + "\"}").statusCode(200).extract().path("id");
        col = DB + "/collections/" + colId;
        post(col + "/add", "{\"ids\":[\"keep\"],\"embeddings\":[[1,2,3]],\"documents\":[\"kept\"],"
                + "\"metadatas\":[{\"f\":1.5}]}").statusCode(201);
    }

    private void assertUntouched() {
        get(col + "/count").statusCode(200).body(equalTo("1"));
        post(col + "/get", "{\"include\":[\"documents\",\"metadatas\"]}").statusCode(200)
                .body("ids", contains("keep")).body("documents", contains("kept")).body("metadatas[0].f", equalTo(1.5f));
    }

    @Test
    void nulInATenantNameIsRefused() {
        assertError(post("/api/v2/tenants", "{\"name\":\"evil\\u0000tenant\"}"), 400, "InvalidArgumentError",
                "Validation error: name: must not contain the NUL character (U+0000)");
    }

    @Test
    void tenantNamesFollowChromasRuleWithinAnIndexableLength() {
        String longest = "\uD83D\uDE00".repeat(Names.TENANT_MAX);
        String tooLong = longest + "x";
        assertError(post("/api/v2/tenants", "{\"name\":\"" + tooLong + "\"}"), 400, "InvalidArgumentError",
                "Validation error: name: Validation error: length [{\"max\": Number(512), \"value\": String(\"" + tooLong + "\")}]");
        assertError(post("/api/v2/admin/keys", "{\"tenant\":\"" + tooLong + "\",\"role\":\"read_only\"}"), 400,
                "InvalidArgumentError", "Validation error: tenant: Validation error: length [{\"max\": Number(512), "
                        + "\"value\": String(\"" + tooLong + "\")}]");
        post("/api/v2/tenants", "{\"name\":\"" + longest + "\"}").statusCode(200);
        post("/api/v2/admin/keys", "{\"tenant\":\"" + longest + "\",\"role\":\"read_only\"}").statusCode(200);
        // Chroma's only other rule is the minimum length: punctuation is a name like any other, and stays data.
        String dots = "../../tmp/evil-" + ApiTestSupport.uniqueName("t");
        post("/api/v2/tenants", "{\"name\":\"" + dots + "\"}").statusCode(200);
        raw("GET", "/api/v2/tenants/" + dots.replace("/", "%2F"), null).statusCode(200).body("name", equalTo(dots));
    }

    @Test
    void nulInAPathSegmentIsRefused() {
        assertError(raw("GET", "/api/v2/tenants/evil%00tenant", null), 400, "InvalidArgumentError",
                "Validation error: tenant: must not contain the NUL character (U+0000)");
        assertError(raw("GET", "/api/v2/tenants/default_tenant/databases/evil%00db", null), 400,
                "InvalidArgumentError", "Validation error: database: must not contain the NUL character (U+0000)");
        assertError(raw("POST", "/api/v2/tenants/default_tenant/databases/evil%00db/collections",
                "{\"name\":\"fine-name\"}"), 400, "InvalidArgumentError",
                "Validation error: database: must not contain the NUL character (U+0000)");
        assertError(raw("GET", DB + "/collections/evil%00col", null), 400, "InvalidArgumentError",
                "Validation error: name: must not contain the NUL character (U+0000)");
        assertError(raw("GET", "/api/v2/admin/keys?tenant=evil%00tenant", null), 400, "InvalidArgumentError",
                "Validation error: tenant: must not contain the NUL character (U+0000)");
    }

    @Test
    void nulInAKeysDatabaseListIsRefused() {
        assertError(post("/api/v2/admin/keys",
                "{\"tenant\":\"default_tenant\",\"role\":\"read_only\",\"databases\":[\"db\\u0000x\"]}"), 400,
                "InvalidArgumentError", "Validation error: databases[0]: must not contain the NUL character (U+0000)");
    }

    @Test
    void nulAndLoneSurrogatesInRecordsAreRefused() {
        assertError(post(col + "/add", "{\"ids\":[\"a\\ud800\"],\"embeddings\":[[1,2,3]]}"), 400,
                "InvalidArgumentError", "Failed to parse the request body as JSON: ids[0]: lone surrogate in string");
        assertError(post(col + "/upsert", "{\"ids\":[\"keep\"],\"embeddings\":[[1,2,3]],\"documents\":[\"x\\udc00\"]}"),
                400, "InvalidArgumentError", "Failed to parse the request body as JSON: documents[0]: lone surrogate in string");
        assertError(post(col + "/upsert", "{\"ids\":[\"keep\"],\"embeddings\":[[1,2,3]],\"documents\":[\"x\\u0000\"]}"),
                400, "InvalidArgumentError", "Validation error: documents[0]: must not contain the NUL character (U+0000)");
        assertError(post(col + "/update", "{\"ids\":[\"keep\"],\"metadatas\":[{\"k\\u0000\":1}]}"), 400,
                "InvalidArgumentError", "Validation error: metadatas[0]: must not contain the NUL character (U+0000)");
        assertError(post(col + "/update", "{\"ids\":[\"keep\"],\"uris\":[\"s3://\\u0000\"]}"), 400,
                "InvalidArgumentError", "Validation error: uris[0]: must not contain the NUL character (U+0000)");
        assertUntouched();
    }

    @Test
    void aMetadataFloatOutOfRangeIsRefusedLikeAnEmbedding() {
        assertError(post(col + "/upsert", "{\"ids\":[\"keep\"],\"embeddings\":[[1,2,3]],\"metadatas\":[{\"f\":1e400}]}"),
                400, "InvalidArgumentError", "Failed to parse the request body as JSON: metadatas[0].f: number out of range");
        assertError(post(col + "/upsert", "{\"ids\":[\"keep\"],\"embeddings\":[[1,2,1e400]]}"),
                400, "InvalidArgumentError", "Failed to parse the request body as JSON: embeddings[0][2]: number out of range");
        assertError(post(DB + "/collections", "{\"name\":\"float-meta\",\"metadata\":{\"f\":-1e400}}"),
                400, "InvalidArgumentError", "Failed to parse the request body as JSON: metadata.f: number out of range");
        get(DB + "/collections/float-meta").statusCode(404);
        assertUntouched();
    }

    @Test
    void embeddingFunctionConfigMustBeAnObject() {
        ValidatableResponse r = given().contentType("application/json")
                .body("{\"new_configuration\":{\"embedding_function\":{\"type\":\"known\",\"name\":\"x\",\"config\":[null,null]}}}")
                .put(col).then();
        assertError(r, 422, "ChromaError", "Failed to deserialize the JSON body into the target type: "
                + "new_configuration.embedding_function.config: invalid type: sequence, expected a map");
        assertError(post(DB + "/collections", "{\"name\":\"ef-config\",\"configuration\":{\"embedding_function\":"
                + "{\"type\":\"known\",\"name\":\"x\",\"config\":\"str\"}}}"), 422, "ChromaError",
                "Failed to deserialize the JSON body into the target type: "
                        + "configuration.embedding_function.config: invalid type: string \"str\", expected a map");
        assertError(post(DB + "/collections", "{\"name\":\"ef-config\",\"configuration\":{\"embedding_function\":"
                + "{\"type\":\"known\",\"name\":7,\"config\":{}}}}"), 422, "ChromaError",
                "Failed to deserialize the JSON body into the target type: "
                        + "configuration.embedding_function.name: invalid type: integer `7`, expected a string");
        get(DB + "/collections/ef-config").statusCode(404);
        get(DB + "/collections/by-id/" + colId).statusCode(200).body("configuration_json.embedding_function", equalTo(null));
    }

    @Test
    void emptyQueryValuesAreRefused() {
        assertError(get(DB + "/collections?offset="), 400, "InvalidArgumentError",
                "Failed to deserialize query string: offset: cannot parse integer from empty string");
        assertError(get(DB + "/collections?limit="), 400, "InvalidArgumentError",
                "Failed to deserialize query string: limit: cannot parse integer from empty string");
        assertError(get("/api/v2/tenants/default_tenant/databases?offset="), 400, "InvalidArgumentError",
                "Failed to deserialize query string: offset: cannot parse integer from empty string");
        assertError(get(col + "/count?read_level="), 400, "InvalidArgumentError",
                "Failed to deserialize query string: read_level: unknown variant ``, expected one of `index_and_wal`, "
                        + "`index_only`, `index_and_bounded_wal`");
    }
}
