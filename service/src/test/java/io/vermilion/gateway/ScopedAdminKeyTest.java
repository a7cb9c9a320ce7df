package io.vermilion.gateway;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import io.vermilion.sysdb.PostgresResource;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An admin key scoped to some databases acts only inside them: it lists and revokes only keys whose databases lie
 * within its own, creates nothing broader than itself, and cannot change tenant-level settings.
 */
@QuarkusTest
@TestProfile(AuthProfile.class)
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
class ScopedAdminKeyTest {

    private String tenant;
    private String tenantAdminId;
    private String otherDbKeyId;
    private String insideKeyId;
    private String scopedAdmin;
    private String scopedAdminId;

    private static RequestSpecification as(String key) {
        return given().contentType("application/json").header("x-chroma-token", key);
    }

    private static void assertDenied(ValidatableResponse r) {
        r.statusCode(403).body("error", equalTo("ChromaError")).body("message", equalTo("Permission denied."));
    }

    /** Creates a key with the bootstrap key; returns {id, secret}. */
    private String[] key(String role, String databasesJson) {
        String body = "{\"tenant\":\"" + tenant + "\",\"role\":\"" + role + "\""
                + (databasesJson == null ? "" : ",\"databases\":" + databasesJson) + "}";
        var r = as(AuthProfile.ADMIN_KEY).body(body).post("/api/v2/admin/keys").then().statusCode(200).extract();
        return new String[] {r.path("id"), r.path("key")};
    }

    @BeforeEach
    void tenantWithKeys() {
        tenant = "scoped-" + UUID.randomUUID().toString().substring(0, 8);
        as(AuthProfile.ADMIN_KEY).body("{\"name\":\"" + tenant + "\"}").post("/api/v2/tenants").then().statusCode(200);
        for (String db : new String[] {"dbx", "dby"}) {
            as(AuthProfile.ADMIN_KEY).body("{\"name\":\"" + db + "\"}").post("/api/v2/tenants/" + tenant + "/databases")
                    .then().statusCode(200);
        }
        tenantAdminId = key("admin", null)[0];
        otherDbKeyId = key("read_write", "[\"dby\"]")[0];
        insideKeyId = key("read_only", "[\"dbx\"]")[0];
        String[] scoped = key("admin", "[\"dbx\"]");
        scopedAdminId = scoped[0];
        scopedAdmin = scoped[1];
        key("read_only", "[\"dbx\",\"dby\"]");
    }

    @Test
    void scopedAdminListsOnlyKeysInsideItsDatabases() {
        as(scopedAdmin).get("/api/v2/admin/keys?tenant=" + tenant).then().statusCode(200)
                .body("id", containsInAnyOrder(insideKeyId, scopedAdminId))
                .body("databases.flatten()", contains("dbx", "dbx"));
        // The bootstrap key still sees all five.
        as(AuthProfile.ADMIN_KEY).get("/api/v2/admin/keys?tenant=" + tenant).then().statusCode(200)
                .body("id.size()", equalTo(5));
    }

    @Test
    void scopedAdminRevokesOnlyKeysInsideItsDatabases() {
        assertDenied(as(scopedAdmin).delete("/api/v2/admin/keys/" + tenantAdminId).then());
        assertDenied(as(scopedAdmin).delete("/api/v2/admin/keys/" + otherDbKeyId).then());
        as(AuthProfile.ADMIN_KEY).get("/api/v2/admin/keys?tenant=" + tenant).then().statusCode(200)
                .body("revoked_at", contains(nullValue(), nullValue(), nullValue(), nullValue(), nullValue()));
        as(scopedAdmin).delete("/api/v2/admin/keys/" + insideKeyId).then().statusCode(200);
        as(scopedAdmin).get("/api/v2/admin/keys?tenant=" + tenant).then().statusCode(200)
                .body("find { it.id == '" + insideKeyId + "' }.revoked_at", org.hamcrest.Matchers.notNullValue());
    }

    @Test
    void scopedAdminCreatesNothingBroaderThanItself() {
        assertDenied(as(scopedAdmin).body("{\"tenant\":\"" + tenant + "\",\"role\":\"read_only\"}")
                .post("/api/v2/admin/keys").then());
        assertDenied(as(scopedAdmin).body("{\"tenant\":\"" + tenant + "\",\"role\":\"read_only\",\"databases\":[\"dbx\",\"dby\"]}")
                .post("/api/v2/admin/keys").then());
        as(scopedAdmin).body("{\"tenant\":\"" + tenant + "\",\"role\":\"read_only\",\"databases\":[\"dbx\"]}")
                .post("/api/v2/admin/keys").then().statusCode(200).body("databases", contains("dbx"));
    }

    @Test
    void scopedAdminCannotSetTheTenantsResourceName() {
        assertDenied(as(scopedAdmin).body("{\"resource_name\":\"taken\"}").patch("/api/v2/tenants/" + tenant).then());
        as(scopedAdmin).get("/api/v2/tenants/" + tenant).then().statusCode(200).body("resource_name", nullValue());
        as(AuthProfile.ADMIN_KEY).body("{\"resource_name\":\"mine\"}").patch("/api/v2/tenants/" + tenant).then()
                .statusCode(200);
        as(scopedAdmin).get("/api/v2/tenants/" + tenant).then().statusCode(200).body("resource_name", equalTo("mine"));
    }
}
