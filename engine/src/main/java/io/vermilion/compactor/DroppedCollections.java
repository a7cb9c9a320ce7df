package io.vermilion.compactor;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import io.vermilion.catalog.ForkLineage;
import io.vermilion.log.FragmentKeys;
import io.vermilion.storage.ObjectInfo;
import io.vermilion.storage.ObjectStore;

/**
 * Deletes the objects of collections the catalog dropped. A collection outside any fork tree loses everything under
 * its prefix at once; one whose forks may still read its versions or log fragments loses only what no live
 * collection of its tree reads, and is purged again (by {@link #purgeAll}) until nothing of it is read any more, so
 * deleting a source leaves every fork whole. Thread-safe (stateless).
 */
public final class DroppedCollections {

    private final ObjectStore store;
    private final ForkLineage lineage;
    private final ReferencedObjects referenced;

    public DroppedCollections(ObjectStore store, ForkLineage lineage) {
        this.store = Objects.requireNonNull(store, "store");
        this.lineage = Objects.requireNonNull(lineage, "lineage");
        this.referenced = new ReferencedObjects(store);
    }

    /** Deletes what no fork reads of the dropped collection's objects; completes with how many objects it deleted. */
    public CompletionStage<Integer> purge(UUID collection) {
        return lineage.isDroppedFork(collection).thenCompose(inTree -> {
            if (!inTree) {
                return deleteAllBut(collection, Set.of());
            }
            return lineage.sharedManifests(collection)
                    .thenCompose(referenced::of)
                    .thenCompose(read -> lineage.sharedFragments(collection).thenCompose(fragments -> {
                        Set<String> keep = new HashSet<>(read);
                        keep.addAll(fragments);
                        return deleteAllBut(collection, keep);
                    }));
        });
    }

    /** Purges every dropped collection of a fork tree again; completes with how many objects it deleted. */
    public CompletionStage<Integer> purgeAll() {
        return lineage.dropped().thenCompose(dropped -> {
            CompletableFuture<Integer> total = CompletableFuture.completedFuture(0);
            for (UUID collection : dropped) {
                total = total.thenCompose(sum -> purge(collection).thenApply(n -> sum + n));
            }
            return total;
        });
    }

    private CompletionStage<Integer> deleteAllBut(UUID collection, Set<String> keep) {
        return store.list(FragmentKeys.collectionPrefix(collection)).thenCompose(objects -> {
            List<CompletableFuture<Void>> deletes = new ArrayList<>();
            boolean kept = false;
            for (ObjectInfo object : objects) {
                if (keep.contains(object.key())) {
                    kept = true;
                } else {
                    deletes.add(store.delete(object.key()).toCompletableFuture());
                }
            }
            boolean stillRead = kept;
            return CompletableFuture.allOf(deletes.toArray(CompletableFuture[]::new))
                    .thenCompose(done -> stillRead
                            ? CompletableFuture.completedFuture(null)
                            : lineage.forgetDropped(collection))
                    .thenApply(done -> deletes.size());
        });
    }
}
