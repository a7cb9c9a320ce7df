package io.vermilion.api;

import static io.restassured.RestAssured.given;

import io.restassured.response.ValidatableResponse;
import java.util.UUID;

/** Small helpers shared by the HTTP tests: JSON requests and Chroma error assertions. */
final class ApiTestSupport {

    private ApiTestSupport() {}

    static String uniqueName(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static ValidatableResponse post(String path, String json) {
        return given().contentType("application/json").body(json).post(path).then();
    }

    static ValidatableResponse put(String path, String json) {
        return given().contentType("application/json").body(json).put(path).then();
    }

    static ValidatableResponse get(String path) {
        return given().get(path).then();
    }

    static ValidatableResponse delete(String path) {
        return given().delete(path).then();
    }

    /** Asserts a Chroma error: exact status, error name and message, and the trace header. */
    static void assertError(ValidatableResponse r, int status, String error, String message) {
        r.statusCode(status)
                .contentType("application/json")
                .header("chroma-trace-id", "00000000000000000000000000000000")
                .body("error", org.hamcrest.Matchers.equalTo(error))
                .body("message", org.hamcrest.Matchers.equalTo(message));
    }

    static String createTenant() {
        String tenant = uniqueName("tenant");
        post("/api/v2/tenants", "{\"name\":\"" + tenant + "\"}").statusCode(200);
        return tenant;
    }

    static String createDatabase(String tenant) {
        String db = uniqueName("db");
        post("/api/v2/tenants/" + tenant + "/databases", "{\"name\":\"" + db + "\"}").statusCode(200);
        return db;
    }
}
