package io.vermilion.executor;

import java.util.ArrayList;
import java.util.List;

import io.vermilion.blockstore.SequencedRecord;
import io.vermilion.filter.Where;
import io.vermilion.index.DocumentText;
import io.vermilion.model.RankExpr;
import io.vermilion.model.TextStatistics;
import io.vermilion.model.VersionHit;

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

    static List<Candidate> nearest(CollectionView view, RankExpr.Knn knn, Where filter) {
        List<String> terms = DocumentText.queryTerms(knn.text());
        if (terms.isEmpty() || knn.limit() == 0) {
            return List.of();
        }
        TailText tailText = view.tailMemo(TailText.class, () -> TailText.of(view.tailRecords()));
        List<SequencedRecord> tail = tailText.records();
        TextStatistics statistics = view.versionTextStatistics(terms).plus(tailText.corpus().statistics(terms));
        List<Candidate> hits = new ArrayList<>();
        for (VersionHit hit : view.versionTextSearch(terms, statistics, knn.limit(), filter)) {
            hits.add(Candidate.of(hit));
        }
        float[] scores = tailText.corpus().scores(terms, statistics);
        // The tail's best `limit` by (score desc, sequence asc), kept in a heap whose head is the worst of them.
        java.util.Comparator<Integer> worstFirst = (a, b) -> {
            int byScore = Float.compare(scores[a] + 0.0f, scores[b] + 0.0f);
            return byScore != 0 ? byScore : Long.compare(tail.get(b).sequence(), tail.get(a).sequence());
        };
        java.util.PriorityQueue<Integer> best = new java.util.PriorityQueue<>(Math.min(knn.limit(), 1024) + 1,
                worstFirst);
        for (int i = 0; i < tail.size(); i++) {
            if (Float.isNaN(scores[i])
                    || (best.size() == knn.limit() && worstFirst.compare(i, best.peek()) <= 0)
                    || (filter != null && !filter.matches(tail.get(i).record()))) {
                continue;
            }
            best.add(i);
            if (best.size() > knn.limit()) {
                best.poll();
            }
        }
        for (int i : best) {
            hits.add(new Candidate(tail.get(i).sequence(), -scores[i], tail.get(i).record(), null));
        }
        hits.sort(Candidate::compare);
        return hits.size() > knn.limit() ? List.copyOf(hits.subList(0, knn.limit())) : hits;
    }
}
