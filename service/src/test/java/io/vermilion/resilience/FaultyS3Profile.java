package io.vermilion.resilience;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.List;

/** The service on S3 behind a {@link FaultProxy} (PostgreSQL from the global test resource). */
public class FaultyS3Profile implements QuarkusTestProfile {

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(FaultyS3Resource.class));
    }
}
