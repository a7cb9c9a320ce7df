package io.vermilion.index;

import io.vermilion.model.TextStatistics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.PositionIncrementAttribute;
import org.apache.lucene.search.CollectionStatistics;
import org.apache.lucene.search.TermStatistics;
import org.apache.lucene.search.similarities.BM25Similarity;
import org.apache.lucene.search.similarities.Similarity;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.util.SmallFloat;

/**
 * BM25 over documents as the index's {@code _text} field holds them, for text the index has not seen (the log
 * tail): the field's analysis (StandardAnalyzer), Lucene's length norm (one byte, lossy above 40 terms) and Lucene's
 * {@link BM25Similarity} (k1 1.2, b 0.75) per term, summed in double and rounded to float as Lucene's disjunctions
 * sum, so a tail document scores exactly as it would once compacted under the same statistics. Thread-safe.
 */
public final class DocumentText {

    private static final Analyzer ANALYZER = new StandardAnalyzer();
    private static final BM25Similarity BM25 = new BM25Similarity();

    private DocumentText() {}

    /** A document's analyzed terms with their frequencies, and its length in terms. */
    public record Terms(Map<String, Integer> frequencies, int length) {

        /** As the index writes it: {@code SmallFloat.intToByte4(length)}. */
        public long norm() {
            return SmallFloat.intToByte4(length);
        }
    }

    /** The distinct analyzed terms of a query text, sorted. */
    public static List<String> queryTerms(String text) {
        return new ArrayList<>(new TreeSet<>(analyze(text).frequencies().keySet()));
    }

    /** A document's terms as the index's text field analyzes it. */
    public static Terms analyze(String text) {
        Map<String, Integer> frequencies = new HashMap<>();
        int length = 0;
        try (TokenStream stream = ANALYZER.tokenStream(IndexFields.TEXT, text)) {
            CharTermAttribute term = stream.addAttribute(CharTermAttribute.class);
            PositionIncrementAttribute increment = stream.addAttribute(PositionIncrementAttribute.class);
            stream.reset();
            while (stream.incrementToken()) {
                frequencies.merge(term.toString(), 1, Integer::sum);
                if (increment.getPositionIncrement() != 0) { // Lucene discounts overlapping tokens from the length
                    length++;
                }
            }
            stream.end();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Terms(frequencies, length);
    }

    /**
     * Analyzed documents (null for a record without one), inverted once into postings (term to documents and
     * frequencies) with their query-independent statistics, so a query costs the postings of its terms only.
     * Immutable, thread-safe.
     */
    public static final class Corpus {
        /** One term's documents (positions in the corpus, ascending) and frequencies in them. */
        private record Postings(int[] docs, int[] freqs) {}

        private final int size;
        private final long[] norms;
        private final Map<String, Postings> postings;
        private final long docCount;
        private final long sumTotalTermFreq;
        private final long sumDocFreq;

        public Corpus(List<Terms> documents) {
            this.size = documents.size();
            this.norms = new long[size];
            Map<String, int[][]> building = new HashMap<>(); // term -> {docs, freqs, {count}}
            long count = 0;
            long total = 0;
            long distinct = 0;
            for (int d = 0; d < size; d++) {
                Terms doc = documents.get(d);
                if (doc == null || doc.frequencies().isEmpty()) {
                    continue;
                }
                norms[d] = doc.norm();
                count++;
                distinct += doc.frequencies().size();
                for (Map.Entry<String, Integer> e : doc.frequencies().entrySet()) {
                    total += e.getValue();
                    int[][] p = building.computeIfAbsent(e.getKey(), t -> new int[][] {new int[4], new int[4], {0}});
                    int n = p[2][0];
                    if (n == p[0].length) {
                        p[0] = java.util.Arrays.copyOf(p[0], n * 2);
                        p[1] = java.util.Arrays.copyOf(p[1], n * 2);
                    }
                    p[0][n] = d;
                    p[1][n] = e.getValue();
                    p[2][0] = n + 1;
                }
            }
            this.postings = new HashMap<>(building.size() * 2);
            building.forEach((term, p) -> postings.put(term, new Postings(java.util.Arrays.copyOf(p[0], p[2][0]),
                    java.util.Arrays.copyOf(p[1], p[2][0]))));
            this.docCount = count;
            this.sumTotalTermFreq = total;
            this.sumDocFreq = distinct;
        }

        /** What these documents add to a collection's statistics for the query terms (every one counts in maxDoc). */
        public TextStatistics statistics(List<String> queryTerms) {
            Map<String, TextStatistics.Term> terms = new HashMap<>();
            for (String term : queryTerms) {
                Postings p = postings.get(term);
                if (p != null) {
                    long total = 0;
                    for (int freq : p.freqs) {
                        total += freq;
                    }
                    terms.put(term, new TextStatistics.Term(p.docs.length, total));
                }
            }
            return new TextStatistics(size, docCount, sumTotalTermFreq, sumDocFreq, terms);
        }

        /**
         * Every document's BM25 score for the query terms under {@code statistics}, NaN for documents with none of
         * them: per term Lucene's {@link BM25Similarity} scorer, summed in double in query-term order, then rounded
         * to float.
         */
        public float[] scores(List<String> queryTerms, TextStatistics statistics) {
            float[] out = new float[size];
            java.util.Arrays.fill(out, Float.NaN);
            CollectionStatistics collection = collection(statistics);
            if (collection == null) {
                return out;
            }
            double[] sums = new double[size];
            boolean[] any = new boolean[size];
            for (String term : queryTerms) {
                Postings p = postings.get(term);
                TermStatistics stats = term(term, statistics);
                if (p == null || stats == null) {
                    continue;
                }
                Similarity.SimScorer scorer = BM25.scorer(1f, collection, stats);
                for (int i = 0; i < p.docs.length; i++) {
                    int d = p.docs[i];
                    sums[d] += scorer.score(p.freqs[i], norms[d]);
                    any[d] = true;
                }
            }
            for (int d = 0; d < size; d++) {
                if (any[d]) {
                    out[d] = (float) sums[d];
                }
            }
            return out;
        }
    }

    /** Lucene's collection statistics for {@code _text}, or null when no document has a term. */
    static CollectionStatistics collection(TextStatistics statistics) {
        if (statistics.docCount() == 0) {
            return null;
        }
        return new CollectionStatistics(IndexFields.TEXT, statistics.maxDoc(), statistics.docCount(),
                statistics.sumTotalTermFreq(), statistics.sumDocFreq());
    }

    /** Lucene's term statistics, or null when no document has the term. */
    static TermStatistics term(String term, TextStatistics statistics) {
        TextStatistics.Term stats = statistics.term(term);
        return stats.docFreq() == 0 ? null
                : new TermStatistics(new BytesRef(term), stats.docFreq(), stats.totalTermFreq());
    }
}
