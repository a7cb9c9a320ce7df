package io.vermilion.resilience;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.vermilion.resilience.FaultProxy.Fault;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Readiness reflects whether writes can be made durable: an S3 server that still lists but refuses every write makes
 * the replica unready - on {@code /q/health/ready} and on Chroma's {@code /api/v2/healthcheck} (503, Chroma's body) -
 * and ready again once it takes writes.
 */
@QuarkusTest
@TestProfile(FaultyS3Profile.class)
class ObjectStoreReadinessTest {

    FaultProxy proxy; // injected by FaultyS3Resource

    @AfterEach
    void heal() {
        proxy.heal();
    }

    @Test
    void objectStoreRefusingWritesMakesTheReplicaUnreadyUntilItTakesWritesAgain() throws InterruptedException {
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/api/v2/healthcheck").then().statusCode(200)
                .body("is_executor_ready", equalTo(true)).body("is_log_client_ready", equalTo(true));

        proxy.failWrites(Fault.ERROR_500);
        awaitReadiness(r -> r.statusCode() == 503);
        given().get("/q/health/ready").then().statusCode(503)
                .body("checks.find { it.name == 'Object store' }.status", equalTo("DOWN"))
                .body("checks.find { it.name == 'Reactive PostgreSQL connections health check' }.status",
                        equalTo("UP"));
        given().get("/api/v2/healthcheck").then().statusCode(503).contentType("application/json")
                .body("is_executor_ready", equalTo(false)).body("is_log_client_ready", equalTo(false));
        given().get("/api/v2/heartbeat").then().statusCode(200); // liveness-style routes still answer

        proxy.heal();
        awaitReadiness(r -> r.statusCode() == 200);
        given().get("/api/v2/healthcheck").then().statusCode(200)
                .body("is_executor_ready", equalTo(true)).body("is_log_client_ready", equalTo(true));
    }

    private static void awaitReadiness(Predicate<Response> reached) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Response last;
        while (!reached.test(last = given().get("/q/health/ready"))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("readiness did not change within 30 s: " + last.asString());
            }
            Thread.sleep(200);
        }
    }
}
