package io.vermilion.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.vermilion.query.CollectionStateCache;
import jakarta.inject.Singleton;

/**
 * The read state cache's hits and misses: {@code vermilion_read_cache_snapshots_total{result="hit"}} counts snapshots
 * served from memory as they were, {@code result="miss"} those that first read new log fragments from the object
 * store. Hit ratio: {@code rate(..{result="hit"}) / rate(..)} summed over both.
 */
@Singleton
@Startup
public class ReadCacheMetrics {

    public ReadCacheMetrics(CollectionStateCache cache, MeterRegistry registry) {
        FunctionCounter.builder("vermilion.read_cache.snapshots", cache, CollectionStateCache::snapshotsCached)
                .description("Read snapshots by whether they were served from memory (hit) or had to read the log (miss)")
                .tag("result", "hit")
                .register(registry);
        FunctionCounter.builder("vermilion.read_cache.snapshots", cache, CollectionStateCache::snapshotsCaughtUp)
                .description("Read snapshots by whether they were served from memory (hit) or had to read the log (miss)")
                .tag("result", "miss")
                .register(registry);
    }
}
