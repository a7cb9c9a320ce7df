package io.vermilion.catalog;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A {@link VersionCatalog} in memory, for tests and the embedded engine. Thread-safe (every method holds the
 * catalog's lock); lease expiry follows the injected clock, so tests move time by hand.
 */
public final class InMemoryVersionCatalog implements VersionCatalog {

    private record Lease(String holder, Instant expiresAt) {}

    private final Clock clock;
    private final Map<UUID, VersionRef> versions = new HashMap<>();
    private final Map<UUID, Lease> leases = new HashMap<>();

    public InMemoryVersionCatalog(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public synchronized CompletionStage<Optional<VersionRef>> currentVersion(UUID collection) {
        return CompletableFuture.completedFuture(Optional.ofNullable(versions.get(collection)));
    }

    @Override
    public synchronized CompletionStage<Boolean> publish(UUID collection, long expectedCurrentVersion, VersionRef next) {
        Objects.requireNonNull(next, "next");
        VersionRef current = versions.get(collection);
        long currentNumber = current == null ? NO_VERSION : current.version();
        if (currentNumber != expectedCurrentVersion || next.version() != currentNumber + 1) {
            return CompletableFuture.completedFuture(false);
        }
        versions.put(collection, next);
        return CompletableFuture.completedFuture(true);
    }

    @Override
    public synchronized CompletionStage<Boolean> tryAcquireLease(UUID collection, String holder, Duration ttl) {
        Objects.requireNonNull(holder, "holder");
        Instant now = clock.instant();
        Lease lease = leases.get(collection);
        if (lease != null && !lease.holder().equals(holder) && now.isBefore(lease.expiresAt())) {
            return CompletableFuture.completedFuture(false);
        }
        leases.put(collection, new Lease(holder, now.plus(ttl)));
        return CompletableFuture.completedFuture(true);
    }

    @Override
    public synchronized CompletionStage<Boolean> renewLease(UUID collection, String holder, Duration ttl) {
        Instant now = clock.instant();
        Lease lease = leases.get(collection);
        if (lease == null || !lease.holder().equals(holder) || !now.isBefore(lease.expiresAt())) {
            return CompletableFuture.completedFuture(false);
        }
        leases.put(collection, new Lease(holder, now.plus(ttl)));
        return CompletableFuture.completedFuture(true);
    }

    @Override
    public synchronized CompletionStage<Void> releaseLease(UUID collection, String holder) {
        Lease lease = leases.get(collection);
        if (lease != null && lease.holder().equals(holder)) {
            leases.remove(collection);
        }
        return CompletableFuture.completedFuture(null);
    }
}
