package io.vermilion.health;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.vermilion.storage.S3StorageResource;
import java.util.List;
import java.util.Map;

/** Objects in a real S3-compatible server, versions opened lazily, one round of the cold-path warm-up at start. */
public class LazyOpenS3Profile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("vermilion.index.lazy-open", "true", "vermilion.index.warm-up-rounds", "1");
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(S3StorageResource.class));
    }
}
