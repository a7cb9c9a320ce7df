package io.vermilion.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.NonValidationKeyword;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.vermilion.sysdb.PostgresResource;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The server against its contract, {@code openapi/openapi.json}: every operation in the contract is called for
 * real and answers with its documented status and a body that validates against the documented schema; error
 * answers of every route family validate against theirs; the operations of the contract, of this test and of the
 * service's JAX-RS resources are the same set; and the service serves the contract itself.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
class ContractTest {

    /** Where the validator finds the contract; only a name, nothing is fetched from it. */
    private static final String CONTRACT_IRI = "https://contract.vermilion.invalid/openapi.json";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RUN = UUID.randomUUID().toString().substring(0, 8);
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static final String DB = "/api/v2/tenants/{tenant}/databases/{database}";

    /** Every operation the contract must have: a route added on either side alone fails {@link #contractHasExactlyTheseOperations}. */
    private static final Set<String> OPERATIONS = Set.of(
            "GET /api/v2",
            "GET /api/v2/heartbeat",
            "GET /api/v2/version",
            "GET /api/v2/healthcheck",
            "GET /api/v2/pre-flight-checks",
            "GET /api/v2/auth/identity",
            "POST /api/v2/reset",
            "POST /api/v2/tenants",
            "GET /api/v2/tenants/{tenant_name}",
            "PATCH /api/v2/tenants/{tenant_name}",
            "GET /api/v2/tenants/{tenant}/databases",
            "POST /api/v2/tenants/{tenant}/databases",
            "GET /api/v2/tenants/{tenant}/databases/{database}",
            "DELETE /api/v2/tenants/{tenant}/databases/{database}",
            "GET " + DB + "/collections",
            "POST " + DB + "/collections",
            "GET " + DB + "/collections_count",
            "GET " + DB + "/collections/{collection_id}",
            "PUT " + DB + "/collections/{collection_id}",
            "DELETE " + DB + "/collections/{collection_id}",
            "GET " + DB + "/collections/by-id/{collection_id}",
            "GET /api/v2/collections/{crn}",
            "POST " + DB + "/collections/{collection_id}/fork",
            "GET " + DB + "/collections/{collection_id}/fork_count",
            "GET " + DB + "/collections/{collection_id}/versions",
            "POST " + DB + "/collections/{collection_id}/restore",
            "POST " + DB + "/collections/{collection_id}/add",
            "POST " + DB + "/collections/{collection_id}/upsert",
            "POST " + DB + "/collections/{collection_id}/update",
            "POST " + DB + "/collections/{collection_id}/delete",
            "GET " + DB + "/collections/{collection_id}/count",
            "POST " + DB + "/collections/{collection_id}/get",
            "POST " + DB + "/collections/{collection_id}/query",
            "POST " + DB + "/collections/{collection_id}/search",
            "GET " + DB + "/collections/{collection_id}/indexing_status",
            "POST /api/v2/admin/keys",
            "GET /api/v2/admin/keys",
            "DELETE /api/v2/admin/keys/{key_id}",
            "POST /api/v2/admin/backups",
            "POST /api/v2/admin/restores",
            "GET /api/v2/admin/tenants/{tenant}/quotas",
            "PUT /api/v2/admin/tenants/{tenant}/quotas");

    /** Served by the service but deliberately outside the contract. */
    private static final List<String> UNCONTRACTED_PREFIXES = List.of("/api/v1");

    private static JsonNode contract;
    private static JsonSchemaFactory schemas;
    private static SchemaValidatorsConfig validatorConfig;

    @BeforeAll
    static void loadContract() throws IOException {
        String root = System.getProperty("repo.root");
        assertNotNull(root, "surefire sets repo.root to the repository root");
        String text = Files.readString(java.nio.file.Path.of(root, "openapi", "openapi.json"));
        contract = JSON.readTree(text);
        // JSON Schema 2020-12, told that the OpenAPI document's top-level fields are not schema keywords.
        JsonMetaSchema dialect = JsonMetaSchema.builder(JsonMetaSchema.getV202012())
                .keywords(Stream.of("openapi", "info", "jsonSchemaDialect", "servers", "tags", "paths", "webhooks",
                                "components", "security", "externalDocs")
                        .map(NonValidationKeyword::new)
                        .toList())
                .build();
        schemas = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012, b -> b
                .metaSchema(dialect)
                .schemaLoaders(l -> l.schemas(Map.of(CONTRACT_IRI, text))));
        validatorConfig = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
    }

    // ---- the contract's own shape ----

    @Test
    void contractHasExactlyTheseOperations() {
        assertEquals(new TreeSet<>(OPERATIONS), new TreeSet<>(contractOperations().keySet()));
    }

    @Test
    void serviceRoutesAreExactlyTheContractsOperations() throws Exception {
        Set<String> served = new TreeSet<>();
        for (Class<?> type : serviceClasses()) {
            Path classPath = type.getAnnotation(Path.class);
            for (Method m : type.getDeclaredMethods()) {
                String verb = httpMethod(m);
                if (verb == null || (classPath == null && m.getAnnotation(Path.class) == null)) {
                    continue;
                }
                String path = join(classPath == null ? "" : classPath.value(),
                        m.getAnnotation(Path.class) == null ? "" : m.getAnnotation(Path.class).value());
                if (UNCONTRACTED_PREFIXES.stream().noneMatch(path::startsWith)) {
                    served.add(verb + " " + anonymous(path));
                }
            }
        }
        Set<String> documented = new TreeSet<>();
        contractOperations().keySet().forEach(k -> documented.add(anonymous(k)));
        assertEquals(documented, served, "(method, path) pairs served by the JAX-RS resources vs. the contract");
    }

    @Test
    void contractIsWellFormed() {
        assertEquals("3.1.0", contract.path("openapi").asText());
        assertEquals("Vermilion", contract.path("info").path("title").asText());
        assertEquals("0.1.0", contract.path("info").path("version").asText());
        assertEquals("/", contract.path("servers").path(0).path("url").asText());
        JsonNode apiKey = contract.path("components").path("securitySchemes").path("ApiKey");
        assertEquals("apiKey", apiKey.path("type").asText());
        assertEquals("header", apiKey.path("in").asText());
        assertEquals("x-chroma-token", apiKey.path("name").asText());
        assertTrue(contract.path("security").isMissingNode(), "the API key is declared, not required globally");

        Set<String> operationIds = new HashSet<>();
        contractOperations().forEach((key, op) -> {
            String id = op.path("operationId").asText();
            assertFalse(id.isEmpty(), key + " has an operationId");
            assertTrue(operationIds.add(id), "operationId " + id + " is unique");
            assertTrue(op.path("responses").size() > 0, key + " documents its responses");
            op.path("responses").fields().forEachRemaining(r -> assertFalse(
                    responseSchema(op, Integer.parseInt(r.getKey())).isMissingNode(),
                    key + " " + r.getKey() + " has an application/json schema"));
            long successes = statuses(op).stream().filter(s -> s / 100 == 2).count();
            assertEquals(1, successes, key + " documents exactly one success status");
            if (op.has("requestBody")) {
                assertTrue(deref(op.path("requestBody")).path("required").asBoolean(), key + " body is required");
                assertFalse(requestSchema(op).isMissingNode(), key + " body has an application/json schema");
            }
        });
    }

    // ---- every operation, called with valid inputs ----

    @TestFactory
    Stream<DynamicTest> everyOperationAnswersAsDocumented() {
        Map<String, Supplier<Call>> cases = successCases();
        assertEquals(new TreeSet<>(contractOperations().keySet()), new TreeSet<>(cases.keySet()),
                "one success case per contract operation");
        return contractOperations().entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () -> {
            JsonNode op = e.getValue();
            Call call = cases.get(e.getKey()).get();
            if (call.body != null) {
                assertValid(requestSchema(op), JSON.readTree(call.body), e.getKey() + " request body");
            }
            int expected = call.status != null ? call.status : successStatus(op);
            JsonNode body = perform(e.getKey(), op, call, expected);
            call.check.accept(body);
        }));
    }

    /** A fresh folder for one backup (it must not exist yet or be empty). */
    private static String backupFolder() {
        try {
            return Files.createTempDirectory("vermilion-contract-backup").resolve("b").toString();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private Map<String, Supplier<Call>> successCases() {
        Map<String, Supplier<Call>> c = new LinkedHashMap<>();
        c.put("GET /api/v2", () -> Call.of("GET", "/api/v2"));
        c.put("GET /api/v2/heartbeat", () -> Call.of("GET", "/api/v2/heartbeat"));
        c.put("GET /api/v2/version", () -> Call.of("GET", "/api/v2/version")
                .then(b -> assertEquals("1.0.0", b.asText())));
        c.put("GET /api/v2/healthcheck", () -> Call.of("GET", "/api/v2/healthcheck"));
        c.put("GET /api/v2/pre-flight-checks", () -> Call.of("GET", "/api/v2/pre-flight-checks"));
        c.put("GET /api/v2/auth/identity", () -> Call.of("GET", "/api/v2/auth/identity"));
        // Reset is disabled by default: its documented refusal is the answer to a valid call.
        c.put("POST /api/v2/reset", () -> Call.of("POST", "/api/v2/reset").expect(403));
        c.put("POST /api/v2/tenants", () -> Call.of("POST", "/api/v2/tenants", obj("name", unique("tenant"))));
        c.put("GET /api/v2/tenants/{tenant_name}", () -> {
            String t = tenant();
            return Call.of("GET", "/api/v2/tenants/" + t).then(b -> assertEquals(t, b.path("name").asText()));
        });
        c.put("PATCH /api/v2/tenants/{tenant_name}", () ->
                Call.of("PATCH", "/api/v2/tenants/" + tenant(), obj("resource_name", unique("res"))));
        c.put("GET /api/v2/tenants/{tenant}/databases", () -> {
            String t = tenant();
            database(t);
            database(t);
            return Call.of("GET", "/api/v2/tenants/" + t + "/databases?limit=10&offset=0")
                    .then(b -> assertEquals(2, b.size()));
        });
        c.put("POST /api/v2/tenants/{tenant}/databases", () ->
                Call.of("POST", "/api/v2/tenants/" + tenant() + "/databases", obj("name", unique("db"))));
        c.put("GET /api/v2/tenants/{tenant}/databases/{database}", () -> {
            String t = tenant();
            String d = database(t);
            return Call.of("GET", "/api/v2/tenants/" + t + "/databases/" + d)
                    .then(b -> assertEquals(d, b.path("name").asText()));
        });
        c.put("DELETE /api/v2/tenants/{tenant}/databases/{database}", () -> {
            String t = tenant();
            return Call.of("DELETE", "/api/v2/tenants/" + t + "/databases/" + database(t));
        });
        c.put("GET " + DB + "/collections", () -> {
            String db = db();
            collection(db, richCollection(unique("col")));
            collection(db, obj("name", unique("col")));
            return Call.of("GET", db + "/collections?limit=10&offset=0").then(b -> assertEquals(2, b.size()));
        });
        c.put("POST " + DB + "/collections", () -> {
            String name = unique("col");
            return Call.of("POST", db() + "/collections", richCollection(name)).then(b -> {
                assertEquals(name, b.path("name").asText());
                assertEquals("cosine", b.path("configuration_json").path("hnsw").path("space").asText());
            });
        });
        c.put("GET " + DB + "/collections_count", () -> {
            String db = db();
            collection(db, obj("name", unique("col")));
            return Call.of("GET", db + "/collections_count").then(b -> assertEquals(1, b.asInt()));
        });
        c.put("GET " + DB + "/collections/{collection_id}", () -> {
            String db = db();
            JsonNode col = collection(db, richCollection(unique("col")));
            return Call.of("GET", db + "/collections/" + col.path("name").asText())
                    .then(b -> assertEquals(col.path("id"), b.path("id")));
        });
        c.put("PUT " + DB + "/collections/{collection_id}", () -> {
            String db = db();
            JsonNode col = collection(db, richCollection(unique("col")));
            ObjectNode change = obj("new_name", unique("renamed"));
            change.putObject("new_metadata").put("topic", "archive").put("year", 2025).putNull("score");
            change.putObject("new_configuration").putObject("hnsw").put("ef_search", 64);
            return Call.of("PUT", db + "/collections/" + col.path("id").asText(), change);
        });
        c.put("DELETE " + DB + "/collections/{collection_id}", () -> {
            String db = db();
            JsonNode col = collection(db, obj("name", unique("col")));
            return Call.of("DELETE", db + "/collections/" + col.path("name").asText());
        });
        c.put("GET " + DB + "/collections/by-id/{collection_id}", () -> {
            String db = db();
            JsonNode col = collection(db, richCollection(unique("col")));
            return Call.of("GET", db + "/collections/by-id/" + col.path("id").asText())
                    .then(b -> assertEquals(col.path("name"), b.path("name")));
        });
        c.put("GET /api/v2/collections/{crn}", () -> {
            String t = tenant();
            String resource = unique("res");
            call("PATCH", "/api/v2/tenants/" + t, obj("resource_name", resource), 200);
            String d = database(t);
            JsonNode col = collection("/api/v2/tenants/" + t + "/databases/" + d, obj("name", unique("col")));
            return Call.of("GET", "/api/v2/collections/" + resource + ":" + d + ":" + col.path("name").asText())
                    .then(b -> assertEquals(col.path("id"), b.path("id")));
        });
        c.put("POST " + DB + "/collections/{collection_id}/fork", () -> {
            String db = db();
            JsonNode col = collection(db, obj("name", unique("col")));
            String name = unique("fork");
            return Call.of("POST", db + "/collections/" + col.path("id").asText() + "/fork", obj("new_name", name))
                    .then(b -> assertEquals(name, b.path("name").asText()));
        });
        c.put("GET " + DB + "/collections/{collection_id}/versions", () -> {
            String db = db();
            JsonNode col = collection(db, obj("name", unique("col")));
            return Call.of("GET", db + "/collections/" + col.path("id").asText() + "/versions")
                    .then(b -> assertEquals(0, b.path("versions").size()));
        });
        // Restore to a version: a collection never compacted retains none, so the documented 404 answers a valid call.
        c.put("POST " + DB + "/collections/{collection_id}/restore", () -> {
            String db = db();
            JsonNode col = collection(db, obj("name", unique("col")));
            return Call.of("POST", db + "/collections/" + col.path("id").asText() + "/restore",
                    JSON.createObjectNode().put("version", 1)).expect(404);
        });
        c.put("POST /api/v2/admin/backups", () -> {
            String t = tenant();
            String d = database(t);
            collection("/api/v2/tenants/" + t + "/databases/" + d, obj("name", unique("col")));
            return Call.of("POST", "/api/v2/admin/backups", obj("tenant", t).put("database", d)
                    .put("to", backupFolder()))
                    .then(b -> assertEquals(1, b.path("collections").asInt()));
        });
        c.put("POST /api/v2/admin/restores", () -> {
            String t = tenant();
            database(t);
            String folder = backupFolder();
            call("POST", "/api/v2/admin/backups", obj("tenant", t).put("to", folder), 200);
            return Call.of("POST", "/api/v2/admin/restores", obj("from", folder))
                    .then(b -> assertEquals(0, b.path("collections").asInt()));
        });
        c.put("GET " + DB + "/collections/{collection_id}/fork_count", () -> {
            String db = db();
            JsonNode col = collection(db, obj("name", unique("col")));
            return Call.of("GET", db + "/collections/" + col.path("id").asText() + "/fork_count")
                    .then(b -> assertEquals(0, b.path("count").asInt()));
        });

        // API keys (auth is off in this profile: the anonymous caller may administer every tenant).
        c.put("POST /api/v2/admin/keys", () -> {
            String t = tenant();
            return Call.of("POST", "/api/v2/admin/keys", obj("tenant", t).put("role", "read_only"))
                    .then(b -> {
                        assertEquals(t, b.path("tenant").asText());
                        assertEquals("read_only", b.path("role").asText());
                        assertEquals(true, b.path("key").asText().startsWith("vmk_"));
                    });
        });
        c.put("GET /api/v2/admin/keys", () -> {
            String t = tenant();
            call("POST", "/api/v2/admin/keys", obj("tenant", t).put("role", "admin"), 200);
            return Call.of("GET", "/api/v2/admin/keys?tenant=" + t)
                    .then(b -> assertEquals("admin", b.path(0).path("role").asText()));
        });
        c.put("DELETE /api/v2/admin/keys/{key_id}", () -> {
            String t = tenant();
            String id = call("POST", "/api/v2/admin/keys", obj("tenant", t).put("role", "read_write"), 200)
                    .path("id").asText();
            return Call.of("DELETE", "/api/v2/admin/keys/" + id);
        });
        // Quotas: stored and answered with auth off too, where they are not enforced.
        c.put("GET /api/v2/admin/tenants/{tenant}/quotas", () -> Call.of("GET", "/api/v2/admin/tenants/" + tenant() + "/quotas")
                .then(b -> {
                    assertEquals(300, b.path("limits").path("num_records").asInt());
                    assertEquals(false, b.path("enforced").asBoolean());
                    assertEquals(0, b.path("overrides").size());
                }));
        c.put("PUT /api/v2/admin/tenants/{tenant}/quotas", () -> {
            String t = tenant();
            call("PUT", "/api/v2/admin/tenants/" + t + "/quotas", "{\"num_results\": 5}", 200);
            return Call.of("PUT", "/api/v2/admin/tenants/" + t + "/quotas", "{\"num_records\": 1000, \"num_results\": null}")
                    .then(b -> {
                        assertEquals(json("{\"num_records\": 1000}"), b.path("overrides"));
                        assertEquals(1000, b.path("limits").path("num_records").asInt());
                        assertEquals(100, b.path("limits").path("num_results").asInt());
                    });
        });

        // records: each case writes its own collection; SEED holds r1 (1,0), r2 (2,2), r3 (-1,0) under l2.
        String records = DB + "/collections/{collection_id}";
        c.put("POST " + records + "/add", () -> {
            String col = emptyCollection();
            return Call.of("POST", col + "/add", SEED)
                    .then(b -> assertEquals(3, call("GET", col + "/count", 200).asInt()));
        });
        c.put("POST " + records + "/upsert", () -> {
            String col = seeded();
            String body = """
                    {"ids": ["r1", "r4"], "embeddings": ["%s", "%s"],
                     "documents": [null, "Ferns in the shade"],
                     "metadatas": [{"year": 2025, "public": null, "tags": ["fox"]}, {"topic": "plants"}]}"""
                    .formatted(base64(0.5f, 1.5f), base64(-2f, 0f));
            return Call.of("POST", col + "/upsert", body).then(b -> {
                JsonNode got = call("POST", col + "/get", """
                        {"ids": ["r1", "r4"], "include": ["embeddings", "documents", "metadatas"]}""", 200);
                assertEquals(json("[\"r1\", \"r4\"]"), got.path("ids"));
                assertEquals(json("[[0.5, 1.5], [-2.0, 0.0]]"), got.path("embeddings"));
                assertEquals(json("[\"The quick brown fox\", \"Ferns in the shade\"]"), got.path("documents"));
                assertEquals(json("{\"topic\": \"animals\", \"year\": 2025, \"score\": 0.5, \"tags\": [\"fox\"]}"),
                        got.path("metadatas").path(0), "upsert merges metadata key by key");
            });
        });
        c.put("POST " + records + "/update", () -> {
            String col = seeded();
            String body = """
                    {"ids": ["r2", "r3", "missing"], "embeddings": [[3, 3], null, null],
                     "documents": ["Lazy dogs nap", null, null], "uris": null,
                     "metadatas": [{"topic": null, "ratios": null}, {"new": "yes"}, null]}""";
            return Call.of("POST", col + "/update", body).then(b -> {
                JsonNode got = call("POST", col + "/get", """
                        {"ids": ["r2", "r3"], "include": ["embeddings", "documents", "metadatas"]}""", 200);
                assertEquals(json("[[3.0, 3.0], [-1.0, 0.0]]"), got.path("embeddings"));
                assertEquals(json("[\"Lazy dogs nap\", null]"), got.path("documents"));
                assertEquals(json("[{\"year\": 2023}, {\"new\": \"yes\"}]"), got.path("metadatas"));
                assertEquals(3, call("GET", col + "/count", 200).asInt(), "update of a missing id adds nothing");
            });
        });
        c.put("POST " + records + "/delete", () -> {
            String col = seeded();
            // By ids: "deleted" counts the ids sent, repeated and unknown ones included.
            return Call.of("POST", col + "/delete", "{\"ids\": [\"r1\", \"r1\", \"nope\"]}").then(b -> {
                assertEquals(3, b.path("deleted").asInt());
                assertEquals(2, call("GET", col + "/count", 200).asInt());
            });
        });
        c.put("GET " + records + "/count", () -> {
            String col = seeded();
            // index_only reads the compacted version alone: nothing is compacted yet (tests compact only on demand).
            return Call.of("GET", col + "/count?read_level=index_only").then(b -> assertEquals(0, b.asInt()));
        });
        c.put("POST " + records + "/get", () -> {
            String col = seeded();
            String body = "{\"include\": [\"documents\", \"embeddings\", \"metadatas\", \"uris\", \"distances\"]}";
            return Call.of("POST", col + "/get", body).then(b -> {
                assertEquals(json("[\"r1\", \"r2\", \"r3\"]"), b.path("ids"));
                assertEquals(json("[[1.0, 0.0], [2.0, 2.0], [-1.0, 0.0]]"), b.path("embeddings"));
                assertEquals(json("[\"The quick brown fox\", \"Lazy dogs sleep\", null]"), b.path("documents"));
                assertEquals(json("[\"s3://bucket/r1\", null, null]"), b.path("uris"));
                assertEquals(json(SEED).path("metadatas"), b.path("metadatas"));
                assertEquals(json(body).path("include"), b.path("include"));
            });
        });
        c.put("POST " + records + "/query", () -> {
            String col = seeded();
            String body = """
                    {"query_embeddings": [[1, 0], [-1, 0]], "n_results": 2,
                     "include": ["distances", "documents", "embeddings", "metadatas", "uris"]}""";
            return Call.of("POST", col + "/query", body).then(b -> {
                assertEquals(json("[[\"r1\", \"r3\"], [\"r3\", \"r1\"]]"), b.path("ids"));
                assertEquals(json("[[0.0, 4.0], [0.0, 4.0]]"), b.path("distances"), "squared l2");
                assertEquals(json("[[-1.0, 0.0], [1.0, 0.0]]"), b.path("embeddings").path(1));
                assertEquals(json("[null, \"The quick brown fox\"]"), b.path("documents").path(1));
                assertEquals(json("[null, \"s3://bucket/r1\"]"), b.path("uris").path(1));
                assertTrue(b.path("metadatas").path(1).path(0).isNull());
            });
        });
        c.put("POST " + records + "/search", () -> {
            String col = seeded();
            String body = """
                    {"searches": [{"filter": {"topic": "animals"}, "rank": {"$knn": {"query": [1, 0], "limit": 2}},
                                   "select": {"keys": ["#document", "#embedding", "#metadata", "#score"]}},
                                  {"limit": {"offset": 1}, "select": {"keys": ["year"]}}],
                     "read_level": "index_and_wal"}""";
            return Call.of("POST", col + "/search", body).then(b -> {
                assertEquals(json("[[\"r1\", \"r2\"], [\"r2\", \"r3\"]]"), b.path("ids"));
                assertEquals(json("[[0.0, 5.0], null]"), b.path("scores"), "squared l2");
                assertEquals(json("[[\"The quick brown fox\", \"Lazy dogs sleep\"], null]"), b.path("documents"));
                assertEquals(json("[[[1.0, 0.0], [2.0, 2.0]], null]"), b.path("embeddings"));
                assertEquals(json("[{\"year\": 2023}, null]"), b.path("metadatas").path(1));
                assertEquals(json("[[\"#document\", \"#embedding\", \"#metadata\", \"#score\"], [\"year\"]]"),
                        b.path("select"));
            });
        });
        c.put("GET " + records + "/indexing_status", () -> {
            String col = seeded();
            return Call.of("GET", col + "/indexing_status").then(b -> assertEquals(json(
                    "{\"op_indexing_progress\": 0.0, \"num_unindexed_ops\": 3, \"num_indexed_ops\": 0, \"total_ops\": 3}"), b));
        });
        return c;
    }

    /** Further valid calls of the record operations: other encodings, defaults and filters, each against its schema. */
    @TestFactory
    Stream<DynamicTest> recordVariantsAnswerAsDocumented() {
        String records = DB + "/collections/{collection_id}";
        List<Variant> variants = new ArrayList<>();
        variants.add(new Variant("base64 embeddings", "POST " + records + "/add", () -> {
            String col = emptyCollection();
            String body = "{\"ids\": [\"b1\", \"b2\"], \"embeddings\": [\"" + base64(0.5f, 1.5f, -2f) + "\", \""
                    + base64(1f, 2f, 3f) + "\"], \"uris\": [\"u1\", null]}";
            assertTrue(body.contains("AAAAPwAAwD8AAADA"), "the encoding documented in the contract");
            return Call.of("POST", col + "/add", body).then(b -> {
                JsonNode got = call("POST", col + "/get", "{\"include\": [\"embeddings\"]}", 200);
                assertEquals(json("[[0.5, 1.5, -2.0], [1.0, 2.0, 3.0]]"), got.path("embeddings"));
            });
        }));
        variants.add(new Variant("empty batch", "POST " + records + "/add",
                () -> Call.of("POST", emptyCollection() + "/add", "{\"ids\": [], \"embeddings\": []}")));
        variants.add(new Variant("base64 embeddings with a null item", "POST " + records + "/update", () -> {
            String col = seeded();
            String body = "{\"ids\": [\"r1\", \"r2\"], \"embeddings\": [null, \"" + base64(4f, 4f) + "\"]}";
            return Call.of("POST", col + "/update", body).then(b -> assertEquals(
                    json("[[1.0, 0.0], [4.0, 4.0]]"),
                    call("POST", col + "/get", "{\"ids\": [\"r1\", \"r2\"], \"include\": [\"embeddings\"]}", 200)
                            .path("embeddings")));
        }));
        variants.add(new Variant("defaults", "POST " + records + "/get", () -> Call.of("POST", seeded() + "/get", "{}")
                .then(b -> {
                    assertEquals(json("[\"documents\", \"metadatas\"]"), b.path("include"));
                    assertTrue(b.path("embeddings").isNull() && b.path("uris").isNull(), "not included: null");
                    assertEquals(3, b.path("documents").size());
                })));
        variants.add(new Variant("filters and paging", "POST " + records + "/get", () -> Call.of("POST",
                        seeded() + "/get", """
                        {"ids": ["r3", "r2", "r1"], "where": {"$and": [{"topic": "animals"}, {"year": {"$gte": 2023}}]},
                         "where_document": {"$contains": "o"}, "limit": 1, "offset": 1, "include": []}""")
                .then(b -> {
                    assertEquals(json("[\"r2\"]"), b.path("ids"));
                    assertTrue(b.path("documents").isNull() && b.path("metadatas").isNull());
                })));
        variants.add(new Variant("defaults and a filter", "POST " + records + "/query", () -> Call.of("POST",
                        seeded() + "/query", """
                        {"query_embeddings": [[1, 0]], "where": {"tags": {"$contains": "dog"}}}""")
                .then(b -> {
                    assertEquals(json("[[\"r1\"]]"), b.path("ids"));
                    assertEquals(json("[\"documents\", \"metadatas\", \"distances\"]"), b.path("include"));
                    assertTrue(b.path("embeddings").isNull() && b.path("uris").isNull());
                })));
        variants.add(new Variant("a collection never written", "POST " + records + "/query", () -> Call.of("POST",
                        emptyCollection() + "/query", "{\"query_embeddings\": [[1, 0, 0]], \"n_results\": 3}")
                .then(b -> assertEquals(json("[[]]"), b.path("ids")))));
        variants.add(new Variant("by where", "POST " + records + "/delete", () -> {
            String col = seeded();
            return Call.of("POST", col + "/delete", "{\"where\": {\"topic\": \"animals\"}}").then(b -> {
                assertEquals(2, b.path("deleted").asInt(), "the records that matched");
                assertEquals(json("[\"r3\"]"), call("POST", col + "/get", "{}", 200).path("ids"));
            });
        }));
        variants.add(new Variant("by where_document with a limit", "POST " + records + "/delete", () -> Call.of("POST",
                        seeded() + "/delete", "{\"where_document\": {\"$not_contains\": \"fox\"}, \"limit\": 1}")
                .then(b -> assertEquals(1, b.path("deleted").asInt()))));
        variants.add(new Variant("nothing", "POST " + records + "/delete",
                () -> Call.of("POST", seeded() + "/delete", "{\"ids\": null, \"where\": null}")
                        .then(b -> assertEquals(0, b.path("deleted").asInt()))));
        variants.add(new Variant("without read_level", "GET " + records + "/count",
                () -> Call.of("GET", emptyCollection() + "/count").then(b -> assertEquals(0, b.asInt()))));

        Map<String, JsonNode> ops = contractOperations();
        return variants.stream().map(v -> DynamicTest.dynamicTest(v.operation + ": " + v.name, () -> {
            JsonNode op = ops.get(v.operation);
            assertNotNull(op, "the contract has " + v.operation);
            Call call = v.call.get();
            if (call.body != null) {
                assertValid(requestSchema(op), JSON.readTree(call.body), v.operation + " request body");
            }
            call.check.accept(perform(v.operation, op, call, call.status != null ? call.status : successStatus(op)));
        }));
    }

    // ---- errors: at least one per route family, in the documented status and shape ----

    @TestFactory
    Stream<DynamicTest> errorsAnswerAsDocumented() {
        List<ErrorCase> cases = new ArrayList<>();
        String tenants = "/api/v2/tenants";
        String tenantPath = "/api/v2/tenants/{tenant_name}";
        String databases = "/api/v2/tenants/{tenant}/databases";
        String database = "/api/v2/tenants/{tenant}/databases/{database}";
        String byName = DB + "/collections/{collection_id}";
        String crn = "/api/v2/collections/{crn}";
        String fork = DB + "/collections/{collection_id}/fork";
        String missingId = UUID.randomUUID().toString();

        // tenants
        cases.add(new ErrorCase("duplicate tenant", "POST " + tenants, () -> {
            String t = tenant();
            return Call.of("POST", tenants, obj("name", t)).expect(409);
        }));
        cases.add(new ErrorCase("tenant name too short", "POST " + tenants,
                () -> Call.of("POST", tenants, obj("name", "ab")).expect(400)));
        cases.add(new ErrorCase("tenant without name", "POST " + tenants,
                () -> Call.of("POST", tenants, JSON.createObjectNode()).expect(422)));
        cases.add(new ErrorCase("tenant body not JSON", "POST " + tenants,
                () -> Call.of("POST", tenants, "{\"name\":").expect(400)));
        cases.add(new ErrorCase("tenant body as text/plain", "POST " + tenants,
                () -> Call.of("POST", tenants, obj("name", unique("tenant"))).as("text/plain").expect(415)));
        cases.add(new ErrorCase("missing tenant", "GET " + tenantPath,
                () -> Call.of("GET", tenants + "/" + unique("nope")).expect(404)));
        cases.add(new ErrorCase("resource name of a missing tenant", "PATCH " + tenantPath,
                () -> Call.of("PATCH", tenants + "/" + unique("nope"), obj("resource_name", "r")).expect(404)));
        cases.add(new ErrorCase("resource name of the wrong type", "PATCH " + tenantPath,
                () -> Call.of("PATCH", tenants + "/" + tenant(), "{\"resource_name\":7}").expect(422)));
        cases.add(new ErrorCase("second, different resource name", "PATCH " + tenantPath, () -> {
            String t = tenant();
            call("PATCH", tenants + "/" + t, obj("resource_name", unique("res")), 200);
            return Call.of("PATCH", tenants + "/" + t, obj("resource_name", unique("res"))).expect(409);
        }));

        // databases
        cases.add(new ErrorCase("duplicate database", "POST " + databases, () -> {
            String t = tenant();
            return Call.of("POST", tenants + "/" + t + "/databases", obj("name", database(t))).expect(409);
        }));
        cases.add(new ErrorCase("bad database name", "POST " + databases,
                () -> Call.of("POST", tenants + "/" + tenant() + "/databases", obj("name", "-bad-")).expect(400)));
        cases.add(new ErrorCase("database without name", "POST " + databases,
                () -> Call.of("POST", tenants + "/" + tenant() + "/databases", obj("nom", "db1")).expect(422)));
        cases.add(new ErrorCase("database of a missing tenant", "POST " + databases,
                () -> Call.of("POST", tenants + "/" + unique("nope") + "/databases", obj("name", unique("db")))
                        .expect(404)));
        cases.add(new ErrorCase("bad list limit", "GET " + databases,
                () -> Call.of("GET", tenants + "/" + tenant() + "/databases?limit=ten").expect(400)));
        cases.add(new ErrorCase("missing database", "GET " + database,
                () -> Call.of("GET", tenants + "/" + tenant() + "/databases/" + unique("nope")).expect(404)));
        cases.add(new ErrorCase("database path name too short", "GET " + database,
                () -> Call.of("GET", tenants + "/" + tenant() + "/databases/ab").expect(400)));
        cases.add(new ErrorCase("delete a missing database", "DELETE " + database,
                () -> Call.of("DELETE", tenants + "/" + tenant() + "/databases/" + unique("nope")).expect(404)));

        // collections
        cases.add(new ErrorCase("duplicate collection", "POST " + DB + "/collections", () -> {
            String db = db();
            String name = unique("col");
            collection(db, obj("name", name));
            return Call.of("POST", db + "/collections", obj("name", name)).expect(409);
        }));
        cases.add(new ErrorCase("bad collection name", "POST " + DB + "/collections",
                () -> Call.of("POST", db() + "/collections", obj("name", "a..b")).expect(400)));
        cases.add(new ErrorCase("collection name of the wrong type", "POST " + DB + "/collections",
                () -> Call.of("POST", db() + "/collections", "{\"name\":5}").expect(422)));
        cases.add(new ErrorCase("unknown distance space", "POST " + DB + "/collections",
                () -> Call.of("POST", db() + "/collections",
                        "{\"name\":\"" + unique("col") + "\",\"configuration\":{\"hnsw\":{\"space\":\"manhattan\"}}}")
                        .expect(422)));
        cases.add(new ErrorCase("collection in a missing database", "POST " + DB + "/collections",
                () -> Call.of("POST", "/api/v2/tenants/" + tenant() + "/databases/" + unique("nope") + "/collections",
                        obj("name", unique("col"))).expect(400)));
        cases.add(new ErrorCase("collection body as text/plain", "POST " + DB + "/collections",
                () -> Call.of("POST", db() + "/collections", obj("name", unique("col"))).as("text/plain").expect(415)));
        cases.add(new ErrorCase("negative list offset", "GET " + DB + "/collections",
                () -> Call.of("GET", db() + "/collections?offset=-1").expect(400)));
        cases.add(new ErrorCase("count in a too-short database name", "GET " + DB + "/collections_count",
                () -> Call.of("GET", "/api/v2/tenants/" + tenant() + "/databases/ab/collections_count").expect(400)));
        cases.add(new ErrorCase("missing collection by name", "GET " + byName,
                () -> Call.of("GET", db() + "/collections/" + unique("nope")).expect(404)));
        cases.add(new ErrorCase("modify a missing collection", "PUT " + byName,
                () -> Call.of("PUT", db() + "/collections/" + missingId, obj("new_name", unique("col"))).expect(404)));
        cases.add(new ErrorCase("modify with a malformed id", "PUT " + byName,
                () -> Call.of("PUT", db() + "/collections/not-a-uuid", JSON.createObjectNode()).expect(400)));
        cases.add(new ErrorCase("rename onto an existing name", "PUT " + byName, () -> {
            String db = db();
            JsonNode a = collection(db, obj("name", unique("col")));
            JsonNode b = collection(db, obj("name", unique("col")));
            return Call.of("PUT", db + "/collections/" + a.path("id").asText(), obj("new_name", b.path("name").asText()))
                    .expect(409);
        }));
        cases.add(new ErrorCase("immutable configuration field", "PUT " + byName, () -> {
            String db = db();
            JsonNode col = collection(db, obj("name", unique("col")));
            return Call.of("PUT", db + "/collections/" + col.path("id").asText(),
                    "{\"new_configuration\":{\"hnsw\":{\"space\":\"l2\"}}}").expect(422);
        }));
        cases.add(new ErrorCase("delete a missing collection", "DELETE " + byName,
                () -> Call.of("DELETE", db() + "/collections/" + unique("nope")).expect(404)));
        cases.add(new ErrorCase("malformed collection id", "GET " + DB + "/collections/by-id/{collection_id}",
                () -> Call.of("GET", db() + "/collections/by-id/not-a-uuid").expect(400)));
        cases.add(new ErrorCase("missing collection by id", "GET " + DB + "/collections/by-id/{collection_id}",
                () -> Call.of("GET", db() + "/collections/by-id/" + missingId).expect(404)));
        cases.add(new ErrorCase("malformed CRN", "GET " + crn,
                () -> Call.of("GET", "/api/v2/collections/only:two").expect(400)));
        cases.add(new ErrorCase("missing collection by CRN", "GET " + crn,
                () -> Call.of("GET", "/api/v2/collections/" + unique("t") + ":" + unique("d") + ":" + unique("c"))
                        .expect(404)));
        cases.add(new ErrorCase("fork a missing collection", "POST " + fork,
                () -> Call.of("POST", db() + "/collections/" + missingId + "/fork", obj("new_name", unique("f")))
                        .expect(404)));
        cases.add(new ErrorCase("fork without new_name", "POST " + fork,
                () -> Call.of("POST", db() + "/collections/" + missingId + "/fork", JSON.createObjectNode())
                        .expect(422)));
        cases.add(new ErrorCase("fork count of a missing collection", "GET " + fork + "_count",
                () -> Call.of("GET", db() + "/collections/" + missingId + "/fork_count").expect(404)));

        // quotas
        String quotas = "/api/v2/admin/tenants/{tenant}/quotas";
        cases.add(new ErrorCase("quotas of a missing tenant", "GET " + quotas,
                () -> Call.of("GET", "/api/v2/admin/tenants/" + unique("nope") + "/quotas").expect(404)));
        cases.add(new ErrorCase("an unknown quota", "PUT " + quotas,
                () -> Call.of("PUT", "/api/v2/admin/tenants/" + tenant() + "/quotas", "{\"records\": 5}").expect(422)));
        cases.add(new ErrorCase("a negative quota", "PUT " + quotas,
                () -> Call.of("PUT", "/api/v2/admin/tenants/" + tenant() + "/quotas", "{\"num_records\": -5}").expect(422)));

        // records
        String records = DB + "/collections/{collection_id}";
        String add = "POST " + records + "/add";
        String upsert = "POST " + records + "/upsert";
        String update = "POST " + records + "/update";
        String delete = "POST " + records + "/delete";
        String count = "GET " + records + "/count";
        String get = "POST " + records + "/get";
        String query = "POST " + records + "/query";
        Supplier<String> missing = () -> db() + "/collections/" + missingId;
        String oneRecord = "{\"ids\": [\"x\"], \"embeddings\": [[1, 0]]}";
        String badWhere = "{\"where\": {\"a\": 1, \"b\": 2}}";

        cases.add(new ErrorCase("add to a missing collection", add,
                () -> Call.of("POST", missing.get() + "/add", oneRecord).expect(404)));
        cases.add(new ErrorCase("add to a collection of another database", add, () -> {
            String col = seeded();
            return Call.of("POST", db() + col.substring(col.indexOf("/collections/")) + "/add", oneRecord).expect(404);
        }));
        cases.add(new ErrorCase("add with a malformed collection id", add,
                () -> Call.of("POST", db() + "/collections/not-a-uuid/add", oneRecord).expect(400)));
        cases.add(new ErrorCase("add of the wrong dimension", add,
                () -> Call.of("POST", seeded() + "/add", "{\"ids\": [\"x\"], \"embeddings\": [[1, 2, 3]]}").expect(400)
                        .then(b -> assertEquals("Collection expecting embedding with dimension of 2, got 3",
                                b.path("message").asText()))));
        cases.add(new ErrorCase("add of a bad base64 embedding", add,
                () -> Call.of("POST", emptyCollection() + "/add", "{\"ids\": [\"x\"], \"embeddings\": [\"AAAA\"]}")
                        .expect(400)));
        cases.add(new ErrorCase("add without embeddings", add,
                () -> Call.of("POST", emptyCollection() + "/add", "{\"ids\": [\"x\"]}").expect(422)));
        cases.add(new ErrorCase("add of a nested metadata value", add, () -> Call.of("POST", emptyCollection() + "/add",
                "{\"ids\": [\"x\"], \"embeddings\": [[1]], \"metadatas\": [{\"o\": {\"p\": 1}}]}").expect(422)));
        cases.add(new ErrorCase("add of an id over the size limit", add, () -> Call.of("POST",
                        emptyCollection() + "/add", "{\"ids\": [\"" + "i".repeat(200) + "\"], \"embeddings\": [[1]]}")
                .expect(422)
                .then(b -> assertTrue(b.path("message").asText().startsWith("Quota exceeded"), b.toString()))));
        cases.add(new ErrorCase("add as text/plain", add,
                () -> Call.of("POST", emptyCollection() + "/add", oneRecord).as("text/plain").expect(415)));
        cases.add(new ErrorCase("upsert into a missing collection", upsert,
                () -> Call.of("POST", missing.get() + "/upsert", oneRecord).expect(404)));
        cases.add(new ErrorCase("upsert of uneven columns", upsert, () -> Call.of("POST", emptyCollection() + "/upsert",
                "{\"ids\": [\"x\", \"y\"], \"embeddings\": [[1, 0]]}").expect(400)));
        cases.add(new ErrorCase("upsert without embeddings", upsert,
                () -> Call.of("POST", emptyCollection() + "/upsert", "{\"ids\": [\"x\"], \"documents\": [\"d\"]}")
                        .expect(422)));
        cases.add(new ErrorCase("update in a missing collection", update,
                () -> Call.of("POST", missing.get() + "/update", "{\"ids\": [\"x\"]}").expect(404)));
        cases.add(new ErrorCase("update of an empty id", update,
                () -> Call.of("POST", seeded() + "/update", "{\"ids\": [\"\"]}").expect(400)));
        cases.add(new ErrorCase("update without ids", update,
                () -> Call.of("POST", seeded() + "/update", "{\"documents\": [\"d\"]}").expect(422)));
        cases.add(new ErrorCase("delete in a missing collection", delete,
                () -> Call.of("POST", missing.get() + "/delete", "{\"ids\": [\"x\"]}").expect(404)));
        cases.add(new ErrorCase("delete by a bad where", delete,
                () -> Call.of("POST", seeded() + "/delete", badWhere).expect(400)
                        .then(b -> assertEquals("Invalid where clause", b.path("message").asText()))));
        cases.add(new ErrorCase("delete with a limit and no filter", delete,
                () -> Call.of("POST", seeded() + "/delete", "{\"ids\": [\"r1\"], \"limit\": 1}").expect(400)));
        cases.add(new ErrorCase("delete with a negative limit", delete, () -> Call.of("POST", seeded() + "/delete",
                "{\"where\": {\"topic\": \"animals\"}, \"limit\": -1}").expect(422)));
        cases.add(new ErrorCase("count of a missing collection", count,
                () -> Call.of("GET", missing.get() + "/count").expect(404)));
        cases.add(new ErrorCase("count at an unknown read level", count,
                () -> Call.of("GET", emptyCollection() + "/count?read_level=eventually").expect(400)));
        cases.add(new ErrorCase("get from a missing collection", get,
                () -> Call.of("POST", missing.get() + "/get", "{}").expect(404)));
        cases.add(new ErrorCase("get by a bad where", get,
                () -> Call.of("POST", seeded() + "/get", badWhere).expect(400)
                        .then(b -> assertEquals("Invalid where clause", b.path("message").asText()))));
        cases.add(new ErrorCase("get by a bad where_document", get,
                () -> Call.of("POST", seeded() + "/get", "{\"where_document\": {\"$contains\": 3}}").expect(400)));
        cases.add(new ErrorCase("get including an unknown column", get,
                () -> Call.of("POST", seeded() + "/get", "{\"include\": [\"data\"]}").expect(422)));
        cases.add(new ErrorCase("get with an empty body", get,
                () -> Call.of("POST", seeded() + "/get", "").expect(400)));
        cases.add(new ErrorCase("query a missing collection", query,
                () -> Call.of("POST", missing.get() + "/query", "{\"query_embeddings\": [[1, 0]]}").expect(404)));
        cases.add(new ErrorCase("query by a bad where", query, () -> Call.of("POST", seeded() + "/query",
                "{\"query_embeddings\": [[1, 0]], \"where\": {\"year\": {\"$gt\": \"2020\"}}}").expect(400)
                .then(b -> assertEquals("Invalid where clause", b.path("message").asText()))));
        cases.add(new ErrorCase("query of the wrong dimension", query,
                () -> Call.of("POST", seeded() + "/query", "{\"query_embeddings\": [[1, 0, 0]]}").expect(400)));
        cases.add(new ErrorCase("query without query_embeddings", query,
                () -> Call.of("POST", seeded() + "/query", "{\"n_results\": 1}").expect(422)));
        String search = "POST " + records + "/search";
        cases.add(new ErrorCase("search a missing collection", search,
                () -> Call.of("POST", missing.get() + "/search", "{\"searches\": []}").expect(404)));
        cases.add(new ErrorCase("search with an unknown rank operator", search,
                () -> Call.of("POST", seeded() + "/search", "{\"searches\": [{\"rank\": {\"$pow\": 2}}]}").expect(422)));
        cases.add(new ErrorCase("search of the wrong dimension", search, () -> Call.of("POST", seeded() + "/search",
                "{\"searches\": [{\"rank\": {\"$knn\": {\"query\": [1, 0, 0]}}}]}").expect(400)));
        cases.add(new ErrorCase("search grouping without a rank", search, () -> Call.of("POST", seeded() + "/search",
                "{\"searches\": [{\"group_by\": {\"keys\": [\"topic\"], \"aggregate\": {\"$max_k\": "
                        + "{\"keys\": [\"year\"], \"k\": 1}}}}]}").expect(400)));
        cases.add(new ErrorCase("indexing status of a missing collection", "GET " + records + "/indexing_status",
                () -> Call.of("GET", missing.get() + "/indexing_status").expect(404)));
        cases.add(new ErrorCase("query with base64 embeddings", query,
                () -> Call.of("POST", seeded() + "/query", "{\"query_embeddings\": [\"" + base64(1f, 0f) + "\"]}")
                        .expect(422)));

        Map<String, JsonNode> ops = contractOperations();
        return cases.stream().map(ec -> DynamicTest.dynamicTest(ec.operation + ": " + ec.name, () -> {
            JsonNode op = ops.get(ec.operation);
            assertNotNull(op, "the contract has " + ec.operation);
            Call call = ec.call.get();
            JsonNode body = perform(ec.operation, op, call, call.status);
            assertValid(contract.at("/components/schemas/ErrorResponse"), body, ec.operation + " error body");
            String expectedName = switch (call.status) {
                case 400 -> "InvalidArgumentError";
                case 404 -> "NotFoundError";
                default -> "ChromaError";
            };
            assertEquals(expectedName, body.path("error").asText(), "error name for " + call.status);
            call.check.accept(body);
        }));
    }

    // ---- the served document and its UI ----

    @Test
    void serviceServesTheContract() throws IOException {
        Response r = given().get("/openapi.json");
        assertEquals(200, r.statusCode());
        assertTrue(r.contentType().startsWith("application/json"), "content type " + r.contentType());
        JsonNode served = JSON.readTree(r.asString());
        assertEquals(contract.path("info").path("title").asText(), served.path("info").path("title").asText());
        assertEquals(fieldNames(contract.path("paths")), fieldNames(served.path("paths")));
    }

    @Test
    void swaggerUiIsAtDocs() {
        Response r = given().redirects().follow(false).get("/docs");
        int status = r.statusCode();
        assertTrue(status == 200 || (status >= 300 && status < 400), "/docs answered " + status);
        if (status != 200) {
            String location = r.header("Location");
            assertNotNull(location, "/docs redirects somewhere");
            assertEquals(200, given().get(location).statusCode(), "/docs redirects to " + location);
        }
    }

    // ---- calling the service ----

    /** Performs a call, asserts its status is the expected one and documented, validates the body against the documented schema. */
    private JsonNode perform(String key, JsonNode op, Call call, int expected) throws IOException {
        assertTrue(statuses(op).contains(expected), key + " documents status " + expected);
        Response r = send(call);
        assertEquals(expected, r.statusCode(), key + " status; body: " + r.asString());
        assertTrue(r.contentType() != null && r.contentType().startsWith("application/json"),
                key + " content type " + r.contentType());
        JsonNode body = JSON.readTree(r.asString());
        assertNotNull(body, key + " has a JSON body");
        assertFalse(body.isMissingNode(), key + " has a JSON body");
        assertValid(responseSchema(op, expected), body, key + " " + expected + " body");
        return body;
    }

    private static Response send(Call call) {
        RequestSpecification spec = given();
        if (call.body != null) {
            spec = spec.contentType(call.contentType).body(call.body);
        } else if (!List.of("GET", "DELETE").contains(call.method)) {
            // As Chroma's clients do; left alone, RestAssured would declare a bodiless POST a form (a 415).
            spec = spec.contentType(call.contentType);
        }
        return spec.request(call.method, call.url);
    }

    /** A call whose status is only a precondition of the test at hand. */
    private static JsonNode call(String method, String url, JsonNode body, int status) {
        return call(Call.of(method, url, body), status);
    }

    private static JsonNode call(String method, String url, String body, int status) {
        return call(Call.of(method, url, body), status);
    }

    private static JsonNode call(String method, String url, int status) {
        return call(Call.of(method, url), status);
    }

    private static JsonNode call(Call call, int status) {
        String method = call.method;
        String url = call.url;
        Response r = send(call);
        assertEquals(status, r.statusCode(), method + " " + url + ": " + r.asString());
        try {
            return JSON.readTree(r.asString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String unique(String prefix) {
        return prefix + "-" + RUN + "-" + SEQ.incrementAndGet();
    }

    private static String tenant() {
        String name = unique("tenant");
        call("POST", "/api/v2/tenants", obj("name", name), 200);
        return name;
    }

    private static String database(String tenant) {
        String name = unique("db");
        call("POST", "/api/v2/tenants/" + tenant + "/databases", obj("name", name), 200);
        return name;
    }

    /** A fresh tenant and database; returns the database's URL prefix. */
    private static String db() {
        String t = tenant();
        return "/api/v2/tenants/" + t + "/databases/" + database(t);
    }

    private static JsonNode collection(String dbUrl, JsonNode request) {
        return call("POST", dbUrl + "/collections", request, 200);
    }

    /** Three records of width 2 in every column shape: r1 (1,0), r2 (2,2), r3 (-1,0). */
    private static final String SEED = """
            {"ids": ["r1", "r2", "r3"],
             "embeddings": [[1, 0], [2, 2], [-1, 0]],
             "documents": ["The quick brown fox", "Lazy dogs sleep", null],
             "uris": ["s3://bucket/r1", null, null],
             "metadatas": [{"topic": "animals", "year": 2024, "score": 0.5, "public": true, "tags": ["fox", "dog"]},
                           {"topic": "animals", "year": 2023, "ratios": [0.25, 1.5]},
                           null]}""";

    /** A fresh, empty collection (l2) in a fresh database; returns its URL, the prefix of its record routes. */
    private static String emptyCollection() {
        String db = db();
        return db + "/collections/" + collection(db, obj("name", unique("col"))).path("id").asText();
    }

    /** A fresh collection holding {@link #SEED}; returns its URL. */
    private static String seeded() {
        String col = emptyCollection();
        call("POST", col + "/add", SEED, 201);
        return col;
    }

    /** An embedding as the clients' base64: little-endian float32 bytes. */
    private static String base64(float... values) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            bytes.putFloat(v);
        }
        return Base64.getEncoder().encodeToString(bytes.array());
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A create request that exercises metadata of every type, an index configuration and an embedding function. */
    private static ObjectNode richCollection(String name) {
        ObjectNode req = obj("name", name);
        req.putObject("metadata").put("topic", "news").put("year", 2024).put("score", 0.5).put("public", true);
        ObjectNode cfg = req.putObject("configuration");
        cfg.putObject("hnsw").put("space", "cosine").put("ef_search", 50).put("max_neighbors", 32);
        cfg.putObject("embedding_function").put("type", "known").put("name", "default").putObject("config");
        req.put("get_or_create", false);
        return req;
    }

    private static ObjectNode obj(String field, String value) {
        return JSON.createObjectNode().put(field, value);
    }

    // ---- reading the contract ----

    /** "METHOD /path" to operation object, in document order. */
    private static Map<String, JsonNode> contractOperations() {
        Map<String, JsonNode> ops = new LinkedHashMap<>();
        contract.path("paths").fields().forEachRemaining(p -> p.getValue().fields().forEachRemaining(m -> {
            if (List.of("get", "put", "post", "delete", "patch", "head", "options", "trace").contains(m.getKey())) {
                ops.put(m.getKey().toUpperCase() + " " + p.getKey(), m.getValue());
            }
        }));
        return ops;
    }

    private static Set<Integer> statuses(JsonNode op) {
        Set<Integer> out = new TreeSet<>();
        op.path("responses").fieldNames().forEachRemaining(s -> out.add(Integer.parseInt(s)));
        return out;
    }

    private static int successStatus(JsonNode op) {
        return statuses(op).stream().filter(s -> s / 100 == 2).findFirst().orElseThrow();
    }

    private static JsonNode deref(JsonNode node) {
        while (node.has("$ref")) {
            String ref = node.get("$ref").asText();
            assertTrue(ref.startsWith("#/"), "local reference " + ref);
            node = contract.at(ref.substring(1));
            assertFalse(node.isMissingNode(), "reference " + ref + " resolves");
        }
        return node;
    }

    private static JsonNode responseSchema(JsonNode op, int status) {
        return deref(op.path("responses").path(String.valueOf(status)))
                .path("content").path("application/json").path("schema");
    }

    private static JsonNode requestSchema(JsonNode op) {
        return deref(op.path("requestBody")).path("content").path("application/json").path("schema");
    }

    /**
     * Validates against a schema of the contract. References inside it point into the contract
     * ({@code #/components/schemas/...}), so they are made absolute and resolved against the loaded document.
     */
    private static void assertValid(JsonNode schemaNode, JsonNode instance, String what) {
        assertFalse(schemaNode.isMissingNode(), what + ": schema present");
        JsonNode absolute = absolutize(schemaNode.deepCopy());
        JsonSchema schema = schemas.getSchema(
                SchemaLocation.of(CONTRACT_IRI.replace("openapi.json", "inline/" + SEQ.incrementAndGet())),
                absolute, validatorConfig);
        Set<ValidationMessage> errors = schema.validate(instance);
        assertTrue(errors.isEmpty(), what + " does not match the contract: " + errors + "\n" + instance);
    }

    private static JsonNode absolutize(JsonNode node) {
        if (node.isObject()) {
            ObjectNode o = (ObjectNode) node;
            JsonNode ref = o.get("$ref");
            if (ref != null && ref.isTextual() && ref.asText().startsWith("#")) {
                o.put("$ref", CONTRACT_IRI + ref.asText());
            }
            o.fields().forEachRemaining(e -> absolutize(e.getValue()));
        } else if (node.isArray()) {
            node.forEach(ContractTest::absolutize);
        }
        return node;
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    // ---- reading the service's routes ----

    /** The service's classes under io.vermilion (from the build output the test runs against). */
    private static List<Class<?>> serviceClasses() throws IOException, URISyntaxException, ClassNotFoundException {
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        List<Class<?>> out = new ArrayList<>();
        for (URL url : Collections.list(loader.getResources("io/vermilion"))) {
            if (!"file".equals(url.getProtocol())) {
                continue;
            }
            java.nio.file.Path base = java.nio.file.Path.of(url.toURI());
            if (base.toString().contains("test-classes")) {
                continue;
            }
            try (Stream<java.nio.file.Path> files = Files.walk(base)) {
                for (java.nio.file.Path f : (Iterable<java.nio.file.Path>) files::iterator) {
                    String rel = base.relativize(f).toString().replace('\\', '/');
                    if (rel.endsWith(".class") && !rel.contains("$")) {
                        out.add(Class.forName("io.vermilion." + rel.substring(0, rel.length() - 6).replace('/', '.'),
                                false, loader));
                    }
                }
            }
        }
        assertTrue(out.stream().anyMatch(c -> c == CollectionResource.class), "found the service's resource classes");
        return out;
    }

    private static String httpMethod(Method m) {
        for (Annotation a : m.getAnnotations()) {
            HttpMethod verb = a.annotationType().getAnnotation(HttpMethod.class);
            if (verb != null) {
                return verb.value();
            }
        }
        return null;
    }

    private static String join(String a, String b) {
        String path = ("/" + a + "/" + b).replaceAll("/+", "/");
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    /** Path templates with their parameter names erased: {@code /tenants/{tenant_name}} ~ {@code /tenants/{tenant}}. */
    private static String anonymous(String path) {
        return path.replaceAll("\\{[^}]*}", "{}");
    }

    // ---- test data ----

    private record ErrorCase(String name, String operation, Supplier<Call> call) {}

    private record Variant(String name, String operation, Supplier<Call> call) {}

    /** One HTTP request; {@code status} null means "the operation's documented success status". */
    private static final class Call {
        final String method;
        final String url;
        final String body;
        String contentType = "application/json";
        Integer status;
        Consumer<JsonNode> check = b -> {};

        private Call(String method, String url, String body) {
            this.method = method;
            this.url = url;
            this.body = body;
        }

        static Call of(String method, String url) {
            return new Call(method, url, null);
        }

        static Call of(String method, String url, JsonNode body) {
            return new Call(method, url, body.toString());
        }

        static Call of(String method, String url, String rawBody) {
            return new Call(method, url, rawBody);
        }

        Call expect(int status) {
            this.status = status;
            return this;
        }

        Call as(String contentType) {
            this.contentType = contentType;
            return this;
        }

        Call then(Consumer<JsonNode> check) {
            this.check = check;
            return this;
        }
    }
}
