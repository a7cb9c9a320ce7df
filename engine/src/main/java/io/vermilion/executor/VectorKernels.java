package io.vermilion.executor;

/**
 * Float32 sums over a vector and a row of a contiguous array, in one fixed order whatever the hardware: element
 * {@code i} of the first {@code 16·⌊n/16⌋} goes to lane {@code i mod 16}, the 16 lanes are added in lane order, then
 * the remaining elements in index order (so below 16 dimensions the sum is the plain index-order sum). Runs on the
 * Vector API when {@code jdk.incubator.vector} is loaded ({@link PanamaKernels}) and in plain Java otherwise, with the
 * same result bit for bit. {@code lanes} is caller-owned scratch of {@link #LANES} floats. Stateless, thread-safe.
 */
final class VectorKernels {

    /** The number of lanes sums are split into. */
    static final int LANES = 16;

    /** Whether the Vector API is there to use (it is with the flags every run, test and benchmark passes). */
    static final boolean PANAMA = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
            && PanamaSupport.usable();

    private VectorKernels() {
    }

    /** {@code Σ v[off + i]²}. */
    static float sumOfSquares(float[] v, int off, int n, float[] lanes) {
        return PANAMA ? PanamaKernels.sumOfSquares(v, off, n, lanes) : Scalar.sumOfSquares(v, off, n, lanes);
    }

    /** {@code Σ q[i]·v[off + i]}. */
    static float dot(float[] q, float[] v, int off, int n, float[] lanes) {
        return PANAMA ? PanamaKernels.dot(q, v, off, n, lanes) : Scalar.dot(q, v, off, n, lanes);
    }

    /** {@code Σ q[i]·(v[off + i]·scale)}, the cosine kernel's order of float operations. */
    static float scaledDot(float[] q, float[] v, int off, int n, float scale, float[] lanes) {
        return PANAMA ? PanamaKernels.scaledDot(q, v, off, n, scale, lanes) : Scalar.scaledDot(q, v, off, n, scale, lanes);
    }

    /** {@code Σ (q[i] − v[off + i])²}. */
    static float squaredDistance(float[] q, float[] v, int off, int n, float[] lanes) {
        return PANAMA ? PanamaKernels.squaredDistance(q, v, off, n, lanes) : Scalar.squaredDistance(q, v, off, n, lanes);
    }

    /** {@code Σ q[i]·codes[off + i]}: the int8 first pass of a search (an approximation of the dot product). */
    static float codeDot(float[] q, byte[] codes, int off, int n, float[] lanes) {
        return PANAMA ? PanamaKernels.codeDot(q, codes, off, n, lanes) : Scalar.codeDot(q, codes, off, n, lanes);
    }

    /** Adds the lanes in lane order: the fixed reduction both implementations end with. */
    static float reduce(float[] lanes) {
        float sum = 0f;
        for (int j = 0; j < LANES; j++) {
            sum += lanes[j];
        }
        return sum;
    }

    /** Checks for the Vector API without loading its classes where the module is absent. */
    private static final class PanamaSupport {
        static boolean usable() {
            try {
                return PanamaKernels.lanesPerVector() > 0;
            } catch (LinkageError | RuntimeException e) {
                return false;
            }
        }
    }

    /** The reference: the same lanes and the same float operations, one element at a time. */
    static final class Scalar {

        private Scalar() {
        }

        static float sumOfSquares(float[] v, int off, int n, float[] lanes) {
            java.util.Arrays.fill(lanes, 0f);
            int blocked = n - n % LANES;
            for (int i = 0; i < blocked; i += LANES) {
                for (int j = 0; j < LANES; j++) {
                    float x = v[off + i + j];
                    lanes[j] += x * x;
                }
            }
            float sum = reduce(lanes);
            for (int i = blocked; i < n; i++) {
                float x = v[off + i];
                sum += x * x;
            }
            return sum;
        }

        static float dot(float[] q, float[] v, int off, int n, float[] lanes) {
            java.util.Arrays.fill(lanes, 0f);
            int blocked = n - n % LANES;
            for (int i = 0; i < blocked; i += LANES) {
                for (int j = 0; j < LANES; j++) {
                    lanes[j] += q[i + j] * v[off + i + j];
                }
            }
            float sum = reduce(lanes);
            for (int i = blocked; i < n; i++) {
                sum += q[i] * v[off + i];
            }
            return sum;
        }

        static float scaledDot(float[] q, float[] v, int off, int n, float scale, float[] lanes) {
            java.util.Arrays.fill(lanes, 0f);
            int blocked = n - n % LANES;
            for (int i = 0; i < blocked; i += LANES) {
                for (int j = 0; j < LANES; j++) {
                    lanes[j] += q[i + j] * (v[off + i + j] * scale);
                }
            }
            float sum = reduce(lanes);
            for (int i = blocked; i < n; i++) {
                sum += q[i] * (v[off + i] * scale);
            }
            return sum;
        }

        static float codeDot(float[] q, byte[] codes, int off, int n, float[] lanes) {
            java.util.Arrays.fill(lanes, 0f);
            int blocked = n - n % LANES;
            for (int i = 0; i < blocked; i += LANES) {
                for (int j = 0; j < LANES; j++) {
                    lanes[j] += q[i + j] * (float) codes[off + i + j];
                }
            }
            float sum = reduce(lanes);
            for (int i = blocked; i < n; i++) {
                sum += q[i] * (float) codes[off + i];
            }
            return sum;
        }

        static float squaredDistance(float[] q, float[] v, int off, int n, float[] lanes) {
            java.util.Arrays.fill(lanes, 0f);
            int blocked = n - n % LANES;
            for (int i = 0; i < blocked; i += LANES) {
                for (int j = 0; j < LANES; j++) {
                    float d = q[i + j] - v[off + i + j];
                    lanes[j] += d * d;
                }
            }
            float sum = reduce(lanes);
            for (int i = blocked; i < n; i++) {
                float d = q[i] - v[off + i];
                sum += d * d;
            }
            return sum;
        }
    }
}
