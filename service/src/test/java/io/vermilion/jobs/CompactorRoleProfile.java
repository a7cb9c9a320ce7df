package io.vermilion.jobs;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** A replica with the compactor role only; its passes are scheduled an hour apart, so tests see only their own. */
public class CompactorRoleProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("vermilion.roles", "compactor",
                "vermilion.compaction.enabled", "true",
                "vermilion.compaction.interval", "1h",
                "vermilion.log.sweep-interval", "1h");
    }
}
