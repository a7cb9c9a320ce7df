package io.vermilion.executor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import io.vermilion.blockstore.SequencedRecord;
import io.vermilion.model.CollectionSnapshot;
import io.vermilion.model.MutableCollectionState;
import io.vermilion.model.VersionReader;
import io.vermilion.record.LogRecord;
import io.vermilion.record.Record;

/**
 * The log after a collection's published version, applied with Chroma's write semantics on top of that version:
 * a record the tail touches is first looked up in the version, so an UPDATE merges into the compacted record and an
 * ADD of a compacted id is ignored. Tracks each live record's insertion sequence (the version's for records it
 * already held, the log offset of the inserting write otherwise) and which of the version's ids the tail now
 * answers for. Not thread-safe (one writer); {@link #view()} hands readers an immutable copy.
 */
public final class CollectionTail {

    private final VersionReader base;
    private final MutableCollectionState state = new MutableCollectionState();
    private final Map<String, Long> sequences = new HashMap<>();
    private final Set<String> looked = new HashSet<>();
    private final Set<String> shadowed = new HashSet<>();
    private View view;

    /** @param base the version the tail starts after, or null for a collection with no published version */
    public CollectionTail(VersionReader base) {
        this.base = base;
        this.view = new View(CollectionSnapshot.empty(), new long[0], Set.of());
    }

    /** Applies log records that sit at offsets {@code firstOffset, firstOffset + 1, ...}. */
    public void apply(List<LogRecord> records, long firstOffset) {
        if (base != null) {
            Set<String> unseen = new LinkedHashSet<>();
            for (LogRecord record : records) {
                if (!looked.contains(record.id())) {
                    unseen.add(record.id());
                }
            }
            if (!unseen.isEmpty()) {
                for (SequencedRecord found : base.lookup(unseen).values()) {
                    state.put(found.record());
                    sequences.put(found.id(), found.sequence());
                    shadowed.add(found.id());
                }
                looked.addAll(unseen);
            }
        }
        for (int i = 0; i < records.size(); i++) {
            state.apply(records.get(i), firstOffset + i, sequences);
        }
        view = null;
    }

    /** The tail as it is now; cached until the next change. */
    public View view() {
        if (view == null) {
            List<Record> live = new ArrayList<>(state.snapshot().records());
            live.sort(Comparator.comparingLong(record -> sequences.get(record.id())));
            long[] order = new long[live.size()];
            for (int i = 0; i < order.length; i++) {
                order[i] = sequences.get(live.get(i).id());
            }
            view = new View(CollectionSnapshot.of(live), order, Set.copyOf(shadowed));
        }
        return view;
    }

    /**
     * An immutable tail: its live records in insertion order with their sequences, and the version's ids it
     * shadows (updated or deleted since the version, or deleted and added again).
     */
    public record View(CollectionSnapshot records, long[] sequences, Set<String> shadowed) {

        public View {
            Objects.requireNonNull(records, "records");
            Objects.requireNonNull(shadowed, "shadowed");
            if (sequences.length != records.size()) {
                throw new IllegalArgumentException("one sequence per record");
            }
        }

        /** The sequence of the tail record with this id; the id must be live in the tail. */
        public long sequenceOf(String id) {
            int position = records.positionOf(id);
            if (position < 0) {
                throw new IllegalArgumentException("record " + id + " is not in the tail");
            }
            return sequences[position];
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof View v && records.equals(v.records) && Arrays.equals(sequences, v.sequences)
                    && shadowed.equals(v.shadowed);
        }

        @Override
        public int hashCode() {
            return Objects.hash(records, Arrays.hashCode(sequences), shadowed);
        }

        @Override
        public String toString() {
            return "View[" + records.size() + " records, " + shadowed.size() + " shadowed]";
        }
    }
}
