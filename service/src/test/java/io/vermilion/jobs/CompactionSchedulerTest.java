package io.vermilion.jobs;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadPoolExecutor;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vermilion.catalog.VersionRef;
import io.vermilion.compactor.CompactionThreads;
import io.vermilion.executor.CollectionStateCache;
import io.vermilion.index.IndexSchema;
import io.vermilion.catalog.LogCatalog;
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

    @Inject
    LogCatalog logCatalog;

    @Inject
    CompactionThreads threads;

    @Inject
    CollectionStateCache states;

    /** Issue 12: the first read after this replica published a version finds it open and caught up. */
    @Test
    void aVersionThisReplicaPublishesIsOpenBeforeTheNextRead() {
        UUID collection = createCollection("prepared");
        String records = "/api/v2/tenants/default_tenant/databases/default_database/collections/" + collection;
        add(records, "a", "b");
        given().get(records + "/count").then().statusCode(200).body(equalTo("2"));
        add(records, "c");
        long openedAhead = states.versionsOpenedAhead();
        scheduler.runOnce(T0.plus(Duration.ofDays(2)));
        assertEquals(Optional.of(1L), version(collection));
        assertTrue(states.versionsOpenedAhead() > openedAhead, "the scheduler opened the version it published");
        long caughtUp = states.snapshotsCaughtUp();

        given().contentType("application/json").body("{}").post(records + "/get").then().statusCode(200)
                .body("ids", contains("a", "b", "c"));
        assertEquals(caughtUp, states.snapshotsCaughtUp(), "the read found the new version open: nothing to read");
    }

    @Test
    void compactionsRunOnTheConfiguredThreads() {
        var coordinator = (ThreadPoolExecutor) threads.coordinator();
        var work = (ThreadPoolExecutor) threads.work().executor();
        assertEquals(3, threads.threads());
        assertEquals(3, threads.work().workers());
        assertEquals(3, work.getMaximumPoolSize());
        assertEquals(1, coordinator.getMaximumPoolSize());

        UUID collection = createCollection("configured-threads");
        join(writer.append(collection, List.of(record("t1"))));
        long before = coordinator.getTaskCount();
        scheduler.runOnce(T0);

        assertEquals(Optional.of(1L), version(collection));
        assertTrue(coordinator.getTaskCount() > before, "the compaction ran on the configured coordinator");
    }

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

    /**
     * Issue 10: a replica caches a collection, the collection is written again, compacted and its log collected while
     * nobody reads it; the next count used to fail with 500 forever. Over HTTP, with the passes run in between.
     */
    @Test
    void readsCatchUpAfterTheLogTheyCachedIsCollected() {
        UUID collection = createCollection("stale-cache");
        String records = "/api/v2/tenants/default_tenant/databases/default_database/collections/" + collection;
        add(records, "a", "b");
        given().get(records + "/count").then().statusCode(200).body(equalTo("2"));
        add(records, "c");
        scheduler.runOnce(T0.plus(Duration.ofDays(1)));
        assertEquals(Optional.of(1L), version(collection));
        assertEquals(List.of(), join(logCatalog.fragments(collection, 0)), "the log the cache stopped at is gone");

        given().get(records + "/count").then().statusCode(200).body(equalTo("3"));
        given().contentType("application/json").body("{}").post(records + "/get").then().statusCode(200)
                .body("ids", contains("a", "b", "c"));
    }

    /**
     * Issue 13: each compaction appends a segment; the one that takes the version past
     * {@code vermilion.compaction.merge-max-segments} (8) is followed in the same pass by a fold into a new version
     * of 8 segments with the same records, which reads answer from.
     */
    @Test
    void aVersionPastTheSegmentPolicyIsFoldedInTheSamePass() {
        UUID collection = createCollection("folded");
        String records = "/api/v2/tenants/default_tenant/databases/default_database/collections/" + collection;
        String[] ids = {"s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9"};
        for (int i = 0; i < 8; i++) {
            add(records, ids[i]);
            scheduler.runOnce(T0.plus(Duration.ofDays(3)).plusSeconds(i));
            assertEquals(Optional.of(i + 1L), version(collection), "one segment more, no fold yet");
        }
        add(records, ids[8]);
        scheduler.runOnce(T0.plus(Duration.ofDays(3)).plusSeconds(8));

        assertEquals(Optional.of(10L), version(collection), "version 9 (9 segments), then its fold");
        given().get(records + "/count").then().statusCode(200).body(equalTo("9"));
        given().contentType("application/json").body("{}").post(records + "/get").then().statusCode(200)
                .body("ids", contains(ids));
    }

    /**
     * Thousands of collections due together: a pass publishes at most {@code collections-per-pass} (2 here), collects
     * the garbage of what it published, and says more is due; the next pass takes the collections that waited longest
     * first.
     */
    @Test
    void aPassStopsAtItsBoundCollectsItsGarbageAndTheLongestWaitingGoFirstNext() {
        List<UUID> first = List.of(createCollection("bound-a"), createCollection("bound-b"), createCollection("bound-c"));
        for (UUID collection : first) {
            join(writer.append(collection, List.of(record("x"))));
        }
        Instant t = T0.plus(Duration.ofDays(4));
        assertTrue(scheduler.runOnce(t), "one of the three is left for the next pass");
        List<UUID> compacted = first.stream().filter(c -> version(c).isPresent()).toList();
        assertEquals(2, compacted.size());
        for (UUID collection : compacted) {
            assertEquals(List.of(), join(logCatalog.fragments(collection, 0)), "its garbage collected in this pass");
        }
        UUID left = first.stream().filter(c -> version(c).isEmpty()).findFirst().orElseThrow();
        assertEquals(1, join(logCatalog.fragments(left, 0)).size());

        UUID d = createCollection("bound-d");
        UUID e = createCollection("bound-e");
        join(writer.append(d, List.of(record("y"))));
        join(writer.append(e, List.of(record("z"))));
        assertTrue(scheduler.runOnce(t.plusSeconds(1)), "d or e is left");
        assertEquals(Optional.of(1L), version(left), "pending since the first pass: compacted before d and e");
        assertEquals(1, (version(d).isPresent() ? 1 : 0) + (version(e).isPresent() ? 1 : 0));

        assertFalse(scheduler.runOnce(t.plusSeconds(2)), "nothing left");
        assertEquals(Optional.of(1L), version(d));
        assertEquals(Optional.of(1L), version(e));
    }

    private static void add(String records, String... ids) {
        StringBuilder body = new StringBuilder("{\"ids\":[");
        StringBuilder embeddings = new StringBuilder("],\"embeddings\":[");
        for (int i = 0; i < ids.length; i++) {
            body.append(i == 0 ? "" : ",").append('"').append(ids[i]).append('"');
            embeddings.append(i == 0 ? "" : ",").append("[1,2,").append(i).append(']');
        }
        given().contentType("application/json").body(body.append(embeddings).append("]}").toString())
                .post(records + "/add").then().statusCode(201);
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
