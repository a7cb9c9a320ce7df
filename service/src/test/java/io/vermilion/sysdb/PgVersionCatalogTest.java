package io.vermilion.sysdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vermilion.catalog.VersionCatalog;
import io.vermilion.version.VersionKeys;
import io.vermilion.catalog.VersionRef;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link PgVersionCatalog} against a real PostgreSQL: the in-memory catalog's behaviours (InMemoryVersionCatalogTest),
 * plus races decided by the database, expiry by the database's clock, and cleanup when a collection is deleted.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
class PgVersionCatalogTest {

    private static final String DEFAULT_DATABASE = "00000000-0000-0000-0000-000000000000";
    private static final Duration TTL = Duration.ofSeconds(30);

    @Inject
    PgVersionCatalog catalog;

    @Inject
    Pool pool;

    private UUID collection;

    private static <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** A fresh collection row in the default database (the catalog needs only the row). */
    private UUID newCollection() {
        UUID id = UUID.randomUUID();
        pool.preparedQuery("INSERT INTO collections (id, name, database_id, configuration) VALUES ($1, $2, $3, '{}')")
                .execute(Tuple.of(id, "versions-" + id, UUID.fromString(DEFAULT_DATABASE)))
                .await().atMost(Duration.ofSeconds(10));
        return id;
    }

    private long count(String table, UUID id) {
        return pool.preparedQuery("SELECT count(*) AS n FROM " + table + " WHERE collection_id = $1")
                .execute(Tuple.of(id)).await().atMost(Duration.ofSeconds(10))
                .iterator().next().getLong("n");
    }

    /** Seconds from the database's now() to the lease's expiry. */
    private double secondsLeft(UUID id) {
        return pool.preparedQuery(
                        "SELECT extract(epoch FROM expires_at - now())::float8 AS s FROM compaction_leases WHERE collection_id = $1")
                .execute(Tuple.of(id)).await().atMost(Duration.ofSeconds(10))
                .iterator().next().getDouble("s");
    }

    private VersionRef ref(long version, long logEnd) {
        return new VersionRef(version, VersionKeys.manifest(collection, version), logEnd);
    }

    @BeforeEach
    void freshCollection() {
        collection = newCollection();
    }

    @Test
    void publishSwitchesOnlyFromTheExpectedVersionToItsSuccessor() {
        assertFalse(await(catalog.publish(collection, 1, ref(2, 10))));
        assertFalse(await(catalog.publish(collection, VersionCatalog.NO_VERSION, ref(2, 10))));
        assertEquals(Optional.empty(), await(catalog.currentVersion(collection)));
        assertTrue(await(catalog.publish(collection, VersionCatalog.NO_VERSION, ref(1, 10))));
        assertFalse(await(catalog.publish(collection, VersionCatalog.NO_VERSION, ref(1, 12)))); // lost race
        assertEquals(Optional.of(ref(1, 10)), await(catalog.currentVersion(collection)));

        assertFalse(await(catalog.publish(collection, 1, ref(3, 20))), "not the successor");
        assertFalse(await(catalog.publish(collection, 2, ref(3, 20))), "not the current version");
        assertTrue(await(catalog.publish(collection, 1, ref(2, 20))));
        assertFalse(await(catalog.publish(collection, 1, ref(2, 25)))); // lost race
        assertEquals(Optional.of(ref(2, 20)), await(catalog.currentVersion(collection)));

        assertEquals(Optional.empty(), await(catalog.currentVersion(UUID.randomUUID())));
    }

    @Test
    void publishingOrLeasingAMissingCollectionFails() {
        UUID missing = UUID.randomUUID();
        assertFalse(await(catalog.publish(missing, VersionCatalog.NO_VERSION,
                new VersionRef(1, VersionKeys.manifest(missing, 1), 5))));
        assertFalse(await(catalog.publish(missing, 1, new VersionRef(2, VersionKeys.manifest(missing, 2), 5))));
        assertFalse(await(catalog.tryAcquireLease(missing, "a", TTL)));
        assertFalse(await(catalog.renewLease(missing, "a", TTL)));
        await(catalog.releaseLease(missing, "a"));
        assertEquals(Optional.empty(), await(catalog.currentVersion(missing)));
        assertEquals(0, count("collection_versions", missing));
        assertEquals(0, count("compaction_leases", missing));
    }

    @Test
    void leaseIsExclusiveUntilReleased() {
        assertTrue(await(catalog.tryAcquireLease(collection, "a", TTL)));
        assertTrue(await(catalog.tryAcquireLease(collection, "a", TTL)), "re-entrant for its holder");
        assertFalse(await(catalog.tryAcquireLease(collection, "b", TTL)));
        assertFalse(await(catalog.renewLease(collection, "b", TTL)));
        double left = secondsLeft(collection);
        assertTrue(left > 25 && left <= 30, "expires 30 s after the database's now(): " + left);

        assertTrue(await(catalog.renewLease(collection, "a", Duration.ofSeconds(120))));
        left = secondsLeft(collection);
        assertTrue(left > 115 && left <= 120, "renewed to 120 s from the database's now(): " + left);

        await(catalog.releaseLease(collection, "b")); // not b's: no effect
        assertFalse(await(catalog.tryAcquireLease(collection, "b", TTL)));
        assertEquals(1, count("compaction_leases", collection));
        await(catalog.releaseLease(collection, "a"));
        assertEquals(0, count("compaction_leases", collection));
        assertFalse(await(catalog.renewLease(collection, "a", TTL)), "released");
        assertTrue(await(catalog.tryAcquireLease(collection, "b", TTL)));
        assertFalse(await(catalog.tryAcquireLease(collection, "a", TTL)));
    }

    @Test
    void expiredLeaseCanBeTakenOver() throws InterruptedException {
        assertTrue(await(catalog.tryAcquireLease(collection, "a", Duration.ofSeconds(1))));
        assertFalse(await(catalog.tryAcquireLease(collection, "b", TTL)));

        Thread.sleep(1_100);
        assertFalse(await(catalog.renewLease(collection, "a", TTL)), "expired: no renewal");
        assertTrue(await(catalog.tryAcquireLease(collection, "b", TTL)), "expired");
        assertFalse(await(catalog.renewLease(collection, "a", TTL)));
        await(catalog.releaseLease(collection, "a")); // not a's any more: no effect
        assertFalse(await(catalog.tryAcquireLease(collection, "a", TTL)));
        assertTrue(await(catalog.renewLease(collection, "b", TTL)));
        await(catalog.releaseLease(collection, "b"));
        assertTrue(await(catalog.tryAcquireLease(collection, "a", TTL)));
    }

    @Test
    void concurrentPublishersFromTheSameVersionHaveExactlyOneWinner() {
        for (long expected : new long[] {VersionCatalog.NO_VERSION, 1}) {
            List<CompletableFuture<Boolean>> races = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                races.add(catalog.publish(collection, expected, ref(expected + 1, 100 * expected + i))
                        .toCompletableFuture());
            }
            List<Integer> winners = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                if (await(races.get(i))) {
                    winners.add(i);
                }
            }
            assertEquals(1, winners.size(), "winners from version " + expected + ": " + winners);
            assertEquals(Optional.of(ref(expected + 1, 100 * expected + winners.getFirst())),
                    await(catalog.currentVersion(collection)));
        }
    }

    @Test
    void concurrentLeaseTakersHaveExactlyOneHolder() {
        List<CompletableFuture<Boolean>> races = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            races.add(catalog.tryAcquireLease(collection, "taker-" + i, TTL).toCompletableFuture());
        }
        List<Integer> holders = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            if (await(races.get(i))) {
                holders.add(i);
            }
        }
        assertEquals(1, holders.size(), "holders: " + holders);
        int holder = holders.getFirst();
        for (int i = 0; i < 8; i++) {
            assertEquals(i == holder, await(catalog.renewLease(collection, "taker-" + i, TTL)), "taker-" + i);
        }
    }

    @Test
    void deletingTheCollectionRemovesItsVersionAndLease() {
        UUID other = newCollection();
        assertTrue(await(catalog.publish(collection, VersionCatalog.NO_VERSION, ref(1, 10))));
        assertTrue(await(catalog.tryAcquireLease(collection, "a", TTL)));
        assertTrue(await(catalog.publish(other, VersionCatalog.NO_VERSION,
                new VersionRef(1, VersionKeys.manifest(other, 1), 7))));
        assertTrue(await(catalog.tryAcquireLease(other, "a", TTL)));

        int deleted = pool.preparedQuery("DELETE FROM collections WHERE id = $1").execute(Tuple.of(collection))
                .await().atMost(Duration.ofSeconds(10)).rowCount();
        assertEquals(1, deleted);

        assertEquals(0, count("collection_versions", collection));
        assertEquals(0, count("compaction_leases", collection));
        assertEquals(Optional.empty(), await(catalog.currentVersion(collection)));
        assertFalse(await(catalog.renewLease(collection, "a", TTL)));
        assertEquals(1, count("collection_versions", other));
        assertEquals(1, count("compaction_leases", other));
    }
}
