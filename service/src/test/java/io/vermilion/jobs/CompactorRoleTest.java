package io.vermilion.jobs;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.vermilion.sysdb.PostgresResource;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/**
 * A replica with the compactor role only runs compaction, garbage collection and the log sweep, answers every Chroma
 * API route with a 404 {@code NotFoundError} saying what it is, and keeps serving health and metrics.
 */
@QuarkusTest
@TestProfile(CompactorRoleProfile.class)
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
class CompactorRoleTest {

    private static final String REFUSAL = "This replica runs the compactor role only and serves no API routes;"
            + " send API requests to a replica with the api role (vermilion.roles)";

    @Inject
    CompactionScheduler scheduler;

    @Inject
    LogSweeper sweeper;

    @Test
    void compactorReplicaSchedulesCompactionAndSweep() {
        assertTrue(scheduler.scheduled());
        assertTrue(sweeper.scheduled());
    }

    @Test
    void compactorReplicaRefusesApiRoutesInChromasErrorFormat() {
        String heartbeat = given().get("/api/v2/heartbeat").then().statusCode(404)
                .contentType("application/json").extract().asString();
        assertEquals("NotFoundError", JsonPath.from(heartbeat).getString("error"));
        assertEquals(REFUSAL, JsonPath.from(heartbeat).getString("message"));

        given().contentType("application/json").body("{\"name\":\"c\"}")
                .post("/api/v2/tenants/default_tenant/databases/default_database/collections")
                .then().statusCode(404).body("error", equalTo("NotFoundError")).body("message", equalTo(REFUSAL));
        given().get("/api/v1/heartbeat").then().statusCode(404).body("message", equalTo(REFUSAL));
    }

    @Test
    void compactorReplicaServesHealthAndMetrics() {
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().get("/q/metrics").then().statusCode(200);
    }
}
