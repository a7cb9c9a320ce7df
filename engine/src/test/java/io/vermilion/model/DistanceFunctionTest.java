package io.vermilion.model;

import static io.vermilion.testing.TestData.vec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class DistanceFunctionTest {

    @Test
    void l2IsSquaredEuclidean() {
        assertEquals(5.0f, DistanceFunction.L2.distance(vec(1, 0), vec(2, 2)));
        assertEquals(4.0f, DistanceFunction.L2.distance(vec(1, 0), vec(-1, 0)));
        assertEquals(0.0f, DistanceFunction.L2.distance(vec(1, 2, 3), vec(1, 2, 3)));
    }

    @Test
    void cosineIsOneMinusCosineSimilarityInFloat32() {
        assertEquals(0.39999998f, DistanceFunction.COSINE.distance(vec(2, 0), vec(3, 4)));
        assertEquals(1.7071068f, DistanceFunction.COSINE.distance(vec(2, 0), vec(-1, -1)));
        assertEquals(0.0f, DistanceFunction.COSINE.distance(vec(1, 0), vec(5, 0)));
        assertEquals(2.0f, DistanceFunction.COSINE.distance(vec(1, 0), vec(-3, 0)));
    }

    @Test
    void cosineOfAZeroVectorIsOneNotNaN() {
        assertEquals(1.0f, DistanceFunction.COSINE.distance(vec(0, 0), vec(3, 4)));
        assertEquals(1.0f, DistanceFunction.COSINE.distance(vec(3, 4), vec(0, 0)));
    }

    @Test
    void ipIsOneMinusDotProductAndCanBeNegative() {
        assertEquals(-5.0f, DistanceFunction.IP.distance(vec(2, 0), vec(3, 4)));
        assertEquals(1.0f, DistanceFunction.IP.distance(vec(2, 0), vec(0, 2)));
    }

    @Test
    void namesAreChromasLowercaseNames() {
        assertEquals(DistanceFunction.L2, DistanceFunction.fromWireName("l2"));
        assertEquals(DistanceFunction.COSINE, DistanceFunction.fromWireName("cosine"));
        assertEquals(DistanceFunction.IP, DistanceFunction.fromWireName("ip"));
        assertEquals("cosine", DistanceFunction.COSINE.wireName());
        assertThrows(IllegalArgumentException.class, () -> DistanceFunction.fromWireName("L2"));
    }

    @Test
    void differentDimensionsAreRefused() {
        for (DistanceFunction function : DistanceFunction.values()) {
            assertThrows(IllegalArgumentException.class, () -> function.distance(vec(1, 2), vec(1, 2, 3)));
        }
    }
}
