package io.vermilion.index;

import io.vermilion.model.TextStatistics;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.BulkScorer;
import org.apache.lucene.search.CollectionStatistics;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.LeafCollector;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.Scorable;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TermStatistics;
import org.apache.lucene.search.Weight;
import org.apache.lucene.util.FixedBitSet;

/**
 * BM25 top-k over an index's {@code _text} field with Lucene's block-max pruning: a disjunction of the query terms
 * (restricted by a filter), scored by {@code BM25Similarity} under statistics the caller supplies (the index's plus
 * the log tail's), keeping the best {@code limit} by score then insertion sequence. Equal scores are never pruned,
 * so ties at the cut are broken by sequence exactly. Stateless.
 */
final class DocumentTextSearch {

    /** One found document: segment, doc id in it, insertion sequence, BM25 score. */
    record Found(int leaf, int doc, long sequence, float score) {}

    private DocumentTextSearch() {}

    /** The index's own statistics of {@code _text} for these terms. */
    static TextStatistics statistics(DirectoryReader reader, List<String> terms) throws IOException {
        java.util.Map<String, TextStatistics.Term> byTerm = new java.util.HashMap<>();
        for (String term : terms) {
            Term t = new Term(IndexFields.TEXT, term);
            int docFreq = reader.docFreq(t);
            if (docFreq > 0) {
                byTerm.put(term, new TextStatistics.Term(docFreq, reader.totalTermFreq(t)));
            }
        }
        return new TextStatistics(reader.maxDoc(), reader.getDocCount(IndexFields.TEXT),
                reader.getSumTotalTermFreq(IndexFields.TEXT), reader.getSumDocFreq(IndexFields.TEXT), byTerm);
    }

    /** The best {@code limit} documents, best first; {@code restrict} (null: none) must already exclude hidden ids. */
    static List<Found> top(DirectoryReader reader, List<String> terms, TextStatistics statistics, Query restrict,
                           int limit) throws IOException {
        CollectionStatistics collection = DocumentText.collection(statistics);
        IndexSearcher searcher = new IndexSearcher(reader) {
            @Override
            public CollectionStatistics collectionStatistics(String field) throws IOException {
                return field.equals(IndexFields.TEXT) ? collection : super.collectionStatistics(field);
            }

            @Override
            public TermStatistics termStatistics(Term term, int docFreq, long totalTermFreq) throws IOException {
                TermStatistics merged = term.field().equals(IndexFields.TEXT)
                        ? DocumentText.term(term.text(), statistics) : null;
                return merged != null ? merged : super.termStatistics(term, docFreq, totalTermFreq);
            }
        };
        searcher.setQueryCache(null);
        BooleanQuery.Builder any = new BooleanQuery.Builder();
        int clauses = 0;
        for (String term : terms) {
            Term t = new Term(IndexFields.TEXT, term);
            if (reader.docFreq(t) > 0) {
                any.add(new TermQuery(t), BooleanClause.Occur.SHOULD);
                clauses++;
            }
        }
        if (clauses == 0 || limit == 0 || collection == null) {
            return List.of();
        }
        Query terms0 = any.build();
        Query query;
        FixedBitSet[] only = null;
        try {
            query = searcher.rewrite(restrict == null ? terms0 : new BooleanQuery.Builder()
                    .add(terms0, BooleanClause.Occur.MUST).add(restrict, BooleanClause.Occur.FILTER).build());
        } catch (IndexSearcher.TooManyClauses e) {
            // The terms and the filter together pass Lucene's clause limit: the filter runs first, into bit sets
            // the collector consults.
            only = bitSets(searcher, reader, restrict);
            query = searcher.rewrite(terms0);
        }
        Weight weight = searcher.createWeight(query, ScoreMode.TOP_SCORES, 1f);
        Best best = new Best(limit);
        for (LeafReaderContext leaf : reader.leaves()) {
            if (only != null && only[leaf.ord] == null) {
                continue;
            }
            BulkScorer scorer = weight.bulkScorer(leaf);
            if (scorer != null) {
                scorer.score(best.leaf(leaf, only == null ? null : only[leaf.ord]), leaf.reader().getLiveDocs(), 0,
                        DocIdSetIterator.NO_MORE_DOCS);
            }
        }
        return best.sorted();
    }

    /** {@code filter}'s documents per segment (null: none in it). */
    private static FixedBitSet[] bitSets(IndexSearcher searcher, DirectoryReader reader, Query filter)
            throws IOException {
        Weight weight = searcher.createWeight(searcher.rewrite(filter), ScoreMode.COMPLETE_NO_SCORES, 1f);
        List<LeafReaderContext> leaves = reader.leaves();
        FixedBitSet[] bits = new FixedBitSet[leaves.size()];
        for (LeafReaderContext leaf : leaves) {
            org.apache.lucene.search.Scorer scorer = weight.scorer(leaf);
            if (scorer == null) {
                continue;
            }
            FixedBitSet set = new FixedBitSet(leaf.reader().maxDoc());
            DocIdSetIterator it = scorer.iterator();
            for (int doc = it.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = it.nextDoc()) {
                set.set(doc);
            }
            bits[leaf.ord] = set;
        }
        return bits;
    }

    /** The best {@code limit} seen, as a heap whose head is the worst of them (lowest score, then latest). */
    private static final class Best {
        private static final java.util.Comparator<Found> WORST_FIRST = (a, b) -> {
            int byScore = Float.compare(a.score + 0.0f, b.score + 0.0f);
            return byScore != 0 ? byScore : Long.compare(b.sequence, a.sequence);
        };
        private final int limit;
        private final PriorityQueue<Found> heap;

        Best(int limit) {
            this.limit = limit;
            this.heap = new PriorityQueue<>(Math.min(limit, 1024) + 1, WORST_FIRST);
        }

        /** A collector for one segment; {@code accepted} (null: all) restricts it to those documents. */
        LeafCollector leaf(LeafReaderContext context, FixedBitSet accepted) throws IOException {
            return new LeafCollector() {
                private Scorable scorer;
                private NumericDocValues sequences = context.reader().getNumericDocValues(IndexFields.SEQ);
                private int last = -1;

                @Override
                public void setScorer(Scorable scorer) throws IOException {
                    this.scorer = scorer;
                    if (heap.size() == limit) {
                        scorer.setMinCompetitiveScore(heap.peek().score);
                    }
                }

                @Override
                public void collect(int doc) throws IOException {
                    if (accepted != null && !accepted.get(doc)) {
                        return;
                    }
                    float score = scorer.score();
                    if (heap.size() == limit && score < heap.peek().score) {
                        return;
                    }
                    Found found = new Found(context.ord, doc, sequence(doc), score);
                    if (heap.size() < limit) {
                        heap.add(found);
                    } else if (WORST_FIRST.compare(found, heap.peek()) > 0) {
                        heap.poll();
                        heap.add(found);
                    } else {
                        return;
                    }
                    if (heap.size() == limit) {
                        // Only scores below the worst kept one can be skipped; equal ones still compete on sequence.
                        scorer.setMinCompetitiveScore(heap.peek().score);
                    }
                }

                private long sequence(int doc) throws IOException {
                    if (doc < last) { // doc values only move forward
                        sequences = context.reader().getNumericDocValues(IndexFields.SEQ);
                    }
                    last = doc;
                    if (sequences == null || !sequences.advanceExact(doc)) {
                        throw new IllegalStateException("document " + doc + " has no sequence");
                    }
                    return sequences.longValue();
                }
            };
        }

        List<Found> sorted() {
            List<Found> out = new ArrayList<>(heap);
            out.sort(WORST_FIRST.reversed());
            return out;
        }
    }
}
