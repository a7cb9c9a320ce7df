package io.vermilion;

import com.tngtech.archunit.core.domain.JavaClasses;
import io.vermilion.record.Record;
import io.vermilion.testing.ArchitectureRules;
import org.junit.jupiter.api.Test;

/** The engine's production classes keep the architecture: acyclic packages and no framework types. */
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
}
