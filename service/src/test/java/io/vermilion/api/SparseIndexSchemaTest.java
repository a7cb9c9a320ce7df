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
import org.junit.jupiter.api.Test;

/**
 * Sparse vector indexes in a collection schema over HTTP: accepted on a metadata key, stored and returned as Chroma
 * returns them, bad configs refused with Chroma's 4xx (nothing stored), a sparse {@code $knn} only over an indexed
 * key, and {@code bm25: true} applying IDF to the query on the server.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
class SparseIndexSchemaTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DB = "/api/v2/tenants/default_tenant/databases/default_database";

    private static String create(String name, String keys) {
        String id = post(DB + "/collections", "{\"name\":\"" + name + "\",\"schema\":{\"keys\":" + keys + "}}")
                .statusCode(200).extract().path("id");
        return DB + "/collections/" + id;
    }

    private static String sparseIndex(String config) {
        return "{\"sparse_vector\":{\"sparse_vector_index\":{\"enabled\":true,\"config\":" + config + "}}}";
    }

    @Test
    void sparseIndexesOnKeysAreAcceptedStoredAndReturned() throws Exception {
        String name = ApiTestSupport.uniqueName("sparse-schema");
        String bm25Config = "{\"embedding_function\":{\"type\":\"known\",\"name\":\"chroma_bm25\",\"config\":{}},"
                + "\"source_key\":\"#document\",\"bm25\":true}";
        JsonNode created = JSON.readTree(post(DB + "/collections", "{\"name\":\"" + name + "\",\"schema\":{\"keys\":{"
                + "\"bm25_vec\":" + sparseIndex(bm25Config) + ",\"splade\":" + sparseIndex("{\"algorithm\":\"max_score\"}")
                + ",\"plain\":" + sparseIndex("{\"algorithm\":\"wand\"}") + "}}}").statusCode(200).extract().asString());
        JsonNode expectedBm25 = JSON.readTree("{\"sparse_vector\":{\"sparse_vector_index\":{\"enabled\":true,\"config\":"
                + bm25Config + "}}}");
        assertEquals(expectedBm25, created.path("schema").path("keys").path("bm25_vec"));
        assertEquals(JSON.readTree(sparseIndex("{\"algorithm\":\"max_score\"}")),
                created.path("schema").path("keys").path("splade"));
        // Chroma leaves the default algorithm out.
        assertEquals(JSON.readTree(sparseIndex("{}")), created.path("schema").path("keys").path("plain"));
        // The defaults stay Chroma's: no sparse index unless on a key.
        assertEquals(false, created.path("schema").path("defaults").path("sparse_vector").path("sparse_vector_index")
                .path("enabled").asBoolean(true));
        JsonNode fetched = JSON.readTree(get(DB + "/collections/" + name).statusCode(200).extract().asString());
        assertEquals(created.path("schema"), fetched.path("schema"));
        JsonNode byId = JSON.readTree(get(DB + "/collections/by-id/" + created.path("id").asText()).statusCode(200)
                .extract().asString());
        assertEquals(created.path("schema"), byId.path("schema"));
    }

    @Test
    void badSparseIndexConfigsAreRefusedWithChromasErrorsAndNothingIsStored() {
        String before = get(DB + "/collections_count").statusCode(200).extract().asString();
        String path = "schema.keys.s.sparse_vector.sparse_vector_index.config";
        String prefix = "Failed to deserialize the JSON body into the target type: ";
        assertError(post(DB + "/collections", "{\"name\":\"bad1\",\"schema\":{\"keys\":{\"s\":"
                        + sparseIndex("{\"foo\":1}") + "}}}"), 422, "ChromaError",
                prefix + path + ": unknown field `foo`, expected one of `embedding_function`, `source_key`, `bm25`, "
                        + "`algorithm`");
        assertError(post(DB + "/collections", "{\"name\":\"bad2\",\"schema\":{\"keys\":{\"s\":"
                        + sparseIndex("{\"bm25\":\"yes\"}") + "}}}"), 422, "ChromaError",
                prefix + path + ".bm25: invalid type: string \"yes\", expected a boolean");
        assertError(post(DB + "/collections", "{\"name\":\"bad3\",\"schema\":{\"keys\":{\"s\":"
                        + sparseIndex("{\"algorithm\":\"fast\"}") + "}}}"), 422, "ChromaError",
                prefix + path + ".algorithm: unknown variant `fast`, expected `wand` or `max_score`");
        assertError(post(DB + "/collections", "{\"name\":\"bad4\",\"schema\":{\"keys\":{\"s\":"
                        + sparseIndex("{\"source_key\":\"text\"}") + "}}}"), 400, "InvalidArgumentError",
                "Validation error: schema: If source_key is provided then embedding_function must also be provided "
                        + "since there is no default embedding function.");
        assertError(post(DB + "/collections", "{\"name\":\"bad5\",\"schema\":{\"keys\":{\"s\":"
                        + sparseIndex("{\"source_key\":\"#embedding\",\"embedding_function\":{\"type\":\"unknown\"}}")
                        + "}}}"), 400, "InvalidArgumentError",
                "Validation error: schema: source_key cannot begin with '#'. The only valid key starting with '#' is "
                        + "Key.DOCUMENT or '#document'.");
        assertError(post(DB + "/collections", "{\"name\":\"bad6\",\"schema\":{\"keys\":{\"#document\":"
                        + sparseIndex("{}") + "}}}"), 400, "InvalidArgumentError",
                "Validation error: schema: Document field cannot have any value types other than string: #document");
        assertError(post(DB + "/collections", "{\"name\":\"bad7\",\"schema\":{\"keys\":{\"#secret\":"
                        + sparseIndex("{}") + "}}}"), 400, "InvalidArgumentError",
                "Validation error: schema: key cannot begin with '#'. Keys starting with '#' are reserved for system "
                        + "use: #secret");
        assertError(post(DB + "/collections", "{\"name\":\"bad8\",\"schema\":{\"keys\":{\"s\":"
                        + "{\"sparse_vector\":{\"sparse_vector_index\":{\"enabled\":true,\"config\":[]}}}}}}"),
                422, "ChromaError", prefix + path + ": invalid type: sequence, expected a map");
        assertEquals(before, get(DB + "/collections_count").statusCode(200).extract().asString());
    }

    @Test
    void indexesEnabledInTheDefaultsOrOnTheWrongKeyGetChromasValidationErrorsAndNothingIsStored() {
        String before = get(DB + "/collections_count").statusCode(200).extract().asString();
        String prefix = "Validation error: schema: ";
        // As Chroma's validate_schema (rust/types/src/validators.rs), after the schema deserialized.
        assertError(post(DB + "/collections", "{\"name\":\"defaults1\",\"schema\":{\"defaults\":"
                        + sparseIndex("{\"bm25\":true}") + ",\"keys\":{}}}"), 400, "InvalidArgumentError",
                prefix + "Sparse vector index cannot be enabled by default. Please enable sparse vector index on "
                        + "specific keys.");
        // A bad config in the defaults fails to deserialize first (422), as on Chroma.
        assertError(post(DB + "/collections", "{\"name\":\"defaults2\",\"schema\":{\"defaults\":"
                        + sparseIndex("{\"bm25\":1}") + ",\"keys\":{}}}"), 422, "ChromaError",
                "Failed to deserialize the JSON body into the target type: "
                        + "schema.defaults.sparse_vector.sparse_vector_index.config.bm25: invalid type: integer `1`, "
                        + "expected a boolean");
        assertError(post(DB + "/collections", "{\"name\":\"defaults3\",\"schema\":{\"defaults\":{\"float_list\":"
                        + "{\"vector_index\":{\"enabled\":true,\"config\":{}}}},\"keys\":{}}}"), 400,
                "InvalidArgumentError", prefix + "Vector index cannot be enabled by default. It can only be enabled "
                        + "on #embedding field.");
        assertError(post(DB + "/collections", "{\"name\":\"defaults4\",\"schema\":{\"defaults\":{\"string\":"
                        + "{\"fts_index\":{\"enabled\":true,\"config\":{}}}},\"keys\":{}}}"), 400,
                "InvalidArgumentError", prefix + "Full text search / regular expression index cannot be enabled by "
                        + "default. It can only be enabled on #document field.");
        assertError(post(DB + "/collections", "{\"name\":\"defaults5\",\"schema\":{\"defaults\":{},\"keys\":"
                        + "{\"title\":{\"string\":{\"fts_index\":{\"enabled\":true,\"config\":{}}}}}}}"), 400,
                "InvalidArgumentError", prefix + "Full text search / regular expression index can only be enabled on "
                        + "#document field: title");
        assertError(post(DB + "/collections", "{\"name\":\"defaults6\",\"schema\":{\"defaults\":{},\"keys\":"
                        + "{\"v\":{\"float_list\":{\"vector_index\":{\"enabled\":true,\"config\":{}}}}}}}"), 400,
                "InvalidArgumentError", prefix + "Vector index can only be enabled on #embedding field: v");
        assertError(post(DB + "/collections", "{\"name\":\"defaults7\",\"schema\":{\"defaults\":{},\"keys\":"
                        + "{\"#document\":{\"string\":{\"string_inverted_index\":{\"enabled\":true,\"config\":{}}}}}}}"),
                400, "InvalidArgumentError",
                prefix + "String inverted index can not be enabled on #document key: #document");
        // Disabled in the defaults, it is what Chroma's defaults hold: accepted.
        String name = ApiTestSupport.uniqueName("defaults-off");
        post(DB + "/collections", "{\"name\":\"" + name + "\",\"schema\":{\"defaults\":{\"sparse_vector\":"
                + "{\"sparse_vector_index\":{\"enabled\":false,\"config\":{}}}},\"keys\":{}}}").statusCode(200);
        assertEquals(Integer.parseInt(before) + 1,
                Integer.parseInt(get(DB + "/collections_count").statusCode(200).extract().asString()));
    }

    @Test
    void sparseKnnOverAKeyWithoutASparseIndexIsRefusedAsOnChroma() throws Exception {
        String col = create(ApiTestSupport.uniqueName("sparse-knn"), "{\"indexed\":" + sparseIndex("{}") + "}");
        post(col + "/add", """
                {"ids": ["a", "b"], "embeddings": [[1, 0], [0, 1]],
                 "metadatas": [{"indexed": {"indices": [1], "values": [2]}, "other": {"indices": [1], "values": [2]}},
                               {"indexed": {"indices": [1, 3], "values": [1, 1]}}]}""").statusCode(201);
        assertError(post(col + "/search", "{\"searches\": [{\"rank\": {\"$knn\": {\"query\": "
                        + "{\"indices\": [1], \"values\": [1]}, \"key\": \"other\"}}}]}"), 400, "InvalidArgumentError",
                "Cannot filter using metadata key 'other' with type 'SparseVector' because indexing is disabled");
        JsonNode r = JSON.readTree(post(col + "/search", "{\"searches\": [{\"rank\": {\"$knn\": {\"query\": "
                + "{\"indices\": [1], \"values\": [1]}, \"key\": \"indexed\"}}, \"select\": {\"keys\": [\"#score\"]}}]}")
                .statusCode(200).extract().asString());
        assertEquals(JSON.readTree("[[\"a\", \"b\"]]"), r.get("ids"));
        assertEquals(JSON.readTree("[[-1.0, 0.0]]"), r.get("scores"));
    }

    @Test
    void bm25SparseIndexScalesTheQueryByIdfOnTheServer() throws Exception {
        String records = """
                {"ids": ["a", "b", "c", "d"], "embeddings": [[1, 0], [0, 1], [1, 1], [2, 1]],
                 "metadatas": [{"v": {"indices": [1, 2], "values": [1.5, 0.5]}},
                               {"v": {"indices": [2], "values": [2.0]}},
                               {"v": {"indices": [2, 7], "values": [1.0, 1.0]}},
                               {"n": 1}]}""";
        String bm25 = create(ApiTestSupport.uniqueName("bm25-idf"), "{\"v\":" + sparseIndex("{\"bm25\":true}") + "}");
        String raw = create(ApiTestSupport.uniqueName("bm25-raw"), "{\"v\":" + sparseIndex("{\"bm25\":false}") + "}");
        post(bm25 + "/add", records).statusCode(201);
        post(raw + "/add", records).statusCode(201);
        String search = "{\"searches\": [{\"rank\": {\"$knn\": {\"query\": {\"indices\": [1, 2], \"values\": [1, 1]},"
                + " \"key\": \"v\"}}, \"select\": {\"keys\": [\"#score\"]}}]}";
        // n = 4 records; index 1 is in 1 of them, index 2 in 3: idf = ln(1 + (n - n_t + 0.5) / (n_t + 0.5)).
        float idf1 = (float) Math.log1p((4f - 1f + 0.5f) / (1f + 0.5f));
        float idf2 = (float) Math.log1p((4f - 3f + 0.5f) / (3f + 0.5f));
        float a = 1.0f - (idf1 * 1.5f + idf2 * 0.5f);
        float b = 1.0f - idf2 * 2.0f;
        float c = 1.0f - idf2 * 1.0f;
        JsonNode scaled = JSON.readTree(post(bm25 + "/search", search).statusCode(200).extract().asString());
        assertEquals(JSON.readTree("[[\"a\", \"b\", \"c\"]]"), scaled.get("ids"));
        assertEquals(JSON.readTree("[[" + a + ", " + b + ", " + c + "]]"), scaled.get("scores"));
        JsonNode plain = JSON.readTree(post(raw + "/search", search).statusCode(200).extract().asString());
        // Without bm25 the query is used as given: a = 1 - 2 = -1 and b = 1 - 2 = -1 tie (a is older), c = 0.
        assertEquals(JSON.readTree("[[\"a\", \"b\", \"c\"]]"), plain.get("ids"));
        assertEquals(JSON.readTree("[[-1.0, -1.0, 0.0]]"), plain.get("scores"));
    }
}
