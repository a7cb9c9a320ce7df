package io.vermilion.compactor;

import java.time.Duration;
import java.util.Objects;

/**
 * When a collection's log tail (the log after its current version) is worth compacting: at least {@code records}
 * records, or {@code bytes} fragment bytes, or a non-empty tail whose oldest fragment is {@code age} old.
 */
public record CompactionThresholds(long records, long bytes, Duration age) {

    public CompactionThresholds {
        Objects.requireNonNull(age, "age");
        if (records < 1 || bytes < 1 || age.isNegative()) {
            throw new IllegalArgumentException("thresholds must be positive: " + records + " records, " + bytes
                    + " bytes, " + age);
        }
    }
}
