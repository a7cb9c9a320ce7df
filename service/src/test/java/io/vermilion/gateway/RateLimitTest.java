package io.vermilion.gateway;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vermilion.sysdb.PostgresBucketStore;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import io.vermilion.sysdb.PostgresResource;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * Rate limits per API key and per tenant: over either is Chroma's 429 with a Retry-After in whole seconds, the two
 * buckets are independent, and buckets in PostgreSQL are one and the same for every replica (two stores over the
 * catalog stand for two replicas), while in-memory buckets are not.
 */
@QuarkusTest
@TestProfile(GatewayLimitsProfile.class)
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
class RateLimitTest {

    /** GatewayLimitsProfile: a key's bucket holds 3 and regains one every 20 s; a tenant's 6, one every 10 s. */
    private static final int KEY_BURST = 3;
    private static final int KEY_REFILL_SECONDS = 20;
    private static final int TENANT_REFILL_SECONDS = 10;

    @Inject
    DataSource dataSource;

    private static RequestSpecification as(String key) {
        return given().contentType("application/json").header("x-chroma-token", key);
    }

    private static String tenant() {
        String tenant = "rate-" + UUID.randomUUID().toString().substring(0, 8);
        as(AuthProfile.ADMIN_KEY).body("{\"name\":\"" + tenant + "\"}").post("/api/v2/tenants").then().statusCode(200);
        return tenant;
    }

    private static String key(String tenant) {
        return as(AuthProfile.ADMIN_KEY).body("{\"tenant\":\"" + tenant + "\",\"role\":\"read_only\"}")
                .post("/api/v2/admin/keys").then().statusCode(200).extract().path("key");
    }

    private static Response call(String key, String tenant) {
        return as(key).get("/api/v2/tenants/" + tenant);
    }

    private static void assertAllowed(int times, String key, String tenant) {
        for (int i = 0; i < times; i++) {
            Response r = call(key, tenant);
            assertEquals(200, r.statusCode(), "request " + (i + 1) + ": " + r.asString());
        }
    }

    /** Chroma's rate-limit answer; returns its Retry-After. */
    private static int assertLimited(Response r) {
        assertEquals(429, r.statusCode(), r.asString());
        assertEquals("application/json", r.contentType());
        assertEquals("ChromaError", r.jsonPath().getString("error"));
        assertEquals("Too many requests; backoff and try again", r.jsonPath().getString("message"));
        assertEquals("00000000000000000000000000000000", r.header("chroma-trace-id"));
        String retryAfter = r.header("Retry-After");
        assertTrue(retryAfter != null && retryAfter.matches("[0-9]+"), "Retry-After is whole seconds: " + retryAfter);
        return Integer.parseInt(retryAfter);
    }

    @Test
    void aKeyOverItsLimitGetsChromas429WithRetryAfter() {
        String tenant = tenant();
        String key = key(tenant);
        assertAllowed(KEY_BURST, key, tenant);
        int retryAfter = assertLimited(call(key, tenant));
        assertTrue(retryAfter >= 1 && retryAfter <= KEY_REFILL_SECONDS, "Retry-After " + retryAfter);
        // The bootstrap (operator's) key is not limited, nor are public routes.
        for (int i = 0; i < KEY_BURST + 2; i++) {
            as(AuthProfile.ADMIN_KEY).get("/api/v2/tenants/" + tenant).then().statusCode(200);
            as(key).get("/api/v2/heartbeat").then().statusCode(200);
        }
    }

    @Test
    void keyAndTenantLimitsAreIndependent() {
        String tenant = tenant();
        String first = key(tenant);
        String second = key(tenant);
        String third = key(tenant);
        String elsewhere = tenant();
        String otherTenantsKey = key(elsewhere);

        assertAllowed(KEY_BURST, first, tenant);
        assertLimited(call(first, tenant));
        // The first key's refusal took nothing from the tenant: the second key has its own 3, the tenant's last 3.
        assertAllowed(KEY_BURST, second, tenant);
        // A third key with a full bucket of its own is refused by its tenant's.
        int retryAfter = assertLimited(call(third, tenant));
        assertTrue(retryAfter >= 1 && retryAfter <= TENANT_REFILL_SECONDS, "Retry-After " + retryAfter);
        // Another tenant is not affected.
        assertAllowed(1, otherTenantsKey, elsewhere);
    }

    @Test
    void bucketsInPostgresAreSharedByEveryReplica() throws Exception {
        BucketConfiguration ten = BucketConfiguration.builder()
                .addLimit(Bandwidth.builder().capacity(10).refillGreedy(10, Duration.ofHours(1)).build())
                .build();
        PostgresBucketStore replicaA = new PostgresBucketStore(dataSource);
        PostgresBucketStore replicaB = new PostgresBucketStore(dataSource);
        String id = "test:" + UUID.randomUUID();

        // 30 concurrent takes from two stores: exactly the bucket's 10 tokens are handed out.
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<Boolean>> takes = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                PostgresBucketStore store = i % 2 == 0 ? replicaA : replicaB;
                takes.add(pool.submit(() -> store.tryConsume(id, ten).isConsumed()));
            }
            int taken = 0;
            for (Future<Boolean> t : takes) {
                taken += t.get() ? 1 : 0;
            }
            assertEquals(10, taken);
        } finally {
            pool.shutdownNow();
        }
        var refused = replicaB.tryConsume(id, ten);
        assertFalse(refused.isConsumed());
        assertEquals(360, RateLimits.refused(refused).retryAfterSeconds(), 1, "one token per 6 minutes");

        // In memory, each replica has its own bucket: together they hand out twice the limit.
        InMemoryBucketStore memoryA = new InMemoryBucketStore();
        InMemoryBucketStore memoryB = new InMemoryBucketStore();
        int taken = 0;
        for (int i = 0; i < 15; i++) {
            taken += memoryA.tryConsume(id, ten).isConsumed() ? 1 : 0;
            taken += memoryB.tryConsume(id, ten).isConsumed() ? 1 : 0;
        }
        assertEquals(20, taken);
    }
}
