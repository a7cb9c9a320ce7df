package io.vermilion.jobs;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When each collection's log last grew, as the scheduler's passes see it, so that the rest of an ingest (a tail
 * below the compaction thresholds once the writes stop) is compacted when the writes have gone quiet rather than
 * after the full {@code age}. Thread-safe; time comes from the passes.
 */
final class TailGrowth {

    private record Seen(long position, Instant since) {
    }

    private final Duration quiet;
    private final Map<UUID, Seen> seen = new ConcurrentHashMap<>();

    TailGrowth(Duration quiet) {
        this.quiet = quiet;
    }

    /** Notes the collection's log position at {@code now}; whether it has not moved for at least the quiet time. */
    boolean quiet(UUID collection, long position, Instant now) {
        Seen last = seen.compute(collection, (id, old) -> old != null && old.position() == position
                ? old : new Seen(position, now));
        return Duration.between(last.since(), now).compareTo(quiet) >= 0;
    }

    /** Forgets collections with nothing pending any more. */
    void retain(Set<UUID> pending) {
        seen.keySet().retainAll(pending);
    }
}
