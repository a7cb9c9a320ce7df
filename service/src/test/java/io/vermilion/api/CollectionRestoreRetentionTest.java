package io.vermilion.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.vermilion.compactor.Compactor;
import io.vermilion.compactor.VersionGarbageCollector;
import io.vermilion.sysdb.PostgresResource;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/** Without version retention, a version garbage collection removed can no longer be restored: a 400, data untouched. */
@QuarkusTest
@TestProfile(ForkProfile.class)
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
class CollectionRestoreRetentionTest {

    private static final String DB = "/api/v2/tenants/default_tenant/databases/default_database";

    @Inject
    Compactor compactor;

    @Inject
    VersionGarbageCollector garbage;

    @Test
    void aVersionOutsideTheRetentionWindowIsABadRequest() {
        UUID c = CollectionRestoreTest.create("expired-" + UUID.randomUUID().toString().substring(0, 8));
        CollectionRestoreTest.post(c, "add", "{\"ids\":[\"x\"],\"embeddings\":[[1,0]],\"documents\":[\"one\"]}", 201);
        compact(c);
        CollectionRestoreTest.post(c, "update", "{\"ids\":[\"x\"],\"documents\":[\"two\"]}", 200);
        compact(c);
        join(garbage.collect(c, Duration.ZERO));

        JsonPath refused = given().contentType("application/json").body("{\"version\":1}")
                .post(DB + "/collections/" + c + "/restore").then().statusCode(400).extract().jsonPath();
        assertEquals("InvalidArgumentError", refused.getString("error"));
        assertEquals("Collection [" + c + "] has no retained version 1: it is outside the retention window (the"
                + " oldest retained version is 2; see vermilion.compaction.version-retention)",
                refused.getString("message"));
        assertEquals(Map.of("x", "two"), CollectionRestoreTest.documents(c));
    }

    private void compact(UUID c) {
        assertTrue(join(compactor.compact(c)).isPresent(), "a version was published");
    }

    private static <T> T join(CompletionStage<T> stage) {
        return stage.toCompletableFuture().join();
    }
}
