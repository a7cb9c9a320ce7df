package io.vermilion.executor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link VectorKernels}' sums on the Vector API: the 16 lanes are two 256-bit accumulators (lanes 0–7, 8–15) where
 * the hardware has 256-bit vectors or wider, four 128-bit ones otherwise. Lanewise {@code mul} then {@code add}
 * round exactly as the scalar reference does (no fused multiply-add), and the lanes are added by
 * {@link VectorKernels#reduce}, so results equal the reference's bit for bit. Loaded only where the module is.
 */
final class PanamaKernels {

    private static final VectorSpecies<Float> WIDE = FloatVector.SPECIES_256;
    private static final VectorSpecies<Float> NARROW = FloatVector.SPECIES_128;
    private static final int PREFERRED = FloatVector.SPECIES_PREFERRED.length();
    private static final boolean USE_WIDE = PREFERRED >= 8;

    private PanamaKernels() {
    }

    /** Floats per hardware vector used, or 0 if the hardware has no 128-bit float vectors. */
    static int lanesPerVector() {
        return PREFERRED >= 8 ? 8 : PREFERRED == 4 ? 4 : 0;
    }

    static float sumOfSquares(float[] v, int off, int n, float[] lanes) {
        int blocked = n - n % VectorKernels.LANES;
        if (USE_WIDE) {
            FloatVector a0 = FloatVector.zero(WIDE);
            FloatVector a1 = FloatVector.zero(WIDE);
            for (int i = 0; i < blocked; i += 16) {
                FloatVector x0 = FloatVector.fromArray(WIDE, v, off + i);
                FloatVector x1 = FloatVector.fromArray(WIDE, v, off + i + 8);
                a0 = a0.add(x0.mul(x0));
                a1 = a1.add(x1.mul(x1));
            }
            a0.intoArray(lanes, 0);
            a1.intoArray(lanes, 8);
        } else {
            FloatVector a0 = FloatVector.zero(NARROW);
            FloatVector a1 = FloatVector.zero(NARROW);
            FloatVector a2 = FloatVector.zero(NARROW);
            FloatVector a3 = FloatVector.zero(NARROW);
            for (int i = 0; i < blocked; i += 16) {
                FloatVector x0 = FloatVector.fromArray(NARROW, v, off + i);
                FloatVector x1 = FloatVector.fromArray(NARROW, v, off + i + 4);
                FloatVector x2 = FloatVector.fromArray(NARROW, v, off + i + 8);
                FloatVector x3 = FloatVector.fromArray(NARROW, v, off + i + 12);
                a0 = a0.add(x0.mul(x0));
                a1 = a1.add(x1.mul(x1));
                a2 = a2.add(x2.mul(x2));
                a3 = a3.add(x3.mul(x3));
            }
            a0.intoArray(lanes, 0);
            a1.intoArray(lanes, 4);
            a2.intoArray(lanes, 8);
            a3.intoArray(lanes, 12);
        }
        float sum = VectorKernels.reduce(lanes);
        for (int i = blocked; i < n; i++) {
            float x = v[off + i];
            sum += x * x;
        }
        return sum;
    }

    /** The int8 codes widened to floats 8 at a time (on 256-bit hardware; the scalar reference elsewhere). */
    static float codeDot(float[] q, byte[] codes, int off, int n, float[] lanes) {
        if (!USE_WIDE) {
            return VectorKernels.Scalar.codeDot(q, codes, off, n, lanes);
        }
        int blocked = n - n % VectorKernels.LANES;
        FloatVector a0 = FloatVector.zero(WIDE);
        FloatVector a1 = FloatVector.zero(WIDE);
        for (int i = 0; i < blocked; i += 16) {
            FloatVector x0 = (FloatVector) ByteVector.fromArray(ByteVector.SPECIES_64, codes, off + i)
                    .convertShape(VectorOperators.B2F, WIDE, 0);
            FloatVector x1 = (FloatVector) ByteVector.fromArray(ByteVector.SPECIES_64, codes, off + i + 8)
                    .convertShape(VectorOperators.B2F, WIDE, 0);
            a0 = a0.add(FloatVector.fromArray(WIDE, q, i).mul(x0));
            a1 = a1.add(FloatVector.fromArray(WIDE, q, i + 8).mul(x1));
        }
        a0.intoArray(lanes, 0);
        a1.intoArray(lanes, 8);
        float sum = VectorKernels.reduce(lanes);
        for (int i = blocked; i < n; i++) {
            sum += q[i] * (float) codes[off + i];
        }
        return sum;
    }

    static float dot(float[] q, float[] v, int off, int n, float[] lanes) {
        int blocked = n - n % VectorKernels.LANES;
        if (USE_WIDE) {
            FloatVector a0 = FloatVector.zero(WIDE);
            FloatVector a1 = FloatVector.zero(WIDE);
            for (int i = 0; i < blocked; i += 16) {
                a0 = a0.add(FloatVector.fromArray(WIDE, q, i).mul(FloatVector.fromArray(WIDE, v, off + i)));
                a1 = a1.add(FloatVector.fromArray(WIDE, q, i + 8).mul(FloatVector.fromArray(WIDE, v, off + i + 8)));
            }
            a0.intoArray(lanes, 0);
            a1.intoArray(lanes, 8);
        } else {
            FloatVector a0 = FloatVector.zero(NARROW);
            FloatVector a1 = FloatVector.zero(NARROW);
            FloatVector a2 = FloatVector.zero(NARROW);
            FloatVector a3 = FloatVector.zero(NARROW);
            for (int i = 0; i < blocked; i += 16) {
                a0 = a0.add(FloatVector.fromArray(NARROW, q, i).mul(FloatVector.fromArray(NARROW, v, off + i)));
                a1 = a1.add(FloatVector.fromArray(NARROW, q, i + 4).mul(FloatVector.fromArray(NARROW, v, off + i + 4)));
                a2 = a2.add(FloatVector.fromArray(NARROW, q, i + 8).mul(FloatVector.fromArray(NARROW, v, off + i + 8)));
                a3 = a3.add(FloatVector.fromArray(NARROW, q, i + 12).mul(FloatVector.fromArray(NARROW, v, off + i + 12)));
            }
            a0.intoArray(lanes, 0);
            a1.intoArray(lanes, 4);
            a2.intoArray(lanes, 8);
            a3.intoArray(lanes, 12);
        }
        float sum = VectorKernels.reduce(lanes);
        for (int i = blocked; i < n; i++) {
            sum += q[i] * v[off + i];
        }
        return sum;
    }

    static float scaledDot(float[] q, float[] v, int off, int n, float scale, float[] lanes) {
        int blocked = n - n % VectorKernels.LANES;
        if (USE_WIDE) {
            FloatVector a0 = FloatVector.zero(WIDE);
            FloatVector a1 = FloatVector.zero(WIDE);
            for (int i = 0; i < blocked; i += 16) {
                a0 = a0.add(FloatVector.fromArray(WIDE, q, i).mul(FloatVector.fromArray(WIDE, v, off + i).mul(scale)));
                a1 = a1.add(FloatVector.fromArray(WIDE, q, i + 8).mul(FloatVector.fromArray(WIDE, v, off + i + 8).mul(scale)));
            }
            a0.intoArray(lanes, 0);
            a1.intoArray(lanes, 8);
        } else {
            FloatVector a0 = FloatVector.zero(NARROW);
            FloatVector a1 = FloatVector.zero(NARROW);
            FloatVector a2 = FloatVector.zero(NARROW);
            FloatVector a3 = FloatVector.zero(NARROW);
            for (int i = 0; i < blocked; i += 16) {
                a0 = a0.add(FloatVector.fromArray(NARROW, q, i).mul(FloatVector.fromArray(NARROW, v, off + i).mul(scale)));
                a1 = a1.add(FloatVector.fromArray(NARROW, q, i + 4).mul(FloatVector.fromArray(NARROW, v, off + i + 4).mul(scale)));
                a2 = a2.add(FloatVector.fromArray(NARROW, q, i + 8).mul(FloatVector.fromArray(NARROW, v, off + i + 8).mul(scale)));
                a3 = a3.add(FloatVector.fromArray(NARROW, q, i + 12).mul(FloatVector.fromArray(NARROW, v, off + i + 12).mul(scale)));
            }
            a0.intoArray(lanes, 0);
            a1.intoArray(lanes, 4);
            a2.intoArray(lanes, 8);
            a3.intoArray(lanes, 12);
        }
        float sum = VectorKernels.reduce(lanes);
        for (int i = blocked; i < n; i++) {
            sum += q[i] * (v[off + i] * scale);
        }
        return sum;
    }

    static float squaredDistance(float[] q, float[] v, int off, int n, float[] lanes) {
        int blocked = n - n % VectorKernels.LANES;
        if (USE_WIDE) {
            FloatVector a0 = FloatVector.zero(WIDE);
            FloatVector a1 = FloatVector.zero(WIDE);
            for (int i = 0; i < blocked; i += 16) {
                FloatVector d0 = FloatVector.fromArray(WIDE, q, i).sub(FloatVector.fromArray(WIDE, v, off + i));
                FloatVector d1 = FloatVector.fromArray(WIDE, q, i + 8).sub(FloatVector.fromArray(WIDE, v, off + i + 8));
                a0 = a0.add(d0.mul(d0));
                a1 = a1.add(d1.mul(d1));
            }
            a0.intoArray(lanes, 0);
            a1.intoArray(lanes, 8);
        } else {
            FloatVector a0 = FloatVector.zero(NARROW);
            FloatVector a1 = FloatVector.zero(NARROW);
            FloatVector a2 = FloatVector.zero(NARROW);
            FloatVector a3 = FloatVector.zero(NARROW);
            for (int i = 0; i < blocked; i += 16) {
                FloatVector d0 = FloatVector.fromArray(NARROW, q, i).sub(FloatVector.fromArray(NARROW, v, off + i));
                FloatVector d1 = FloatVector.fromArray(NARROW, q, i + 4).sub(FloatVector.fromArray(NARROW, v, off + i + 4));
                FloatVector d2 = FloatVector.fromArray(NARROW, q, i + 8).sub(FloatVector.fromArray(NARROW, v, off + i + 8));
                FloatVector d3 = FloatVector.fromArray(NARROW, q, i + 12).sub(FloatVector.fromArray(NARROW, v, off + i + 12));
                a0 = a0.add(d0.mul(d0));
                a1 = a1.add(d1.mul(d1));
                a2 = a2.add(d2.mul(d2));
                a3 = a3.add(d3.mul(d3));
            }
            a0.intoArray(lanes, 0);
            a1.intoArray(lanes, 4);
            a2.intoArray(lanes, 8);
            a3.intoArray(lanes, 12);
        }
        float sum = VectorKernels.reduce(lanes);
        for (int i = blocked; i < n; i++) {
            float d = q[i] - v[off + i];
            sum += d * d;
        }
        return sum;
    }
}
