package io.vermilion.model;

import io.vermilion.record.Record;
import java.util.List;

/**
 * Reads one collection at one point in time with Chroma's semantics. Implementations answer from an immutable
 * view, so every call on one reader sees the same data and calls may run concurrently.
 */
public interface CollectionReader {

    /** The number of records. */
    int count();

    /** Matching records in insertion order, after {@code offset}, at most {@code limit}; each record once. */
    List<Record> get(GetRequest request);

    /**
     * Per query vector (same order), the nearest matching records by ascending distance, at most
     * {@code nResults}; ties are broken by insertion order. Records without an embedding never match.
     */
    List<List<QueryHit>> query(QueryRequest request);
}
