package io.vermilion.backup;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** Local object store, reset allowed (the tests wipe the deployment with it), no grace period, three records a block. */
public class BackupProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("vermilion.allow-reset", "true", "vermilion.compaction.grace-period", "0s",
                "vermilion.compaction.block-records", "3");
    }
}
