package io.vermilion.health;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vermilion.config.EngineWiring;
import io.vermilion.config.VermilionConfig;
import io.vermilion.storage.ObjectInfo;
import io.vermilion.storage.ObjectStore;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * With lazy open on, a replica becomes ready once it has run the cold query path on a version of its own in the
 * object store (S3Proxy over HTTP) - through ranged reads - and has deleted that version and its scratch folder.
 */
@QuarkusTest
@TestProfile(LazyOpenS3Profile.class)
class ColdPathWarmUpReadinessTest {

    @Inject
    ObjectStore store;

    @Inject
    VermilionConfig config;

    @Test
    void theReplicaIsReadyAfterTheWarmUpAndTheWarmUpLeavesNothingBehind() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (given().get("/q/health/ready").statusCode() != 200) {
            assertTrue(System.nanoTime() < deadline, "not ready within 60 s");
            Thread.sleep(100);
        }
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'Cold path warm-up' }.status", equalTo("UP"));

        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        double rangedReads = metrics.lines()
                .filter(line -> line.startsWith("vermilion_object_store_requests_seconds_count{operation=\"get_range\""))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
        assertTrue(rangedReads > 0, "no collection exists: the ranged reads are the warm-up's own, " + rangedReads);

        List<String> left = store.list(ObjectStoreHealthCheck.PROBE_PREFIX).toCompletableFuture().join().stream()
                .map(ObjectInfo::key).filter(key -> key.contains("warm-up-")).toList();
        assertEquals(List.of(), left);
        try (Stream<Path> cache = Files.list(EngineWiring.cacheRoot(config))) {
            assertEquals(List.of(), cache.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("warm-up-"))
                    .toList());
        }
    }
}
