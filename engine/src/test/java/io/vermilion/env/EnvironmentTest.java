package io.vermilion.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.vermilion.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class EnvironmentTest {

    private static final Instant START = Instant.parse("2030-01-01T00:00:00Z");

    @Test
    void sameSeedGivesSameIdsAndRandomValues() {
        Environment first = Environment.deterministic(new MutableClock(START), 42);
        Environment second = Environment.deterministic(new MutableClock(START), 42);

        List<Object> drawn = List.of(first.newId(), first.random().nextLong(), first.newId());
        assertEquals(drawn, List.of(second.newId(), second.random().nextLong(), second.newId()));
        assertNotEquals(drawn.get(0), drawn.get(2));
        assertNotEquals(first.newId(), Environment.deterministic(new MutableClock(START), 43).newId());
    }

    @Test
    void idsAreVersion4Uuids() {
        UUID id = Environment.deterministic(new MutableClock(START), 7).newId();
        assertEquals(4, id.version());
        assertEquals(2, id.variant());
    }

    @Test
    void timeMovesOnlyWithTheClock() {
        MutableClock clock = new MutableClock(START);
        Environment environment = Environment.deterministic(clock, 1);
        long before = environment.nanoTime();

        assertEquals(before, environment.nanoTime());
        clock.advance(Duration.ofMillis(1500));

        assertEquals(1_500_000_000L, environment.nanoTime() - before);
        assertEquals(START.plusMillis(1500), environment.now());
        assertEquals(START.plusMillis(1500).toEpochMilli(), environment.clock().millis());
    }
}
