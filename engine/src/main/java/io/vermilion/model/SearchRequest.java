package io.vermilion.model;

import io.vermilion.filter.Where;
import java.util.Objects;

/**
 * One search of Chroma's Search API, independent of how it is answered: records passing {@code filter} (null: all),
 * scored by {@code rank} (null: insertion order, scored by position in the page), grouped by {@code groupBy}
 * (null: none), then {@code offset} and {@code limit} (null: all) applied to the ranked list. {@code distance} and
 * {@code efSearch} are the collection's; {@code parts} are the record parts the caller reads from the hits (what the
 * search selects), so a reader may leave the others out.
 */
public record SearchRequest(Where filter, RankExpr rank, SearchGroupBy groupBy, int offset, Integer limit,
                            DistanceFunction distance, int efSearch, RecordParts parts) {

    public SearchRequest {
        Objects.requireNonNull(distance, "distance");
        Objects.requireNonNull(parts, "parts");
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

    /** A search whose hits carry whole records, with their embeddings when {@code embeddings}. */
    public SearchRequest(Where filter, RankExpr rank, SearchGroupBy groupBy, int offset, Integer limit,
                         DistanceFunction distance, int efSearch, boolean embeddings) {
        this(filter, rank, groupBy, offset, limit, distance, efSearch, RecordParts.all(embeddings));
    }

    /** Whether the hits' records must carry their embeddings. */
    public boolean embeddings() {
        return parts.embedding();
    }
}
