package io.vermilion.backup;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.vermilion.compactor.Compactor;
import io.vermilion.storage.ObjectStore;
import io.vermilion.sysdb.PostgresResource;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Backup and restore of a whole tenant with everything on S3 (S3Proxy over HTTP): the deployment's objects and the
 * backup, written to an {@code s3://bucket/prefix} beside them; wiped and restored, every record reads back exactly.
 */
@QuarkusTest
@TestProfile(BackupS3Profile.class)
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
class BackupS3Test {

    @Inject
    Compactor compactor;

    @Inject
    ObjectStore store;

    @Test
    void aTenantBackedUpToAnS3PrefixRestoresExactlyIntoAWipedDeployment() {
        BackupScenario.write("s3tenant", "first", compactor);
        given().contentType("application/json").body("{\"name\":\"second\"}")
                .post("/api/v2/tenants/s3tenant/databases").then().statusCode(200);
        BackupScenario.create(BackupScenario.db("s3tenant", "second"), "{\"name\":\"other\",\"metadata\":{\"k\":1}}");
        Map<String, Object> first = BackupScenario.read("s3tenant", "first");
        Map<String, Object> second = BackupScenario.read("s3tenant", "second");

        String location = "s3://vermilion-test/backups/s3tenant";
        JsonPath backedUp = BackupScenario.backup("s3tenant", null, location).statusCode(200).extract().jsonPath();
        assertEquals(4, backedUp.getInt("collections"));

        BackupScenario.wipe(store);
        JsonPath restored = BackupScenario.restore(location).statusCode(200).extract().jsonPath();
        assertEquals(4, restored.getInt("collections"));
        assertEquals(backedUp.getInt("objects"), restored.getInt("objects"));
        assertEquals(first, BackupScenario.read("s3tenant", "first"));
        assertEquals(second, BackupScenario.read("s3tenant", "second"));
        assertEquals(Set.of("first", "second"), Set.copyOf(given().get("/api/v2/tenants/s3tenant/databases").then()
                .statusCode(200).extract().jsonPath().getList("name")));
    }
}
