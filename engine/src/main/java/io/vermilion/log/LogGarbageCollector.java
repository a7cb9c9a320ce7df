package io.vermilion.log;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import io.vermilion.catalog.CollectionMissingException;
import io.vermilion.catalog.ForkLineage;
import io.vermilion.catalog.FragmentRef;
import io.vermilion.catalog.LogCatalog;
import io.vermilion.catalog.LogPosition;
import io.vermilion.storage.ObjectInfo;
import io.vermilion.storage.ObjectStore;

/**
 * Deletes log fragments that can never become part of a log: written, but never recorded by the catalog (a commit that
 * failed or conflicted, a writer that crashed). Safe to run at any time, beside any number of writers: a fragment is
 * deleted only if its start offset is below the log's end, and the catalog only records a fragment that starts exactly
 * at the end, which only grows. A fragment another collection's log records (a fork reads it where it is) is never
 * deleted. Thread-safe (stateless).
 */
public final class LogGarbageCollector {

    private final ObjectStore store;
    private final LogCatalog catalog;
    private final ForkLineage lineage;

    public LogGarbageCollector(ObjectStore store, LogCatalog catalog) {
        this(store, catalog, ForkLineage.NONE);
    }

    /** @param lineage tells which of a collection's fragments its forks still record */
    public LogGarbageCollector(ObjectStore store, LogCatalog catalog, ForkLineage lineage) {
        this.store = Objects.requireNonNull(store, "store");
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.lineage = Objects.requireNonNull(lineage, "lineage");
    }

    /**
     * Deletes the collection's unrecorded fragments that start below its log's end; completes with how many it deleted.
     * Objects under the log prefix that are not named like fragments are left alone. Fails with
     * {@link CollectionMissingException} if the collection does not exist (use {@link #deleteCollection} then).
     */
    public CompletionStage<Integer> sweep(UUID collection) {
        // Order matters: the position first, then the recorded fragments (which then include every recorded fragment
        // starting below that position), then the listing.
        return catalog.position(collection).toCompletableFuture()
                .thenCompose(found -> {
                    LogPosition position = found.orElseThrow(() -> new CollectionMissingException(collection));
                    return catalog.fragments(collection, 0).toCompletableFuture()
                            .thenCompose(recorded -> lineage.sharedFragments(collection)
                                    .thenCompose(shared -> store.list(FragmentKeys.logPrefix(collection))
                                            .thenCompose(objects -> deleteOrphans(
                                                    collection, position, recorded, shared, objects))));
                });
    }

    private CompletionStage<Integer> deleteOrphans(
            UUID collection, LogPosition position, List<FragmentRef> recorded, Set<String> shared,
            List<ObjectInfo> objects) {
        Set<String> keep = new HashSet<>(shared);
        for (FragmentRef fragment : recorded) {
            keep.add(fragment.key());
        }
        List<CompletableFuture<Void>> deletes = new ArrayList<>();
        for (ObjectInfo object : objects) {
            long start = FragmentKeys.startOffset(collection, object.key());
            if (start >= 0 && start < position.nextOffset() && !keep.contains(object.key())) {
                deletes.add(store.delete(object.key()).toCompletableFuture());
            }
        }
        return CompletableFuture.allOf(deletes.toArray(CompletableFuture[]::new)).thenApply(done -> deletes.size());
    }

    /**
     * Deletes every object under {@code {collection_id}/} (log and versions), for a collection the catalog has dropped.
     * Deletion by prefix assumes no other collection references these objects: for a collection of a fork tree,
     * {@code io.vermilion.compactor.DroppedCollections} deletes only what no fork reads.
     */
    public CompletionStage<Void> deleteCollection(UUID collection) {
        return store.list(FragmentKeys.collectionPrefix(collection)).thenCompose(objects -> {
            List<CompletableFuture<Void>> deletes = new ArrayList<>(objects.size());
            for (ObjectInfo object : objects) {
                deletes.add(store.delete(object.key()).toCompletableFuture());
            }
            return CompletableFuture.allOf(deletes.toArray(CompletableFuture[]::new));
        });
    }
}
