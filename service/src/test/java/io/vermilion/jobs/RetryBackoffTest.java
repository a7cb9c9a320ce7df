package io.vermilion.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

class RetryBackoffTest {

    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private final UUID failing = UUID.randomUUID();
    private final UUID healthy = UUID.randomUUID();

    @Test
    void waitsDoubleWithEachFailureInARowUpToTheCap() {
        RetryBackoff backoff = new RetryBackoff();
        Instant now = T0;
        long[] expectedSeconds = {8, 16, 32, 64, 128, 256, 512, 1024, 2048, 3600, 3600, 3600};
        for (long seconds : expectedSeconds) {
            Duration wait = backoff.failed(failing, now);
            assertEquals(Duration.ofSeconds(seconds), wait);
            assertFalse(backoff.allows(failing, now.plus(wait).minusMillis(1)), "still waiting after " + wait);
            now = now.plus(wait);
            assertTrue(backoff.allows(failing, now), "wait of " + wait + " over");
        }
        assertEquals(expectedSeconds.length, backoff.failures(failing));
        for (int i = 0; i < 100; i++) {
            backoff.failed(failing, now);
        }
        assertEquals(RetryBackoff.MAX, backoff.failed(failing, now), "no overflow after many failures");
    }

    @Test
    void oneCollectionsFailuresNeverDelayAnother() {
        RetryBackoff backoff = new RetryBackoff();
        backoff.failed(failing, T0);
        backoff.failed(failing, T0);
        assertFalse(backoff.allows(failing, T0.plusSeconds(1)));
        assertTrue(backoff.allows(healthy, T0));
        assertEquals(0, backoff.failures(healthy));
    }

    @Test
    void successStartsTheBackoffOver() {
        RetryBackoff backoff = new RetryBackoff();
        backoff.failed(failing, T0);
        backoff.failed(failing, T0);
        backoff.succeeded(failing);
        assertTrue(backoff.allows(failing, T0));
        assertEquals(Duration.ofSeconds(8), backoff.failed(failing, T0));
    }

    @Test
    void forgetsCollectionsNoLongerLive() {
        RetryBackoff backoff = new RetryBackoff();
        backoff.failed(failing, T0);
        backoff.failed(healthy, T0);
        backoff.retain(Set.of(healthy));
        assertEquals(0, backoff.failures(failing));
        assertEquals(1, backoff.failures(healthy));
    }
}
