package io.vermilion.testing;

import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * The one seed property of randomized tests: {@code -Dtests.seed=N} replays a run with seed N; without it each run
 * draws a fresh seed. As a JUnit extension ({@code @ExtendWith(Seeds.class)}) it prints the seed of a failed test
 * with the property to replay it; {@link #seed} also prints it when drawn, for runs that die without a report.
 */
public final class Seeds implements TestWatcher {

    public static final String PROPERTY = "tests.seed";

    private static final Map<String, Long> DRAWN = new ConcurrentHashMap<>();

    /** The seed for the test method {@code test}: the property's value, or a fresh random one. */
    public static long seed(String test) {
        long seed = Long.getLong(PROPERTY, new Random().nextLong());
        DRAWN.put(test, seed);
        System.out.println(test + " seed=" + seed);
        return seed;
    }

    /** How to replay {@code seed}, for assertion messages. */
    public static String replay(long seed) {
        return "replay with -D" + PROPERTY + "=" + seed;
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        String test = context.getRequiredTestMethod().getName();
        Long seed = DRAWN.get(test);
        if (seed != null) {
            System.err.println(context.getRequiredTestClass().getSimpleName() + "." + test + " failed with seed "
                    + seed + ": " + replay(seed));
        }
    }
}
