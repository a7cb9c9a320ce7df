package io.vermilion.api;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;

/**
 * {@link RecordsPropertyTest} with {@link TinyCompactionProfile}: the same random operations and exact comparisons
 * with the model while collections are compacted every few writes on S3, read through a one-object cache, and
 * superseded versions are garbage collected. Results must be identical before and after every compaction.
 */
@QuarkusTest
@TestProfile(TinyCompactionProfile.class)
class RecordsPropertyCompactionTest extends RecordsPropertyTest {

    @Inject
    MeterRegistry registry;

    @Override
    protected void afterRun() {
        double published = registry.get("vermilion.compactions").tag("result", "published").counter().count();
        assertTrue(published >= 20, "compactions published during the run: " + published);
        assertTrue(states.versionSwitches() >= 20, "reads moved to newer versions " + states.versionSwitches() + " times");
        double garbage = registry.get("vermilion.compaction.garbage.objects").counter().count();
        assertTrue(garbage > 0, "garbage collected: " + garbage);
    }
}
