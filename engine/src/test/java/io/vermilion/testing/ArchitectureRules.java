package io.vermilion.testing;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.lang.ArchRule;
import java.net.URISyntaxException;
import java.util.Set;

/**
 * Architecture rules shared by the modules' architecture tests (published in the engine's test-jar): a module's
 * production classes, imported from where one of its classes was loaded, and the rules they must keep.
 */
public final class ArchitectureRules {

    private ArchitectureRules() {}

    /** Every class compiled into the same class folder or jar as {@code anchor} (a module's production classes). */
    public static JavaClasses classesBeside(Class<?> anchor) {
        try {
            var location = Location.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI());
            return new ClassFileImporter().importLocations(Set.of(location));
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate the classes of " + anchor, e);
        }
    }

    /** No dependency cycle among io.vermilion packages; each package (sub-packages included) is its own slice. */
    public static ArchRule noPackageCycles() {
        return slices().matching("io.vermilion.(**)").should().beFreeOfCycles()
                .as("io.vermilion packages form no dependency cycle");
    }

    /** Nothing depends on the application framework (Quarkus, Jakarta, SmallRye, MicroProfile, Vert.x). */
    public static ArchRule noFrameworkDependencies() {
        return noClasses().should().dependOnClassesThat()
                .resideInAnyPackage("io.quarkus..", "jakarta..", "io.smallrye..", "org.eclipse.microprofile..",
                        "io.vertx..")
                .as("no class depends on the application framework");
    }
}
