package io.vermilion.model;

/**
 * A collection's distance space, computed in float32 the way Chroma's local index does: {@code l2} is the squared
 * Euclidean distance, {@code ip} is {@code 1 − a·b}, {@code cosine} is {@code 1 − a·b} over normalized vectors
 * (query divided by {@code |q| + 1e-32}, stored vector multiplied by {@code 1 / (|v| + 1e-30)}, so a zero vector
 * gives 1, never NaN). Sums run in index order; Chroma's SIMD kernels may differ in the last bit for long vectors.
 */
public enum DistanceFunction {
    L2("l2") {
        @Override
        public float distance(float[] query, float[] stored) {
            requireSameDimension(query, stored);
            float sum = 0f;
            for (int i = 0; i < query.length; i++) {
                float d = query[i] - stored[i];
                sum += d * d;
            }
            return sum;
        }
    },
    COSINE("cosine") {
        @Override
        public float distance(float[] query, float[] stored) {
            return distancePrepared(prepareQuery(query), stored);
        }

        @Override
        public float[] prepareQuery(float[] query) {
            float norm = (float) Math.sqrt(sumOfSquares(query)) + 1e-32f;
            float[] normalized = new float[query.length];
            for (int i = 0; i < query.length; i++) {
                normalized[i] = query[i] / norm;
            }
            return normalized;
        }

        @Override
        public float distancePrepared(float[] preparedQuery, float[] stored) {
            requireSameDimension(preparedQuery, stored);
            float inverse = 1.0f / ((float) Math.sqrt(sumOfSquares(stored)) + 1e-30f);
            float dot = 0f;
            for (int i = 0; i < stored.length; i++) {
                dot += preparedQuery[i] * (stored[i] * inverse);
            }
            return 1.0f - dot;
        }
    },
    IP("ip") {
        @Override
        public float distance(float[] query, float[] stored) {
            requireSameDimension(query, stored);
            float dot = 0f;
            for (int i = 0; i < query.length; i++) {
                dot += query[i] * stored[i];
            }
            return 1.0f - dot;
        }
    };

    private final String wireName;

    DistanceFunction(String wireName) {
        this.wireName = wireName;
    }

    /** The distance from a query vector to a stored vector (argument order matters for {@link #COSINE}). */
    public abstract float distance(float[] query, float[] stored);

    /** The name Chroma uses in collection configuration: {@code l2}, {@code cosine} or {@code ip}. */
    public String wireName() {
        return wireName;
    }

    /** The function named {@code name} ({@code l2}, {@code cosine}, {@code ip}). */
    public static DistanceFunction fromWireName(String name) {
        for (DistanceFunction function : values()) {
            if (function.wireName.equals(name)) {
                return function;
            }
        }
        throw new IllegalArgumentException("unknown distance function: " + name);
    }

    /** Work done once per query vector (normalization for cosine); the result goes to {@link #distancePrepared}. */
    public float[] prepareQuery(float[] query) {
        return query;
    }

    public float distancePrepared(float[] preparedQuery, float[] stored) {
        return distance(preparedQuery, stored);
    }

    private static float sumOfSquares(float[] v) {
        float sum = 0f;
        for (float x : v) {
            sum += x * x;
        }
        return sum;
    }

    private static void requireSameDimension(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("dimension mismatch: " + a.length + " vs " + b.length);
        }
    }
}
