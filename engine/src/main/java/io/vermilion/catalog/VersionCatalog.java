package io.vermilion.catalog;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * The catalog side of compacted versions: each collection's current version pointer, switched only by a conditional
 * {@link #publish}, and a per-collection compaction lease so one compactor at a time works on a collection. Leases
 * expire by the implementation's clock; an expired lease may be taken by anyone. Implementations are thread-safe.
 */
public interface VersionCatalog {

    /** Version number meaning "no version published yet" for {@link #publish}'s expected version. */
    long NO_VERSION = 0;

    /** The collection's current version, or empty while none is published. */
    CompletionStage<Optional<VersionRef>> currentVersion(UUID collection);

    /**
     * Makes {@code next} the current version if the current version number is still {@code expectedCurrentVersion}
     * ({@link #NO_VERSION} for none) and {@code next} is its successor; completes with whether it switched.
     */
    CompletionStage<Boolean> publish(UUID collection, long expectedCurrentVersion, VersionRef next);

    /** Takes the collection's lease for {@code ttl} if it is free, expired or already {@code holder}'s. */
    CompletionStage<Boolean> tryAcquireLease(UUID collection, String holder, Duration ttl);

    /** Extends {@code holder}'s unexpired lease to {@code ttl} from now; false if {@code holder} no longer holds it. */
    CompletionStage<Boolean> renewLease(UUID collection, String holder, Duration ttl);

    /** Gives up {@code holder}'s lease; does nothing if someone else holds it. */
    CompletionStage<Void> releaseLease(UUID collection, String holder);
}
