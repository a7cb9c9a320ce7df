package io.vermilion.model;

import io.vermilion.filter.Where;
import java.util.Objects;

/**
 * One search of Chroma's Search API, independent of how it is answered: records passing {@code filter} (null: all),
 * scored by {@code rank} (null: insertion order, scored by position in the page), grouped by {@code groupBy}
 * (null: none), then {@code offset} and {@code limit} (null: all) applied to the ranked list. {@code distance} and
 * {@code efSearch} are the collection's; {@code embeddings} false lets a reader leave records without them.
 */
public record SearchRequest(Where filter, RankExpr rank, SearchGroupBy groupBy, int offset, Integer limit,
                            DistanceFunction distance, int efSearch, boolean embeddings) {

    public SearchRequest {
        Objects.requireNonNull(distance, "distance");
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be >= 0: " + offset);
        }
        if (limit != null && limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0: " + limit);
        }
        if (groupBy != null && rank == null) {
            throw new IllegalArgumentException("group_by needs a rank expression");
        }
    }
}
