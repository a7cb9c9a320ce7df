package io.vermilion.resilience;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ValidatableResponse;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.vermilion.metrics.PrometheusScrape;
import io.vermilion.resilience.FaultProxy.Fault;
import io.vermilion.executor.CollectionStateCache;
import jakarta.inject.Inject;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The service on S3 with a fault-injecting proxy in between: transient S3 failures are retried, what outlasts the
 * retries is a 503 with Retry-After that leaves nothing behind, reads recover once the fault clears, and an open
 * breaker fails fast until its delay passes. Timings come from {@link FaultyS3Resource}.
 */
@QuarkusTest
@TestProfile(FaultyS3Profile.class)
class ObjectStoreFaultsTest {

    private static final String COLLECTIONS = "/api/v2/tenants/default_tenant/databases/default_database/collections";
    private static final String UNAVAILABLE_500 = "Object storage is unavailable (status 500); retry the request";

    FaultProxy proxy; // injected by FaultyS3Resource

    @Inject
    CircuitBreakerMaintenance breakers;

    @Inject
    CollectionStateCache states;

    private String collection;
    private UUID collectionId;

    @BeforeEach
    void freshCollectionAndClosedBreaker() {
        proxy.heal();
        breakers.resetAll();
        String id = given().contentType("application/json").body("{\"name\":\"faults-" + UUID.randomUUID() + "\"}")
                .post(COLLECTIONS).then().statusCode(200).extract().path("id");
        collection = COLLECTIONS + "/" + id;
        collectionId = UUID.fromString(id);
    }

    @AfterEach
    void heal() {
        proxy.heal();
    }

    @Test
    void writeSucceedsAfterSlowDownErrorAndDroppedConnection() {
        PrometheusScrape before = PrometheusScrape.now();
        int faulted = proxy.faulted();
        int forwarded = proxy.forwarded();
        proxy.failNext(1, Fault.SLOW_DOWN_503);
        proxy.failNext(1, Fault.ERROR_500);
        proxy.failNext(1, Fault.DROP);

        add("a").statusCode(201);

        assertEquals(3, proxy.faulted() - faulted);
        assertEquals(1, proxy.forwarded() - forwarded); // the fourth attempt, which stored the fragment
        PrometheusScrape after = PrometheusScrape.now();
        assertEquals(3, after.value("vermilion_object_store_requests_seconds_count", "operation", "put", "outcome", "error")
                - before.value("vermilion_object_store_requests_seconds_count", "operation", "put", "outcome", "error"));
        assertEquals(1, after.value("vermilion_object_store_requests_seconds_count", "operation", "put", "outcome", "success")
                - before.value("vermilion_object_store_requests_seconds_count", "operation", "put", "outcome", "success"));
        assertEquals(3, after.value("ft_retry_retries_total", "method", "vermilion object store")
                - before.value("ft_retry_retries_total", "method", "vermilion object store"));
        assertEquals(1, after.value("vermilion_wal_commit_seconds_count")
                - before.value("vermilion_wal_commit_seconds_count"));
        count().body(equalTo("1"));
    }

    @Test
    void stalledRequestTimesOutAndIsRetried() {
        proxy.stallFor(3_000);
        proxy.failNext(1, Fault.STALL);
        long started = System.nanoTime();

        add("a").statusCode(201);

        long millis = (System.nanoTime() - started) / 1_000_000;
        assertTrue(millis >= 1_000 && millis < 3_000, "answered after " + millis + " ms: the 1 s timeout, not the stall");
        count().body(equalTo("1"));
    }

    @Test
    void writeFailingEveryAttemptIs503WithRetryAfterAndLeavesNoTrace() {
        add("kept").statusCode(201);
        int faulted = proxy.faulted();
        proxy.failAll(Fault.ERROR_500);

        unavailable(given().contentType("application/json")
                .body("{\"ids\":[\"x\",\"y\"],\"embeddings\":[[1,2],[3,4]]}").post(collection + "/add").then(),
                UNAVAILABLE_500, "1");

        assertEquals(4, proxy.faulted() - faulted); // the first attempt and 3 retries
        proxy.heal();
        count().body(equalTo("1"));
        get("{\"ids\":[\"x\",\"y\"]}").body("ids", empty());
        get("{}").body("ids", contains("kept"));
    }

    @Test
    void readsRecoverOnceTheFaultClears() {
        given().contentType("application/json").body("{\"ids\":[\"a\",\"b\"],\"embeddings\":[[1,2],[3,4]]}")
                .post(collection + "/add").then().statusCode(201);
        count().body(equalTo("2"));
        // This replica's own writes reach its held read state directly; with the state evicted, the next read
        // rebuilds it from the log's one fragment in the store.
        states.evict(collectionId);
        proxy.failAll(Fault.ERROR_500);

        unavailable(given().get(collection + "/count").then(), UNAVAILABLE_500, "1");

        proxy.heal();
        count().body(equalTo("2"));
        get("{}").body("ids", contains("a", "b"));
    }

    @Test
    void openBreakerFailsFastUntilItsDelayPasses() throws InterruptedException {
        PrometheusScrape before = PrometheusScrape.now();
        proxy.failAll(Fault.ERROR_500);
        add("a").statusCode(503); // 4 failed attempts
        add("a").statusCode(503); // 4 more: the breaker's window of 8 is all failures, so it opens
        int seen = proxy.seen();

        unavailable(add("a"), "Object storage is unavailable (circuit breaker open after repeated failures); "
                + "retry the request", FaultyS3Resource.BREAKER_DELAY_SECONDS);

        assertEquals(seen, proxy.seen(), "an open breaker must not call the store");
        assertEquals(1, PrometheusScrape.now().value("ft_circuitbreaker_opened_total", "method", "vermilion object store")
                - before.value("ft_circuitbreaker_opened_total", "method", "vermilion object store"));
        proxy.heal();
        Thread.sleep(Long.parseLong(FaultyS3Resource.BREAKER_DELAY_SECONDS) * 1_000 + 200);
        add("a").statusCode(201); // the trial call succeeds and closes the breaker
        count().body(equalTo("1"));
        assertEquals("CLOSED", breakers.currentState(Guards.OBJECT_STORE_BREAKER).name());
    }

    private ValidatableResponse add(String id) {
        return given().contentType("application/json").body("{\"ids\":[\"" + id + "\"],\"embeddings\":[[1,2]]}")
                .post(collection + "/add").then();
    }

    private ValidatableResponse count() {
        return given().get(collection + "/count").then().statusCode(200);
    }

    private ValidatableResponse get(String body) {
        return given().contentType("application/json").body(body).post(collection + "/get").then().statusCode(200);
    }

    private static void unavailable(ValidatableResponse response, String message, String retryAfter) {
        response.statusCode(503)
                .contentType("application/json")
                .header("Retry-After", retryAfter)
                .body("error", equalTo("ChromaError"))
                .body("message", equalTo(message));
    }
}
