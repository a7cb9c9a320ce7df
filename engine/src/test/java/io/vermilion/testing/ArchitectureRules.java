package io.vermilion.testing;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethodCall;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.lang.ArchRule;
import java.net.URISyntaxException;
import java.security.SecureRandom;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Architecture rules shared by the modules' architecture tests (published in the engine's test-jar): a module's
 * production classes, imported from where one of its classes was loaded, and the rules they must keep.
 */
public final class ArchitectureRules {

    private ArchitectureRules() {}

    /**
     * Every class compiled into the same class folders or jars as the {@code anchors} (one class per module: those
     * modules' production classes, together).
     */
    public static JavaClasses classesBeside(Class<?>... anchors) {
        Set<Location> locations = new java.util.LinkedHashSet<>();
        for (Class<?> anchor : anchors) {
            try {
                locations.add(Location.of(anchor.getProtectionDomain().getCodeSource().getLocation().toURI()));
            } catch (URISyntaxException e) {
                throw new IllegalStateException("cannot locate the classes of " + anchor, e);
            }
        }
        return new ClassFileImporter().importLocations(locations);
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

    /** Static methods that read the machine's clocks or draw random UUIDs ({@code Owner.method}). */
    private static final Set<String> CLOCK_AND_ID_SOURCES = Set.of(
            "java.lang.System.currentTimeMillis", "java.lang.System.nanoTime", "java.lang.Math.random",
            "java.lang.StrictMath.random", "java.time.Clock.systemUTC", "java.time.Clock.systemDefaultZone",
            "java.time.Clock.system", "java.time.InstantSource.system", "java.util.UUID.randomUUID");

    private static final DescribedPredicate<JavaMethodCall> READS_CLOCK_OR_DRAWS_ID = DescribedPredicate.describe(
            "a JDK clock or random-id source", call -> {
                String owner = call.getTargetOwner().getName();
                return CLOCK_AND_ID_SOURCES.contains(owner + "." + call.getName())
                        || owner.startsWith("java.time.") && call.getName().equals("now");
            });

    /**
     * Time, randomness and ids come from the injected provider: no class but {@code provider} reads the JDK's clocks
     * ({@code System.currentTimeMillis/nanoTime}, {@code Clock.system*}, {@code *.now()}), draws {@code UUID.randomUUID}
     * or uses a JDK random generator ({@link Random} and its subclasses, {@link SplittableRandom}).
     */
    public static ArchRule timeRandomnessAndIdsOnlyFrom(Class<?> provider) {
        return noClasses().that().doNotBelongToAnyOf(provider)
                .should().callMethodWhere(READS_CLOCK_OR_DRAWS_ID)
                .orShould().dependOnClassesThat().areAssignableTo(Random.class)
                .orShould().dependOnClassesThat().belongToAnyOf(SplittableRandom.class, SecureRandom.class)
                .as("only " + provider.getSimpleName() + " reads the JDK's clocks, random generators and UUIDs");
    }
}
