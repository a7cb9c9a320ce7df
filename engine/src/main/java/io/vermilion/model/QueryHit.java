package io.vermilion.model;

import io.vermilion.record.Record;
import java.util.Objects;

/** One result of a nearest-neighbour query: the record and its float32 distance from the query vector. */
public record QueryHit(Record record, float distance) {
    public QueryHit {
        Objects.requireNonNull(record, "record");
    }
}
