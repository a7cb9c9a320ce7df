package io.vermilion.model;

import io.vermilion.record.LogRecord;
import io.vermilion.record.MetadataValue;
import io.vermilion.record.Record;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A collection's records materialized from log records applied in log order, with Chroma's write semantics: ADD of
 * an existing id is ignored, UPSERT inserts or merges, UPDATE of a missing id is ignored, DELETE removes. Records
 * keep insertion order. Not thread-safe (one writer); {@link #snapshot()} hands readers an immutable copy.
 */
public final class MutableCollectionState {

    private final LinkedHashMap<String, Record> records = new LinkedHashMap<>();
    private CollectionSnapshot snapshot;

    public MutableCollectionState() {
        this.snapshot = CollectionSnapshot.empty();
    }

    /** Starts from an existing snapshot (its order is kept). */
    public MutableCollectionState(CollectionSnapshot base) {
        for (Record record : base.records()) {
            records.put(record.id(), record);
        }
        this.snapshot = base;
    }

    public void apply(LogRecord log) {
        Objects.requireNonNull(log.operation(), "operation");
        Objects.requireNonNull(log.id(), "id");
        Record existing = records.get(log.id());
        switch (log.operation()) {
            case ADD -> {
                if (existing == null) {
                    insert(log);
                }
            }
            case UPSERT -> {
                if (existing == null) {
                    insert(log);
                } else {
                    merge(existing, log);
                }
            }
            case UPDATE -> {
                if (existing != null) {
                    merge(existing, log);
                }
            }
            case DELETE -> {
                if (existing != null) {
                    records.remove(log.id());
                    snapshot = null;
                }
            }
        }
    }

    /**
     * Adds a record as it is (a record read back from a compacted version, whose metadata was already merged); it
     * goes last in insertion order. The id must be absent.
     */
    public void put(Record record) {
        if (records.putIfAbsent(record.id(), record) != null) {
            throw new IllegalArgumentException("record " + record.id() + " is already present");
        }
        snapshot = null;
    }

    /**
     * Applies {@code log}, the record at log offset {@code offset}, keeping {@code sequences} (id → insertion
     * sequence) in step: an id it inserts gets {@code offset}, an id it removes loses its entry.
     */
    public void apply(LogRecord log, long offset, Map<String, Long> sequences) {
        boolean existed = records.containsKey(log.id());
        apply(log);
        boolean exists = records.containsKey(log.id());
        if (exists && !existed) {
            sequences.put(log.id(), offset);
        } else if (!exists && existed) {
            sequences.remove(log.id());
        }
    }

    public void applyAll(Iterable<LogRecord> logs) {
        for (LogRecord log : logs) {
            apply(log);
        }
    }

    public int size() {
        return records.size();
    }

    /** The current record with this id, or null. */
    public Record get(String id) {
        return records.get(id);
    }

    /** An immutable view of the current state; cached until the next change, so repeated calls are cheap. */
    public CollectionSnapshot snapshot() {
        if (snapshot == null) {
            snapshot = CollectionSnapshot.of(records.values());
        }
        return snapshot;
    }

    /** A new record: null-valued metadata keys are dropped, and metadata left empty is stored as none. */
    private void insert(LogRecord log) {
        Map<String, MetadataValue> metadata = log.metadata() == null ? null : mergeMetadata(null, log.metadata());
        records.put(log.id(), new Record(log.id(), log.embedding(), metadata, log.document(), log.uri()));
        snapshot = null;
    }

    /** Null fields leave the stored value; metadata merges key by key (a null value deletes the key). */
    private void merge(Record existing, LogRecord log) {
        Record merged = new Record(
                existing.id(),
                log.embedding() != null ? log.embedding() : existing.embedding(),
                log.metadata() != null ? mergeMetadata(existing.metadata(), log.metadata()) : existing.metadata(),
                log.document() != null ? log.document() : existing.document(),
                log.uri() != null ? log.uri() : existing.uri());
        records.put(existing.id(), merged); // replacing a key keeps its position
        snapshot = null;
    }

    /**
     * Applies {@code delta} to {@code stored}: non-null values set keys, null values delete them. Stored metadata
     * that loses its last key becomes {@code {}} (as Chroma returns after an update); absent metadata stays absent
     * unless a key is set. The result is unmodifiable.
     */
    private static Map<String, MetadataValue> mergeMetadata(Map<String, MetadataValue> stored, Map<String, MetadataValue> delta) {
        LinkedHashMap<String, MetadataValue> result = stored == null ? new LinkedHashMap<>() : new LinkedHashMap<>(stored);
        for (Map.Entry<String, MetadataValue> entry : delta.entrySet()) {
            if (entry.getValue() == null) {
                result.remove(entry.getKey());
            } else {
                result.put(entry.getKey(), entry.getValue());
            }
        }
        if (stored == null && result.isEmpty()) {
            return stored;
        }
        return Collections.unmodifiableMap(result);
    }
}
