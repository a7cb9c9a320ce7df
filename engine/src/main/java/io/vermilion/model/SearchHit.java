package io.vermilion.model;

import io.vermilion.record.Record;
import java.util.Objects;

/** One result of a search: the record and its score (the rank expression's value, lower first). */
public record SearchHit(Record record, float score) {
    public SearchHit {
        Objects.requireNonNull(record, "record");
    }
}
