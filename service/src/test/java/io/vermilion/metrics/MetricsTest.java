package io.vermilion.metrics;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vermilion.sysdb.PostgresResource;
import org.junit.jupiter.api.Test;

/** Prometheus metrics and health endpoints of the service as deployed (local object store, real PostgreSQL). */
@QuarkusTest
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
class MetricsTest {

    private static final String COLLECTIONS = "/api/v2/tenants/default_tenant/databases/default_database/collections";
    private static final String ADD_ROUTE = "/api/v2/tenants/{tenant}/databases/{database}/collections/{id}/add";

    @Test
    void writesShowAsWalObjectStoreAndRouteMetricsWithTemplatedPaths() {
        String id = given().contentType("application/json").body("{\"name\":\"metrics-" + System.nanoTime() + "\"}")
                .post(COLLECTIONS).then().statusCode(200).extract().path("id");
        PrometheusScrape before = PrometheusScrape.now();

        for (int i = 0; i < 3; i++) { // one after another: each is its own group commit
            given().contentType("application/json")
                    .body("{\"ids\":[\"a" + i + "\",\"b" + i + "\"],\"embeddings\":[[1,2],[3,4]]}")
                    .post(COLLECTIONS + "/" + id + "/add").then().statusCode(201);
        }
        // This replica applied its own writes as they were recorded (write-through): neither read reads the log.
        given().get(COLLECTIONS + "/" + id + "/count").then().statusCode(200).body(equalTo("6"));
        given().get(COLLECTIONS + "/" + id + "/count").then().statusCode(200).body(equalTo("6"));

        PrometheusScrape after = PrometheusScrape.now();
        assertEquals(3, delta(before, after, "vermilion_wal_commit_seconds_count"));
        assertEquals(3, delta(before, after, "vermilion_wal_batch_writes_count"));
        assertEquals(3, delta(before, after, "vermilion_wal_batch_writes_sum"));
        assertEquals(6, delta(before, after, "vermilion_wal_batch_records_sum"));
        assertEquals(0, delta(before, after, "vermilion_wal_commit_conflicts_total"));
        assertEquals(0, delta(before, after, "vermilion_wal_commit_failures_total"));
        assertEquals(3, delta(before, after, "vermilion_object_store_requests_seconds_count",
                "operation", "put", "outcome", "success"));
        assertEquals(0, delta(before, after, "vermilion_object_store_requests_seconds_count",
                "operation", "get", "outcome", "success"));
        assertEquals(0, delta(before, after, "vermilion_object_store_requests_seconds_count",
                "operation", "put", "outcome", "error"));
        assertEquals(delta(before, after, "vermilion_wal_fragment_size_bytes_sum"),
                delta(before, after, "vermilion_object_store_bytes_total", "operation", "put"));
        assertEquals(3, delta(before, after, "vermilion_read_cache_own_fragments_total"));
        // A read that arrives before the last fragment is applied waits for it in the collection's queue (a miss
        // that reads nothing); one that arrives after is a hit.
        assertEquals(2, delta(before, after, "vermilion_read_cache_snapshots_total", "result", "miss")
                + delta(before, after, "vermilion_read_cache_snapshots_total", "result", "hit"));
        assertEquals(0, delta(before, after, "vermilion_object_cache_reads_total", "level", "memory", "result", "miss"));
        assertEquals(0, delta(before, after, "vermilion_object_cache_reads_total", "level", "disk", "result", "miss"));
        // The collection's state is now held: 6 tail records of 2 floats and 2-char ids, 160 + 8 + 4 bytes each.
        assertEquals(6 * 172, delta(before, after, "vermilion_read_cache_held_bytes"));
        assertEquals(1, delta(before, after, "vermilion_read_cache_held_collections"));
        assertEquals(0, delta(before, after, "vermilion_read_cache_evictions_total"));
        assertEquals(0, delta(before, after, "vermilion_object_cache_reads_total", "level", "memory", "result", "hit"));
        assertEquals(3, delta(before, after, "http_server_requests_seconds_count",
                "method", "POST", "status", "201", "uri", ADD_ROUTE));
        assertFalse(after.text().contains(id), "a collection id became a metric label");
    }

    @Test
    void livenessAndReadinessAreUpWithTheirChecks() {
        given().get("/q/health/live").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", containsInAnyOrder("Vermilion"));
        given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                // "Graceful Shutdown" goes DOWN when a SIGTERM starts the drain (quarkus.shutdown.delay-enabled)
                .body("checks.name", containsInAnyOrder("Object store", "Catalog circuit breaker",
                        "Reactive PostgreSQL connections health check", "Database connections health check",
                        "Graceful Shutdown", "Cold path warm-up"))
                .body("checks.find { it.name == 'Cold path warm-up' }.status", equalTo("UP")) // none: local store
                .body("checks.find { it.name == 'Object store' }.data.circuit_breaker", equalTo("CLOSED"))
                .body("checks.find { it.name == 'Catalog circuit breaker' }.data.state", equalTo("CLOSED"));
    }

    private static double delta(PrometheusScrape before, PrometheusScrape after, String name, String... labels) {
        return after.value(name, labels) - before.value(name, labels);
    }
}
