package io.vermilion.api;

import java.util.List;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.vermilion.storage.S3StorageResource;

/**
 * Objects on a real S3-compatible server, superseded versions collectable at once (no grace period, no retention),
 * three records per block; the scheduler's passes stay unscheduled, so fork tests compact and collect garbage
 * exactly when they choose.
 */
public class ForkProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("vermilion.compaction.grace-period", "0s", "vermilion.compaction.block-records", "3");
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(S3StorageResource.class));
    }
}
