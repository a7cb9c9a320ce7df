package io.vermilion.api;

import java.util.Map;

/** {@link ForkProfile} with superseded versions retained for an hour (time travel). */
public class VersionRetentionProfile extends ForkProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("vermilion.compaction.grace-period", "0s", "vermilion.compaction.block-records", "3",
                "vermilion.compaction.version-retention", "1h");
    }
}
