package io.vermilion.jobs;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When a collection whose background task (compaction, garbage collection) failed may be tried again: {@code initial}
 * after its first failure in a row, doubling with each further one up to {@code max}; a success forgets its failures.
 * One collection's failures never delay another's. Time is passed in, so the schedule is deterministic. Thread-safe.
 */
final class RetryBackoff {

    /** The wait after a first failure, and the most any wait grows to. */
    static final Duration INITIAL = Duration.ofSeconds(8);
    static final Duration MAX = Duration.ofHours(1);

    private record Failing(int failures, Instant retryAt) {}

    private final Duration initial;
    private final Duration max;
    private final Map<UUID, Failing> failing = new ConcurrentHashMap<>();

    RetryBackoff() {
        this(INITIAL, MAX);
    }

    RetryBackoff(Duration initial, Duration max) {
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("need 0 < initial <= max: " + initial + ", " + max);
        }
        this.initial = initial;
        this.max = max;
    }

    /** Whether the collection may be tried at {@code now}: it is not failing, or its wait is over. */
    boolean allows(UUID collection, Instant now) {
        Failing f = failing.get(collection);
        return f == null || !now.isBefore(f.retryAt());
    }

    /** Records a failure at {@code now}; returns how long the collection now waits. */
    Duration failed(UUID collection, Instant now) {
        Objects.requireNonNull(now, "now");
        Failing f = failing.compute(collection, (id, previous) -> {
            int failures = previous == null ? 1 : previous.failures() + 1;
            return new Failing(failures, now.plus(wait(failures)));
        });
        return wait(f.failures());
    }

    /** The collection succeeded (or had nothing to do): its next failure waits {@code initial} again. */
    void succeeded(UUID collection) {
        failing.remove(collection);
    }

    /** Failures in a row of the collection (0 if it is not failing). */
    int failures(UUID collection) {
        Failing f = failing.get(collection);
        return f == null ? 0 : f.failures();
    }

    /** Forgets every collection outside {@code live} (dropped, or no longer needing the task). */
    void retain(Set<UUID> live) {
        failing.keySet().retainAll(live);
    }

    /** {@code initial · 2^(failures−1)}, at most {@code max}. */
    private Duration wait(int failures) {
        int doublings = Math.min(failures - 1, 62);
        Duration wait = initial;
        for (int i = 0; i < doublings && wait.compareTo(max) < 0; i++) {
            wait = wait.multipliedBy(2);
        }
        return wait.compareTo(max) > 0 ? max : wait;
    }
}
