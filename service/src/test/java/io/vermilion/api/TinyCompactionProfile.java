package io.vermilion.api;

import java.util.List;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.vermilion.storage.S3StorageResource;

/**
 * Compaction every few writes, three records per block, caches of about one object, superseded versions collected
 * two seconds after their successor, objects on a real S3-compatible server: every boundary of the read path (log
 * only, version only, version plus tail, stale version, collected garbage, cache misses) is crossed within seconds.
 */
public class TinyCompactionProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "vermilion.compaction.enabled", "true",
                "vermilion.compaction.records", "5",
                "vermilion.compaction.interval", "50ms",
                "vermilion.compaction.age", "1s",
                "vermilion.compaction.grace-period", "2s",
                "vermilion.compaction.block-records", "3",
                "vermilion.cache.memory", "4k",
                "vermilion.cache.disk", "16k",
                "vermilion.cache.index", "1m");
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(S3StorageResource.class));
    }
}
