package io.vermilion;

import com.tngtech.archunit.core.domain.JavaClasses;
import io.vermilion.env.Environment;
import io.vermilion.record.Record;
import io.vermilion.testing.ArchitectureRules;
import org.junit.jupiter.api.Test;

/**
 * The engine's production classes keep the architecture: acyclic packages, no framework types, and time, randomness
 * and ids only from the injected {@link Environment}.
 */
class EngineArchitectureTest {

    private static final JavaClasses ENGINE = ArchitectureRules.classesBeside(Record.class);

    @Test
    void enginePackagesFormNoCycle() {
        ArchitectureRules.noPackageCycles().check(ENGINE);
    }

    @Test
    void engineDependsOnNoFramework() {
        ArchitectureRules.noFrameworkDependencies().check(ENGINE);
    }

    @Test
    void onlyTheEnvironmentReadsClocksRandomnessAndIds() {
        ArchitectureRules.timeRandomnessAndIdsOnlyFrom(Environment.class).check(ENGINE);
    }
}
