package io.vermilion.api;

import static io.vermilion.api.ApiTestSupport.createDatabase;
import static io.vermilion.api.ApiTestSupport.createTenant;
import static io.vermilion.api.ApiTestSupport.get;
import static io.vermilion.api.ApiTestSupport.post;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vermilion.sysdb.PostgresResource;
import org.junit.jupiter.api.Test;

/** With {@code vermilion.allow-reset} on, reset deletes every tenant, database and collection, as Chroma's does. */
@QuarkusTest
@TestProfile(ResetAllowedProfile.class)
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
class ResetTest {

    private static final String DEFAULT_DB = "/api/v2/tenants/default_tenant/databases/default_database";

    @Test
    void resetDeletesEverythingAndKeepsTheDefaultTenantAndDatabase() {
        String tenant = createTenant();
        String db = createDatabase(tenant);
        String other = "/api/v2/tenants/" + tenant + "/databases/" + db;
        post(other + "/collections", "{\"name\":\"kept-nowhere\"}").statusCode(200);
        String id = post(DEFAULT_DB + "/collections", "{\"name\":\"wiped\"}").statusCode(200).extract().path("id");
        post(DEFAULT_DB + "/collections/" + id + "/add",
                "{\"ids\":[\"a\",\"b\"],\"embeddings\":[[1.0,2.0],[3.0,4.0]]}").statusCode(201);

        post("/api/v2/reset", "").statusCode(200).body(equalTo("true"));

        ApiTestSupport.assertError(get("/api/v2/tenants/" + tenant), 404, "NotFoundError",
                "Tenant [" + tenant + "] not found");
        get("/api/v2/tenants/default_tenant").statusCode(200).body("name", equalTo("default_tenant"));
        get(DEFAULT_DB).statusCode(200).body("id", equalTo("00000000-0000-0000-0000-000000000000"));
        get(DEFAULT_DB + "/collections_count").statusCode(200).body(equalTo("0"));
        ApiTestSupport.assertError(get(DEFAULT_DB + "/collections/by-id/" + id), 404, "NotFoundError",
                "Collection [" + id + "] does not exist");
        // The name is free again, and the new collection starts empty.
        String fresh = post(DEFAULT_DB + "/collections", "{\"name\":\"wiped\"}").statusCode(200).extract().path("id");
        get(DEFAULT_DB + "/collections/" + fresh + "/count").statusCode(200).body(equalTo("0"));
        // Reset twice in a row is fine.
        post("/api/v2/reset", "").statusCode(200).body(equalTo("true"));
        get(DEFAULT_DB + "/collections_count").statusCode(200).body(equalTo("0"));
    }
}
