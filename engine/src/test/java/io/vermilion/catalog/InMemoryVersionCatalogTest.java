package io.vermilion.catalog;

import static io.vermilion.log.LogTestKit.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.vermilion.testing.MutableClock;
import io.vermilion.version.VersionKeys;

class InMemoryVersionCatalogTest {

    private final UUID collection = UUID.randomUUID();
    private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    private final InMemoryVersionCatalog catalog = new InMemoryVersionCatalog(clock);

    private VersionRef ref(long version, long logEnd) {
        return new VersionRef(version, VersionKeys.manifest(collection, version), logEnd);
    }

    @Test
    void publishSwitchesOnlyFromTheExpectedVersionToItsSuccessor() {
        assertFalse(await(catalog.publish(collection, 1, ref(2, 10))));
        assertFalse(await(catalog.publish(collection, VersionCatalog.NO_VERSION, ref(2, 10))));
        assertTrue(await(catalog.publish(collection, VersionCatalog.NO_VERSION, ref(1, 10))));
        assertFalse(await(catalog.publish(collection, VersionCatalog.NO_VERSION, ref(1, 12)))); // lost race

        assertEquals(Optional.of(ref(1, 10)), await(catalog.currentVersion(collection)));
        assertEquals(Optional.empty(), await(catalog.currentVersion(UUID.randomUUID())));
    }

    @Test
    void leaseIsExclusiveUntilReleasedOrExpired() {
        Duration ttl = Duration.ofSeconds(30);
        assertTrue(await(catalog.tryAcquireLease(collection, "a", ttl)));
        assertTrue(await(catalog.tryAcquireLease(collection, "a", ttl)), "re-entrant for its holder");
        assertFalse(await(catalog.tryAcquireLease(collection, "b", ttl)));
        assertFalse(await(catalog.renewLease(collection, "b", ttl)));

        clock.advance(Duration.ofSeconds(20));
        assertTrue(await(catalog.renewLease(collection, "a", ttl)));
        clock.advance(Duration.ofSeconds(20));
        assertFalse(await(catalog.tryAcquireLease(collection, "b", ttl)), "renewed 20 s ago for 30 s");

        clock.advance(Duration.ofSeconds(10));
        assertTrue(await(catalog.tryAcquireLease(collection, "b", ttl)), "expired");
        assertFalse(await(catalog.renewLease(collection, "a", ttl)));
        await(catalog.releaseLease(collection, "a")); // not a's any more: no effect
        assertFalse(await(catalog.tryAcquireLease(collection, "a", ttl)));
        await(catalog.releaseLease(collection, "b"));
        assertTrue(await(catalog.tryAcquireLease(collection, "a", ttl)));
    }
}
