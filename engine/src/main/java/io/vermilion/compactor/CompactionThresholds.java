package io.vermilion.compactor;

import java.time.Duration;
import java.util.Objects;

/**
 * The compaction policy: when a collection's log tail (the log after its current version) is worth compacting: at
 * least {@code records} records, or {@code bytes} fragment bytes, or a non-empty tail whose oldest fragment is
 * {@code age} old. The one rule both {@link Compactor#shouldCompact} and the service's scheduler apply.
 */
public record CompactionThresholds(long records, long bytes, Duration age) {

    public CompactionThresholds {
        Objects.requireNonNull(age, "age");
        if (records < 1 || bytes < 1 || age.isNegative()) {
            throw new IllegalArgumentException("thresholds must be positive: " + records + " records, " + bytes
                    + " bytes, " + age);
        }
    }

    /** Whether a tail of {@code tailRecords} records in {@code tailBytes} fragment bytes, {@code tailAge} old, is due. */
    public boolean due(long tailRecords, long tailBytes, Duration tailAge) {
        if (tailRecords <= 0) {
            return false;
        }
        return tailRecords >= records || tailBytes >= bytes || tailAge.compareTo(age) >= 0;
    }
}
