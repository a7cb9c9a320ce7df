package io.vermilion.executor;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import io.vermilion.blockstore.SequencedRecord;
import io.vermilion.model.CollectionReader;
import io.vermilion.model.GetRequest;
import io.vermilion.model.QueryHit;
import io.vermilion.model.QueryRequest;
import io.vermilion.model.RecordParts;
import io.vermilion.model.SequencedHit;
import io.vermilion.model.TextStatistics;
import io.vermilion.model.VersionHit;
import io.vermilion.model.VersionReader;
import io.vermilion.record.Record;

/**
 * What one request reads: a collection's published version (if any) plus the log tail after it, fixed when the view
 * was taken. Version results exclude the ids the tail shadows; tail records are searched exactly ({@link TailSearch});
 * the two merge by insertion sequence ({@code get}) or by distance then sequence ({@code query}), so answers equal
 * those of an exact scan of the whole collection wherever the version's search is exact. Holds a reference to the version's reader
 * until {@link #close()}. Thread-safe.
 */
public final class CollectionView implements CollectionReader, AutoCloseable {

    private static final CollectionTail.View EMPTY_TAIL = new CollectionTail.View(new TailRows().freeze(), Set.of());

    private final VersionReader version;
    private final long versionNumber;
    private final CollectionTail.View tail;
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param version       the published version's reader, already retained for this view, or null if none
     * @param versionNumber its number (0 when none)
     */
    public CollectionView(VersionReader version, long versionNumber, CollectionTail.View tail) {
        this.version = version;
        this.versionNumber = versionNumber;
        this.tail = tail;
    }

    /** The published version this view reads, 0 if it reads the log alone. */
    public long versionNumber() {
        return versionNumber;
    }

    /**
     * Whether this view reads its version through object-storage pages (opened lazily, not yet switched to its local
     * copy).
     */
    public boolean pagedVersion() {
        return version != null && version.paged();
    }

    /** Records that come from the log tail rather than the version. */
    public int tailSize() {
        return tail.size();
    }

    @Override
    public int count() {
        int fromVersion = version == null ? 0 : version.count() - tail.shadowed().size();
        return fromVersion + tail.size();
    }

    @Override
    public List<Record> get(GetRequest request) {
        if (version == null) {
            return tailReader().get(request);
        }
        if (request.limit() != null && request.limit() == 0) {
            return List.of();
        }
        Integer wanted = request.limit() == null ? null
                : (int) Math.min(Integer.MAX_VALUE, (long) request.offset() + request.limit());
        GetRequest first = new GetRequest(request.ids(), request.where(), request.whereDocument(), wanted, 0,
                request.embeddings());
        List<SequencedRecord> fromVersion = version.get(first, tail.shadowed());
        List<Record> fromTail = tail.size() == 0 ? List.of() : tailReader().get(first);
        List<Record> merged = new ArrayList<>();
        int v = 0;
        int t = 0;
        long skip = request.offset();
        long take = request.limit() == null ? Long.MAX_VALUE : request.limit();
        while ((v < fromVersion.size() || t < fromTail.size()) && merged.size() < take) {
            Record next;
            if (t >= fromTail.size() || (v < fromVersion.size()
                    && fromVersion.get(v).sequence() < tail.sequenceOf(fromTail.get(t).id()))) {
                next = fromVersion.get(v++).record();
            } else {
                next = fromTail.get(t++);
            }
            if (skip > 0) {
                skip--;
            } else {
                merged.add(next);
            }
        }
        return merged;
    }

    @Override
    public List<List<QueryHit>> query(QueryRequest request) {
        return sequencedQuery(request).stream().map(hits -> hits.stream().map(SequencedHit::hit).toList()).toList();
    }

    /** As {@link #query}, each hit with its record's insertion sequence (the order ties break in). */
    public List<List<SequencedHit>> sequencedQuery(QueryRequest request) {
        List<List<Candidate>> candidates = candidates(request);
        List<List<SequencedHit>> results = new ArrayList<>(candidates.size());
        RecordParts parts = RecordParts.all(request.embeddings());
        for (List<Candidate> hits : candidates) {
            List<Record> records = load(hits, parts);
            List<SequencedHit> loaded = new ArrayList<>(hits.size());
            for (int i = 0; i < hits.size(); i++) {
                loaded.add(new SequencedHit(new QueryHit(records.get(i), hits.get(i).distance()), hits.get(i).sequence()));
            }
            results.add(loaded);
        }
        return results;
    }

    /** As {@link #sequencedQuery} without loading the version's records: the hits as {@link Candidate}s. */
    List<List<Candidate>> candidates(QueryRequest request) {
        if (version == null) {
            return tail.query(request).stream().map(hits -> hits.stream().map(Candidate::of).toList()).toList();
        }
        List<List<VersionHit>> fromVersion = version.locate(request, tail.shadowed());
        List<List<SequencedHit>> fromTail = tail.size() == 0 ? null : tail.query(request);
        List<List<Candidate>> results = new ArrayList<>(fromVersion.size());
        for (int q = 0; q < fromVersion.size(); q++) {
            List<VersionHit> a = fromVersion.get(q);
            List<SequencedHit> b = fromTail == null ? List.of() : fromTail.get(q);
            List<Candidate> merged = new ArrayList<>(Math.min(request.nResults(), a.size() + b.size()));
            int i = 0;
            int j = 0;
            while ((i < a.size() || j < b.size()) && merged.size() < request.nResults()) {
                Candidate fromA = i < a.size() ? Candidate.of(a.get(i)) : null;
                Candidate fromB = j < b.size() ? Candidate.of(b.get(j)) : null;
                if (fromB == null || (fromA != null && Candidate.compare(fromA, fromB) < 0)) {
                    merged.add(fromA);
                    i++;
                } else {
                    merged.add(fromB);
                    j++;
                }
            }
            results.add(merged);
        }
        return results;
    }

    /**
     * The records of {@code candidates}, in their order: the tail's as they are, the version's loaded (with
     * {@code parts}) in one batch.
     */
    List<Record> load(List<Candidate> candidates, RecordParts parts) {
        List<VersionHit> located = new ArrayList<>();
        for (Candidate c : candidates) {
            if (c.located() != null) {
                located.add(c.located());
            }
        }
        List<Record> fromVersion = located.isEmpty() ? List.of() : version.load(located, parts);
        List<Record> records = new ArrayList<>(candidates.size());
        int v = 0;
        for (Candidate c : candidates) {
            records.add(c.located() != null ? fromVersion.get(v++) : c.record());
        }
        return records;
    }

    /**
     * Every record passing {@code filter} (null: all), each with its insertion sequence, in no particular order:
     * the version's (minus those the tail shadows) and the tail's.
     */
    public List<SequencedRecord> sequencedScan(io.vermilion.filter.Where filter, boolean embeddings) {
        GetRequest all = new GetRequest(null, filter, null, null, 0, embeddings);
        List<SequencedRecord> out = new ArrayList<>();
        if (version != null) {
            out.addAll(version.get(all, tail.shadowed()));
        }
        for (Record record : tail.size() == 0 ? List.<Record>of() : tailReader().get(all)) {
            out.add(new SequencedRecord(tail.sequenceOf(record.id()), record));
        }
        return out;
    }

    /** The BM25 statistics of the version's document text for these terms (empty without a version). */
    TextStatistics versionTextStatistics(List<String> terms) {
        return version == null ? TextStatistics.EMPTY : version.textStatistics(terms);
    }

    /** The version's BM25 top {@code limit} (minus what the tail shadows) under {@code statistics}. */
    List<VersionHit> versionTextSearch(List<String> terms, TextStatistics statistics, int limit,
                                       io.vermilion.filter.Where filter) {
        return version == null ? List.of() : version.locateText(terms, statistics, limit, filter, tail.shadowed());
    }

    /** The log tail's live records in insertion order, with their sequences. */
    List<SequencedRecord> tailRecords() {
        return tail.size() == 0 ? List.of() : tail.sequencedRecords();
    }

    /** A value derived from the log tail this view reads, computed once per key for the tail's state. */
    <T> T tailMemo(Object key, java.util.function.Supplier<T> compute) {
        return tail.memo(key, compute);
    }

    /**
     * The version's exact sparse top-{@code k} for {@code key} and {@code query} (minus what the tail shadows, passing
     * {@code filter}) from its sparse index; null when there is no version or it has no sparse index.
     */
    List<VersionHit> versionSparse(String key, io.vermilion.record.MetadataValue.Sparse query, int k,
            io.vermilion.filter.Where filter) {
        return version == null ? null : version.locateSparse(key, query, k, filter, tail.shadowed());
    }

    /** The version's document frequencies of {@code indices} in {@code key} (minus what the tail shadows), or null. */
    int[] versionSparseFrequencies(String key, int[] indices) {
        return version == null ? null : version.sparseDocumentFrequencies(key, indices, tail.shadowed());
    }

    /** The log tail's records passing {@code filter} (null: all), each with its insertion sequence. */
    List<SequencedRecord> tailScan(io.vermilion.filter.Where filter, boolean embeddings) {
        if (tail.size() == 0) {
            return List.of();
        }
        List<SequencedRecord> out = new ArrayList<>();
        for (Record record : tailReader().get(new GetRequest(null, filter, null, null, 0, embeddings))) {
            out.add(new SequencedRecord(tail.sequenceOf(record.id()), record));
        }
        return out;
    }

    /**
     * The same version without the log tail: Chroma's {@code index_only} read level, which sees only what was
     * compacted (nothing when no version is published). The returned view holds its own reference to the version
     * and must be closed too.
     */
    public CollectionView indexOnly() {
        if (version != null && !version.tryRetain()) {
            throw new IllegalStateException("the view is closed");
        }
        return new CollectionView(version, versionNumber, EMPTY_TAIL);
    }

    /** A view of {@code version} alone (already retained for it), with no log tail. */
    static CollectionView ofVersion(VersionReader version, long versionNumber) {
        return new CollectionView(version, versionNumber, EMPTY_TAIL);
    }

    /** The tail's records for {@code get}: an exact scan of them in insertion order. */
    private ExactCollectionReader tailReader() {
        return new ExactCollectionReader(tail.records());
    }

    /** Gives back the view's reference to the version; later calls do nothing. */
    @Override
    public void close() {
        if (version != null && closed.compareAndSet(false, true)) {
            version.release();
        }
    }
}
