package io.vermilion.compactor;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import io.vermilion.catalog.ForkLineage;
import io.vermilion.catalog.LogCatalog;
import io.vermilion.catalog.VersionCatalog;
import io.vermilion.catalog.VersionRef;
import io.vermilion.log.LogGarbageCollector;
import io.vermilion.storage.ObjectInfo;
import io.vermilion.storage.ObjectStore;
import io.vermilion.version.ManifestReader;
import io.vermilion.version.VersionKeys;
import io.vermilion.version.VersionManifest;

/**
 * Deletes what a collection's current version made obsolete, once that version has been current for a grace period
 * (so readers still on the previous version, on any replica, can finish and move on): the objects of every older
 * version except the files the current version still uses, and the log fragments the current version covers
 * (forgotten by the catalog, then swept). Never touches the current version, anything newer, or the log after the
 * current version; never deletes an object that a version retained for time travel (superseded less than the
 * retention ago) or any version of a fork of the collection still reads ({@link ForkLineage}). Thread-safe
 * (stateless).
 */
public final class VersionGarbageCollector {

    /** What one collection pass removed. */
    public record Collected(int versionObjects, int fragments) {
        public static final Collected NOTHING = new Collected(0, 0);
    }

    private final ObjectStore store;
    private final VersionCatalog versions;
    private final LogCatalog log;
    private final LogGarbageCollector logGarbage;
    private final Clock clock;
    private final ForkLineage lineage;
    private final Duration retention;
    private final ReferencedObjects referenced;
    private final ManifestReader manifestReader = new ManifestReader();

    public VersionGarbageCollector(ObjectStore store, VersionCatalog versions, LogCatalog log, Clock clock) {
        this(store, versions, log, ForkLineage.NONE, Duration.ZERO, clock);
    }

    /**
     * @param lineage   which versions forks still read and which older versions are retained
     * @param retention how long a superseded version stays readable for time travel
     */
    public VersionGarbageCollector(ObjectStore store, VersionCatalog versions, LogCatalog log, ForkLineage lineage,
            Duration retention, Clock clock) {
        this.store = Objects.requireNonNull(store, "store");
        this.versions = Objects.requireNonNull(versions, "versions");
        this.log = Objects.requireNonNull(log, "log");
        this.lineage = Objects.requireNonNull(lineage, "lineage");
        this.retention = Objects.requireNonNull(retention, "retention");
        this.logGarbage = new LogGarbageCollector(store, log, lineage);
        this.referenced = new ReferencedObjects(store);
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Collects the collection's garbage if its current version is at least {@code grace} old. */
    public CompletionStage<Collected> collect(UUID collection, Duration grace) {
        return versions.currentVersion(collection).thenCompose(found -> {
            if (found.isEmpty()) {
                return CompletableFuture.completedFuture(Collected.NOTHING);
            }
            VersionRef current = found.get();
            return store.get(current.manifestKey()).thenCompose(bytes -> {
                VersionManifest manifest = manifestReader.read(bytes, current.manifestKey());
                if (clock.instant().isBefore(manifest.createdAt().plus(grace))) {
                    return CompletableFuture.completedFuture(Collected.NOTHING);
                }
                // Expire first, then ask what forks read: a fork made of a version after it expired is seen below.
                return lineage.expireVersions(collection, current.version(), clock.instant().minus(retention))
                        .thenCompose(retained -> lineage.sharedManifests(collection).thenCompose(shared -> {
                            List<String> manifests = new ArrayList<>(shared);
                            retained.forEach(ref -> manifests.add(ref.manifestKey()));
                            return referenced.of(manifests);
                        }))
                        .thenCompose(kept -> {
                            Set<String> keep = new HashSet<>(kept);
                            keep.add(current.manifestKey());
                            manifest.files().forEach(file -> keep.add(file.key()));
                            return deleteOlderVersions(collection, current.version(), keep);
                        })
                        .thenCompose(versionObjects -> log.forget(collection, current.logEndOffset())
                                .thenCompose(forgotten -> logGarbage.sweep(collection))
                                .thenApply(fragments -> new Collected(versionObjects, fragments)));
            });
        });
    }

    /** Deletes objects under older versions' prefixes except the files the current version still lists. */
    private CompletionStage<Integer> deleteOlderVersions(UUID collection, long current, Set<String> referenced) {
        return store.list(VersionKeys.versionsPrefix(collection)).thenCompose(objects -> {
            List<CompletableFuture<Void>> deletes = new ArrayList<>();
            for (ObjectInfo object : objects) {
                long version = VersionKeys.version(collection, object.key());
                if (version >= 1 && version < current && !referenced.contains(object.key())) {
                    deletes.add(store.delete(object.key()).toCompletableFuture());
                }
            }
            return CompletableFuture.allOf(deletes.toArray(CompletableFuture[]::new)).thenApply(done -> deletes.size());
        });
    }
}
