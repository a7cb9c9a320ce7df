package io.vermilion.index;

/**
 * How an {@link IndexedCollectionReader} searches. {@code efSearch}: the HNSW candidate list, as Chroma's
 * {@code ef_search} (a search keeps {@code max(efSearch, n_results)} candidates). {@code exactSearchThreshold}:
 * when at most this many vectors pass the filter, they are all scored exactly instead of walking the graph (the
 * result is then exactly the scan's). {@code quantizedOversample}: for int8 indexes, the best
 * {@code n_results × quantizedOversample} candidates by quantized score are re-ranked with the float32 vectors.
 */
public record SearchParameters(int efSearch, int exactSearchThreshold, float quantizedOversample) {

    public static final SearchParameters DEFAULTS = new SearchParameters(100, 1_000, 3f);

    public SearchParameters {
        if (efSearch < 1) {
            throw new IllegalArgumentException("efSearch must be >= 1: " + efSearch);
        }
        if (exactSearchThreshold < 0) {
            throw new IllegalArgumentException("exactSearchThreshold must be >= 0: " + exactSearchThreshold);
        }
        if (!(quantizedOversample >= 1f)) {
            throw new IllegalArgumentException("quantizedOversample must be >= 1: " + quantizedOversample);
        }
    }

    /** Chroma's {@code ef_search} with the default threshold and oversampling. */
    public static SearchParameters withEfSearch(int efSearch) {
        return new SearchParameters(efSearch, DEFAULTS.exactSearchThreshold, DEFAULTS.quantizedOversample);
    }
}
