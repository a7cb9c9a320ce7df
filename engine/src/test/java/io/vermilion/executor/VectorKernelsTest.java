package io.vermilion.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vermilion.model.DistanceFunction;
import io.vermilion.testing.Seeds;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The Vector API kernels against their plain-Java reference, bit for bit, and against the index-order sums below 16. */
class VectorKernelsTest {

    private final float[] lanes = new float[VectorKernels.LANES];

    @Test
    void testsRunWithTheVectorApi() {
        assertTrue(VectorKernels.PANAMA, "the test JVM has jdk.incubator.vector, so the Vector API kernels are used");
    }

    @Test
    void vectorApiKernelsEqualThePlainJavaReferenceBitForBit() {
        long seed = Seeds.seed("vectorApiKernelsEqualThePlainJavaReferenceBitForBit");
        Random random = new Random(seed);
        for (int round = 0; round < 2_000; round++) {
            int n = random.nextInt(3) == 0 ? 384 : random.nextInt(80);
            int off = random.nextInt(3) * n + random.nextInt(5);
            float[] q = vector(random, n);
            float[] v = vector(random, off + n + random.nextInt(4));
            float scale = random.nextFloat() * 3;
            String context = "n=" + n + " off=" + off + ", " + Seeds.replay(seed);
            assertEquals(bits(VectorKernels.Scalar.sumOfSquares(v, off, n, lanes)),
                    bits(PanamaKernels.sumOfSquares(v, off, n, lanes)), "sumOfSquares " + context);
            assertEquals(bits(VectorKernels.Scalar.dot(q, v, off, n, lanes)),
                    bits(PanamaKernels.dot(q, v, off, n, lanes)), "dot " + context);
            assertEquals(bits(VectorKernels.Scalar.scaledDot(q, v, off, n, scale, lanes)),
                    bits(PanamaKernels.scaledDot(q, v, off, n, scale, lanes)), "scaledDot " + context);
            assertEquals(bits(VectorKernels.Scalar.squaredDistance(q, v, off, n, lanes)),
                    bits(PanamaKernels.squaredDistance(q, v, off, n, lanes)), "squaredDistance " + context);
            byte[] codes = new byte[off + n + random.nextInt(4)];
            random.nextBytes(codes);
            assertEquals(bits(VectorKernels.Scalar.codeDot(q, codes, off, n, lanes)),
                    bits(PanamaKernels.codeDot(q, codes, off, n, lanes)), "codeDot " + context);
        }
    }

    @Test
    void belowSixteenDimensionsTheSumsAreTheIndexOrderSums() {
        long seed = Seeds.seed("belowSixteenDimensionsTheSumsAreTheIndexOrderSums");
        Random random = new Random(seed);
        for (int round = 0; round < 500; round++) {
            int n = 1 + random.nextInt(15);
            float[] q = vector(random, n);
            float[] v = vector(random, n);
            assertEquals(bits(DistanceFunction.L2.distance(q, v)),
                    bits(VectorKernels.squaredDistance(q, v, 0, n, lanes)), Seeds.replay(seed));
            assertEquals(bits(DistanceFunction.IP.distance(q, v)),
                    bits(1.0f - VectorKernels.dot(q, v, 0, n, lanes)), Seeds.replay(seed));
        }
    }

    @Test
    void sumsOfLongVectorsStayWithinRoundingOfTheIndexOrderSums() {
        float[] q = new float[384];
        float[] v = new float[384];
        for (int i = 0; i < 384; i++) {
            q[i] = 0.25f * (i % 7 - 3);
            v[i] = 0.5f * (i % 5 - 2);
        }
        // Multiples of 1/8 with small sums: every partial sum is exact in float32, so any order gives the same.
        assertEquals(DistanceFunction.L2.distance(q, v), VectorKernels.squaredDistance(q, v, 0, 384, lanes));
        assertEquals(DistanceFunction.IP.distance(q, v), 1.0f - VectorKernels.dot(q, v, 0, 384, lanes));
    }

    private static float[] vector(Random random, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextGaussian() * (random.nextInt(10) == 0 ? 100f : 1f);
        }
        return v;
    }

    private static int bits(float f) {
        return Float.floatToRawIntBits(f);
    }
}
