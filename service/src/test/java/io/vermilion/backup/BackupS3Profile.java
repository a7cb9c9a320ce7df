package io.vermilion.backup;

import io.quarkus.test.junit.QuarkusTestProfile;
import io.vermilion.storage.S3StorageResource;
import java.util.List;
import java.util.Map;

/** {@link BackupProfile} with the object store on a real S3-compatible server (S3Proxy over HTTP). */
public class BackupS3Profile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return new BackupProfile().getConfigOverrides();
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(S3StorageResource.class));
    }
}
