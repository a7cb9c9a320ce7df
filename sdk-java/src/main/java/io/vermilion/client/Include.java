package io.vermilion.client;

import com.fasterxml.jackson.annotation.JsonValue;

/** A column a read returns. */
public enum Include {
    DOCUMENTS("documents"),
    EMBEDDINGS("embeddings"),
    METADATAS("metadatas"),
    URIS("uris"),
    /** Query only; accepted and ignored by get. */
    DISTANCES("distances");

    private final String value;

    Include(String value) {
        this.value = value;
    }

    /** The name on the wire, e.g. {@code metadatas}. */
    @JsonValue
    public String value() {
        return value;
    }

    static Include fromValue(String value) {
        for (Include i : values()) {
            if (i.value.equals(value)) {
                return i;
            }
        }
        throw new IllegalArgumentException("unknown include: " + value);
    }

    @Override
    public String toString() {
        return value;
    }
}
