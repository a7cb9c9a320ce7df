package io.vermilion.model;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The corpus statistics BM25 scores documents with, as Lucene keeps them for a text field: documents (all, and those
 * with at least one term), summed term and document frequencies, and for each query term its document frequency and
 * total frequency. Statistics of disjoint parts of a collection (its index and its log tail) add up. Immutable.
 */
public record TextStatistics(long maxDoc, long docCount, long sumTotalTermFreq, long sumDocFreq,
                             Map<String, Term> terms) {

    /** One term's document frequency and total number of occurrences. */
    public record Term(long docFreq, long totalTermFreq) {}

    public static final TextStatistics EMPTY = new TextStatistics(0, 0, 0, 0, Map.of());

    public TextStatistics {
        terms = Map.copyOf(Objects.requireNonNull(terms, "terms"));
    }

    /** The statistics of both parts together. */
    public TextStatistics plus(TextStatistics other) {
        Map<String, Term> merged = new HashMap<>(terms);
        other.terms.forEach((term, stats) -> merged.merge(term, stats,
                (a, b) -> new Term(a.docFreq + b.docFreq, a.totalTermFreq + b.totalTermFreq)));
        return new TextStatistics(maxDoc + other.maxDoc, docCount + other.docCount,
                sumTotalTermFreq + other.sumTotalTermFreq, sumDocFreq + other.sumDocFreq, merged);
    }

    /** A term's statistics; zero frequencies when no document has it. */
    public Term term(String term) {
        return terms.getOrDefault(term, new Term(0, 0));
    }
}
