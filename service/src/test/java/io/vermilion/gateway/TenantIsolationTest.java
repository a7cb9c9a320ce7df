package io.vermilion.gateway;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.vermilion.sysdb.PostgresResource;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * With auth on, no key reaches outside its tenant, databases or role: every route is tried with another tenant's
 * key and with a read-only key, and every attempt must be refused with the exact status.
 */
@QuarkusTest
@TestProfile(AuthProfile.class)
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
class TenantIsolationTest {

    private record Route(String method, String path, String body, boolean write) {}

    private String tenantA;
    private String tenantB;
    private String keyA;
    private String keyB;
    private String readOnlyA;
    private String colA;
    private String colB;

    private static RequestSpecification as(String key) {
        RequestSpecification spec = given().contentType("application/json");
        return key == null ? spec : spec.header("x-chroma-token", key);
    }

    private static Response call(String key, Route r) {
        RequestSpecification spec = as(key);
        if (r.body() != null) {
            spec = spec.body(r.body());
        }
        return spec.request(r.method(), r.path());
    }

    private static String createKey(String tenant, String role, String databasesJson) {
        String body = "{\"tenant\":\"" + tenant + "\",\"role\":\"" + role + "\""
                + (databasesJson == null ? "" : ",\"databases\":" + databasesJson) + "}";
        return as(AuthProfile.ADMIN_KEY).body(body).post("/api/v2/admin/keys").then().statusCode(200)
                .body("tenant", equalTo(tenant)).body("role", equalTo(role)).extract().path("key");
    }

    private static String setUpTenant(String tenant) {
        as(AuthProfile.ADMIN_KEY).body("{\"name\":\"" + tenant + "\"}").post("/api/v2/tenants").then().statusCode(200);
        as(AuthProfile.ADMIN_KEY).body("{\"name\":\"main\"}").post("/api/v2/tenants/" + tenant + "/databases")
                .then().statusCode(200);
        as(AuthProfile.ADMIN_KEY).body("{\"name\":\"other\"}").post("/api/v2/tenants/" + tenant + "/databases")
                .then().statusCode(200);
        String id = as(AuthProfile.ADMIN_KEY).body("{\"name\":\"col\"}")
                .post("/api/v2/tenants/" + tenant + "/databases/main/collections").then().statusCode(200)
                .extract().path("id");
        as(AuthProfile.ADMIN_KEY).body("{\"ids\":[\"r1\"],\"embeddings\":[[1,2]],\"documents\":[\"secret of " + tenant + "\"]}")
                .post("/api/v2/tenants/" + tenant + "/databases/main/collections/" + id + "/add").then().statusCode(201);
        return id;
    }

    @BeforeEach
    void twoTenants() {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        tenantA = "tenant-a-" + suffix;
        tenantB = "tenant-b-" + suffix;
        colA = setUpTenant(tenantA);
        colB = setUpTenant(tenantB);
        keyA = createKey(tenantA, "read_write", null);
        keyB = createKey(tenantB, "read_write", null);
        readOnlyA = createKey(tenantA, "read_only", null);
    }

    /** Every tenant-scoped route, aimed at tenant A's data. */
    private List<Route> routesOfA() {
        String t = "/api/v2/tenants/" + tenantA;
        String db = t + "/databases/main";
        String col = db + "/collections/" + colA;
        List<Route> routes = new ArrayList<>(List.of(
                new Route("GET", t, null, false),
                new Route("PATCH", t, "{\"resource_name\":\"x\"}", true),
                new Route("GET", t + "/databases", null, false),
                new Route("POST", t + "/databases", "{\"name\":\"fresh\"}", true),
                new Route("GET", db, null, false),
                new Route("DELETE", t + "/databases/other", null, true),
                new Route("GET", db + "/collections", null, false),
                new Route("POST", db + "/collections", "{\"name\":\"made\"}", true),
                new Route("GET", db + "/collections_count", null, false),
                new Route("GET", db + "/collections/col", null, false),
                new Route("GET", db + "/collections/by-id/" + colA, null, false),
                new Route("PUT", col, "{\"new_name\":\"renamed\"}", true),
                new Route("DELETE", db + "/collections/col", null, true),
                new Route("POST", col + "/fork", "{\"new_name\":\"forked\"}", true),
                new Route("GET", col + "/fork_count", null, false),
                new Route("POST", col + "/add", "{\"ids\":[\"x\"],\"embeddings\":[[1,2]]}", true),
                new Route("POST", col + "/upsert", "{\"ids\":[\"r1\"],\"embeddings\":[[3,4]]}", true),
                new Route("POST", col + "/update", "{\"ids\":[\"r1\"],\"documents\":[\"changed\"]}", true),
                new Route("POST", col + "/delete", "{\"ids\":[\"r1\"]}", true),
                new Route("GET", col + "/count", null, false),
                new Route("POST", col + "/get", "{}", false),
                new Route("POST", col + "/query", "{\"query_embeddings\":[[1,2]]}", false),
                new Route("POST", col + "/search", "{\"searches\":[{\"rank\":{\"$knn\":{\"query\":[1,2]}}}]}", false),
                new Route("GET", col + "/indexing_status", null, false)));
        return routes;
    }

    private void assertTenantAUntouched() {
        String db = "/api/v2/tenants/" + tenantA + "/databases/main";
        as(keyA).body("{\"include\":[\"documents\",\"embeddings\"]}").post(db + "/collections/" + colA + "/get")
                .then().statusCode(200).body("ids", contains("r1"))
                .body("documents", contains("secret of " + tenantA));
        as(keyA).get(db + "/collections").then().statusCode(200).body("name", contains("col"));
        as(keyA).get("/api/v2/tenants/" + tenantA + "/databases").then().statusCode(200)
                .body("name", contains("main", "other"));
    }

    @Test
    void anotherTenantsKeyIsRefusedOnEveryRoute() {
        for (Route r : routesOfA()) {
            Response resp = call(keyB, r);
            assertEquals(403, resp.statusCode(), r.method() + " " + r.path() + " answered " + resp.asString());
            assertEquals("Permission denied.", resp.jsonPath().getString("message"), r.path());
            assertEquals("ChromaError", resp.jsonPath().getString("error"), r.path());
        }
        assertTenantAUntouched();
    }

    @Test
    void readOnlyKeyIsRefusedEveryWrite() {
        int reads = 0;
        for (Route r : routesOfA()) {
            Response resp = call(readOnlyA, r);
            if (r.write()) {
                assertEquals(403, resp.statusCode(), r.method() + " " + r.path() + " answered " + resp.asString());
            } else {
                assertTrue(resp.statusCode() == 200, r.method() + " " + r.path() + " answered " + resp.asString());
                reads++;
            }
        }
        assertEquals(13, reads);
        assertTenantAUntouched();
    }

    @Test
    void anotherTenantsCollectionLooksMissing() {
        // Tenant B's key on B's own path, but naming A's collection id: exactly what a missing collection answers.
        String pathB = "/api/v2/tenants/" + tenantB + "/databases/main/collections/" + colA;
        as(keyB).body("{}").post(pathB + "/get").then().statusCode(404)
                .body("error", equalTo("NotFoundError")).body("message", equalTo("Collection [" + colA + "] does not exist"));
        as(keyB).body("{\"ids\":[\"x\"],\"embeddings\":[[1,2]]}").post(pathB + "/add").then().statusCode(404);
        as(keyB).get("/api/v2/tenants/" + tenantB + "/databases/main/collections/by-id/" + colA).then().statusCode(404);
        as(keyB).get("/api/v2/collections/" + tenantA + ":main:col").then().statusCode(404)
                .body("error", equalTo("NotFoundError"));
        as(keyA).get("/api/v2/collections/" + tenantA + ":main:col").then().statusCode(200).body("id", equalTo(colA));
        assertTenantAUntouched();
    }

    @Test
    void keysAreCheckedBeforeAnything() {
        Route get = new Route("POST", "/api/v2/tenants/" + tenantA + "/databases/main/collections/" + colA + "/get", "{}", false);
        Response none = call(null, get);
        assertEquals(401, none.statusCode());
        assertEquals("Missing API key in the request header", none.jsonPath().getString("message"));
        Response wrong = call("vmk_not-a-key", get);
        assertEquals(401, wrong.statusCode());
        assertEquals("Permission denied.", wrong.jsonPath().getString("message"));
        given().header("Authorization", "Bearer " + keyA).contentType("application/json").body("{}")
                .post(get.path()).then().statusCode(200).body("ids", contains("r1"));
        // Public routes need no key.
        given().get("/api/v2/heartbeat").then().statusCode(200);
        given().get("/api/v2/pre-flight-checks").then().statusCode(200);
    }

    @Test
    void identityNamesTheKeysScope() {
        String dbKey = createKey(tenantA, "read_only", "[\"main\"]");
        as(dbKey).get("/api/v2/auth/identity").then().statusCode(200)
                .body("tenant", equalTo(tenantA)).body("databases", contains("main"));
        as(keyA).get("/api/v2/auth/identity").then().statusCode(200)
                .body("tenant", equalTo(tenantA)).body("databases", contains("*"));
        as(dbKey).get("/api/v2/tenants/" + tenantA + "/databases/other").then().statusCode(403);
        as(dbKey).get("/api/v2/tenants/" + tenantA + "/databases").then().statusCode(200).body("name", contains("main"));
    }

    @Test
    void onlyAdminsManageKeysAndOnlyTheBootstrapKeyCreatesTenants() {
        as(keyA).body("{\"tenant\":\"" + tenantA + "\",\"role\":\"read_only\"}").post("/api/v2/admin/keys")
                .then().statusCode(403);
        as(keyA).body("{\"name\":\"new-tenant-" + UUID.randomUUID() + "\"}").post("/api/v2/tenants").then().statusCode(403);
        String adminA = createKey(tenantA, "admin", null);
        as(adminA).body("{\"name\":\"new-tenant-" + UUID.randomUUID() + "\"}").post("/api/v2/tenants").then().statusCode(403);
        as(adminA).body("{\"tenant\":\"" + tenantB + "\",\"role\":\"read_only\"}").post("/api/v2/admin/keys")
                .then().statusCode(403);
        String made = as(adminA).body("{\"tenant\":\"" + tenantA + "\",\"role\":\"read_only\"}").post("/api/v2/admin/keys")
                .then().statusCode(200).extract().path("key");
        String id = as(adminA).get("/api/v2/admin/keys?tenant=" + tenantA).then().statusCode(200)
                .extract().jsonPath().getList("id", String.class).getLast();
        as(made).get("/api/v2/tenants/" + tenantA).then().statusCode(200);
        as(keyB).delete("/api/v2/admin/keys/" + id).then().statusCode(403);
        as(adminA).delete("/api/v2/admin/keys/" + id).then().statusCode(200);
        as(made).get("/api/v2/tenants/" + tenantA).then().statusCode(401);
        as(AuthProfile.ADMIN_KEY).delete("/api/v2/admin/keys/" + id).then().statusCode(404);
    }
}
