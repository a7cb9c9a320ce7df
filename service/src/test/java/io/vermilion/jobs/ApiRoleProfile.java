package io.vermilion.jobs;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/**
 * A replica with the api role only, compaction switched on and due at every pass, every millisecond: were the role
 * ignored, the scheduler would be running.
 */
public class ApiRoleProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("vermilion.roles", "api",
                "vermilion.compaction.enabled", "true",
                "vermilion.compaction.records", "1",
                "vermilion.compaction.interval", "1ms");
    }
}
