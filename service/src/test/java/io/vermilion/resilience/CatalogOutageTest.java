package io.vermilion.resilience;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL stopped under the running service and started again: readiness goes DOWN and back UP, every route that
 * needs the catalog answers 503 with Retry-After (never 500) meanwhile - through the catalog CRUD, the record routes'
 * lookup and the API-key lookup - and writes succeed again after the restart without restarting
 * Vermilion. Requests with the bootstrap admin key skip the key lookup and the rate limiter, so they reach the
 * catalog calls behind them.
 */
@QuarkusTest
@TestProfile(CatalogOutageProfile.class)
class CatalogOutageTest {

    private static final String COLLECTIONS = "/api/v2/tenants/default_tenant/databases/default_database/collections";
    private static final String UNAVAILABLE =
            "The catalog database is unavailable (connection refused); retry the request";

    RestartablePostgresResource.Control postgres; // injected by RestartablePostgresResource

    @Test
    void catalogOutageIsRefusedCleanlyAndHealsAfterRestart() throws InterruptedException {
        String name = "outage-" + UUID.randomUUID();
        String id = as(CatalogOutageProfile.ADMIN_KEY).body("{\"name\":\"" + name + "\"}")
                .post(COLLECTIONS).then().statusCode(200).extract().path("id");
        String collection = COLLECTIONS + "/" + id;
        String usedKey = createKey();
        String unusedKey = createKey();
        add(usedKey, collection, "a").statusCode(201); // the key is now cached by the gateway
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));

        postgres.stop();
        try {
            given().get("/q/health/ready").then().statusCode(503)
                    .body("status", equalTo("DOWN"))
                    .body("checks.find { it.name == 'Reactive PostgreSQL connections health check' }.status",
                            equalTo("DOWN"))
                    .body("checks.find { it.name == 'Object store' }.status", equalTo("UP"));
            given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));

            String admin = CatalogOutageProfile.ADMIN_KEY;
            unavailable(add(admin, collection, "b")); // the record routes' collection lookup
            unavailable(as(admin).get(collection + "/count").then());
            unavailable(as(admin).body("{\"name\":\"other-" + UUID.randomUUID() + "\"}").post(COLLECTIONS).then());
            unavailable(as(admin).get(COLLECTIONS + "/" + name).then()); // catalog CRUD (Hibernate Reactive)
            unavailable(as(admin).get("/api/v2/tenants/default_tenant").then());
            unavailable(add(usedKey, collection, "b")); // a cached key: past the rate limiter (which fails open)
            unavailable(add(unusedKey, collection, "b")); // an uncached key: the API-key lookup
            given().get("/api/v2/heartbeat").then().statusCode(200);
        } finally {
            postgres.start();
        }

        awaitReady();
        add(usedKey, collection, "b").statusCode(201);
        add(unusedKey, collection, "c").statusCode(201);
        as(usedKey).get(collection + "/count").then().statusCode(200).body(equalTo("3"));
        as(usedKey).body("{}").post(collection + "/get").then().statusCode(200).body("ids", contains("a", "b", "c"));
        as(usedKey).get(COLLECTIONS + "/" + name).then().statusCode(200).body("id", equalTo(id));
    }

    private static RequestSpecification as(String key) {
        return given().header("x-chroma-token", key).contentType("application/json");
    }

    private static String createKey() {
        return as(CatalogOutageProfile.ADMIN_KEY).body("{\"tenant\":\"default_tenant\",\"role\":\"read_write\"}")
                .post("/api/v2/admin/keys").then().statusCode(200).extract().path("key");
    }

    private static ValidatableResponse add(String key, String collection, String recordId) {
        return as(key).body("{\"ids\":[\"" + recordId + "\"],\"embeddings\":[[1,2]]}").post(collection + "/add").then();
    }

    private static void unavailable(ValidatableResponse response) {
        response.statusCode(503)
                .contentType("application/json")
                .header("Retry-After", "1")
                .body("error", equalTo("ChromaError"))
                .body("message", equalTo(UNAVAILABLE));
    }

    private static void awaitReady() throws InterruptedException {
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (given().get("/q/health/ready").statusCode() != 200) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not ready 30 s after PostgreSQL restarted: "
                        + given().get("/q/health/ready").asString());
            }
            Thread.sleep(200);
        }
    }
}
