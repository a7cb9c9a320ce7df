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

/**
 * Without version retention, only the current version can be restored: a superseded one is a 400 (before and after
 * garbage collection removed it), data untouched; restoring the current one drops the uncompacted tail.
 */
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
        // Still stored (garbage not collected yet), but superseded with no retention: not restorable either.
        given().contentType("application/json").body("{\"version\":1}").post(DB + "/collections/" + c + "/restore")
                .then().statusCode(400);
        join(garbage.collect(c, Duration.ZERO));

        JsonPath refused = given().contentType("application/json").body("{\"version\":1}")
                .post(DB + "/collections/" + c + "/restore").then().statusCode(400).extract().jsonPath();
        assertEquals("InvalidArgumentError", refused.getString("error"));
        assertEquals("Collection [" + c + "] has no retained version 1: it is outside the retention window"
                + " (vermilion.compaction.version-retention)",
                refused.getString("message"));
        assertEquals(Map.of("x", "two"), CollectionRestoreTest.documents(c));

        // The current version always is: restoring it drops the uncompacted tail.
        CollectionRestoreTest.post(c, "add", "{\"ids\":[\"y\"],\"embeddings\":[[0,1]],\"documents\":[\"tail\"]}", 201);
        JsonPath current = given().contentType("application/json").body("{\"version\":2}")
                .post(DB + "/collections/" + c + "/restore").then().statusCode(200).extract().jsonPath();
        assertEquals(3, current.getInt("version"));
        assertEquals(3, current.getInt("log_position"), "x added, x updated, y added");
        assertEquals(Map.of("x", "two"), CollectionRestoreTest.documents(c));
    }

    private void compact(UUID c) {
        assertTrue(join(compactor.compact(c)).isPresent(), "a version was published");
    }

    private static <T> T join(CompletionStage<T> stage) {
        return stage.toCompletableFuture().join();
    }
}
