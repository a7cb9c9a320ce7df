package io.vermilion.model;

import io.vermilion.record.Record;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The records of one collection at one moment, in insertion order (a record's position is where it was first
 * inserted; a delete and re-add moves it to the end). Immutable, so any number of readers share it without locks.
 */
public final class CollectionSnapshot {

    private static final CollectionSnapshot EMPTY = new CollectionSnapshot(List.of(), Map.of());

    private final List<Record> records;
    private final Map<String, Integer> positions;

    private CollectionSnapshot(List<Record> records, Map<String, Integer> positions) {
        this.records = records;
        this.positions = positions;
    }

    public static CollectionSnapshot empty() {
        return EMPTY;
    }

    /** A snapshot of {@code records} in the given order; ids must be distinct. */
    public static CollectionSnapshot of(Collection<Record> records) {
        List<Record> list = List.copyOf(records);
        Map<String, Integer> positions = new HashMap<>(Math.max(16, list.size() * 4 / 3 + 1));
        for (int i = 0; i < list.size(); i++) {
            if (positions.putIfAbsent(list.get(i).id(), i) != null) {
                throw new IllegalArgumentException("duplicate id: " + list.get(i).id());
            }
        }
        return new CollectionSnapshot(list, positions);
    }

    public int size() {
        return records.size();
    }

    /** All records in insertion order (unmodifiable). */
    public List<Record> records() {
        return records;
    }

    /** The record's index in {@link #records()}, or -1 if absent. */
    public int positionOf(String id) {
        Integer position = positions.get(id);
        return position == null ? -1 : position;
    }

    /** The record with this id, or null. */
    public Record get(String id) {
        int position = positionOf(id);
        return position < 0 ? null : records.get(position);
    }
}
