package io.vermilion.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.is;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vermilion.sysdb.PostgresResource;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
class SystemResourceTest {

    @Test
    void heartbeatAnswersNanoseconds() {
        given().get("/api/v2/heartbeat").then().statusCode(200)
                .body("'nanosecond heartbeat'", greaterThan(1_700_000_000_000_000_000L));
        given().get("/api/v2").then().statusCode(200)
                .body("'nanosecond heartbeat'", greaterThan(1_700_000_000_000_000_000L));
    }

    @Test
    void versionIsAJsonString() {
        given().get("/api/v2/version").then().statusCode(200)
                .contentType("application/json").body(equalTo("\"1.0.0\""));
    }

    @Test
    void preFlightChecksAdvertiseBatchSizeAndBase64() {
        given().get("/api/v2/pre-flight-checks").then().statusCode(200)
                .body("max_batch_size", is(5461)).body("supports_base64_encoding", is(true));
    }

    @Test
    void identityIsTheDefaultTenantWithoutAuth() {
        given().get("/api/v2/auth/identity").then().statusCode(200)
                .body("user_id", equalTo("")).body("tenant", equalTo("default_tenant"))
                .body("databases[0]", equalTo("default_database"));
    }

    @Test
    void v1IsGone() {
        given().get("/api/v1/heartbeat").then().statusCode(410)
                .body("error", equalTo("Unimplemented"))
                .body("message", equalTo("The v1 API is deprecated. Please use /v2 apis"));
    }

    @Test
    void unknownRouteIsAJson404NamingTheRoute() {
        ApiTestSupport.assertError(given().contentType("application/json").body("{}")
                        .post("/api/v2/tenants/t/databases/d/collections/c/frobnicate").then(),
                404, "NotFoundError", "No such route: POST /api/v2/tenants/t/databases/d/collections/c/frobnicate");
        ApiTestSupport.assertError(given().get("/api/v2/nope").then(),
                404, "NotFoundError", "No such route: GET /api/v2/nope");
    }

    @Test
    void wrongMethodIsAJson405() {
        ApiTestSupport.assertError(given().delete("/api/v2/heartbeat").then(),
                405, "ChromaError", "Method not allowed: DELETE /api/v2/heartbeat");
    }

    @Test
    void resetIsDisabledByDefaultAndNamesTheSetting() {
        ApiTestSupport.assertError(given().contentType("application/json").post("/api/v2/reset").then(), 403,
                "ChromaError", "Reset is disabled by config: set vermilion.allow-reset=true (VERMILION_ALLOW_RESET=true) "
                        + "to allow deleting all data");
    }
}
