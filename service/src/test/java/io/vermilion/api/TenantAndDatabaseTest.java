package io.vermilion.api;

import static io.vermilion.api.ApiTestSupport.assertError;
import static io.vermilion.api.ApiTestSupport.createDatabase;
import static io.vermilion.api.ApiTestSupport.createTenant;
import static io.vermilion.api.ApiTestSupport.delete;
import static io.vermilion.api.ApiTestSupport.get;
import static io.vermilion.api.ApiTestSupport.post;
import static io.vermilion.api.ApiTestSupport.uniqueName;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vermilion.sysdb.PostgresResource;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
class TenantAndDatabaseTest {

    @Test
    void defaultTenantAndDatabaseExistOnAFreshCatalog() {
        get("/api/v2/tenants/default_tenant").statusCode(200)
                .body("name", equalTo("default_tenant")).body("resource_name", nullValue());
        get("/api/v2/tenants/default_tenant/databases/default_database").statusCode(200)
                .body("id", equalTo("00000000-0000-0000-0000-000000000000"))
                .body("name", equalTo("default_database"))
                .body("tenant", equalTo("default_tenant"));
    }

    @Test
    void createdTenantIsReadableAndDuplicateIsAConflict() {
        String tenant = uniqueName("tenant");
        post("/api/v2/tenants", "{\"name\":\"" + tenant + "\",\"extra\":1}").statusCode(200).body(equalTo("{}"));
        get("/api/v2/tenants/" + tenant).statusCode(200).body("name", equalTo(tenant));
        assertError(post("/api/v2/tenants", "{\"name\":\"" + tenant + "\"}"), 409, "ChromaError",
                "Tenant [" + tenant + "] already exists");
    }

    @Test
    void tenantNameShorterThanThreeIsRefused() {
        assertError(post("/api/v2/tenants", "{\"name\":\"ab\"}"), 400, "InvalidArgumentError",
                "Validation error: name: Validation error: length [{\"min\": Number(3), \"value\": String(\"ab\")}]");
    }

    @Test
    void missingTenantIs404() {
        assertError(get("/api/v2/tenants/nope-nope"), 404, "NotFoundError", "Tenant [nope-nope] not found");
    }

    @Test
    void tenantResourceNameIsSetOnceThenConflicts() {
        String tenant = createTenant();
        given().contentType("application/json").body("{\"resource_name\":\"acme\"}")
                .patch("/api/v2/tenants/" + tenant).then().statusCode(200).body(equalTo("{}"));
        get("/api/v2/tenants/" + tenant).statusCode(200).body("resource_name", equalTo("acme"));
        given().contentType("application/json").body("{\"resource_name\":\"other\"}")
                .patch("/api/v2/tenants/" + tenant).then().statusCode(409);
        given().contentType("application/json").body("{\"resource_name\":\"x\"}")
                .patch("/api/v2/tenants/missing-tenant").then().statusCode(404);
    }

    @Test
    void badBodiesAreRefusedInChromasWords() {
        assertError(post("/api/v2/tenants", ""), 400, "InvalidArgumentError",
                "Failed to parse the request body as JSON: EOF while parsing a value at line 1 column 0");
        post("/api/v2/tenants", "{\"name\":").statusCode(400).body("error", equalTo("InvalidArgumentError"));
        assertError(post("/api/v2/tenants", "{}"), 422, "ChromaError",
                "Failed to deserialize the JSON body into the target type: missing field `name`");
        assertError(post("/api/v2/tenants", "{\"name\":5}"), 422, "ChromaError",
                "Failed to deserialize the JSON body into the target type: name: invalid type: integer `5`, expected a string");
        assertError(given().contentType("text/plain").body("{\"name\":\"abc\"}").post("/api/v2/tenants").then(),
                415, "ChromaError", "Expected request with `Content-Type: application/json`");
    }

    @Test
    void databasesAreCreatedListedPagedAndDeleted() {
        String tenant = createTenant();
        String base = "/api/v2/tenants/" + tenant + "/databases";
        post(base, "{\"name\":\"alpha\"}").statusCode(200).body(equalTo("{}"));
        post(base, "{\"name\":\"beta\"}").statusCode(200);
        post(base, "{\"name\":\"gamma\"}").statusCode(200);
        get(base).statusCode(200).body("name", contains("alpha", "beta", "gamma"))
                .body("tenant", contains(tenant, tenant, tenant));
        get(base + "?limit=2").statusCode(200).body("name", contains("alpha", "beta"));
        get(base + "?limit=2&offset=1").statusCode(200).body("name", contains("beta", "gamma"));
        get(base + "?offset=2").statusCode(200).body("name", contains("gamma"));
        get(base + "?limit=0").statusCode(200).body("$", empty());
        assertError(get(base + "?limit=abc"), 400, "InvalidArgumentError",
                "Failed to deserialize query string: limit: invalid digit found in string");

        assertError(post(base, "{\"name\":\"alpha\"}"), 409, "ChromaError", "Database [alpha] already exists");
        delete(base + "/beta").statusCode(200).body(equalTo("{}"));
        assertError(get(base + "/beta"), 404, "NotFoundError", "Database [beta] not found. Are you sure it exists?");
        assertError(delete(base + "/beta"), 404, "NotFoundError", "Database [beta] not found");
        get(base).statusCode(200).body("name", contains("alpha", "gamma"));
    }

    @Test
    void databaseNamesFollowChromasRules() {
        String base = "/api/v2/tenants/" + createTenant() + "/databases";
        assertError(post(base, "{\"name\":\"d1\"}"), 400, "InvalidArgumentError",
                "Expected a name containing 3-512 characters from [a-zA-Z0-9._-], starting and ending with a "
                        + "character in [a-zA-Z0-9]. Got: d1");
        assertError(post(base, "{\"name\":\"a..b\"}"), 400, "InvalidArgumentError",
                "Expected a name that does not contains two consecutive periods (..). Got a..b");
        assertError(post(base, "{\"name\":\"10.0.0.1\"}"), 400, "InvalidArgumentError",
                "Expected a name that is not a valid ip address. Got 10.0.0.1");
        assertError(get(base + "/ab"), 400, "InvalidArgumentError", "database name must be at least 3 characters");
    }

    @Test
    void databaseInMissingTenantIsRefused() {
        assertError(post("/api/v2/tenants/no-such-tenant/databases", "{\"name\":\"abc\"}"), 404, "NotFoundError",
                "Tenant [no-such-tenant] not found");
        get("/api/v2/tenants/no-such-tenant/databases").statusCode(200).body("$", empty());
    }

    @Test
    void deletingADatabaseDeletesItsCollections() {
        String tenant = createTenant();
        String db = createDatabase(tenant);
        String cols = "/api/v2/tenants/" + tenant + "/databases/" + db + "/collections";
        post(cols, "{\"name\":\"inside\"}").statusCode(200);
        delete("/api/v2/tenants/" + tenant + "/databases/" + db).statusCode(200);
        post("/api/v2/tenants/" + tenant + "/databases", "{\"name\":\"" + db + "\"}").statusCode(200);
        get(cols + "_count").statusCode(200).body(equalTo("0"));
    }
}
