package io.vermilion.jobs;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vermilion.sysdb.PostgresResource;
import jakarta.inject.Inject;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A replica with the api role only serves the API and runs none of the compactor role's background jobs. */
@QuarkusTest
@TestProfile(ApiRoleProfile.class)
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
class ApiRoleTest {

    private static final String COLLECTIONS = "/api/v2/tenants/default_tenant/databases/default_database/collections";

    @Inject
    CompactionScheduler scheduler;

    @Inject
    LogSweeper sweeper;

    @Test
    void apiReplicaAcknowledgesWritesAndSchedulesNoCompactionOrSweep() {
        String id = given().contentType("application/json")
                .body("{\"name\":\"api-role-" + UUID.randomUUID().toString().substring(0, 8) + "\"}")
                .post(COLLECTIONS).then().statusCode(200).extract().path("id");
        given().contentType("application/json").body("{\"ids\":[\"a\",\"b\"],\"embeddings\":[[1,2],[3,4]]}")
                .post(COLLECTIONS + "/" + id + "/add").then().statusCode(201);
        given().get(COLLECTIONS + "/" + id + "/count").then().statusCode(200).body(equalTo("2"));

        assertFalse(scheduler.scheduled(), "compaction is on and due, but this replica has no compactor role");
        assertFalse(sweeper.scheduled(), "the log sweep is the compactor role's work");
    }
}
