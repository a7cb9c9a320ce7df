package io.vermilion;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.assignableTo;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import io.vermilion.record.Record;
import io.vermilion.testing.ArchitectureRules;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The service's production classes, together with the engine's, keep the architecture: the io.vermilion packages of
 * both modules form no dependency cycle (api, error, gateway, sysdb, jobs, resilience, metrics, health, config and the
 * engine's packages each depend one way), only sysdb talks SQL to the catalog, cluster (membership, affinity
 * routing, the local cluster launcher) sits on top - nothing else depends on it -
 * and no two top-level classes of the two modules share a simple name.
 */
class ServiceArchitectureTest {

    private static final JavaClasses SERVICE_AND_ENGINE =
            ArchitectureRules.classesBeside(VermilionMain.class, Record.class);
    private static final JavaClasses SERVICE = ArchitectureRules.classesBeside(VermilionMain.class);

    @Test
    void serviceAndEnginePackagesFormNoCycle() {
        ArchitectureRules.noPackageCycles().check(SERVICE_AND_ENGINE);
    }

    @Test
    void onlySysdbIssuesCatalogStatements() {
        noClasses().that().resideOutsideOfPackage("io.vermilion.sysdb..")
                .should().dependOnClassesThat(resideInAnyPackage("io.vertx.mutiny.sqlclient..",
                        "io.vertx.sqlclient.templates..", "io.quarkus.hibernate..", "org.hibernate..",
                        "io.github.bucket4j.postgresql..", "io.github.bucket4j.distributed.jdbc..")
                        .and(not(assignableTo(Throwable.class))))
                .as("only io.vermilion.sysdb issues SQL (reactive client, Hibernate, Bucket4j's JDBC tables); "
                        + "others may only classify their exceptions")
                .check(SERVICE);
    }

    @Test
    void clusterIsOnTopOfTheOtherPackages() {
        noClasses().that().resideOutsideOfPackage("io.vermilion.cluster..")
                .should().dependOnClassesThat(resideInAnyPackage("io.vermilion.cluster.."))
                .as("io.vermilion.cluster (membership, affinity routing, the local cluster launcher) uses the other"
                        + " packages; none of them uses it")
                .check(SERVICE);
    }

    @Test
    void topLevelClassNamesAreUniqueAcrossServiceAndEngine() {
        Map<String, Set<String>> shared = SERVICE_AND_ENGINE.stream()
                .filter(JavaClass::isTopLevelClass)
                .filter(c -> c.getPackageName().startsWith("io.vermilion"))
                .filter(c -> !c.getSimpleName().equals("package-info")) // a package's documentation, one per package
                .collect(Collectors.groupingBy(JavaClass::getSimpleName, TreeMap::new,
                        Collectors.mapping(JavaClass::getName, Collectors.toCollection(TreeSet::new))));
        shared.values().removeIf(names -> names.size() < 2);
        assertEquals(Map.of(), shared, "top-level classes sharing a simple name");
    }
}
