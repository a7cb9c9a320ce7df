package io.vermilion.storage;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.List;

/** A test profile whose service stores objects in a real S3-compatible server instead of the local folder. */
public class S3Profile implements QuarkusTestProfile {

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(S3StorageResource.class));
    }
}
