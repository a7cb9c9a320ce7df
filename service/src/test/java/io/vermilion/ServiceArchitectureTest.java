package io.vermilion;

import com.tngtech.archunit.core.domain.JavaClasses;
import io.vermilion.record.Record;
import io.vermilion.testing.ArchitectureRules;
import org.junit.jupiter.api.Test;

/**
 * The service's production classes, together with the engine's, keep the architecture: the io.vermilion packages of
 * both modules form no dependency cycle (api, error, gateway, sysdb, jobs, resilience, metrics, health, config and the
 * engine's packages each depend one way).
 */
class ServiceArchitectureTest {

    private static final JavaClasses SERVICE_AND_ENGINE =
            ArchitectureRules.classesBeside(VermilionMain.class, Record.class);

    @Test
    void serviceAndEnginePackagesFormNoCycle() {
        ArchitectureRules.noPackageCycles().check(SERVICE_AND_ENGINE);
    }
}
