package io.vermilion.compactor;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class CompactionThresholdsTest {

    private final CompactionThresholds thresholds = new CompactionThresholds(100, 1_000, Duration.ofMinutes(10));

    @Test
    void aNonEmptyTailIsDueOnRecordsBytesOrAge() {
        assertFalse(thresholds.due(99, 999, Duration.ofSeconds(599)));
        assertTrue(thresholds.due(100, 0, Duration.ZERO));
        assertTrue(thresholds.due(1, 1_000, Duration.ZERO));
        assertTrue(thresholds.due(1, 0, Duration.ofMinutes(10)));
    }

    @Test
    void anEmptyTailIsNeverDue() {
        assertFalse(thresholds.due(0, 5_000, Duration.ofDays(1)));
        assertFalse(thresholds.due(-3, 5_000, Duration.ofDays(1)));
    }

    @Test
    void thresholdsMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> new CompactionThresholds(0, 1, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new CompactionThresholds(1, 0, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new CompactionThresholds(1, 1, Duration.ofSeconds(-1)));
    }
}
