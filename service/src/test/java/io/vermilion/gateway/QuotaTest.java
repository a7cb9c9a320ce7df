package io.vermilion.gateway;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.vermilion.sysdb.PostgresResource;
import java.util.UUID;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * With auth on, every tenant is held to Chroma Cloud's quotas unless it has overrides: a request over one is
 * refused with Chroma's exact quota error and writes nothing, an override changes its own tenant's limit only, and
 * pre-flight checks tell a client its tenant's records per write. (With auth off the server-wide limits stay, see
 * RecordValidationTest and SystemResourceTest.)
 */
@QuarkusTest
@TestProfile(GatewayLimitsProfile.class)
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
class QuotaTest {

    private static final String ADMIN = AuthProfile.ADMIN_KEY;

    private String tenant;
    private String col;

    private static RequestSpecification as(String key) {
        RequestSpecification spec = given().contentType("application/json");
        return key == null ? spec : spec.header("x-chroma-token", key);
    }

    /** A fresh tenant with database {@code main} holding collection {@code col}; returns the collection's id. */
    private static String setUpTenant(String tenant) {
        as(ADMIN).body("{\"name\":\"" + tenant + "\"}").post("/api/v2/tenants").then().statusCode(200);
        as(ADMIN).body("{\"name\":\"main\"}").post("/api/v2/tenants/" + tenant + "/databases").then().statusCode(200);
        return as(ADMIN).body("{\"name\":\"col\"}").post("/api/v2/tenants/" + tenant + "/databases/main/collections")
                .then().statusCode(200).extract().path("id");
    }

    private static String createKey(String tenant, String role) {
        return as(ADMIN).body("{\"tenant\":\"" + tenant + "\",\"role\":\"" + role + "\"}").post("/api/v2/admin/keys")
                .then().statusCode(200).extract().path("key");
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    @BeforeEach
    void freshTenant() {
        tenant = unique("quota");
        col = setUpTenant(tenant);
    }

    private static String records(String tenant, String col) {
        return "/api/v2/tenants/" + tenant + "/databases/main/collections/" + col;
    }

    private String records() {
        return records(tenant, col);
    }

    private static Response post(String path, String body) {
        return as(ADMIN).body(body).post(path);
    }

    private static Response setQuotas(String tenant, String body) {
        return as(ADMIN).body(body).put("/api/v2/admin/tenants/" + tenant + "/quotas");
    }

    private int count() {
        return as(ADMIN).get(records() + "/count").then().statusCode(200).extract().as(Integer.class);
    }

    /** n records {@code p0..}, one-dimensional. */
    private static String batch(String prefix, int n) {
        IntFunction<String> id = i -> "\"" + prefix + i + "\"";
        return "{\"ids\":[" + IntStream.range(0, n).mapToObj(id).collect(Collectors.joining(",")) + "],"
                + "\"embeddings\":[" + IntStream.range(0, n).mapToObj(i -> "[" + i + "]").collect(Collectors.joining(","))
                + "]}";
    }

    static void assertQuota(Response r, String usage, String action, long current, long limit) {
        assertEquals(422, r.statusCode(), r.asString());
        assertEquals("application/json", r.contentType());
        assertEquals("ChromaError", r.jsonPath().getString("error"));
        assertEquals("Quota exceeded: '" + usage + "' exceeded quota limit for action '" + action
                + "': current usage of " + current + " exceeds limit of " + limit, r.jsonPath().getString("message"));
    }

    @Test
    void recordsPerWriteDefaultToCloudsThreeHundred() {
        assertQuota(post(records() + "/add", batch("r", 301)), "Number of records", "Add", 301, 300);
        assertEquals(0, count(), "nothing of a refused write is stored");
        post(records() + "/add", batch("r", 300)).then().statusCode(201);
        assertEquals(300, count());
    }

    @Test
    void sizeQuotasRefuseTheWholeWriteWithChromasMessage() {
        post(records() + "/add", "{\"ids\":[\"r0\"],\"embeddings\":[[1,2]]}").then().statusCode(201);
        String fine = "{\"ids\":[\"fine\",\"%s\"],\"embeddings\":[[1,2],%s]";
        String twoDims = "[3,4]";

        assertQuota(post(records() + "/add", fine.formatted("i".repeat(129), twoDims) + "}"),
                "ID size (bytes)", "Add", 129, 128);
        assertQuota(post(records() + "/upsert", fine.formatted("bad", twoDims) + ",\"documents\":[\"ok\",\""
                + "d".repeat(16_385) + "\"]}"), "Document size (bytes)", "Upsert", 16_385, 16_384);
        assertQuota(post(records() + "/update", "{\"ids\":[\"r0\"],\"uris\":[\"" + "u".repeat(257) + "\"]}"),
                "URI size (bytes)", "Update", 257, 256);
        String wide = "[" + IntStream.range(0, 4_097).mapToObj(i -> "0.5").collect(Collectors.joining(",")) + "]";
        assertQuota(post(records() + "/add", "{\"ids\":[\"wide\"],\"embeddings\":[" + wide + "]}"),
                "Embedding dimension", "Add", 4_097, 4_096);
        assertQuota(post(records() + "/add", fine.formatted("bad", twoDims) + ",\"metadatas\":[{\"k\":1},{\""
                + "k".repeat(37) + "\":1}]}"), "Size of metadata dictionary key (bytes)", "Add", 37, 36);
        assertQuota(post(records() + "/add", fine.formatted("bad", twoDims) + ",\"metadatas\":[null,{\"k\":\""
                + "é".repeat(2_049) + "\"}]}"), "Size of metadata dictionary value (bytes)", "Add", 4_098, 4_096);
        // vermilion.quota.num_metadata_keys=4 in this profile: a configured default replaces Cloud's 32.
        assertQuota(post(records() + "/add", fine.formatted("bad", twoDims)
                        + ",\"metadatas\":[{\"a\":1,\"b\":2,\"c\":3,\"d\":4},{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5}]}"),
                "Number of metadata dictionary keys", "Add", 5, 4);

        assertEquals(1, count(), "nothing of a refused write is stored");
        as(ADMIN).body("{\"include\":[\"uris\"]}").post(records() + "/get").then().statusCode(200)
                .body("ids", contains("r0")).body("uris", contains((Object) null));
    }

    @Test
    void readQuotasRefuseOversizedRequests() {
        post(records() + "/add", "{\"ids\":[\"r0\"],\"embeddings\":[[1,2]]}").then().statusCode(201);
        assertQuota(post(records() + "/get", "{\"limit\":301}"), "Limit value", "Get", 301, 300);
        post(records() + "/get", "{\"limit\":300}").then().statusCode(200).body("ids", contains("r0"));
        assertQuota(post(records() + "/query", "{\"query_embeddings\":[[1,2]],\"n_results\":101}"),
                "Number of results", "Query", 101, 100);
        String queries = IntStream.range(0, 21).mapToObj(i -> "[1,2]").collect(Collectors.joining(","));
        assertQuota(post(records() + "/query", "{\"query_embeddings\":[" + queries + "]}"),
                "Number of query embeddings", "Query", 21, 20);
        post(records() + "/query", "{\"query_embeddings\":[[1,2]],\"n_results\":100}").then().statusCode(200)
                .body("ids[0]", contains("r0"));
    }

    @Test
    void searchQuotasRefuseOversizedSearches() {
        post(records() + "/add", "{\"ids\":[\"r0\"],\"embeddings\":[[1,2]]}").then().statusCode(201);
        String knn = "{\"$knn\":{\"query\":[1,2],\"limit\":384}}";
        String six = IntStream.range(0, 6).mapToObj(i -> "{}").collect(Collectors.joining(","));
        assertQuota(post(records() + "/search", "{\"searches\":[" + six + "]}"),
                "Number of search payloads in a search", "Search", 6, 5);
        String sixKnn = IntStream.range(0, 6).mapToObj(i -> knn).collect(Collectors.joining(","));
        assertQuota(post(records() + "/search", "{\"searches\":[{\"rank\":{\"$sum\":[" + sixKnn + "]}}]}"),
                "Number of knn searches in a rank expression", "Search", 6, 5);
        assertQuota(post(records() + "/search", "{\"searches\":[{\"rank\":{\"$knn\":{\"query\":[1,2],\"limit\":385}}}]}"),
                "Limit value in rank expression", "Search", 385, 384);
        assertQuota(post(records() + "/search", "{\"searches\":[{\"limit\":{\"limit\":301}}]}"),
                "Limit value", "Search", 301, 300);
        post(records() + "/search", "{\"searches\":[{\"rank\":" + knn + ",\"limit\":{\"limit\":300}}]}").then()
                .statusCode(200).body("ids[0]", contains("r0"));
    }

    @Test
    void collectionSizeCountsOnlyRecordsNotThereYet() {
        setQuotas(tenant, "{\"collection_size_records\":3}").then().statusCode(200);
        post(records() + "/add", batch("r", 2)).then().statusCode(201);
        assertQuota(post(records() + "/add", "{\"ids\":[\"r1\",\"x\",\"y\"],\"embeddings\":[[1],[2],[3]]}"),
                "Collection size (records)", "Add", 4, 3);
        assertEquals(2, count(), "a write over the collection's size is refused whole");
        post(records() + "/upsert", "{\"ids\":[\"r0\",\"r1\",\"x\"],\"embeddings\":[[5],[6],[7]]}").then().statusCode(200);
        assertEquals(3, count());
        post(records() + "/add", "{\"ids\":[\"x\"],\"embeddings\":[[1]]}").then().statusCode(201);
        post(records() + "/update", "{\"ids\":[\"x\"],\"documents\":[\"still fits\"]}").then().statusCode(200);
        assertQuota(post(records() + "/upsert", "{\"ids\":[\"x\",\"z\"],\"embeddings\":[[1],[2]]}"),
                "Collection size (records)", "Upsert", 4, 3);
        assertEquals(3, count());
    }

    @Test
    void collectionsPerDatabaseFollowTheTenantsQuota() {
        setQuotas(tenant, "{\"num_collections\":2}").then().statusCode(200);
        String collections = "/api/v2/tenants/" + tenant + "/databases/main/collections";
        post(collections, "{\"name\":\"two\"}").then().statusCode(200);
        assertQuota(post(collections, "{\"name\":\"three\"}"), "Number of collections", "Create Collection", 3, 2);
        assertQuota(post(collections, "{\"name\":\"three\",\"get_or_create\":true}"),
                "Number of collections", "Create Collection", 3, 2);
        post(collections, "{\"name\":\"two\",\"get_or_create\":true}").then().statusCode(200).body("name", equalTo("two"));
        as(ADMIN).get(collections + "_count").then().statusCode(200).body(equalTo("2"));
        // Per database: another database of the tenant has its own count.
        as(ADMIN).body("{\"name\":\"other\"}").post("/api/v2/tenants/" + tenant + "/databases").then().statusCode(200);
        post("/api/v2/tenants/" + tenant + "/databases/other/collections", "{\"name\":\"three\"}").then().statusCode(200);
    }

    @Test
    void anOverrideChangesTheLimitForItsTenantOnly() {
        String other = unique("quota");
        String otherCol = setUpTenant(other);
        setQuotas(tenant, "{\"num_records\":2}").then().statusCode(200)
                .body("tenant", equalTo(tenant)).body("enforced", equalTo(true))
                .body("limits.num_records", equalTo(2)).body("limits.document_size_bytes", equalTo(16_384))
                .body("overrides", equalTo(java.util.Map.of("num_records", 2)));
        as(ADMIN).get("/api/v2/admin/tenants/" + other + "/quotas").then().statusCode(200)
                .body("limits.num_records", equalTo(300)).body("overrides", equalTo(java.util.Map.of()));

        assertQuota(post(records() + "/add", batch("r", 3)), "Number of records", "Add", 3, 2);
        post(records(other, otherCol) + "/add", batch("r", 3)).then().statusCode(201);

        setQuotas(tenant, "{\"num_records\":null}").then().statusCode(200)
                .body("limits.num_records", equalTo(300)).body("overrides", equalTo(java.util.Map.of()));
        post(records() + "/add", batch("r", 3)).then().statusCode(201);
    }

    @Test
    void preFlightReportsTheCallersRecordsPerWrite() {
        String other = unique("quota");
        setUpTenant(other);
        setQuotas(tenant, "{\"num_records\":7}").then().statusCode(200);
        String key = createKey(tenant, "read_only");
        as(key).get("/api/v2/pre-flight-checks").then().statusCode(200)
                .body("max_batch_size", equalTo(7)).body("supports_base64_encoding", equalTo(true));
        as(createKey(other, "read_write")).get("/api/v2/pre-flight-checks").then().statusCode(200)
                .body("max_batch_size", equalTo(300));
        as(null).get("/api/v2/pre-flight-checks").then().statusCode(200).body("max_batch_size", equalTo(300));
        as(ADMIN).get("/api/v2/pre-flight-checks").then().statusCode(200).body("max_batch_size", equalTo(300));
        as("vmk_unknown").get("/api/v2/pre-flight-checks").then().statusCode(200).body("max_batch_size", equalTo(300));
    }

    @Test
    void onlyTheBootstrapKeySetsQuotas() {
        String other = unique("quota");
        setUpTenant(other);
        String tenantAdmin = createKey(tenant, "admin");
        String path = "/api/v2/admin/tenants/" + tenant + "/quotas";
        as(tenantAdmin).get(path).then().statusCode(200).body("limits.num_records", equalTo(300));
        as(tenantAdmin).body("{\"num_records\":1000}").put(path).then().statusCode(403)
                .body("message", equalTo("Permission denied."));
        as(tenantAdmin).get("/api/v2/admin/tenants/" + other + "/quotas").then().statusCode(403);
        as(createKey(tenant, "read_write")).get(path).then().statusCode(403);

        Response unknown = setQuotas(tenant, "{\"num_records\":10,\"records\":5}");
        assertEquals(422, unknown.statusCode());
        assertEquals("Failed to deserialize the JSON body into the target type: unknown field `records`, expected one of "
                + "`num_records`, `embedding_dimensions`, `document_size_bytes`, `id_size_bytes`, `uri_size_bytes`, "
                + "`metadata_key_size_bytes`, `metadata_value_size_bytes`, `num_metadata_keys`, `limit_value`, "
                + "`num_results`, `num_query_embeddings`, `collection_size_records`, `num_collections`, `num_forks`, "
                + "`num_search_payloads`, `num_rank_knn`, `rank_knn_limit`, `num_group_by_keys`, `num_aggregate_keys`",
                unknown.jsonPath().getString("message"));
        setQuotas(tenant, "{\"num_records\":-1}").then().statusCode(422).body("message", equalTo(
                "Failed to deserialize the JSON body into the target type: num_records: invalid value: integer `-1`, "
                        + "expected u32"));
        setQuotas("no-such-tenant", "{\"num_records\":1}").then().statusCode(404)
                .body("error", equalTo("NotFoundError")).body("message", equalTo("Tenant [no-such-tenant] not found"));
        as(ADMIN).get("/api/v2/admin/tenants/no-such-tenant/quotas").then().statusCode(404);
        as(ADMIN).get(path).then().statusCode(200).body("overrides", equalTo(java.util.Map.of()));
    }
}
