package io.vermilion.jobs;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class TailGrowthTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void tailIsQuietOnlyOnceItsLogStoppedGrowingForTheQuietTime() {
        TailGrowth growth = new TailGrowth(Duration.ofSeconds(10));
        UUID a = UUID.randomUUID();
        assertFalse(growth.quiet(a, 100, T0), "first seen: not quiet yet");
        assertFalse(growth.quiet(a, 100, T0.plusSeconds(9)));
        assertFalse(growth.quiet(a, 150, T0.plusSeconds(10)), "it grew: the quiet time starts again");
        assertFalse(growth.quiet(a, 150, T0.plusSeconds(19)));
        assertTrue(growth.quiet(a, 150, T0.plusSeconds(20)));
        assertTrue(growth.quiet(a, 150, T0.plusSeconds(60)));
    }

    @Test
    void forgottenCollectionStartsOverWhenItIsPendingAgain() {
        TailGrowth growth = new TailGrowth(Duration.ofSeconds(10));
        UUID a = UUID.randomUUID();
        UUID b = UUID.randomUUID();
        growth.quiet(a, 7, T0);
        growth.quiet(b, 7, T0);
        growth.retain(Set.of(b));
        assertFalse(growth.quiet(a, 7, T0.plusSeconds(30)), "a was compacted and forgotten: seen anew");
        assertTrue(growth.quiet(b, 7, T0.plusSeconds(30)));
    }
}
