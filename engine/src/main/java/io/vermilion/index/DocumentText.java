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
     * Analyzed documents (null for a record without one) with their query-independent statistics, computed once;
     * {@link #statistics} adds the query terms' frequencies. Immutable.
     */
    public static final class Corpus {
        private final List<Terms> documents;
        private final long docCount;
        private final long sumTotalTermFreq;
        private final long sumDocFreq;

        public Corpus(List<Terms> documents) {
            this.documents = java.util.Collections.unmodifiableList(new ArrayList<>(documents));
            long count = 0;
            long total = 0;
            long distinct = 0;
            for (Terms doc : documents) {
                if (doc != null && !doc.frequencies().isEmpty()) {
                    count++;
                    total += doc.frequencies().values().stream().mapToLong(Integer::longValue).sum();
                    distinct += doc.frequencies().size();
                }
            }
            this.docCount = count;
            this.sumTotalTermFreq = total;
            this.sumDocFreq = distinct;
        }

        /** The documents, position for position as given. */
        public List<Terms> documents() {
            return documents;
        }

        /** What these documents add to a collection's statistics for the query terms (every one counts in maxDoc). */
        public TextStatistics statistics(List<String> queryTerms) {
            Map<String, TextStatistics.Term> terms = new HashMap<>();
            for (String term : queryTerms) {
                long docFreq = 0;
                long total = 0;
                for (Terms doc : documents) {
                    Integer freq = doc == null ? null : doc.frequencies().get(term);
                    if (freq != null) {
                        docFreq++;
                        total += freq;
                    }
                }
                if (docFreq > 0) {
                    terms.put(term, new TextStatistics.Term(docFreq, total));
                }
            }
            return new TextStatistics(documents.size(), docCount, sumTotalTermFreq, sumDocFreq, terms);
        }
    }

    /** Scores documents for one query under fixed statistics. */
    public static final class Scorer {
        private final List<String> terms = new ArrayList<>();
        private final List<Similarity.SimScorer> scorers = new ArrayList<>();

        public Scorer(List<String> queryTerms, TextStatistics statistics) {
            CollectionStatistics collection = collection(statistics);
            for (String term : queryTerms) {
                TermStatistics stats = term(term, statistics);
                if (collection != null && stats != null) {
                    terms.add(term);
                    scorers.add(BM25.scorer(1f, collection, stats));
                }
            }
        }

        /** The document's BM25 score, or NaN when it has none of the query terms. */
        public float score(Terms document) {
            double sum = 0;
            boolean any = false;
            for (int i = 0; i < terms.size(); i++) {
                Integer freq = document.frequencies().get(terms.get(i));
                if (freq != null) {
                    sum += scorers.get(i).score(freq, document.norm());
                    any = true;
                }
            }
            return any ? (float) sum : Float.NaN;
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
