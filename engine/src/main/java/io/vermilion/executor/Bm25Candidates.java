package io.vermilion.executor;

import java.util.ArrayList;
import java.util.List;

import io.vermilion.blockstore.SequencedRecord;
import io.vermilion.filter.Where;
import io.vermilion.index.DocumentText;
import io.vermilion.model.QueryHit;
import io.vermilion.model.RankExpr;
import io.vermilion.model.SequencedHit;
import io.vermilion.model.TextStatistics;

/**
 * Answers a text {@code $knn} (Vermilion's BM25 over {@code #document}) over a {@link CollectionView}: the query is
 * analyzed as the index analyzes documents; the statistics are the version's plus the log tail's, so a record scores
 * the same whether it is still in the tail or already compacted; the version's candidates come from its Lucene index
 * (block-max top-k), the tail's from scoring its records with the same formula ({@link DocumentText}). Hits score
 * {@code -bm25} (lower ranks first), best {@code limit} by score then insertion sequence. Records the tail shadows
 * and deleted documents not yet merged away still count in the version's statistics, as in Lucene. Stateless.
 */
final class Bm25Candidates {

    /** The log tail's records and their analyzed documents, kept with the tail's view until it changes. */
    private record TailText(List<SequencedRecord> records, DocumentText.Corpus corpus) {
        static TailText of(List<SequencedRecord> records) {
            List<DocumentText.Terms> analyzed = new ArrayList<>(records.size());
            for (SequencedRecord record : records) {
                String document = record.record().document();
                analyzed.add(document == null ? null : DocumentText.analyze(document));
            }
            return new TailText(records, new DocumentText.Corpus(analyzed));
        }
    }

    private Bm25Candidates() {}

    static List<SequencedHit> nearest(CollectionView view, RankExpr.Knn knn, Where filter, boolean embeddings) {
        List<String> terms = DocumentText.queryTerms(knn.text());
        if (terms.isEmpty() || knn.limit() == 0) {
            return List.of();
        }
        TailText tailText = view.tailMemo(TailText.class, () -> TailText.of(view.tailRecords()));
        List<SequencedRecord> tail = tailText.records();
        List<DocumentText.Terms> analyzed = tailText.corpus().documents();
        TextStatistics statistics = view.versionTextStatistics(terms).plus(tailText.corpus().statistics(terms));
        List<SequencedHit> hits = new ArrayList<>(view.versionTextSearch(terms, statistics, knn.limit(), filter,
                embeddings));
        DocumentText.Scorer scorer = new DocumentText.Scorer(terms, statistics);
        for (int i = 0; i < tail.size(); i++) {
            if (analyzed.get(i) == null || (filter != null && !filter.matches(tail.get(i).record()))) {
                continue;
            }
            float score = scorer.score(analyzed.get(i));
            if (!Float.isNaN(score)) {
                hits.add(new SequencedHit(new QueryHit(tail.get(i).record(), -score), tail.get(i).sequence()));
            }
        }
        hits.sort(SequencedHit::compare);
        return hits.size() > knn.limit() ? List.copyOf(hits.subList(0, knn.limit())) : hits;
    }
}
