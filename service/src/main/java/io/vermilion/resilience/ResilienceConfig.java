package io.vermilion.resilience;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * How calls to the object store and to the catalog (PostgreSQL) are guarded ({@code vermilion.resilience.*}, or
 * {@code VERMILION_RESILIENCE_*} environment variables): a timeout per attempt, retries of transient failures with
 * exponential backoff and jitter, and a circuit breaker that fails calls fast while the dependency keeps failing.
 */
@ConfigMapping(prefix = "vermilion.resilience")
public interface ResilienceConfig {

    /** The {@code Retry-After} answered with a 503 when retries ran out (an open breaker answers its own delay). */
    @WithDefault("1s")
    Duration retryAfter();

    /** Timeout of the readiness probe's call to the object store. */
    @WithDefault("2s")
    Duration healthTimeout();

    ObjectStore objectStore();

    Catalog catalog();

    interface ObjectStore {
        /** Longest one attempt may take (a fragment put of many MiB included). */
        @WithDefault("30s")
        Duration timeout();

        /** Retries after the first attempt; 0 turns retries off. */
        @WithDefault("3")
        int maxRetries();

        /** Delay before the first retry; it doubles with each further one, up to {@link #maxBackoff()}. */
        @WithDefault("100ms")
        Duration backoff();

        @WithDefault("2s")
        Duration maxBackoff();

        /** Each delay is moved by a random amount of up to this much, either way. */
        @WithDefault("50ms")
        Duration jitter();

        /** Attempts the breaker looks back over (its rolling window). */
        @WithDefault("20")
        int breakerWindow();

        /** Share of transient failures in the window that opens the breaker. */
        @WithDefault("0.5")
        double breakerFailureRatio();

        /** How long an open breaker refuses calls before it lets a trial call through. */
        @WithDefault("5s")
        Duration breakerDelay();
    }

    interface Catalog {
        @WithDefault("10s")
        Duration timeout();

        @WithDefault("3")
        int maxRetries();

        @WithDefault("100ms")
        Duration backoff();

        @WithDefault("2s")
        Duration maxBackoff();

        @WithDefault("50ms")
        Duration jitter();

        @WithDefault("20")
        int breakerWindow();

        @WithDefault("0.5")
        double breakerFailureRatio();

        @WithDefault("5s")
        Duration breakerDelay();
    }
}
