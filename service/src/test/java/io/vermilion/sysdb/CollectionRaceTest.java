package io.vermilion.sysdb;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Many clients racing on one collection name over HTTP against a real PostgreSQL resolve as Chroma resolves them:
 * one creator wins and the others see its collection (or a 409 without get_or_create), one deleter wins and the
 * others get a 404 - never a 5xx - and the catalog's circuit breaker stays closed, so unrelated requests still pass.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
class CollectionRaceTest {

    private static final int THREADS = 50;
    private static final String BASE = "/api/v2/tenants/default_tenant/databases/default_database/collections";

    @Test
    void concurrentGetOrCreateAndDeleteOfOneCollectionNeverFailsTheServer() throws Exception {
        String name = "race-" + UUID.randomUUID();
        Map<String, AtomicInteger> outcomes = race(THREADS, i -> {
            String created = status("create", given().contentType("application/json")
                    .body("{\"name\":\"" + name + "\",\"get_or_create\":true}").post(BASE));
            String deleted = status("delete", given().delete(BASE + "/" + name));
            return List.of(created, deleted);
        }, 4);
        Map<String, Integer> counts = new TreeMap<>();
        outcomes.forEach((k, v) -> counts.put(k, v.get()));
        // every create answers 200; every delete finds the collection (200) or another deleter won (404)
        assertEquals(THREADS * 4, counts.getOrDefault("create 200", 0), counts.toString());
        assertEquals(THREADS * 4, counts.getOrDefault("delete 200", 0) + counts.getOrDefault("delete 404", 0),
                counts.toString());
        unrelatedRequestsStillPass();
    }

    @Test
    void concurrentPlainCreatesOfOneCollectionHaveOneWinnerAndConflictsForTheRest() throws Exception {
        String name = "race-" + UUID.randomUUID();
        Map<String, AtomicInteger> outcomes = race(THREADS, i -> List.of(status("create",
                given().contentType("application/json").body("{\"name\":\"" + name + "\"}").post(BASE))), 1);
        Map<String, Integer> counts = new TreeMap<>();
        outcomes.forEach((k, v) -> counts.put(k, v.get()));
        assertEquals(Map.of("create 200", 1, "create 409", THREADS - 1), counts);
        unrelatedRequestsStillPass();
    }

    @Test
    void concurrentDeletesOfOneCollectionHaveOneWinnerAndNotFoundForTheRest() throws Exception {
        String name = "race-" + UUID.randomUUID();
        given().contentType("application/json").body("{\"name\":\"" + name + "\"}").post(BASE).then().statusCode(200);
        Map<String, AtomicInteger> outcomes = race(THREADS, i -> List.of(status("delete",
                given().delete(BASE + "/" + name))), 1);
        Map<String, Integer> counts = new TreeMap<>();
        outcomes.forEach((k, v) -> counts.put(k, v.get()));
        assertEquals(Map.of("delete 200", 1, "delete 404", THREADS - 1), counts);
        unrelatedRequestsStillPass();
    }

    private static void unrelatedRequestsStillPass() {
        given().get("/api/v2/tenants/default_tenant").then().statusCode(200).body("name", equalTo("default_tenant"));
        given().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'Catalog circuit breaker' }.data.state", equalTo("CLOSED"));
    }

    /** A 5xx is recorded with its body, so a failure shows what the server said. */
    private static String status(String what, Response response) {
        int status = response.statusCode();
        return status >= 500 ? what + " " + status + " " + response.asString() : what + " " + status;
    }

    private interface Round {
        List<String> run(int thread);
    }

    private static Map<String, AtomicInteger> race(int threads, Round round, int rounds) throws Exception {
        Map<String, AtomicInteger> outcomes = new ConcurrentHashMap<>();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int r = 0; r < rounds; r++) {
                        round.run(thread).forEach(o -> outcomes.computeIfAbsent(o, k -> new AtomicInteger())
                                .incrementAndGet());
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return outcomes;
    }
}
