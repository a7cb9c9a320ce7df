package io.vermilion.storage;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * An {@link ObjectStore} wrapper that caches whole objects in memory (Caffeine, bounded by bytes) and then in a local
 * {@link CacheFolder} (bounded by bytes, LRU), in front of the wrapped store. Thread-safe.
 *
 * <p><b>Only for write-once keys</b> (version files, log fragments, blocks): a key must never be rewritten with other
 * bytes. A {@code put} over an existing key does replace what <em>this</em> instance caches, but other instances (other
 * replicas, or this folder reopened by another process meanwhile) keep serving the old bytes.
 *
 * <p>Reads try memory, then the folder, then the wrapped store, filling both levels on a miss; concurrent misses for
 * one key share one fetch. {@code getRange} is served from a cached whole object (memory, or the folder through a
 * whole-object read) and otherwise passed through without caching. Writes go to the wrapped store first, then into
 * both levels. {@code delete} removes from the wrapped store, then from both levels. {@code list} passes through.
 * Returned arrays are the caller's own copies. The cache does no I/O on the wrapped store's threads: folder reads and
 * writes run on the given executor.
 */
public final class CachedObjectStore implements ObjectStore {

    private static final int STRIPES = 64;

    private final ObjectStore inner;
    private final CacheFolder folder;
    private final Executor ioExecutor;
    private final Cache<String, byte[]> memory;
    /** Fetches under way; a fetch fills the caches only while it is still the key's registered fetch. */
    private final ConcurrentHashMap<String, CompletableFuture<byte[]>> fetches = new ConcurrentHashMap<>();
    /** Serialise filling against invalidating, per key. */
    private final Object[] stripes = new Object[STRIPES];
    private final LongAdder memoryHits = new LongAdder();
    private final LongAdder memoryMisses = new LongAdder();
    private final LongAdder diskHits = new LongAdder();
    private final LongAdder diskMisses = new LongAdder();

    /**
     * @param inner               the store being cached; stays open on {@link #close()}
     * @param memoryCapacityBytes memory budget, weighing each entry as its payload plus key length; 0 disables memory
     * @param folder              the disk level
     * @param ioExecutor          runs folder I/O and {@link #warm} (which uses at most one of its threads at a time)
     */
    public CachedObjectStore(ObjectStore inner, long memoryCapacityBytes, CacheFolder folder, Executor ioExecutor) {
        this.inner = Objects.requireNonNull(inner);
        this.folder = Objects.requireNonNull(folder);
        this.ioExecutor = Objects.requireNonNull(ioExecutor);
        this.memory = Caffeine.newBuilder()
                .maximumWeight(memoryCapacityBytes)
                .weigher((String key, byte[] bytes) -> bytes.length + key.length())
                .executor(Runnable::run) // evict on the calling thread: the budget holds when a call returns
                .build();
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new Object();
        }
    }

    @Override
    public CompletionStage<Void> put(String key, byte[] bytes) {
        byte[] copy = bytes.clone();
        return inner.put(key, bytes).thenRunAsync(() -> replace(key, copy), ioExecutor);
    }

    @Override
    public CompletionStage<Boolean> putIfAbsent(String key, byte[] bytes) {
        byte[] copy = bytes.clone();
        return inner.putIfAbsent(key, bytes).thenApplyAsync(created -> {
            if (created) {
                replace(key, copy);
            }
            return created;
        }, ioExecutor);
    }

    /** Streams the file to the inner store; the object is not cached on the way (it may not fit in memory). */
    @Override
    public CompletionStage<Boolean> putFileIfAbsent(String key, java.nio.file.Path file) {
        return inner.putFileIfAbsent(key, file).thenApplyAsync(created -> {
            if (created) {
                invalidate(key);
            }
            return created;
        }, ioExecutor);
    }

    @Override
    public CompletionStage<byte[]> get(String key) {
        try {
            ObjectKeys.checkKey(key);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        byte[] cached = memory.getIfPresent(key);
        if (cached != null) {
            memoryHits.increment();
            return CompletableFuture.completedFuture(cached.clone());
        }
        memoryMisses.increment();
        return fetch(key, true).thenApply(byte[]::clone);
    }

    @Override
    public CompletionStage<byte[]> getRange(String key, long offset, int length) {
        if (offset < 0 || length < 0) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("negative offset or length"));
        }
        try {
            ObjectKeys.checkKey(key);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        byte[] cached = memory.getIfPresent(key);
        if (cached != null) {
            memoryHits.increment();
            return CompletableFuture.completedFuture(slice(cached, offset, length));
        }
        memoryMisses.increment();
        if (folder.contains(key)) {
            // Read the whole object from disk (its checksum covers the whole), which also promotes it to memory.
            return fetch(key, true).thenApply(whole -> slice(whole, offset, length));
        }
        diskMisses.increment();
        return inner.getRange(key, offset, length);
    }

    @Override
    public CompletionStage<List<ObjectInfo>> list(String prefix) {
        return inner.list(prefix);
    }

    @Override
    public CompletionStage<Void> delete(String key) {
        return inner.delete(key).thenRunAsync(() -> invalidate(key), ioExecutor);
    }

    /**
     * Prefetches the keys into both levels in the background, one at a time on the I/O executor, skipping keys already
     * in memory. Missing or failing keys are skipped. Completes when every key has been tried.
     */
    public CompletionStage<Void> warm(List<String> keys) {
        CompletableFuture<Void> chain = CompletableFuture.runAsync(() -> {}, ioExecutor);
        for (String key : List.copyOf(keys)) {
            chain = chain.thenCompose(ignored -> {
                try {
                    ObjectKeys.checkKey(key);
                } catch (IllegalArgumentException e) {
                    return CompletableFuture.completedFuture(null);
                }
                if (memory.getIfPresent(key) != null) {
                    return CompletableFuture.completedFuture(null);
                }
                return fetch(key, false).handle((bytes, error) -> null);
            });
        }
        return chain;
    }

    public CacheStats stats() {
        memory.cleanUp();
        return new CacheStats(memoryHits.sum(), memoryMisses.sum(), diskHits.sum(), diskMisses.sum(),
                folder.corruptFiles(), memory.estimatedSize(),
                memory.policy().eviction().orElseThrow().weightedSize().orElseThrow(),
                folder.fileCount(), folder.sizeBytes());
    }

    /** Empties memory. The wrapped store and the folder's files stay (the folder serves a later instance). */
    @Override
    public void close() {
        memory.invalidateAll();
        memory.cleanUp();
    }

    @Override
    public String toString() {
        return "CachedObjectStore[" + inner + ", " + folder + "]";
    }

    /** The whole object from the folder or the wrapped store, filling the caches; one fetch per key at a time. */
    private CompletableFuture<byte[]> fetch(String key, boolean record) {
        CompletableFuture<byte[]> mine = new CompletableFuture<>();
        CompletableFuture<byte[]> underWay = fetches.putIfAbsent(key, mine);
        if (underWay != null) {
            return underWay;
        }
        CompletableFuture.supplyAsync(() -> folder.read(key), ioExecutor)
                .thenCompose(fromDisk -> {
                    if (fromDisk != null) {
                        if (record) {
                            diskHits.increment();
                        }
                        fill(key, fromDisk, mine, false);
                        return CompletableFuture.completedFuture(fromDisk);
                    }
                    if (record) {
                        diskMisses.increment();
                    }
                    return inner.get(key).thenApplyAsync(bytes -> {
                        fill(key, bytes, mine, true);
                        return bytes;
                    }, ioExecutor);
                })
                .whenComplete((bytes, error) -> {
                    fetches.remove(key, mine);
                    if (error != null) {
                        mine.completeExceptionally(error instanceof CompletionException && error.getCause() != null
                                ? error.getCause()
                                : error);
                    } else {
                        mine.complete(bytes);
                    }
                });
        return mine;
    }

    /** Caches a fetched object unless a put or delete of the key has invalidated this fetch meanwhile. */
    private void fill(String key, byte[] bytes, CompletableFuture<byte[]> fetch, boolean toDisk) {
        synchronized (stripe(key)) {
            if (fetches.get(key) != fetch) {
                return;
            }
            memory.put(key, bytes);
            if (toDisk) {
                folder.write(key, bytes);
            }
        }
    }

    private void replace(String key, byte[] bytes) {
        synchronized (stripe(key)) {
            fetches.remove(key);
            memory.put(key, bytes);
            folder.write(key, bytes);
        }
    }

    private void invalidate(String key) {
        synchronized (stripe(key)) {
            fetches.remove(key);
            memory.invalidate(key);
            folder.remove(key);
        }
    }

    private Object stripe(String key) {
        return stripes[Math.floorMod(key.hashCode(), STRIPES)];
    }

    private static byte[] slice(byte[] whole, long offset, int length) {
        if (offset >= whole.length) {
            return new byte[0];
        }
        int from = (int) offset;
        return Arrays.copyOfRange(whole, from, (int) Math.min(whole.length, (long) from + length));
    }
}
