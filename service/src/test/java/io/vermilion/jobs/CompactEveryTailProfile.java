package io.vermilion.jobs;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * Every collection with a log tail is due for compaction at every pass, and a version's garbage (superseded versions,
 * the log fragments it covers) is collected in the pass that published it; the passes themselves stay unscheduled
 * (the test profile's compaction switch is off), so a test runs them with the times it chooses. Compactions compute
 * on 3 threads (more than the default on a 2-core machine, so a test can tell the setting is used), and a pass
 * publishes at most 2 compactions.
 */
public class CompactEveryTailProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("vermilion.compaction.records", "1", "vermilion.compaction.grace-period", "0s",
                "vermilion.compaction.threads", "3", "vermilion.compaction.collections-per-pass", "2");
    }
}
