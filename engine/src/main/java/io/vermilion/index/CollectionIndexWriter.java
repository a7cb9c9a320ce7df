package io.vermilion.index;

import io.vermilion.record.MetadataJson;
import io.vermilion.record.MetadataValue;
import io.vermilion.record.Record;
import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.lucene.document.DoublePoint;
import org.apache.lucene.document.BinaryDocValuesField;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.SortedNumericDocValuesField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.SerialMergeScheduler;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.Sort;
import org.apache.lucene.search.SortField;
import org.apache.lucene.store.Directory;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.NumericUtils;

/**
 * Writes a collection's records into a Lucene index laid out as {@link IndexFields} describes, with the vector
 * format, similarity and HNSW parameters of an {@link IndexSchema}; {@link #commit} also records the schema in the
 * commit. Documents are kept sorted by insertion sequence inside every segment. Not thread-safe: one compaction
 * owns a writer; readers open committed points only.
 */
public final class CollectionIndexWriter implements Closeable {

    /**
     * Memory for documents not yet flushed to a segment: an eighth of the heap, between 64 and 512 MiB. Large, so a
     * big build makes few segments (each flush builds a graph that a merge must fold into another again), bounded so
     * a compaction fits a small heap (256 MiB with 2 GiB: about 75,000 documents of 384 dimensions, whose vectors
     * the buffer holds twice, for the graph and the doc values).
     */
    static final double RAM_BUFFER_MB = Math.max(64, Math.min(512, Runtime.getRuntime().maxMemory() / 8 / 1048576.0));

    private final IndexSchema schema;
    private final IndexWriter writer;
    private final MergeThreads threads;
    /** Whether every document of the index carries {@link SparseFields} (false for indexes written before them). */
    private final boolean sparseIndexed;

    private CollectionIndexWriter(IndexSchema schema, IndexWriter writer, MergeThreads threads, boolean sparseIndexed) {
        this.schema = schema;
        this.writer = writer;
        this.threads = threads;
        this.sparseIndexed = sparseIndexed;
    }

    /** Starts a new index in {@code directory}, replacing whatever index was there; merges on the writing thread. */
    public static CollectionIndexWriter create(Directory directory, IndexSchema schema) throws IOException {
        return create(directory, schema, MergeThreads.NONE);
    }

    /** Starts a new index in {@code directory}, replacing whatever index was there; merges graphs on {@code merges}. */
    public static CollectionIndexWriter create(Directory directory, IndexSchema schema, MergeThreads merges)
            throws IOException {
        return open(directory, schema, merges, IndexWriterConfig.OpenMode.CREATE, true);
    }

    /** Opens the committed index in {@code directory} to add, replace and delete records; merges on this thread. */
    public static CollectionIndexWriter append(Directory directory) throws IOException {
        return append(directory, MergeThreads.NONE);
    }

    /** Opens the committed index in {@code directory} to add, replace and delete records, with its own schema. */
    public static CollectionIndexWriter append(Directory directory, MergeThreads merges) throws IOException {
        IndexSchema schema;
        boolean sparse;
        try (DirectoryReader reader = DirectoryReader.open(directory)) {
            schema = IndexSchema.fromCommitData(reader.getIndexCommit().getUserData(),
                    IndexedCollectionReader.where(directory));
            sparse = reader.getIndexCommit().getUserData().containsKey(SparseFields.COMMIT_KEY);
        }
        return open(directory, schema, merges, IndexWriterConfig.OpenMode.APPEND, sparse);
    }

    /** Writes {@code records} (in insertion order; sequence = position) as a new, committed index. */
    public static void write(Directory directory, IndexSchema schema, List<Record> records) throws IOException {
        try (CollectionIndexWriter writer = create(directory, schema)) {
            for (int i = 0; i < records.size(); i++) {
                writer.add(records.get(i), i);
            }
            writer.commit();
        }
    }

    private static CollectionIndexWriter open(Directory directory, IndexSchema schema, MergeThreads merges,
                                              IndexWriterConfig.OpenMode mode, boolean sparse) throws IOException {
        IndexWriterConfig config = new IndexWriterConfig(IndexFields.analyzer())
                .setOpenMode(mode)
                .setCodec(schema.codec(merges))
                .setIndexSort(new Sort(new SortField(IndexFields.SEQ, SortField.Type.LONG)))
                .setRAMBufferSizeMB(RAM_BUFFER_MB)
                // Merges run on the thread that needs them (an adder, or the one forcing a merge) and fold graphs on
                // the merge threads: no background merge thread computes beside the writer's threads.
                .setMergeScheduler(new SerialMergeScheduler())
                .setCommitOnClose(false)
                // No compound files: a version opened lazily prefetches each file's header and footer at once, which
                // it cannot do for files packed inside a compound file (they were read one ranged read at a time).
                .setUseCompoundFile(false)
                .setMergePolicy(separateFiles());
        return new CollectionIndexWriter(schema, new IndexWriter(directory, config), merges, sparse);
    }

    private static org.apache.lucene.index.TieredMergePolicy separateFiles() {
        org.apache.lucene.index.TieredMergePolicy policy = new org.apache.lucene.index.TieredMergePolicy();
        policy.setNoCFSRatio(0.0);
        return policy;
    }

    public IndexSchema schema() {
        return schema;
    }

    /**
     * Adds records whose ids are not in the index yet, split over the writer's {@link MergeThreads} (this thread takes
     * one part, the pool the others, so at most {@code workers} threads add at once), each with
     * {@code sequence.applyAsLong(record)} as its sequence. Without a pool, adds on this thread.
     */
    public void addAll(List<Record> records, java.util.function.ToLongFunction<Record> sequence) throws IOException {
        split(records, sequence, false);
    }

    /**
     * Adds each record, replacing any record with its id, split over the writer's {@link MergeThreads} as
     * {@link #addAll} does; the records' ids must be distinct.
     */
    public void upsertAll(List<Record> records, java.util.function.ToLongFunction<Record> sequence) throws IOException {
        split(records, sequence, true);
    }

    private void split(List<Record> records, java.util.function.ToLongFunction<Record> sequence, boolean replace)
            throws IOException {
        int parts = Math.max(1, Math.min(threads.workers(), records.size() / 1_000 + 1));
        List<java.util.concurrent.Future<?>> forked = new ArrayList<>();
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        for (int p = 1; p < parts; p++) {
            List<Record> part = records.subList(records.size() * p / parts, records.size() * (p + 1) / parts);
            forked.add(threads.executor().submit(() -> addPart(part, sequence, replace, failure)));
        }
        addPart(records.subList(0, records.size() / parts), sequence, replace, failure);
        for (java.util.concurrent.Future<?> part : forked) {
            try {
                part.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while adding records");
            } catch (java.util.concurrent.ExecutionException e) {
                failure.compareAndSet(null, e.getCause());
            }
        }
        rethrow(failure.get());
    }

    private void addPart(List<Record> part, java.util.function.ToLongFunction<Record> sequence, boolean replace,
                         java.util.concurrent.atomic.AtomicReference<Throwable> failure) {
        try {
            for (Record record : part) {
                if (failure.get() != null) {
                    return;
                }
                if (replace) {
                    upsert(record, sequence.applyAsLong(record));
                } else {
                    add(record, sequence.applyAsLong(record));
                }
            }
        } catch (Throwable t) {
            failure.compareAndSet(null, t);
        }
    }

    private static void rethrow(Throwable t) throws IOException {
        if (t instanceof IOException e) {
            throw e;
        } else if (t instanceof RuntimeException e) {
            throw e;
        } else if (t != null) {
            throw new IllegalStateException("adding records failed", t);
        }
    }

    /**
     * Adds records whose ids are not in the index yet from {@code threads} threads at once (each builds its own
     * segments' graphs), each with {@code sequence.applyAsLong(record)} as its sequence. The order of adds does not
     * matter: segments are sorted by sequence.
     */
    public void addAll(List<Record> records, java.util.function.ToLongFunction<Record> sequence, int threads)
            throws IOException {
        int parts = Math.max(1, Math.min(threads, records.size() / 1_000 + 1));
        if (parts == 1) {
            for (Record record : records) {
                add(record, sequence.applyAsLong(record));
            }
            return;
        }
        List<Thread> adders = new ArrayList<>();
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        for (int p = 0; p < parts; p++) {
            List<Record> part = records.subList(records.size() * p / parts, records.size() * (p + 1) / parts);
            adders.add(Thread.ofPlatform().name("vermilion-index-add-" + p).start(() -> {
                try {
                    for (Record record : part) {
                        if (failure.get() != null) {
                            return;
                        }
                        add(record, sequence.applyAsLong(record));
                    }
                } catch (Throwable t) {
                    failure.compareAndSet(null, t);
                }
            }));
        }
        for (Thread adder : adders) {
            try {
                adder.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while adding records");
            }
        }
        Throwable t = failure.get();
        if (t instanceof IOException e) {
            throw e;
        } else if (t instanceof RuntimeException e) {
            throw e;
        } else if (t != null) {
            throw new IllegalStateException("adding records failed", t);
        }
    }

    /** Adds a record whose id is not in the index yet; {@code sequence} orders {@code get} results. */
    public void add(Record record, long sequence) throws IOException {
        writer.addDocument(document(record, sequence));
    }

    /** Adds {@code record}, replacing any record with its id (the caller passes the position it keeps). */
    public void upsert(Record record, long sequence) throws IOException {
        writer.updateDocument(idTerm(record.id()), document(record, sequence));
    }

    public void delete(String id) throws IOException {
        writer.deleteDocuments(idTerm(id));
    }

    /** Makes everything written so far durable and visible to newly opened readers, with the schema. */
    public void commit() throws IOException {
        Map<String, String> data = new java.util.LinkedHashMap<>(schema.toCommitData());
        if (sparseIndexed) {
            data.put(SparseFields.COMMIT_KEY, "1");
        }
        writer.setLiveCommitData(data.entrySet());
        writer.commit();
    }

    /** Merges down to one segment (a single HNSW graph searches fastest); call before the final commit. */
    public void forceMerge() throws IOException {
        writer.forceMerge(1);
    }

    /**
     * Merges down to at most {@code maxSegments} segments (nothing to do if there are no more); each merge folds
     * the smaller graphs into the largest one, so merging to several segments costs less than merging to one.
     */
    public void mergeTo(int maxSegments) throws IOException {
        writer.forceMerge(maxSegments);
    }

    /**
     * Folds the smallest segments into one so that at most {@code maxSegments} remain, leaving the largest
     * {@code maxSegments - 1} as they are ({@link FoldSmallest}); nothing to do if there are no more. Call before a
     * commit.
     */
    public void foldSmallest(int maxSegments) throws IOException {
        if (maxSegments < 1) {
            throw new IllegalArgumentException("at least one segment: " + maxSegments);
        }
        org.apache.lucene.index.MergePolicy natural = writer.getConfig().getMergePolicy();
        writer.getConfig().setMergePolicy(new FoldSmallest(natural));
        try {
            writer.forceMerge(maxSegments);
        } finally {
            writer.getConfig().setMergePolicy(natural);
        }
    }

    /**
     * Turns off the merges Lucene would run as segments accumulate (until this writer closes): an update then costs
     * its adds only, and folding the segments it appends is left to a later {@link #foldSmallest}.
     */
    public void deferMerges() {
        writer.getConfig().setMergePolicy(org.apache.lucene.index.NoMergePolicy.INSTANCE);
    }

    /** Writes the documents added so far as a segment of their own (a build cuts its segments with it). */
    public void flush() throws IOException {
        writer.flush();
    }

    /** Closes without committing what was written since the last {@link #commit}. */
    @Override
    public void close() throws IOException {
        writer.rollback();
    }

    /** Ids with unpaired surrogates or over the raw-term limit are hashed (SHA-256), so a delete by id is by hash. */
    private static Term idTerm(String id) {
        return new Term(IndexFields.ID, IndexFields.stringTerm(id));
    }

    private List<Field> document(Record record, long sequence) {
        Objects.requireNonNull(record.id(), "id");
        List<Field> doc = new ArrayList<>();
        doc.add(new StringField(IndexFields.ID, IndexFields.stringTerm(record.id()), Field.Store.NO));
        doc.add(new StoredField(IndexFields.ID, IndexFields.storedString(record.id())));
        doc.add(new NumericDocValuesField(IndexFields.SEQ, sequence));
        if (record.embedding() != null) {
            doc.add(new KnnFloatVectorField(IndexFields.VECTOR, schema.indexedVector(record.embedding()), schema.similarity()));
            // Doc values, not a stored field: loading a record's other fields never decompresses embeddings.
            doc.add(new BinaryDocValuesField(IndexFields.EMBEDDING, IndexFields.storedVector(record.embedding())));
        }
        if (record.metadata() != null) {
            doc.add(new StoredField(IndexFields.METADATA, IndexFields.storedString(MetadataJson.encode(record.metadata()))));
        }
        if (record.document() != null) {
            String text = record.document();
            doc.add(new StoredField(IndexFields.DOCUMENT, IndexFields.storedString(text)));
            doc.add(new TextField(IndexFields.TEXT, text, Field.Store.NO));
            doc.add(new Field(IndexFields.GRAMS3, text, IndexFields.GRAMS3_TYPE));
            doc.add(new Field(IndexFields.GRAMS12, text, IndexFields.GRAMS12_TYPE));
        }
        if (record.uri() != null) {
            doc.add(new StoredField(IndexFields.URI, IndexFields.storedString(record.uri())));
        }
        for (Map.Entry<String, MetadataValue> entry : IndexFields.whereView(record).entrySet()) {
            String key = entry.getKey();
            doc.add(new StringField(IndexFields.KEYS, IndexFields.stringTerm(key), Field.Store.NO));
            switch (entry.getValue()) {
                case MetadataValue.Str s -> doc.add(new StringField(IndexFields.keywordField(key), IndexFields.stringTerm(s.value()), Field.Store.NO));
                case MetadataValue.Bool b -> doc.add(new StringField(IndexFields.keywordField(key), IndexFields.boolTerm(b.value()), Field.Store.NO));
                case MetadataValue.Int i -> {
                    doc.add(new LongPoint(IndexFields.intField(key), i.value()));
                    doc.add(new SortedNumericDocValuesField(IndexFields.intField(key), i.value()));
                }
                case MetadataValue.Flt f -> {
                    // NaN equals and orders against nothing, so it is left out: every comparison misses it and
                    // the negations (complements) still include it.
                    if (!Double.isNaN(f.value())) {
                        doc.add(new DoublePoint(IndexFields.floatField(key), f.value()));
                        doc.add(new SortedNumericDocValuesField(IndexFields.floatField(key), NumericUtils.doubleToSortableLong(f.value())));
                    }
                }
                case MetadataValue.Array array -> {
                    for (MetadataValue element : array.elements()) {
                        BytesRef term = IndexFields.elementTerm(element);
                        if (term != null) {
                            doc.add(new StringField(IndexFields.arrayField(key), term, Field.Store.NO));
                        }
                    }
                }
                // No filter matches a sparse vector; $knn runs over its impacts (SparseIndexQuery).
                case MetadataValue.Sparse sparse -> SparseFields.addTo(doc, key, sparse);
            }
        }
        return doc;
    }

}
