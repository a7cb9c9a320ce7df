package io.vermilion.blockstore;

import java.util.Objects;

import io.vermilion.record.Record;

/**
 * A stored record with its insertion sequence number: the log offset of the write that (last) inserted its id, so
 * sorting a version's records by sequence gives Chroma's insertion order (a delete and re-add moves a record to the
 * end). Sequences are distinct within a version and never negative.
 */
public record SequencedRecord(long sequence, Record record) {

    public SequencedRecord {
        Objects.requireNonNull(record, "record");
        Objects.requireNonNull(record.id(), "record id");
        if (sequence < 0) {
            throw new IllegalArgumentException("negative sequence number: " + sequence);
        }
    }

    public String id() {
        return record.id();
    }
}
