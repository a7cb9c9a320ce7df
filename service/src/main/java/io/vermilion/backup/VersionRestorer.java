package io.vermilion.backup;

import io.smallrye.mutiny.Uni;
import io.vermilion.catalog.VersionCatalog;
import io.vermilion.catalog.VersionRef;
import io.vermilion.config.VermilionConfig;
import io.vermilion.env.Environment;
import io.vermilion.error.ChromaException;
import io.vermilion.executor.CollectionStateCache;
import io.vermilion.storage.ObjectStore;
import io.vermilion.sysdb.PgRestorePoints;
import io.vermilion.version.ManifestReader;
import io.vermilion.version.ManifestWriter;
import io.vermilion.version.VersionKeys;
import io.vermilion.version.VersionManifest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * Restores a collection in place to a retained version: publishes a new version (current + 1) whose manifest lists
 * exactly the retained version's blocks and index files (nothing is copied) and whose log end is the log's end at the
 * restore, so records written after that version are gone and the log tail before the restore is never re-applied;
 * writes acknowledged after the restore stay. Holds the collection's compaction lease meanwhile, so no compaction
 * publishes in between and garbage collection keeps what the new version lists.
 */
@ApplicationScoped
public class VersionRestorer {

    /** What a restore published. */
    public record Restored(long version, long restoredFrom, long logPosition) {}

    private static final Duration LEASE = Duration.ofMinutes(5);
    private static final int LEASE_ATTEMPTS = 50;
    private static final Duration LEASE_RETRY = Duration.ofMillis(100);

    /**
     * A superseded version is restored only if it stays retained at least this much longer, so that a garbage
     * collection running meanwhile cannot expire it and delete the files the new version lists.
     */
    static final Duration RETENTION_MARGIN = Duration.ofMinutes(1);

    private final ObjectStore store;
    private final VersionCatalog versions;
    private final PgRestorePoints points;
    private final Duration retention;
    private final CollectionStateCache states;
    private final Clock clock;

    @Inject
    public VersionRestorer(ObjectStore store, VersionCatalog versions, PgRestorePoints points, VermilionConfig config,
            CollectionStateCache states) {
        this(store, versions, points, config.compaction().versionRetention(), states, Environment.system().clock());
    }

    VersionRestorer(ObjectStore store, VersionCatalog versions, PgRestorePoints points, Duration retention,
            CollectionStateCache states, Clock clock) {
        this.store = store;
        this.versions = versions;
        this.points = points;
        this.retention = retention;
        this.states = states;
        this.clock = clock;
    }

    /** Restores {@code collection} to its retained {@code version}, or to the version current at {@code asOf}. */
    public Uni<Restored> restore(UUID collection, Long version, Instant asOf) {
        String holder = "restore-" + UUID.randomUUID();
        return lease(collection, holder, LEASE_ATTEMPTS)
                .flatMap(held -> points.find(collection, version, asOf, retention, RETENTION_MARGIN))
                .flatMap(found -> switch (found) {
                    case PgRestorePoints.Lookup.Missing missing -> Uni.createFrom().<Restored>failure(
                            ChromaException.notFound("Collection [" + collection + "] has no retained "
                                    + missing.asked()));
                    case PgRestorePoints.Lookup.OutsideRetention outside -> Uni.createFrom().<Restored>failure(
                            ChromaException.invalid("Collection [" + collection + "] has no retained "
                                    + outside.asked() + ": it is outside the retention window"
                                    + " (vermilion.compaction.version-retention)"));
                    case PgRestorePoints.Lookup.Found point -> publish(collection, point);
                })
                .eventually(() -> Uni.createFrom().completionStage(versions.releaseLease(collection, holder)));
    }

    private Uni<Void> lease(UUID collection, String holder, int attemptsLeft) {
        return Uni.createFrom().completionStage(versions.tryAcquireLease(collection, holder, LEASE)).flatMap(held -> {
            if (held) {
                return Uni.createFrom().voidItem();
            }
            if (attemptsLeft <= 1) {
                return Uni.createFrom().failure(ChromaException.conflict(
                        "Collection [" + collection + "] is being compacted; retry the restore"));
            }
            return Uni.createFrom().voidItem().onItem().delayIt().by(LEASE_RETRY)
                    .flatMap(waited -> lease(collection, holder, attemptsLeft - 1));
        });
    }

    private Uni<Restored> publish(UUID collection, PgRestorePoints.Lookup.Found point) {
        long next = point.current().version() + 1;
        String key = VersionKeys.manifest(collection, next);
        return Uni.createFrom().completionStage(store.get(point.target().manifestKey()))
                .map(bytes -> {
                    VersionManifest old = new ManifestReader().read(bytes, point.target().manifestKey());
                    return new ManifestWriter().write(new VersionManifest(collection, next, point.logPosition(),
                            old.recordCount(), old.dimension(), old.space(), old.files(), old.blocks(),
                            clock.instant()));
                })
                .flatMap(bytes -> Uni.createFrom().completionStage(store.put(key, bytes)))
                .flatMap(written -> Uni.createFrom().completionStage(versions.publish(collection,
                        point.current().version(), new VersionRef(next, key, point.logPosition()))))
                .map(published -> {
                    if (!published) {
                        throw ChromaException.conflict("Collection [" + collection
                                + "] changed version during the restore; retry");
                    }
                    // The log did not move, so this replica's cached state would not know to switch before the
                    // catalog feed told it: drop it, and the next read here opens the restored version. Other
                    // replicas switch when the feed's notification of the new version reaches them.
                    states.evict(collection);
                    return new Restored(next, point.target().version(), point.logPosition());
                });
    }
}
