package io.vermilion.index;

import io.vermilion.record.MetadataValue;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import org.apache.lucene.document.FeatureField;
import org.apache.lucene.index.BinaryDocValues;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.TermInSetQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.TopScoreDocCollectorManager;
import org.apache.lucene.search.Weight;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;

/**
 * The exact top-k of a sparse {@code $knn} over one index, without a scan: Lucene's WAND/MaxScore over the
 * {@link SparseFields} impacts finds the documents with the best positive part of {@code query·vector} (SHOULD
 * linear {@link FeatureField} clauses, one per query dimension, weighted by |query value|), then each candidate is
 * re-scored exactly from its stored vector ({@code 1 − query·vector} in float32, as Chroma's sparse operators).
 *
 * <p>Exactness: a document outside the top {@code C} impact scores has a positive part at most {@link #BOUND_SLACK} ×
 * the {@code C}-th impact score (impacts round down by less than 2⁻⁸), and its dot product is at most its positive
 * part. When the {@code k}-th best exact score among the candidates beats that bound strictly, the candidates hold
 * the exact top-k (ties by sequence included); otherwise {@code C} grows. When every document with a positive part is
 * a candidate and fewer than {@code k} of them have a positive dot product, the rest of the top-k comes from
 * documents whose overlap contributes nothing positive; these are found by walking the query dimensions' postings
 * (never the whole collection). Query dimensions whose summed bound is a negligible share (IDF-weighted near-ubiquitous
 * ones) may leave the walk, their bound added to the certificate ({@link #nearest}). Stateless; thread-safe over a
 * thread-safe searcher.
 */
final class SparseIndexQuery {

    /**
     * The slack of the impact bound: FeatureField keeps 8 mantissa bits and truncates, so a value is below
     * {@code (1 + 2⁻⁸)} × its impact; 2⁻¹⁴ more covers float rounding of the weights and of the sums.
     */
    static final double BOUND_SLACK = 1.0 + 0x1p-8 + 0x1p-14;
    /**
     * Candidates fetched beyond {@code k} at first (or {@code k / 4} if more): enough that one round usually
     * certifies, few enough that the walk's threshold rises fast.
     */
    static final int CANDIDATE_MARGIN = 16;
    /** The share of the query's summed dimension bounds that may be left out of the impact walk. */
    static final double DROP_FRACTION = 0.01;

    /** A query dimension as an impact clause: its field and term, {@code |value|}, and {@code |value|} × max impact. */
    private record Clause(String field, String term, float weight, double bound) {}

    /** A document of segment {@code leaf} with its sequence and exact score ({@code 1 − dot}). */
    record Scored(int leaf, int doc, long sequence, float score) {}

    static final Comparator<Scored> ORDER =
            Comparator.<Scored>comparingDouble(s -> s.score + 0.0f).thenComparingLong(Scored::sequence);

    private SparseIndexQuery() {}

    /**
     * The best {@code k} live documents passing {@code filter} (null: all) whose vector in {@code key} shares an index
     * with {@code query}, by score then sequence. Query dimensions whose bounds ({@code |value|} × the dimension's
     * largest impact, {@link SparseTermMaxima}) sum to at most {@link #DROP_FRACTION} of all the bounds — typically
     * the near-ubiquitous dimensions of an IDF-weighted query — are left out of the impact walk and their summed bound
     * added to the certificate; their values still count in the exact re-scoring. A round that cannot certify that
     * way is redone with every dimension.
     */
    static List<Scored> nearest(IndexSearcher searcher, SparseTermMaxima maxima, String key,
            MetadataValue.Sparse query, int k, Query filter) throws IOException {
        if (k <= 0 || query.indices().length == 0) {
            return List.of();
        }
        int[] indices = query.indices();
        float[] values = query.values();
        float maxWeight = 0f;
        int count = 0;
        for (float v : values) {
            if (v != 0f && !Float.isNaN(v)) {
                maxWeight = Math.max(maxWeight, Math.abs(v));
                count++;
            }
        }
        if (count == 0 || count > IndexSearcher.getMaxClauseCount() - 1 || !Float.isFinite(maxWeight)) {
            return overlapping(searcher, key, query, k, filter);
        }
        List<Clause> clauses = new ArrayList<>(count);
        double total = 0;
        for (int i = 0; i < indices.length; i++) {
            float v = values[i];
            if (v == 0f || Float.isNaN(v)) {
                continue;
            }
            String field = v > 0f ? SparseFields.positiveField(key) : SparseFields.negativeField(key);
            String term = SparseFields.term(indices[i]);
            double bound = Math.abs((double) v) * maxima.max(field, term);
            clauses.add(new Clause(field, term, Math.abs(v), bound));
            total += bound;
        }
        List<Clause> byBound = new ArrayList<>(clauses);
        byBound.sort(Comparator.comparingDouble(Clause::bound));
        double dropped = 0;
        int drop = 0;
        while (Double.isFinite(total) && drop < byBound.size() - 1
                && dropped + byBound.get(drop).bound() <= DROP_FRACTION * total) {
            dropped += byBound.get(drop).bound();
            drop++;
        }
        if (drop > 0) {
            List<Scored> best = top(searcher, key, query, k, filter, byBound.subList(drop, byBound.size()), maxWeight,
                    dropped, false);
            if (best != null) {
                return best;
            }
        }
        return top(searcher, key, query, k, filter, clauses, maxWeight, 0, true);
    }

    /**
     * The exact top {@code k} from an impact walk over {@code clauses}, the other query dimensions' positive parts
     * bounded by {@code dropped} in total; growing the candidates until certified when {@code grow}, else null when
     * the first round does not certify.
     */
    private static List<Scored> top(IndexSearcher searcher, String key, MetadataValue.Sparse query, int k,
            Query filter, List<Clause> clauses, float maxWeight, double dropped, boolean grow) throws IOException {
        BooleanQuery.Builder impacts = new BooleanQuery.Builder();
        for (Clause clause : clauses) {
            // Weights are scaled so the largest is 1 (FeatureField takes weights in (0, 64]); rounding a tiny one up
            // to the smallest normal keeps every clause an upper bound of what it stands for.
            float weight = Math.max(Float.MIN_NORMAL, clause.weight() / maxWeight);
            impacts.add(FeatureField.newLinearQuery(clause.field(), clause.term(), weight), BooleanClause.Occur.SHOULD);
        }
        impacts.setMinimumNumberShouldMatch(1);
        if (filter != null && !(filter instanceof MatchAllDocsQuery)) {
            impacts.add(filter, BooleanClause.Occur.FILTER);
        }
        Query topQuery = impacts.build();
        IndexReader reader = searcher.getIndexReader();
        int candidates = (int) Math.min(Integer.MAX_VALUE - 8, k + Math.max((long) CANDIDATE_MARGIN, k / 4L));
        while (true) {
            TopDocs top = searcher.search(topQuery, new TopScoreDocCollectorManager(candidates, null, candidates));
            ScoreDoc[] found = top.scoreDocs;
            List<Scored> scored = rescore(reader, key, query, found);
            scored.sort(ORDER);
            boolean exhausted = found.length < candidates;
            // Every document outside the candidates has a positive part below the bound (with no candidates left
            // out, only the dropped dimensions' part), so a score of at least 1 − bound.
            double bound = dropped * BOUND_SLACK
                    + (exhausted ? 0 : found[found.length - 1].score * (double) maxWeight * BOUND_SLACK);
            float threshold = (float) (1.0 - bound);
            if (threshold > 1.0 - bound) {
                threshold = Math.nextDown(threshold);
            }
            if (scored.size() >= k && scored.get(k - 1).score() < threshold) {
                return scored.subList(0, k);
            }
            if (!grow) {
                return null;
            }
            if (exhausted || candidates >= reader.maxDoc()) {
                // Fewer than k documents with a positive dot product: the rest come from the overlapping ones.
                return overlapping(searcher, key, query, k, filter);
            }
            candidates = (int) Math.min(reader.maxDoc(), candidates * 4L);
        }
    }

    /** Exact scores of {@code found} (any order), read from the stored vectors segment by segment. */
    private static List<Scored> rescore(IndexReader reader, String key, MetadataValue.Sparse query, ScoreDoc[] found)
            throws IOException {
        int[] docs = new int[found.length];
        for (int i = 0; i < found.length; i++) {
            docs[i] = found[i].doc;
        }
        Arrays.sort(docs);
        List<LeafReaderContext> leaves = reader.leaves();
        List<Scored> scored = new ArrayList<>(docs.length);
        int i = 0;
        while (i < docs.length) {
            LeafReaderContext leaf = leaves.get(ReaderUtil.subIndex(docs[i], leaves));
            int end = leaf.docBase + leaf.reader().maxDoc();
            LeafVectors vectors = new LeafVectors(leaf, key);
            for (; i < docs.length && docs[i] < end; i++) {
                scored.add(vectors.score(docs[i] - leaf.docBase, query));
            }
        }
        return scored;
    }

    /**
     * The exact top-k over every live document passing {@code filter} whose vector has one of the query's indices:
     * a walk of those dimensions' postings in the three sparse fields.
     */
    private static List<Scored> overlapping(IndexSearcher searcher, String key, MetadataValue.Sparse query, int k,
            Query filter) throws IOException {
        List<BytesRef> terms = new ArrayList<>(query.indices().length);
        for (int index : query.indices()) {
            terms.add(new BytesRef(SparseFields.term(index)));
        }
        BooleanQuery.Builder any = new BooleanQuery.Builder()
                .add(new TermInSetQuery(SparseFields.positiveField(key), terms), BooleanClause.Occur.SHOULD)
                .add(new TermInSetQuery(SparseFields.negativeField(key), terms), BooleanClause.Occur.SHOULD)
                .add(new TermInSetQuery(SparseFields.zeroField(key), terms), BooleanClause.Occur.SHOULD)
                .setMinimumNumberShouldMatch(1);
        if (filter != null && !(filter instanceof MatchAllDocsQuery)) {
            any.add(filter, BooleanClause.Occur.FILTER);
        }
        Weight weight = searcher.createWeight(searcher.rewrite(any.build()), ScoreMode.COMPLETE_NO_SCORES, 1f);
        PriorityQueue<Scored> heap = new PriorityQueue<>(Math.min(k, 1024) + 1, ORDER.reversed());
        for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
            Scorer scorer = weight.scorer(leaf);
            if (scorer == null) {
                continue;
            }
            Bits live = leaf.reader().getLiveDocs();
            LeafVectors vectors = new LeafVectors(leaf, key);
            DocIdSetIterator it = scorer.iterator();
            for (int doc = it.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = it.nextDoc()) {
                if (live != null && !live.get(doc)) {
                    continue;
                }
                Scored s = vectors.score(doc, query);
                if (heap.size() < k) {
                    heap.add(s);
                } else if (ORDER.compare(s, heap.peek()) < 0) {
                    heap.poll();
                    heap.add(s);
                }
            }
        }
        List<Scored> best = new ArrayList<>(heap);
        best.sort(ORDER);
        return best;
    }

    /**
     * The live documents passing {@code filter} whose vector in {@code key} has {@code index} (for document
     * frequencies).
     */
    static int documentFrequency(IndexSearcher searcher, String key, int index, Query filter) throws IOException {
        IndexReader reader = searcher.getIndexReader();
        if ((filter == null || filter instanceof MatchAllDocsQuery) && !reader.hasDeletions()) {
            // Every document is live and has a dimension in at most one of the three fields (a vector's indices are
            // distinct): the terms' document frequencies count exactly, without walking their postings.
            String text = SparseFields.term(index);
            return reader.docFreq(new Term(SparseFields.positiveField(key), text))
                    + reader.docFreq(new Term(SparseFields.negativeField(key), text))
                    + reader.docFreq(new Term(SparseFields.zeroField(key), text));
        }
        List<BytesRef> term = List.of(new BytesRef(SparseFields.term(index)));
        BooleanQuery.Builder any = new BooleanQuery.Builder()
                .add(new TermInSetQuery(SparseFields.positiveField(key), term), BooleanClause.Occur.SHOULD)
                .add(new TermInSetQuery(SparseFields.negativeField(key), term), BooleanClause.Occur.SHOULD)
                .add(new TermInSetQuery(SparseFields.zeroField(key), term), BooleanClause.Occur.SHOULD)
                .setMinimumNumberShouldMatch(1);
        if (filter != null && !(filter instanceof MatchAllDocsQuery)) {
            any.add(filter, BooleanClause.Occur.FILTER);
        }
        return searcher.count(any.build());
    }

    /** Exact scores for documents of one segment, visited in ascending doc order. */
    private static final class LeafVectors {
        private final LeafReaderContext leaf;
        private final BinaryDocValues vectors;
        private final NumericDocValues sequences;

        LeafVectors(LeafReaderContext leaf, String key) throws IOException {
            this.leaf = leaf;
            this.vectors = leaf.reader().getBinaryDocValues(SparseFields.valuesField(key));
            this.sequences = leaf.reader().getNumericDocValues(IndexFields.SEQ);
        }

        Scored score(int doc, MetadataValue.Sparse query) throws IOException {
            if (vectors == null || !vectors.advanceExact(doc)) {
                throw new IllegalStateException("document " + doc + " has no stored sparse vector");
            }
            if (sequences == null || !sequences.advanceExact(doc)) {
                throw new IllegalStateException("document " + doc + " has no sequence");
            }
            float dot = SparseFields.dot(query.indices(), query.values(), vectors.binaryValue());
            return new Scored(leaf.ord, doc, sequences.longValue(), 1.0f - dot);
        }
    }
}
