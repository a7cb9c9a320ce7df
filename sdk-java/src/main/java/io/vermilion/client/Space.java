package io.vermilion.client;

import com.fasterxml.jackson.annotation.JsonValue;

/** A collection's distance function, fixed at creation. */
public enum Space {
    /** Squared Euclidean distance (the default). */
    L2("l2"),
    /** 1 - cosine similarity. */
    COSINE("cosine"),
    /** 1 - dot product. */
    IP("ip");

    private final String value;

    Space(String value) {
        this.value = value;
    }

    /** The name on the wire: {@code l2}, {@code cosine} or {@code ip}. */
    @JsonValue
    public String value() {
        return value;
    }

    static Space fromValue(String value) {
        for (Space s : values()) {
            if (s.value.equals(value)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown space: " + value);
    }

    @Override
    public String toString() {
        return value;
    }
}
