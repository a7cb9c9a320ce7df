package io.vermilion.blockstore;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

import io.vermilion.record.Record;

/**
 * One decoded record block: its records sorted by id ({@link RecordBlockFormat#ID_ORDER}), each with its insertion
 * sequence number. Immutable and fully decoded (no Arrow memory behind it), so any number of threads read it
 * without locks; callers must not modify the arrays inside the returned records.
 */
public final class RecordBlock {

    private final String key;
    private final String[] ids;
    private final long[] sequences;
    private final Record[] records;
    private final int encodedSize;

    RecordBlock(String key, Record[] records, long[] sequences, int encodedSize) {
        this.key = key;
        this.records = records;
        this.sequences = sequences;
        this.encodedSize = encodedSize;
        this.ids = new String[records.length];
        for (int i = 0; i < records.length; i++) {
            ids[i] = records[i].id();
        }
    }

    /** The object key the block was read from. */
    public String key() {
        return key;
    }

    /** The number of records; at least 1. */
    public int size() {
        return records.length;
    }

    /** The size of the block's encoded bytes, e.g. to weigh it in a cache. */
    public int encodedSize() {
        return encodedSize;
    }

    public String firstId() {
        return ids[0];
    }

    public String lastId() {
        return ids[ids.length - 1];
    }

    /** The id of the {@code i}-th record in id order. */
    public String id(int i) {
        return ids[i];
    }

    /** The {@code i}-th record in id order. */
    public Record record(int i) {
        return records[i];
    }

    /** The insertion sequence number of the {@code i}-th record. */
    public long sequence(int i) {
        return sequences[i];
    }

    /** All records in id order (unmodifiable). */
    public List<Record> records() {
        return Collections.unmodifiableList(Arrays.asList(records));
    }

    /** The position of the record with this id (binary search), or -1 if the block does not hold it. */
    public int indexOf(String id) {
        int i = Arrays.binarySearch(ids, id, RecordBlockFormat.ID_ORDER);
        return i >= 0 ? i : -1;
    }

    /** The record with this id, or null. */
    public Record get(String id) {
        int i = indexOf(id);
        return i < 0 ? null : records[i];
    }

    @Override
    public String toString() {
        return "RecordBlock[" + key + ", " + records.length + " records, " + firstId() + " .. " + lastId() + "]";
    }
}
