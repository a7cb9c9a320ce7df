package io.vermilion.record;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One metadata value as Chroma stores it: a string, a 64-bit integer, a 64-bit float, a boolean, a homogeneous
 * array of one of those, or a sparse vector. Integers and floats stay distinct so that reads return what was written.
 */
public sealed interface MetadataValue {

    record Str(String value) implements MetadataValue {}

    record Int(long value) implements MetadataValue {}

    record Flt(double value) implements MetadataValue {}

    record Bool(boolean value) implements MetadataValue {}

    /** A non-empty array whose elements are all scalars of one type (never nested arrays). */
    record Array(List<MetadataValue> elements) implements MetadataValue {
        public Array {
            elements = List.copyOf(elements);
        }
    }

    /**
     * Chroma's {@code SparseVector}: dimension indices (unsigned 32-bit, held in an {@code int}, strictly ascending),
     * their float32 values, and optionally one token per index. The arrays are copied; equality is by content.
     */
    record Sparse(int[] indices, float[] values, List<String> tokens) implements MetadataValue {
        public Sparse {
            indices = indices.clone();
            values = values.clone();
            tokens = tokens == null ? null : List.copyOf(tokens);
        }

        /** Chroma's {@code SparseVector::validate} message for this vector, or null when it is valid. */
        public String problem() {
            if (indices.length != values.length || (tokens != null && tokens.size() != indices.length)) {
                return "Sparse vector indices, values, and tokens (when present) must have the same length";
            }
            for (int i = 1; i < indices.length; i++) {
                if (Integer.compareUnsigned(indices[i], indices[i - 1]) <= 0) {
                    return "Sparse vector indices must be sorted in strictly ascending order (no duplicates)";
                }
            }
            return null;
        }

        /** The dot product with {@code other}, accumulated in float32 over shared indices in ascending order. */
        public float dot(Sparse other) {
            float sum = 0.0f;
            int i = 0;
            int j = 0;
            while (i < indices.length && j < other.indices.length) {
                int c = Integer.compareUnsigned(indices[i], other.indices[j]);
                if (c == 0) {
                    sum += values[i++] * other.values[j++];
                } else if (c < 0) {
                    i++;
                } else {
                    j++;
                }
            }
            return sum;
        }

        /** True when the two share at least one index. */
        public boolean overlaps(Sparse other) {
            int i = 0;
            int j = 0;
            while (i < indices.length && j < other.indices.length) {
                int c = Integer.compareUnsigned(indices[i], other.indices[j]);
                if (c == 0) {
                    return true;
                }
                if (c < 0) {
                    i++;
                } else {
                    j++;
                }
            }
            return false;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Sparse s && Arrays.equals(indices, s.indices) && Arrays.equals(values, s.values)
                    && Objects.equals(tokens, s.tokens);
        }

        @Override
        public int hashCode() {
            return Objects.hash(Arrays.hashCode(indices), Arrays.hashCode(values), tokens);
        }

        @Override
        public String toString() {
            return "Sparse[indices=" + Arrays.toString(indices) + ", values=" + Arrays.toString(values)
                    + ", tokens=" + tokens + "]";
        }
    }
}
