package io.vermilion.config;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vermilion.compactor.VersionRef;
import io.vermilion.index.IndexSchema;
import io.vermilion.log.LogWriter;
import io.vermilion.record.LogRecord;
import io.vermilion.record.Operation;
import io.vermilion.sysdb.PgVersionCatalog;
import io.vermilion.sysdb.PostgresResource;
import jakarta.inject.Inject;

/**
 * The scheduler's passes run with explicit times: a collection whose compaction fails for good is retried only after
 * a doubling wait, while another collection keeps compacting at every pass.
 */
@QuarkusTest
@TestProfile(CompactEveryTailProfile.class)
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
class CompactionSchedulerTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Inject
    CompactionScheduler scheduler;

    @Inject
    LogWriter writer;

    @Inject
    PgVersionCatalog versions;

    @Test
    void failingCollectionBacksOffWhileOthersKeepCompacting() {
        UUID broken = createCollection("backoff-broken");
        UUID healthy = createCollection("backoff-healthy");
        // Written beneath the API, as the API accepted it before it refused such embeddings: wider than the HNSW
        // format holds, so every compaction of this collection fails.
        join(writer.append(broken, List.of(new LogRecord(Operation.ADD, "wide",
                new float[IndexSchema.MAX_DIMENSIONS + 1], null, null, null))));
        join(writer.append(healthy, List.of(record("h1"))));

        scheduler.runOnce(T0);
        assertEquals(1, scheduler.compactionFailures(broken));
        assertEquals(Optional.of(1L), version(healthy));

        join(writer.append(healthy, List.of(record("h2"))));
        scheduler.runOnce(T0.plusSeconds(7));
        assertEquals(1, scheduler.compactionFailures(broken), "not retried within its first 8 s wait");
        assertEquals(Optional.of(2L), version(healthy), "the other collection compacts meanwhile");

        scheduler.runOnce(T0.plusSeconds(8));
        assertEquals(2, scheduler.compactionFailures(broken), "retried once the wait is over");

        join(writer.append(healthy, List.of(record("h3"))));
        scheduler.runOnce(T0.plusSeconds(8 + 15));
        assertEquals(2, scheduler.compactionFailures(broken), "not retried within its second, 16 s wait");
        assertEquals(Optional.of(3L), version(healthy));

        scheduler.runOnce(T0.plusSeconds(8 + 16));
        assertEquals(3, scheduler.compactionFailures(broken));
        assertEquals(Optional.empty(), version(broken), "nothing was ever published for the failing collection");
    }

    private static UUID createCollection(String prefix) {
        String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        String id = given().contentType("application/json").body("{\"name\":\"" + name + "\"}")
                .post("/api/v2/tenants/default_tenant/databases/default_database/collections")
                .then().statusCode(200).extract().path("id");
        return UUID.fromString(id);
    }

    private static LogRecord record(String id) {
        return new LogRecord(Operation.ADD, id, new float[] {1, 2, 3}, null, null, null);
    }

    private Optional<Long> version(UUID collection) {
        return join(versions.currentVersion(collection)).map(VersionRef::version);
    }

    private static <T> T join(CompletionStage<T> stage) {
        return stage.toCompletableFuture().join();
    }
}
