package io.vermilion.model;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

import io.vermilion.blockstore.SequencedRecord;
import io.vermilion.filter.Where;

/**
 * The compacted part of a collection as the query executor reads it (a published version's index), with every
 * record's insertion sequence so results merge with the log tail's. Ids in {@code hidden} are treated as absent:
 * the tail holds their current state. Reference-counted, because a version stays open while requests still read
 * it after a newer one was published. Thread-safe.
 */
public interface VersionReader {

    /** The number of records in the version. */
    int count();

    /** As {@link CollectionReader#get}, over the version minus {@code hidden}, with sequences. */
    List<SequencedRecord> get(GetRequest request, Set<String> hidden);

    /** As {@link CollectionReader#query}, over the version minus {@code hidden}, with sequences. */
    List<List<SequencedHit>> query(QueryRequest request, Set<String> hidden);

    /**
     * The exact sparse {@code $knn} over the version minus {@code hidden}: the best {@code k} records passing
     * {@code where} whose sparse vector in metadata {@code key} shares an index with {@code query}, by
     * {@code 1 − query·vector} then sequence; null when this version has no sparse index (callers scan instead).
     */
    default List<SequencedHit> sparseQuery(String key, io.vermilion.record.MetadataValue.Sparse query, int k,
            io.vermilion.filter.Where where, Set<String> hidden, boolean embeddings) {
        return null;
    }

    /**
     * For each of {@code indices}, how many records of the version minus {@code hidden} have it in their sparse
     * vector in {@code key}; null when this version has no sparse index.
     */
    default int[] sparseDocumentFrequencies(String key, int[] indices, Set<String> hidden) {
        return null;
    }

    /** The BM25 statistics of the version's document text for these analyzed terms. */
    TextStatistics textStatistics(List<String> terms);

    /**
     * The {@code limit} records passing {@code filter} (null: all) minus {@code hidden} whose document has one of the
     * analyzed {@code terms}, best BM25 under {@code statistics} first, each hit's distance the negated score.
     */
    List<SequencedHit> textSearch(List<String> terms, TextStatistics statistics, int limit, Where filter,
                                  Set<String> hidden, boolean embeddings);

    /**
     * As {@link #query} without loading records: each query's hits as found in the version (nearest first, ties by
     * sequence), to be loaded with {@link #load} while the reader is retained.
     */
    List<List<VersionHit>> locate(QueryRequest request, Set<String> hidden);

    /** As {@link #sparseQuery} without loading records; null when this version has no sparse index. */
    default List<VersionHit> locateSparse(String key, io.vermilion.record.MetadataValue.Sparse query, int k,
            Where where, Set<String> hidden) {
        return null;
    }

    /** As {@link #textSearch} without loading records. */
    List<VersionHit> locateText(List<String> terms, TextStatistics statistics, int limit, Where filter,
                                Set<String> hidden);

    /** The records of {@code hits} (found by this reader) with the given {@code parts}, in the order of {@code hits}. */
    List<io.vermilion.record.Record> load(List<VersionHit> hits, RecordParts parts);

    /** The version's records with these ids (absent ids are left out). */
    Map<String, SequencedRecord> lookup(Collection<String> ids);

    /**
     * Bytes of the version's files a search reads (vectors it scores and the graph), which stay resident while the
     * version is open and read: what holding it costs beyond the heap. An estimate; 0 if nothing is memory-mapped.
     */
    default long searchBytes() {
        return 0;
    }

    /**
     * Whether this reader reads its version through object-storage pages (opened lazily while the version's files
     * were not local) rather than from local, memory-mapped files.
     */
    default boolean paged() {
        return false;
    }

    /**
     * For a {@linkplain #paged() paged} reader: completes with true once the version's background download has
     * checked out and its files are local (opening the version again now maps them), with false if the download
     * failed (this reader keeps serving from the store); never while no download runs. For a reader over local
     * files: false at once.
     */
    default java.util.concurrent.CompletionStage<Boolean> localCopy() {
        return java.util.concurrent.CompletableFuture.completedFuture(false);
    }

    /** Takes a reference; false if the reader is already closed. */
    boolean tryRetain();

    /** Gives a reference back; the last one closes the reader. */
    void release();
}
