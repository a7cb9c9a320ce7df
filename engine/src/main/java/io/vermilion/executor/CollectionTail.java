package io.vermilion.executor;

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
import io.vermilion.model.QueryHit;
import io.vermilion.model.QueryRequest;
import io.vermilion.model.SequencedHit;
import io.vermilion.model.VersionReader;
import io.vermilion.record.LogRecord;
import io.vermilion.record.Record;

/**
 * The log after a collection's published version, applied with Chroma's write semantics on top of that version:
 * a record the tail touches is first looked up in the version, so an UPDATE merges into the compacted record and an
 * ADD of a compacted id is ignored. Tracks each live record's insertion sequence (the version's for records it
 * already held, the log offset of the inserting write otherwise) and which of the version's ids the tail now
 * answers for. Records are mirrored, as they change, into {@link TailRows} (embeddings in one contiguous array), so
 * taking a view copies nothing and queries scan the vectors in place. Not thread-safe (one writer); {@link #view()}
 * hands readers an immutable view.
 */
public final class CollectionTail {

    private VersionReader base;
    private final MutableCollectionState state = new MutableCollectionState();
    private final Map<String, Long> sequences = new HashMap<>();
    private final Set<String> looked = new HashSet<>();
    private final Set<String> shadowed = new HashSet<>();
    private final TailRows rows = new TailRows();
    private final Map<String, Integer> rowOf = new HashMap<>();
    private Set<String> shadowedCopy = Set.of();
    private View view;

    /** @param base the version the tail starts after, or null for a collection with no published version */
    public CollectionTail(VersionReader base) {
        this.base = base;
        this.view = new View(rows.freeze(), Set.of());
    }

    /**
     * Looks records up in {@code reopened} from now on: the same version opened again (its local, memory-mapped copy
     * in place of object-storage pages), so lookups answer as before.
     */
    public void rebase(VersionReader reopened) {
        if (base == null || reopened == null) {
            throw new IllegalArgumentException("a tail on a version is rebased onto that version only");
        }
        base = reopened;
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
                    rowOf.put(found.id(), rows.append(found.record(), found.sequence()));
                    shadowed.add(found.id());
                    shadowedCopy = null;
                }
                looked.addAll(unseen);
            }
        }
        for (int i = 0; i < records.size(); i++) {
            LogRecord record = records.get(i);
            Record before = state.get(record.id());
            state.apply(record, firstOffset + i, sequences);
            Record after = state.get(record.id());
            if (after != before) {
                if (before != null) {
                    rows.kill(rowOf.remove(record.id()));
                }
                if (after != null) {
                    rowOf.put(record.id(), rows.append(after, sequences.get(record.id())));
                }
            }
        }
        view = null;
    }

    /** The tail as it is now; cached until the next change. */
    public View view() {
        if (view == null) {
            if (shadowedCopy == null) {
                shadowedCopy = Set.copyOf(shadowed);
            }
            view = new View(rows.freeze(), shadowedCopy);
        }
        return view;
    }

    /**
     * An immutable tail: its live records with their insertion sequences, and the version's ids it shadows (updated
     * or deleted since the version, or deleted and added again). Taking one is O(1); the records in insertion order
     * ({@link #records()}) are materialized on first use only, by the reads that need them (get, an id filter).
     * Thread-safe.
     */
    public static final class View {
        private final TailRows.Frozen rows;
        private final Set<String> shadowed;
        private volatile TailSearch.IdIndex ordered;
        private final java.util.concurrent.ConcurrentHashMap<Object, Object> memos = new java.util.concurrent.ConcurrentHashMap<>();

        View(TailRows.Frozen rows, Set<String> shadowed) {
            this.rows = Objects.requireNonNull(rows, "rows");
            this.shadowed = Objects.requireNonNull(shadowed, "shadowed");
        }

        /** Live records in the tail. */
        public int size() {
            return rows.live();
        }

        /** The version's ids this tail answers for instead of the version. */
        public Set<String> shadowed() {
            return shadowed;
        }

        /** The live records in insertion order (built on first call, then kept). */
        public CollectionSnapshot records() {
            return ordered().snapshot();
        }

        /**
         * Calls {@code action} with each live record, in no particular order; cheaper than {@link #records()}, which
         * orders them and indexes their ids.
         */
        public void forEachLive(java.util.function.Consumer<Record> action) {
            for (int row = 0; row < rows.rows(); row++) {
                if (rows.isLive(row)) {
                    action.accept(rows.record(row));
                }
            }
        }

        /** The embedding of some live record, or null if none has one (e.g. to probe a version with). */
        public float[] anyEmbedding() {
            for (int row = rows.rows() - 1; row >= 0; row--) {
                if (rows.isLive(row) && rows.record(row).embedding() != null) {
                    return rows.record(row).embedding();
                }
            }
            return null;
        }

        /** The live records in insertion order, each with its sequence. */
        public List<SequencedRecord> sequencedRecords() {
            TailSearch.IdIndex index = ordered();
            List<Record> records = index.snapshot().records();
            List<SequencedRecord> out = new java.util.ArrayList<>(records.size());
            for (int i = 0; i < records.size(); i++) {
                out.add(new SequencedRecord(rows.sequence(index.rows()[i]), records.get(i)));
            }
            return out;
        }

        /** A value derived from this immutable view, computed on first use per key and kept with the view. */
        @SuppressWarnings("unchecked")
        <T> T memo(Object key, java.util.function.Supplier<T> compute) {
            return (T) memos.computeIfAbsent(key, k -> compute.get());
        }

        /** The sequence of the tail record with this id; the id must be live in the tail. */
        public long sequenceOf(String id) {
            TailSearch.IdIndex index = ordered();
            int position = index.snapshot().positionOf(id);
            if (position < 0) {
                throw new IllegalArgumentException("record " + id + " is not in the tail");
            }
            return rows.sequence(index.rows()[position]);
        }

        /** Exact nearest neighbours among the tail's records, with their sequences, best first per query vector. */
        public List<List<SequencedHit>> query(QueryRequest request) {
            boolean needsIds = request.ids() != null && !request.ids().isEmpty() && request.nResults() > 0;
            return TailSearch.query(rows, request, needsIds ? ordered() : null);
        }

        /** {@link #query} without the sequences. */
        public List<List<QueryHit>> queryHits(QueryRequest request) {
            return query(request).stream().map(hits -> hits.stream().map(SequencedHit::hit).toList()).toList();
        }

        private TailSearch.IdIndex ordered() {
            TailSearch.IdIndex index = ordered;
            if (index == null) {
                index = order(rows);
                ordered = index;
            }
            return index;
        }

        /** Live rows sorted by insertion sequence (usually in row order already: only version records come late). */
        private static TailSearch.IdIndex order(TailRows.Frozen rows) {
            int[] live = new int[rows.live()];
            int n = 0;
            boolean sorted = true;
            for (int row = 0; row < rows.rows(); row++) {
                if (rows.isLive(row)) {
                    if (n > 0 && rows.sequence(live[n - 1]) > rows.sequence(row)) {
                        sorted = false;
                    }
                    live[n++] = row;
                }
            }
            if (!sorted) {
                live = java.util.Arrays.stream(live).boxed()
                        .sorted(java.util.Comparator.comparingLong(rows::sequence))
                        .mapToInt(Integer::intValue).toArray();
            }
            Record[] records = new Record[live.length];
            for (int i = 0; i < live.length; i++) {
                records[i] = rows.record(live[i]);
            }
            return new TailSearch.IdIndex(CollectionSnapshot.of(java.util.Arrays.asList(records)), live);
        }

        @Override
        public String toString() {
            return "View[" + size() + " records, " + shadowed.size() + " shadowed]";
        }
    }
}
