package io.vermilion.catalog;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The catalog's knowledge of forks, for garbage collection: a fork reads its source's version objects and log
 * fragments where they are (copy-on-write), so an object under one collection's prefix may be read by other
 * collections of its fork tree, and by its retained older versions (time travel). Garbage collectors ask here what
 * must stay. {@link #NONE} is a catalog without forks or retained versions.
 */
public interface ForkLineage {

    /**
     * The manifest keys of every version that the <em>other</em> live collections of {@code collection}'s fork tree
     * still retain (their current versions included); empty when it has no forks and is no fork.
     */
    CompletionStage<List<String>> sharedManifests(UUID collection);

    /** The fragment keys under {@code collection}'s log prefix that other collections' logs still record. */
    CompletionStage<Set<String>> sharedFragments(UUID collection);

    /**
     * Forgets the collection's versions below {@code current} that were superseded before {@code supersededBefore}
     * (outside the retention window); completes with the versions below {@code current} still retained.
     */
    CompletionStage<List<VersionRef>> expireVersions(UUID collection, long current, Instant supersededBefore);

    /** Deleted collections whose objects may still be read by a fork (their prefixes are not yet emptied). */
    CompletionStage<List<UUID>> dropped();

    /** Whether the deleted {@code collection} belongs to a fork tree, so its objects may still be read. */
    CompletionStage<Boolean> isDroppedFork(UUID collection);

    /** Forgets that the deleted {@code collection} may hold shared objects: nothing under its prefix is read any more. */
    CompletionStage<Void> forgetDropped(UUID collection);

    /** A catalog without forks: nothing is shared, no older version is retained, nothing is dropped. */
    ForkLineage NONE = new ForkLineage() {
        @Override
        public CompletionStage<List<String>> sharedManifests(UUID collection) {
            return CompletableFuture.completedFuture(List.of());
        }

        @Override
        public CompletionStage<Set<String>> sharedFragments(UUID collection) {
            return CompletableFuture.completedFuture(Set.of());
        }

        @Override
        public CompletionStage<List<VersionRef>> expireVersions(UUID collection, long current,
                Instant supersededBefore) {
            return CompletableFuture.completedFuture(List.of());
        }

        @Override
        public CompletionStage<List<UUID>> dropped() {
            return CompletableFuture.completedFuture(List.of());
        }

        @Override
        public CompletionStage<Boolean> isDroppedFork(UUID collection) {
            return CompletableFuture.completedFuture(false);
        }

        @Override
        public CompletionStage<Void> forgetDropped(UUID collection) {
            return CompletableFuture.completedFuture(null);
        }
    };
}
