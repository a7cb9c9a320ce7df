package io.vermilion.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.vermilion.executor.CollectionStateCache;
import io.vermilion.index.IndexFileCache;
import io.vermilion.storage.CachedObjectStore;
import jakarta.inject.Singleton;
import java.util.function.ToDoubleFunction;

/**
 * The read path's caches as metrics. {@code vermilion_read_cache_snapshots_total{result="hit"|"miss"}}: request
 * views served as they were, or after reading new log fragments or opening a version;
 * {@code vermilion_read_cache_versions_total{result="switch"}}: moves to a newer compacted version ({@code "mapped"}:
 * from a lazily opened version's pages to its local, memory-mapped copy once downloaded);
 * {@code vermilion_read_cache_held_bytes}, {@code vermilion_read_cache_held_collections} and
 * {@code vermilion_read_cache_evictions_total}: the state held under the memory budget and what was evicted.
 * {@code vermilion_object_cache_reads_total{level="memory"|"disk", result="hit"|"miss"}}: whole-object reads (log
 * fragments, manifests) by cache level — hit ratio per level is {@code hit / (hit + miss)};
 * {@code vermilion_object_cache_bytes{level}} what each level holds. {@code vermilion_index_files_opens_total{source=
 * "local"|"fetched"|"lazy"}}: versions opened from the local index folder, fetched from the object store first, or
 * served from object-storage pages while they download, and
 * {@code vermilion_index_files_fetched_bytes_total}.
 */
@Singleton
@Startup
public class ReadCacheMetrics {

    public ReadCacheMetrics(CollectionStateCache cache, CachedObjectStore objects, IndexFileCache indexFiles,
            MeterRegistry registry) {
        String views = "Read views by whether they were served as they were (hit) or had to read first (miss)";
        FunctionCounter.builder("vermilion.read_cache.snapshots", cache, CollectionStateCache::snapshotsCached)
                .description(views).tag("result", "hit").register(registry);
        FunctionCounter.builder("vermilion.read_cache.snapshots", cache, CollectionStateCache::snapshotsCaughtUp)
                .description(views).tag("result", "miss").register(registry);
        FunctionCounter.builder("vermilion.read_cache.versions", cache, CollectionStateCache::versionSwitches)
                .description("Moves of a collection's read state to a newer compacted version").tag("result", "switch")
                .register(registry);
        Gauge.builder("vermilion.read_cache.held.bytes", cache, CollectionStateCache::heldBytes)
                .description("Estimated bytes of collection state held between reads (vermilion.cache.collections-memory bounds it)")
                .register(registry);
        Gauge.builder("vermilion.read_cache.held.collections", cache, CollectionStateCache::heldCollections)
                .description("Collections whose read state is held").register(registry);
        FunctionCounter.builder("vermilion.read_cache.evictions", cache, CollectionStateCache::evictions)
                .description("Collections' read state evicted to stay within the memory budget").register(registry);
        FunctionCounter.builder("vermilion.read_cache.versions", cache, CollectionStateCache::versionsWarmed)
                .description("Moves of a collection's read state to a newer compacted version").tag("result", "warmed")
                .register(registry);
        FunctionCounter.builder("vermilion.read_cache.versions", cache, CollectionStateCache::versionsMapped)
                .description("Moves of a collection's read state to a newer compacted version").tag("result", "mapped")
                .register(registry);
        FunctionCounter.builder("vermilion.read_cache.own_fragments", cache, CollectionStateCache::ownFragmentsApplied)
                .description("Log fragments this replica wrote, applied to its read state as they were recorded"
                        + " (write-through) instead of read back from the object store")
                .register(registry);

        String reads = "Whole-object reads through the cache tier, by level and result";
        counter(registry, reads, objects, "memory", "hit", s -> s.stats().memoryHits());
        counter(registry, reads, objects, "memory", "miss", s -> s.stats().memoryMisses());
        counter(registry, reads, objects, "disk", "hit", s -> s.stats().diskHits());
        counter(registry, reads, objects, "disk", "miss", s -> s.stats().diskMisses());
        Gauge.builder("vermilion.object_cache.bytes", objects, s -> s.stats().memoryBytes())
                .description("Bytes held by each cache level").tag("level", "memory").register(registry);
        Gauge.builder("vermilion.object_cache.bytes", objects, s -> s.stats().diskBytes())
                .description("Bytes held by each cache level").tag("level", "disk").register(registry);

        String opens = "Compacted versions opened, from local index files or fetched from the object store first";
        FunctionCounter.builder("vermilion.index_files.opens", indexFiles, IndexFileCache::localOpens)
                .description(opens).tag("source", "local").register(registry);
        FunctionCounter.builder("vermilion.index_files.opens", indexFiles, IndexFileCache::fetches)
                .description(opens).tag("source", "fetched").register(registry);
        FunctionCounter.builder("vermilion.index_files.opens", indexFiles, IndexFileCache::lazyOpens)
                .description(opens).tag("source", "lazy").register(registry);
        FunctionCounter.builder("vermilion.index_files.fetched.bytes", indexFiles, IndexFileCache::fetchedBytes)
                .description("Bytes of index files fetched from the object store").register(registry);
        String background = "Background reads of index files (all versions' downloads together, at most"
                + " vermilion.index.background-fetches at once): running, or waiting for a slot";
        Gauge.builder("vermilion.index_files.background_fetches", indexFiles, IndexFileCache::backgroundFetchesRunning)
                .description(background).tag("state", "running").register(registry);
        Gauge.builder("vermilion.index_files.background_fetches", indexFiles, IndexFileCache::backgroundFetchesWaiting)
                .description(background).tag("state", "waiting").register(registry);
    }

    private static void counter(MeterRegistry registry, String description, CachedObjectStore objects, String level,
            String result, ToDoubleFunction<CachedObjectStore> value) {
        FunctionCounter.builder("vermilion.object_cache.reads", objects, value)
                .description(description).tag("level", level).tag("result", result).register(registry);
    }
}
