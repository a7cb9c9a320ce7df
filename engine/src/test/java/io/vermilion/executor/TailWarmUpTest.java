package io.vermilion.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class TailWarmUpTest {

    @Test
    void searchesTheSyntheticTailWithEveryDistanceAndFindsTenHitsPerQuery() {
        long expected = (long) io.vermilion.model.DistanceFunction.values().length * TailWarmUp.QUERIES_PER_DISTANCE * 10;

        assertEquals(expected, TailWarmUp.run());
    }
}
