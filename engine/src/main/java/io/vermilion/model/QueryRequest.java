package io.vermilion.model;

import io.vermilion.filter.Where;
import io.vermilion.filter.WhereDocument;
import java.util.List;
import java.util.Objects;

/**
 * What a nearest-neighbour {@code query} asks for, independent of how it is answered: up to {@code nResults} hits
 * per query vector, among records passing the pre-filters ({@code ids}: null = no id filter, empty = nothing;
 * {@code where} and {@code whereDocument} ANDed). {@code efSearch}: the collection's HNSW {@code ef_search}, or 0 for
 * the reader's default; {@code embeddings} false lets a reader leave hits without them. Query vectors are not copied
 * and must not be mutated.
 */
public record QueryRequest(
        List<float[]> queries, int nResults, List<String> ids, Where where, WhereDocument whereDocument,
        DistanceFunction distance, int efSearch, boolean embeddings) {

    /** A request searching with the reader's own {@code ef_search}, hits with their embeddings. */
    public QueryRequest(List<float[]> queries, int nResults, List<String> ids, Where where,
                        WhereDocument whereDocument, DistanceFunction distance) {
        this(queries, nResults, ids, where, whereDocument, distance, 0, true);
    }

    /** A request with the collection's {@code ef_search}, hits with their embeddings. */
    public QueryRequest(List<float[]> queries, int nResults, List<String> ids, Where where,
                        WhereDocument whereDocument, DistanceFunction distance, int efSearch) {
        this(queries, nResults, ids, where, whereDocument, distance, efSearch, true);
    }

    public QueryRequest {
        if (efSearch < 0) {
            throw new IllegalArgumentException("efSearch must be >= 0 (0 = the reader's default): " + efSearch);
        }
        queries = List.copyOf(queries);
        ids = ids == null ? null : List.copyOf(ids);
        if (nResults < 0) {
            throw new IllegalArgumentException("nResults must be >= 0: " + nResults);
        }
        Objects.requireNonNull(distance, "distance");
    }
}
