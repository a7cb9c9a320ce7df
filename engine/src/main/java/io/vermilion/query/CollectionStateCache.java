package io.vermilion.query;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.arrow.memory.BufferAllocator;

import io.vermilion.log.CollectionMissingException;
import io.vermilion.log.CorruptFragmentException;
import io.vermilion.log.FragmentReader;
import io.vermilion.log.FragmentRef;
import io.vermilion.log.LogCatalog;
import io.vermilion.log.LogFragment;
import io.vermilion.storage.ObjectStore;

/**
 * The read side of the log: each collection's records materialized in memory from its recorded fragments. Every
 * {@link #snapshot} asks the catalog where the log ends, so a write acknowledged before the call (by any replica) is in
 * the snapshot it returns. Fragments are read only once the catalog recorded them, in parallel, and applied in log
 * order, each exactly once: catching up is serialized per collection. Thread-safe; snapshots are immutable.
 * Holds every collection it was asked about until {@link #evict}.
 */
public final class CollectionStateCache {

    /** Fragments read at once while catching up; also bounds the raw bytes held in memory. */
    private static final int PARALLEL_READS = 32;

    private final ObjectStore store;
    private final LogCatalog catalog;
    private final FragmentReader reader;
    private final Executor executor;
    private final ConcurrentHashMap<UUID, CachedCollection> collections = new ConcurrentHashMap<>();
    private final AtomicLong snapshotsCached = new AtomicLong();
    private final AtomicLong snapshotsCaughtUp = new AtomicLong();

    /**
     * @param allocator the parent Arrow allocator for decoding; it stays the caller's
     * @param executor  decodes and applies fragments
     */
    public CollectionStateCache(ObjectStore store, LogCatalog catalog, BufferAllocator allocator, Executor executor) {
        this.store = Objects.requireNonNull(store, "store");
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.reader = new FragmentReader(Objects.requireNonNull(allocator, "allocator"));
        this.executor = Objects.requireNonNull(executor, "executor");
    }

    /**
     * The collection's records as of (at least) the log position the catalog reports now. Fails with
     * {@link CollectionMissingException} if the collection does not exist, or with the store's error or a
     * {@link CorruptFragmentException} if a recorded fragment cannot be read (a later call tries again).
     */
    public CompletionStage<CollectionSnapshot> snapshot(UUID collection) {
        Objects.requireNonNull(collection, "collection");
        return catalog.position(collection).toCompletableFuture().thenCompose(found -> {
            if (found.isEmpty()) {
                collections.remove(collection);
                return CompletableFuture.failedFuture(new CollectionMissingException(collection));
            }
            long target = found.get().nextOffset();
            CachedCollection cached = collections.computeIfAbsent(collection, CachedCollection::new);
            Published published = cached.published;
            if (published.nextOffset() >= target) {
                snapshotsCached.incrementAndGet();
                return CompletableFuture.completedFuture(published.snapshot()); // nothing new: no lock, no I/O
            }
            snapshotsCaughtUp.incrementAndGet();
            return cached.catchUp(target);
        });
    }

    /** Snapshots served from memory as they were (the cache's hits): no fragment had to be read. */
    public long snapshotsCached() {
        return snapshotsCached.get();
    }

    /** Snapshots that first had to read new fragments from the object store (the cache's misses). */
    public long snapshotsCaughtUp() {
        return snapshotsCaughtUp.get();
    }

    /** Forgets the collection's state (e.g. after it was deleted); the next snapshot rebuilds it from the log. */
    public void evict(UUID collection) {
        collections.remove(collection);
    }

    /** A snapshot and the log offset it reflects, published together. */
    private record Published(long nextOffset, CollectionSnapshot snapshot) {}

    /**
     * One collection's state. {@link #state} and {@link #stateOffset} are touched only by catch-ups, which run one
     * after another (each starts when the previous ended); {@link #published} is read by anyone.
     */
    private final class CachedCollection {
        private final UUID collection;
        private final MutableCollectionState state = new MutableCollectionState();
        private long stateOffset;
        volatile Published published = new Published(0, CollectionSnapshot.empty());
        private CompletableFuture<Void> tail = CompletableFuture.completedFuture(null); // guarded by this

        CachedCollection(UUID collection) {
            this.collection = collection;
        }

        CompletableFuture<CollectionSnapshot> catchUp(long target) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            CompletableFuture<Void> previous;
            synchronized (this) {
                previous = tail;
                tail = done;
            }
            return previous.thenCompose(ignored -> load(target))
                    .whenComplete((snapshot, failure) -> done.complete(null));
        }

        private CompletableFuture<CollectionSnapshot> load(long target) {
            if (stateOffset >= target) {
                return CompletableFuture.completedFuture(publish()); // a catch-up queued before this one got there
            }
            long from = stateOffset;
            return catalog.fragments(collection, from).toCompletableFuture()
                    .thenCompose(fragments -> applyFrom(fragments, 0))
                    .thenCompose(ignored -> stateOffset >= target
                            ? CompletableFuture.completedFuture(publish())
                            : fragmentsMissing(target));
        }

        /** The catalog recorded fewer fragments than its log position promised: the collection was dropped meanwhile? */
        private CompletableFuture<CollectionSnapshot> fragmentsMissing(long target) {
            return catalog.position(collection).toCompletableFuture().thenApply(found -> {
                if (found.isEmpty()) {
                    throw new CollectionMissingException(collection);
                }
                throw new IllegalStateException("the catalog puts the end of the log of collection " + collection
                        + " at offset " + target + " but records fragments up to " + stateOffset + " only");
            });
        }

        /** Reads {@code fragments[first ..]} a chunk at a time, applying each chunk in log order once it is read. */
        private CompletableFuture<Void> applyFrom(List<FragmentRef> fragments, int first) {
            if (first >= fragments.size()) {
                return CompletableFuture.completedFuture(null);
            }
            List<FragmentRef> chunk = fragments.subList(first, Math.min(fragments.size(), first + PARALLEL_READS));
            long expected = stateOffset;
            List<CompletableFuture<LogFragment>> reads = new ArrayList<>(chunk.size());
            for (FragmentRef fragment : chunk) {
                if (fragment.startOffset() != expected) {
                    return CompletableFuture.failedFuture(new IllegalStateException("the catalog's log of collection "
                            + collection + " is not contiguous: expected a fragment at offset " + expected
                            + ", found " + fragment));
                }
                expected = fragment.endOffset();
                reads.add(store.get(fragment.key()).toCompletableFuture()
                        .thenApplyAsync(bytes -> decode(bytes, fragment), executor));
            }
            return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new))
                    .thenApplyAsync(ignored -> {
                        for (int i = 0; i < chunk.size(); i++) {
                            state.applyAll(reads.get(i).join().records());
                            stateOffset = chunk.get(i).endOffset();
                        }
                        return null;
                    }, executor)
                    .thenCompose(ignored -> applyFrom(fragments, first + chunk.size()));
        }

        private LogFragment decode(byte[] bytes, FragmentRef fragment) {
            LogFragment decoded = reader.read(bytes, fragment.key());
            if (decoded.firstOffset() != fragment.startOffset() || decoded.records().size() != fragment.recordCount()) {
                throw new CorruptFragmentException(fragment.key(), "holds offsets [" + decoded.firstOffset() + ", "
                        + (decoded.firstOffset() + decoded.records().size()) + ") but the catalog recorded ["
                        + fragment.startOffset() + ", " + fragment.endOffset() + ")");
            }
            return decoded;
        }

        private CollectionSnapshot publish() {
            Published current = published;
            if (current.nextOffset() < stateOffset) {
                current = new Published(stateOffset, state.snapshot());
                published = current;
            }
            return current.snapshot();
        }
    }
}
