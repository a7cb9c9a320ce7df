package io.vermilion.client;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Chroma's sparse vector: dimension indices (strictly ascending, unsigned 32-bit) and their float32 values. A metadata
 * value (sent and read back as this type) and the query of a sparse {@link Rank#knn(SparseVector, String, int)}. On the
 * wire it is Chroma's tagged form {@code {"#type": "sparse_vector", "indices": [...], "values": [...]}}. Immutable;
 * equal when indices and values are.
 */
public final class SparseVector {

    static final String TYPE = "sparse_vector";

    private final long[] indices;
    private final float[] values;

    private SparseVector(long[] indices, float[] values) {
        this.indices = indices;
        this.values = values;
    }

    /** A sparse vector; the server refuses indices not strictly ascending or outside 0..2^32-1, or lengths apart. */
    public static SparseVector of(long[] indices, float[] values) {
        Objects.requireNonNull(indices, "indices");
        Objects.requireNonNull(values, "values");
        return new SparseVector(indices.clone(), values.clone());
    }

    public static SparseVector of(int[] indices, float[] values) {
        return of(Arrays.stream(Objects.requireNonNull(indices, "indices")).asLongStream().toArray(), values);
    }

    public long[] indices() {
        return indices.clone();
    }

    public float[] values() {
        return values.clone();
    }

    /** The wire form, Chroma's tagged map. */
    @JsonValue
    Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("#type", TYPE);
        List<Long> i = new ArrayList<>(indices.length);
        for (long index : indices) {
            i.add(index);
        }
        List<Float> v = new ArrayList<>(values.length);
        for (float value : values) {
            v.add(value);
        }
        json.put("indices", i);
        json.put("values", v);
        return json;
    }

    /** The sparse vector a decoded JSON value stands for, or null if it is not one (no {@code #type} tag). */
    static SparseVector fromJson(Object value) {
        if (!(value instanceof Map<?, ?> map) || !TYPE.equals(map.get("#type"))
                || !(map.get("indices") instanceof List<?> i) || !(map.get("values") instanceof List<?> v)) {
            return null;
        }
        long[] indices = new long[i.size()];
        for (int k = 0; k < indices.length; k++) {
            indices[k] = ((Number) i.get(k)).longValue();
        }
        float[] values = new float[v.size()];
        for (int k = 0; k < values.length; k++) {
            values[k] = ((Number) v.get(k)).floatValue();
        }
        return new SparseVector(indices, values);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SparseVector other && Arrays.equals(indices, other.indices)
                && Arrays.equals(values, other.values);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(indices) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "SparseVector" + toJson();
    }
}
