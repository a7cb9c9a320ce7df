package io.vermilion.storage;

/**
 * A snapshot of {@link CachedObjectStore}'s counters, for metrics. A read that misses memory counts one memory miss
 * and then either one disk hit, one disk miss (it went to the wrapped store), or neither (it joined a fetch of the
 * same key already under way). Background warming is not counted.
 */
public record CacheStats(
        long memoryHits,
        long memoryMisses,
        long diskHits,
        long diskMisses,
        long diskCorruptFiles,
        long memoryEntries,
        long memoryBytes,
        long diskFiles,
        long diskBytes) {}
