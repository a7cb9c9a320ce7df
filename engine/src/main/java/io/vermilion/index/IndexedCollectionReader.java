package io.vermilion.index;

import io.vermilion.blockstore.SequencedRecord;
import io.vermilion.filter.Where;
import io.vermilion.model.CollectionReader;
import io.vermilion.model.GetRequest;
import io.vermilion.model.QueryHit;
import io.vermilion.model.QueryRequest;
import io.vermilion.model.RecordParts;
import io.vermilion.model.SequencedHit;
import io.vermilion.model.TextStatistics;
import io.vermilion.model.VectorQuantization;
import io.vermilion.model.VersionHit;
import io.vermilion.model.VersionReader;
import io.vermilion.record.Record;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FieldInfo;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.KnnVectorValues;
import org.apache.lucene.index.LeafReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.FieldExistsQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.Weight;
import org.apache.lucene.store.Directory;
import org.apache.lucene.util.BitSetIterator;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.FixedBitSet;

/**
 * A {@link CollectionReader} over one committed collection index: filters run as Lucene queries
 * ({@link FilterTranslator}, exact after verification), {@code get} pages in insertion-sequence order, and
 * {@code query} is filtered kNN over the HNSW graph whose hits are re-scored with the exact float32 distance from
 * the raw vectors — so distances equal {@link io.vermilion.executor.ExactCollectionReader}'s bit for bit, and results
 * equal it whenever the filter leaves at most {@code max(n_results, ef, exactSearchThreshold)} vectors. Records are
 * hydrated from stored fields and (embeddings) binary doc values. Over a version not local yet (lazily opened, with
 * cold-search sketches) kNN queries instead score exactly the candidates the sketches pick ({@link ColdSearch}).
 * Thread-safe; owns its reader.
 */
public final class IndexedCollectionReader implements CollectionReader, VersionReader, Closeable {

    private static final Comparator<Hit> BY_DISTANCE_THEN_SEQUENCE =
            Comparator.<Hit>comparingDouble(h -> h.distance + 0.0f).thenComparingLong(h -> h.sequence);

    private final DirectoryReader reader;
    private final IndexSearcher searcher;
    private final IndexSchema schema;
    private final SearchParameters parameters;
    private final int dimension;
    private final boolean sparseIndexed;
    private final SparseTermMaxima sparseMaxima;
    private final long searchBytes;
    /** Set for a reader over a version that is not local yet: kNN queries read sketches meanwhile. */
    private volatile ColdSearch coldSearch;
    /** For a reader over object-storage pages: whether the version became local ({@link #localCopy}); else null. */
    private volatile java.util.concurrent.CompletionStage<Boolean> localCopy;

    /** Takes ownership of {@code reader}, which must be a commit written by {@link CollectionIndexWriter}. */
    public IndexedCollectionReader(DirectoryReader reader, SearchParameters parameters) throws IOException {
        this.reader = Objects.requireNonNull(reader, "reader");
        this.parameters = Objects.requireNonNull(parameters, "parameters");
        this.schema = IndexSchema.fromCommitData(reader.getIndexCommit().getUserData(), where(reader.directory()));
        this.searcher = new IndexSearcher(reader);
        searcher.setQueryCache(null); // filters carry per-request verifiers; caching is done per request instead
        int dim = -1;
        for (LeafReaderContext leaf : reader.leaves()) {
            FieldInfo info = leaf.reader().getFieldInfos().fieldInfo(IndexFields.VECTOR);
            if (info != null && info.hasVectorValues()) {
                dim = info.getVectorDimension();
            }
        }
        this.dimension = dim;
        this.sparseIndexed = reader.getIndexCommit().getUserData().containsKey(SparseFields.COMMIT_KEY);
        this.sparseMaxima = new SparseTermMaxima(reader);
        this.searchBytes = searchBytes(reader, schema, parameters, dim);
    }

    /**
     * What a search reads, per live vector: the float32 vector (every one when the collection is small enough to be
     * scanned exactly, which is also how an int8 collection that small is searched), else for int8 the quantized
     * vector and its correction; plus the graph, about {@code 2 × max_neighbors} two-byte neighbour deltas.
     */
    private static long searchBytes(DirectoryReader reader, IndexSchema schema, SearchParameters parameters, int dim) {
        if (dim < 0) {
            return 0;
        }
        long vectors = reader.numDocs();
        boolean scanned = vectors <= parameters.exactSearchThreshold();
        long perVector = schema.quantization() == VectorQuantization.INT8 && !scanned ? dim + 8L : 4L * dim;
        long graph = scanned ? 0 : 4L * schema.maxNeighbors();
        return vectors * (perVector + graph);
    }

    /** Names an index folder in errors: its path, else the directory's description. */
    static String where(Directory directory) {
        return org.apache.lucene.store.FilterDirectory.unwrap(directory) instanceof org.apache.lucene.store.FSDirectory fs
                ? fs.getDirectory().toString()
                : directory.toString();
    }

    /** Opens the latest commit in {@code directory}. */
    public static IndexedCollectionReader open(Directory directory, SearchParameters parameters) throws IOException {
        return new IndexedCollectionReader(DirectoryReader.open(directory), parameters);
    }

    public IndexSchema schema() {
        return schema;
    }

    /** Answers kNN queries from {@code cold}'s sketches while it is active (the version is not local yet). */
    void coldSearch(ColdSearch cold) {
        this.coldSearch = cold;
    }

    /** Marks this reader as reading object-storage pages; {@code local} completes as {@link #localCopy} says. */
    void paged(java.util.concurrent.CompletionStage<Boolean> local) {
        this.localCopy = Objects.requireNonNull(local, "local");
    }

    @Override
    public boolean paged() {
        return localCopy != null;
    }

    @Override
    public java.util.concurrent.CompletionStage<Boolean> localCopy() {
        java.util.concurrent.CompletionStage<Boolean> local = localCopy;
        return local == null ? java.util.concurrent.CompletableFuture.completedFuture(false) : local;
    }

    /** Query vectors answered from cold-search sketches (while the version was not local) by this reader. */
    public long coldQueries() {
        ColdSearch cold = coldSearch;
        return cold == null ? 0 : cold.answeredQueries();
    }

    @Override
    public int count() {
        return reader.numDocs();
    }

    @Override
    public List<Record> get(GetRequest request) {
        List<SequencedRecord> found = get(request, Set.of());
        List<Record> records = new ArrayList<>(found.size());
        for (SequencedRecord record : found) {
            records.add(record.record());
        }
        return records;
    }

    @Override
    public List<SequencedRecord> get(GetRequest request, Set<String> hidden) {
        if (request.limit() != null && request.limit() == 0) {
            return List.of();
        }
        try {
            Query filter = filterQuery(FilterTranslator.translate(request.ids(), request.where(), request.whereDocument()), false, hidden);
            long wanted = request.limit() == null ? Long.MAX_VALUE : (long) request.offset() + request.limit();
            // Inside a segment documents are sorted by sequence, so each segment contributes its first `wanted`.
            List<Hit> matches = new ArrayList<>();
            Weight weight = searcher.createWeight(filter, ScoreMode.COMPLETE_NO_SCORES, 1f);
            for (LeafReaderContext leaf : reader.leaves()) {
                Scorer scorer = weight.scorer(leaf);
                if (scorer == null) {
                    continue;
                }
                Bits live = leaf.reader().getLiveDocs();
                NumericDocValues sequences = leaf.reader().getNumericDocValues(IndexFields.SEQ);
                DocIdSetIterator it = scorer.iterator();
                long taken = 0;
                for (int doc = it.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS && taken < wanted; doc = it.nextDoc()) {
                    if (live == null || live.get(doc)) {
                        matches.add(new Hit(leaf.ord, doc, sequence(sequences, doc), 0f));
                        taken++;
                    }
                }
            }
            matches.sort(Comparator.comparingLong(h -> h.sequence));
            int from = (int) Math.min(request.offset(), matches.size());
            int to = (int) Math.min(wanted, matches.size());
            List<SequencedRecord> records = new ArrayList<>(Math.max(0, to - from));
            Hydrator hydrator = new Hydrator(RecordParts.all(request.embeddings()));
            for (Hit hit : matches.subList(from, to)) {
                records.add(new SequencedRecord(hit.sequence, hydrator.load(hit.leaf, hit.doc)));
            }
            return records;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public List<List<QueryHit>> query(QueryRequest request) {
        List<List<QueryHit>> results = new ArrayList<>(request.queries().size());
        for (List<SequencedHit> hits : query(request, Set.of())) {
            List<QueryHit> plain = new ArrayList<>(hits.size());
            for (SequencedHit hit : hits) {
                plain.add(hit.hit());
            }
            results.add(plain);
        }
        return results;
    }

    @Override
    public Map<String, SequencedRecord> lookup(Collection<String> ids) {
        Map<String, SequencedRecord> found = new LinkedHashMap<>();
        if (ids.isEmpty()) {
            return found;
        }
        for (SequencedRecord record : get(new GetRequest(List.copyOf(ids), null, null, null, 0), Set.of())) {
            found.put(record.id(), record);
        }
        return found;
    }

    @Override
    public long searchBytes() {
        return searchBytes;
    }

    /** References to this reader (its owner's and each retain's); 0 once closed. */
    public int references() {
        return reader.getRefCount();
    }

    @Override
    public boolean tryRetain() {
        return reader.tryIncRef();
    }

    @Override
    public void release() {
        try {
            reader.decRef();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public List<List<SequencedHit>> query(QueryRequest request, Set<String> hidden) {
        List<List<VersionHit>> located = locate(request, hidden);
        List<List<SequencedHit>> results = new ArrayList<>(located.size());
        RecordParts parts = RecordParts.all(request.embeddings());
        for (List<VersionHit> hits : located) {
            results.add(loaded(hits, parts));
        }
        return results;
    }

    @Override
    public List<List<VersionHit>> locate(QueryRequest request, Set<String> hidden) {
        if (request.distance() != schema.space()) {
            throw new IllegalArgumentException("index built for space " + schema.space().wireName()
                    + ", request asks for " + request.distance().wireName());
        }
        List<List<VersionHit>> results = new ArrayList<>(request.queries().size());
        boolean nothing = request.nResults() == 0 || (request.ids() != null && request.ids().isEmpty()) || dimension < 0;
        try {
            Accepted accepted = nothing ? null : accepted(request, hidden);
            for (float[] query : request.queries()) {
                if (accepted == null || accepted.total == 0) {
                    results.add(List.of());
                    continue;
                }
                if (query.length != dimension) {
                    throw new IllegalArgumentException("dimension mismatch: " + query.length + " vs " + dimension);
                }
                ColdSearch cold = coldSearch;
                List<Hit> best = cold != null && cold.active() ? coldNearest(query, request.nResults(), accepted, cold)
                        : null;
                boolean fromSketches = best != null;
                if (best == null) {
                    best = nearest(query, request.nResults(),
                            request.efSearch() > 0 ? request.efSearch() : parameters.efSearch(), accepted);
                }
                List<VersionHit> hits = new ArrayList<>(best.size());
                for (Hit hit : best) {
                    hits.add(new VersionHit(hit.leaf, hit.doc, hit.sequence, hit.distance));
                }
                if (fromSketches) {
                    cold.answered(); // after the candidates' vectors; the hits' records load after this
                }
                results.add(hits);
            }
            return results;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code hits} with their records loaded. */
    private List<SequencedHit> loaded(List<VersionHit> hits, RecordParts parts) {
        List<Record> records = load(hits, parts);
        List<SequencedHit> out = new ArrayList<>(hits.size());
        for (int i = 0; i < hits.size(); i++) {
            out.add(new SequencedHit(new QueryHit(records.get(i), hits.get(i).distance()), hits.get(i).sequence()));
        }
        return out;
    }

    /**
     * Loads in document order (so neighbouring documents share a decompressed stored-fields block) and answers in
     * the order of {@code hits}.
     */
    @Override
    public List<Record> load(List<VersionHit> hits, RecordParts parts) {
        if (hits.isEmpty()) {
            return List.of();
        }
        Integer[] order = new Integer[hits.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, Comparator.<Integer>comparingInt(i -> hits.get(i).leaf())
                .thenComparingInt(i -> hits.get(i).doc()));
        Record[] records = new Record[hits.size()];
        Hydrator hydrator = new Hydrator(parts);
        try {
            for (int i : order) {
                records[i] = hydrator.load(hits.get(i).leaf(), hits.get(i).doc());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Arrays.asList(records);
    }

    /**
     * The exact sparse {@code $knn} over the index ({@link SparseIndexQuery}): the best {@code k} records passing
     * {@code where} and not in {@code hidden} whose vector in {@code key} shares an index with {@code query}, scored
     * {@code 1 − query·vector}; null when the index was written without sparse fields (the caller scans instead).
     */
    @Override
    public List<SequencedHit> sparseQuery(String key, io.vermilion.record.MetadataValue.Sparse query, int k,
            io.vermilion.filter.Where where, Set<String> hidden, boolean embeddings) {
        List<VersionHit> located = locateSparse(key, query, k, where, hidden);
        return located == null ? null : loaded(located, RecordParts.all(embeddings));
    }

    @Override
    public List<VersionHit> locateSparse(String key, io.vermilion.record.MetadataValue.Sparse query, int k,
            io.vermilion.filter.Where where, Set<String> hidden) {
        if (!sparseIndexed) {
            return null;
        }
        try {
            Query filter = filterQuery(FilterTranslator.translate(null, where, null), false, hidden);
            if (filter instanceof MatchNoDocsQuery) {
                return List.of();
            }
            List<VersionHit> hits = new ArrayList<>();
            for (SparseIndexQuery.Scored s : SparseIndexQuery.nearest(searcher, sparseMaxima, key, query, k,
                    filter)) {
                hits.add(new VersionHit(s.leaf(), s.doc(), s.sequence(), s.score()));
            }
            return hits;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Live records not in {@code hidden} whose vector in {@code key} has each of {@code indices} (document
     * frequencies, in order); null when the index was written without sparse fields.
     */
    @Override
    public int[] sparseDocumentFrequencies(String key, int[] indices, Set<String> hidden) {
        if (!sparseIndexed) {
            return null;
        }
        try {
            Query filter = filterQuery(FilterTranslator.translate(null, null, null), false, hidden);
            int[] counts = new int[indices.length];
            for (int i = 0; i < indices.length; i++) {
                counts[i] = SparseIndexQuery.documentFrequency(searcher, key, indices[i], filter);
            }
            return counts;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public TextStatistics textStatistics(List<String> terms) {
        try {
            return DocumentTextSearch.statistics(reader, terms);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public List<SequencedHit> textSearch(List<String> terms, TextStatistics statistics, int limit, Where filter,
                                         Set<String> hidden, boolean embeddings) {
        return loaded(locateText(terms, statistics, limit, filter, hidden), RecordParts.all(embeddings));
    }

    @Override
    public List<VersionHit> locateText(List<String> terms, TextStatistics statistics, int limit, Where filter,
                                       Set<String> hidden) {
        if (limit == 0 || terms.isEmpty()) {
            return List.of();
        }
        try {
            Query restrict = filter == null && hidden.isEmpty() ? null
                    : filterQuery(FilterTranslator.translate(null, filter, null), false, hidden);
            List<VersionHit> hits = new ArrayList<>();
            for (DocumentTextSearch.Found found : DocumentTextSearch.top(reader, terms, statistics, restrict, limit)) {
                hits.add(new VersionHit(found.leaf(), found.doc(), found.sequence(), -found.score()));
            }
            return hits;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        reader.close();
    }

    /** Runs {@code action} once the underlying reader has closed (its last reference was released). */
    public void onClose(Runnable action) {
        reader.getReaderCacheHelper().addClosedListener(key -> action.run());
    }

    // ---- query internals ----

    /** The live documents with a vector that pass the request's filters: per segment (null = all), and in total. */
    private record Accepted(FixedBitSet[] bits, int[] counts, long total, Query knnFilter) {}

    private Accepted accepted(QueryRequest request, Set<String> hidden) throws IOException {
        List<LeafReaderContext> leaves = reader.leaves();
        boolean filtered = request.ids() != null || request.where() != null || request.whereDocument() != null
                || !hidden.isEmpty();
        if (!filtered) {
            long total = 0;
            for (LeafReaderContext leaf : leaves) {
                FloatVectorValues values = leaf.reader().getFloatVectorValues(IndexFields.VECTOR);
                if (values != null) {
                    total += leaf.reader().hasDeletions() ? liveVectorCount(leaf.reader(), values) : values.size();
                }
            }
            return new Accepted(null, null, total, null);
        }
        Query filter = filterQuery(FilterTranslator.translate(request.ids(), request.where(), request.whereDocument()), true, hidden);
        Weight weight = searcher.createWeight(filter, ScoreMode.COMPLETE_NO_SCORES, 1f);
        FixedBitSet[] bits = new FixedBitSet[leaves.size()];
        int[] counts = new int[leaves.size()];
        long total = 0;
        for (LeafReaderContext leaf : leaves) {
            Scorer scorer = weight.scorer(leaf);
            if (scorer == null) {
                continue;
            }
            Bits live = leaf.reader().getLiveDocs();
            FixedBitSet set = new FixedBitSet(leaf.reader().maxDoc());
            DocIdSetIterator it = scorer.iterator();
            for (int doc = it.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = it.nextDoc()) {
                if (live == null || live.get(doc)) {
                    set.set(doc);
                }
            }
            bits[leaf.ord] = set;
            counts[leaf.ord] = set.cardinality();
            total += counts[leaf.ord];
        }
        return new Accepted(bits, counts, total, new LeafBitSetQuery(reader, bits, counts));
    }

    private static long liveVectorCount(LeafReader leaf, FloatVectorValues values) throws IOException {
        Bits live = leaf.getLiveDocs();
        long n = 0;
        KnnVectorValues.DocIndexIterator it = values.iterator();
        for (int doc = it.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = it.nextDoc()) {
            if (live.get(doc)) {
                n++;
            }
        }
        return n;
    }

    /** The nearest {@code n} accepted documents by exact distance, then sequence. */
    private List<Hit> nearest(float[] query, int n, int efSearch, Accepted accepted) throws IOException {
        float[] prepared = schema.preparedQuery(query);
        int candidates = Math.max(efSearch, n);
        // int8: the graph walk scores quantized vectors; only the best n × oversample of its candidates are re-ranked
        // with the float32 vectors, so a query reads few float32 pages and the hot set is the quantized copy.
        int rerank = candidates;
        if (schema.quantization() == VectorQuantization.INT8) {
            rerank = (int) Math.min(Integer.MAX_VALUE, (long) Math.ceil(n * (double) parameters.quantizedOversample()));
            candidates = Math.max(candidates, rerank);
        }
        if (accepted.total <= Math.max(candidates, parameters.exactSearchThreshold())) {
            return exhaustive(prepared, n, accepted);
        }
        KnnFloatVectorQuery knn = new KnnFloatVectorQuery(IndexFields.VECTOR, schema.searchVector(query), candidates, accepted.knnFilter);
        ScoreDoc[] found = searcher.search(knn, candidates).scoreDocs; // best quantized / approximate score first
        if (found.length > rerank) {
            found = Arrays.copyOf(found, rerank);
        }
        int[] docs = new int[found.length];
        for (int i = 0; i < found.length; i++) {
            docs[i] = found[i].doc;
        }
        Arrays.sort(docs);
        List<Hit> hits = new ArrayList<>(docs.length);
        List<LeafReaderContext> leaves = reader.leaves();
        int i = 0;
        while (i < docs.length) {
            LeafReaderContext leaf = leaves.get(ReaderUtil.subIndex(docs[i], leaves));
            int end = leaf.docBase + leaf.reader().maxDoc();
            LeafScorer scorer = new LeafScorer(leaf, prepared);
            for (; i < docs.length && docs[i] < end; i++) {
                hits.add(scorer.score(docs[i] - leaf.docBase));
            }
        }
        hits.sort(BY_DISTANCE_THEN_SEQUENCE);
        return hits.size() > n ? hits.subList(0, n) : hits;
    }

    /**
     * The nearest {@code n} accepted documents among each segment's sketch candidates ({@link ColdSearch}) by exact
     * distance, then sequence: every candidate's vector is fetched at once (one round trip, not one per vector), and
     * only the best are looked up for their sequence. Exact whenever the accepted vectors are no more than the
     * candidates, and whenever the version has no more vectors than the exact-search threshold (then all are
     * scored). Null when a segment with vectors has no usable sketch (then the graph is searched).
     */
    private List<Hit> coldNearest(float[] query, int n, Accepted accepted, ColdSearch cold) throws IOException {
        float[] prepared = schema.preparedQuery(query);
        float[] searched = schema.searchVector(query);
        int k = cold.candidates(n);
        List<LeafReaderContext> leaves = reader.leaves();
        FloatVectorValues[] values = new FloatVectorValues[leaves.size()];
        for (LeafReaderContext leaf : leaves) {
            FloatVectorValues vectors = leaf.reader().getFloatVectorValues(IndexFields.VECTOR);
            if (vectors != null && vectors.size() > 0 && (accepted.bits == null || accepted.bits[leaf.ord] != null)) {
                values[leaf.ord] = vectors;
            }
        }
        long vectorCount = 0;
        for (FloatVectorValues vectors : values) {
            vectorCount += vectors == null ? 0 : vectors.size();
        }
        if (vectorCount <= parameters.exactSearchThreshold()) {
            // As the graph path scans a collection this small exactly, so does the cold path: every vector is a
            // candidate (its vectors take about as many pages as the candidates' would).
            k = (int) Math.max(k, vectorCount);
        }
        ColdSketch.Candidates[] found = sketchCandidates(leaves, values, searched, k, accepted, cold);
        if (found == null) {
            return null;
        }
        // The k best estimates of all segments together: sketches share one scale, so a small segment does not take
        // as many exact reads as a large one (each candidate is a ranged read while the version is not local).
        int[][] candidates = ColdSketch.best(found, k);
        for (LeafReaderContext leaf : leaves) {
            if (values[leaf.ord] != null) {
                values[leaf.ord].prefetch(candidates[leaf.ord], candidates[leaf.ord].length);
            }
        }
        List<Hit> scored = new ArrayList<>();
        for (LeafReaderContext leaf : leaves) {
            FloatVectorValues vectors = values[leaf.ord];
            if (vectors == null) {
                continue;
            }
            for (int ord : candidates[leaf.ord]) {
                float distance = schema.exactDistance(prepared, vectors.vectorValue(ord));
                scored.add(new Hit(leaf.ord, vectors.ordToDoc(ord), -1, distance));
            }
        }
        if (scored.isEmpty()) {
            return List.of();
        }
        scored.sort(Comparator.<Hit>comparingDouble(h -> h.distance + 0.0f));
        float last = scored.get(Math.min(n, scored.size()) - 1).distance + 0.0f;
        List<Hit> best = new ArrayList<>(); // the n nearest and any at the same distance as the n-th (ties: sequence)
        for (Hit hit : scored) {
            if (hit.distance + 0.0f > last) {
                break;
            }
            best.add(hit);
        }
        long[] sequences = sequencesTogether(best, leaves);
        List<Hit> hits = new ArrayList<>(best.size());
        for (int i = 0; i < best.size(); i++) {
            Hit hit = best.get(i);
            hits.add(new Hit(hit.leaf, hit.doc, sequences[i], hit.distance));
        }
        hits.sort(BY_DISTANCE_THEN_SEQUENCE);
        return hits.size() > n ? hits.subList(0, n) : hits;
    }

    /**
     * Each segment's best {@code k} by its sketch's estimate (null where {@code values} is), a virtual thread per
     * segment: a segment's sketch is decoded and scanned as soon as it has arrived, while others are still arriving,
     * and the scans share the cores. Null if a segment has no usable sketch.
     */
    private ColdSketch.Candidates[] sketchCandidates(List<LeafReaderContext> leaves, FloatVectorValues[] values,
                                                     float[] searched, int k, Accepted accepted, ColdSearch cold)
            throws IOException {
        ColdSketch.Candidates[] found = new ColdSketch.Candidates[leaves.size()];
        List<java.util.concurrent.Callable<Boolean>> scans = new ArrayList<>(leaves.size());
        for (LeafReaderContext leaf : leaves) {
            FloatVectorValues vectors = values[leaf.ord];
            if (vectors != null) {
                scans.add(() -> {
                    ColdSketch sketch = cold.sketch(leaf, vectors);
                    if (sketch == null) {
                        return false;
                    }
                    found[leaf.ord] = sketch.candidates(searched, k, acceptedOrds(leaf, vectors, accepted));
                    return true;
                });
            }
        }
        return together(scans, "searching the sketches").contains(false) ? null : found;
    }

    /**
     * Runs {@code tasks} each on a virtual thread of its own and returns their results in order, once all are done;
     * the first failure in order is thrown as it was ({@code what} names the work in other failures).
     */
    private static <T> List<T> together(List<java.util.concurrent.Callable<T>> tasks, String what)
            throws IOException {
        List<java.util.concurrent.Future<T>> running = new ArrayList<>(tasks.size());
        List<T> results = new ArrayList<>(tasks.size());
        try (java.util.concurrent.ExecutorService threads =
                     java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (java.util.concurrent.Callable<T> task : tasks) {
                running.add(threads.submit(task));
            }
            for (java.util.concurrent.Future<T> task : running) {
                results.add(task.get());
            }
            return results;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while " + what);
        } catch (java.util.concurrent.ExecutionException e) {
            switch (e.getCause()) {
                case IOException io -> throw io;
                case RuntimeException runtime -> throw runtime;
                default -> throw new IllegalStateException(what + " failed", e.getCause());
            }
        }
    }

    /**
     * Each hit's sequence, read on a virtual thread per hit that also starts fetching its stored fields: on a version
     * read from object storage, the pages the hits need arrive in one round trip rather than one after another.
     */
    private static long[] sequencesTogether(List<Hit> hits, List<LeafReaderContext> leaves) throws IOException {
        long[] sequences = new long[hits.size()];
        List<java.util.concurrent.Callable<Void>> reads = new ArrayList<>(hits.size());
        for (int i = 0; i < hits.size(); i++) {
            int at = i;
            Hit hit = hits.get(i);
            reads.add(() -> {
                LeafReader leaf = leaves.get(hit.leaf).reader();
                leaf.storedFields().prefetch(hit.doc);
                sequences[at] = sequence(leaf.getNumericDocValues(IndexFields.SEQ), hit.doc);
                return null;
            });
        }
        together(reads, "reading the hits' sequences");
        return sequences;
    }

    /** Which vector ordinals of {@code leaf} the request accepts (null: all): filtered, and not deleted. */
    private static java.util.function.IntPredicate acceptedOrds(LeafReaderContext leaf, FloatVectorValues values,
                                                              Accepted accepted) {
        FixedBitSet bits = accepted.bits == null ? null : accepted.bits[leaf.ord];
        Bits live = bits == null ? leaf.reader().getLiveDocs() : null; // the filter's bits hold live documents only
        if (bits == null && live == null) {
            return null;
        }
        Bits docs = bits != null ? bits : live;
        if (values.size() == leaf.reader().maxDoc()) { // dense: ordinal = document
            return docs::get;
        }
        int[] ordToDoc = new int[values.size()];
        for (int ord = 0; ord < ordToDoc.length; ord++) {
            ordToDoc[ord] = values.ordToDoc(ord);
        }
        return ord -> docs.get(ordToDoc[ord]);
    }

    /** Scores every accepted vector; keeps the best {@code n} in a bounded max-heap. */
    private List<Hit> exhaustive(float[] prepared, int n, Accepted accepted) throws IOException {
        PriorityQueue<Hit> heap = new PriorityQueue<>(Math.min(n, 1024) + 1, Collections.reverseOrder(BY_DISTANCE_THEN_SEQUENCE));
        for (LeafReaderContext leaf : reader.leaves()) {
            FloatVectorValues values = leaf.reader().getFloatVectorValues(IndexFields.VECTOR);
            if (values == null) {
                continue;
            }
            DocIdSetIterator docs;
            if (accepted.bits == null) {
                docs = values.iterator();
            } else if (accepted.bits[leaf.ord] == null) {
                continue;
            } else {
                docs = new BitSetIterator(accepted.bits[leaf.ord], accepted.counts[leaf.ord]);
            }
            Bits live = leaf.reader().getLiveDocs();
            LeafScorer scorer = new LeafScorer(leaf, prepared);
            for (int doc = docs.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = docs.nextDoc()) {
                if (live != null && !live.get(doc)) {
                    continue;
                }
                Hit hit = scorer.score(doc);
                if (heap.size() < n) {
                    heap.add(hit);
                } else if (BY_DISTANCE_THEN_SEQUENCE.compare(hit, heap.peek()) < 0) {
                    heap.poll();
                    heap.add(hit);
                }
            }
        }
        List<Hit> best = new ArrayList<>(heap);
        best.sort(BY_DISTANCE_THEN_SEQUENCE);
        return best;
    }

    /** Exact distances for documents of one segment, visited in ascending doc order. */
    private final class LeafScorer {
        private final LeafReaderContext leaf;
        private final float[] prepared;
        private final FloatVectorValues values;
        private final KnnVectorValues.DocIndexIterator vectors;
        private final NumericDocValues sequences;

        LeafScorer(LeafReaderContext leaf, float[] prepared) throws IOException {
            this.leaf = leaf;
            this.prepared = prepared;
            this.values = leaf.reader().getFloatVectorValues(IndexFields.VECTOR);
            this.vectors = values.iterator();
            this.sequences = leaf.reader().getNumericDocValues(IndexFields.SEQ);
        }

        Hit score(int doc) throws IOException {
            if (vectors.docID() != doc && vectors.advance(doc) != doc) {
                throw new IllegalStateException("document " + doc + " has no vector");
            }
            float distance = schema.exactDistance(prepared, values.vectorValue(vectors.index()));
            return new Hit(leaf.ord, doc, sequence(sequences, doc), distance);
        }
    }

    // ---- shared ----

    /**
     * The translated filter as a rewritten query (restricted to documents with a vector for kNN). A filter whose
     * index query has more clauses than Lucene allows is verified record by record instead.
     */
    private Query filterQuery(FilterTranslator.Translation translation, boolean withVector, Set<String> hidden)
            throws IOException {
        try {
            return searcher.rewrite(without(withVector ? withVector(translation.query()) : translation.query(), hidden));
        } catch (IndexSearcher.TooManyClauses e) {
            return searcher.rewrite(without(withVector ? withVector(translation.verifyAll()) : translation.verifyAll(), hidden));
        }
    }

    /** {@code filter} minus the documents whose id is in {@code hidden}. */
    private static Query without(Query filter, Set<String> hidden) {
        if (hidden.isEmpty() || filter instanceof MatchNoDocsQuery) {
            return filter;
        }
        List<BytesRef> terms = new ArrayList<>(hidden.size());
        for (String id : hidden) {
            terms.add(IndexFields.stringTerm(id)); // long or ill-formed ids are SHA-256 hashed: collisions are not a concern
        }
        return new BooleanQuery.Builder()
                .add(filter, BooleanClause.Occur.FILTER)
                .add(new TermInSetQuery(IndexFields.ID, terms), BooleanClause.Occur.MUST_NOT)
                .build();
    }

    private static Query withVector(Query filter) {
        if (filter instanceof MatchNoDocsQuery) {
            return filter;
        }
        return new BooleanQuery.Builder()
                .add(new FieldExistsQuery(IndexFields.VECTOR), BooleanClause.Occur.FILTER)
                .add(filter, BooleanClause.Occur.FILTER)
                .build();
    }

    private static long sequence(NumericDocValues sequences, int doc) throws IOException {
        if (sequences == null || !sequences.advanceExact(doc)) {
            throw new IllegalStateException("document " + doc + " has no sequence");
        }
        return sequences.longValue();
    }

    /**
     * Loads records (the requested parts) for one request. Keeps one {@link StoredFields} per segment: it holds the
     * last decompressed block, so neighbouring documents are not decompressed again.
     */
    private final class Hydrator {
        private final StoredFields[] perLeaf = new StoredFields[reader.leaves().size()];
        private final RecordParts parts;

        Hydrator(RecordParts parts) {
            this.parts = parts;
        }

        Record load(int leaf, int doc) throws IOException {
            if (perLeaf[leaf] == null) {
                perLeaf[leaf] = reader.leaves().get(leaf).reader().storedFields();
            }
            return StoredRecords.load(reader.leaves().get(leaf).reader(), perLeaf[leaf], doc, parts);
        }
    }

    /** A document of segment {@code leaf}, with its sequence and (for queries) exact distance. */
    private record Hit(int leaf, int doc, long sequence, float distance) {}
}
