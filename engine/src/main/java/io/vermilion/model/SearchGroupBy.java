package io.vermilion.model;

import java.util.List;
import java.util.Objects;

/**
 * A search's {@code group_by}: records are grouped by the values of the metadata {@code keys} (a missing key is a
 * value of its own), each group keeps its first {@code k} records ordered by {@code aggregateKeys} ascending
 * ({@code $min_k}) or descending ({@code $max_k}, {@code max}), and the survivors are re-ranked by score.
 * {@code aggregateKeys} are metadata keys or {@link #SCORE}.
 */
public record SearchGroupBy(List<String> keys, List<String> aggregateKeys, int k, boolean max) {

    /** The aggregate key naming a record's score. */
    public static final String SCORE = "#score";

    public SearchGroupBy {
        keys = List.copyOf(keys);
        aggregateKeys = List.copyOf(aggregateKeys);
        Objects.requireNonNull(keys, "keys");
        if (keys.isEmpty() || aggregateKeys.isEmpty() || k <= 0) {
            throw new IllegalArgumentException("group_by needs keys, aggregate keys and k > 0");
        }
    }
}
