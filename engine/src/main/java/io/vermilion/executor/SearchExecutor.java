package io.vermilion.executor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.vermilion.model.GetRequest;
import io.vermilion.model.QueryRequest;
import io.vermilion.model.RankExpr;
import io.vermilion.model.SearchHit;
import io.vermilion.model.SearchRequest;
import io.vermilion.model.SequencedHit;
import io.vermilion.record.Record;

/**
 * Answers one search of Chroma's Search API over a {@link CollectionView} (compacted version plus log tail), as
 * Chroma's worker does: each {@code $knn} leaf is a filtered nearest-neighbour query for its {@code limit} hits, the
 * rank expression combines them ({@link RankEvaluator}), {@code group_by} thins the ranking ({@link RankedGroups}),
 * then {@code offset}/{@code limit} slice it. A sparse {@code $knn} is answered by {@link SparseKnn}, a text one (BM25 over {@code #document}) by
 * {@link Bm25Candidates}. Without a rank expression the result is the filtered records in
 * insertion order, each scored by its position in the page. Ties rank by insertion order. Stateless.
 */
public final class SearchExecutor {

    private SearchExecutor() {}

    public static List<SearchHit> search(CollectionView view, SearchRequest request) {
        if (request.rank() == null) {
            List<Record> page = view.get(new GetRequest(null, request.filter(), null, request.limit(),
                    request.offset(), request.embeddings()));
            List<SearchHit> hits = new ArrayList<>(page.size());
            for (int i = 0; i < page.size(); i++) {
                hits.add(new SearchHit(page.get(i), i));
            }
            return hits;
        }
        List<RankExpr.Knn> knns = request.rank().knns();
        List<List<SequencedHit>> results = new ArrayList<>(knns.size());
        Map<String, SequencedHit> found = new HashMap<>();
        for (RankExpr.Knn knn : knns) {
            List<SequencedHit> hits = knn.limit() == 0 ? List.of()
                    : knn.text() != null ? Bm25Candidates.nearest(view, knn, request.filter(), request.embeddings())
                    : knn.sparse() != null ? SparseKnn.nearest(view, knn, request.filter(), request.embeddings())
                    : view.sequencedQuery(new QueryRequest(List.of(knn.query()), knn.limit(), null, request.filter(),
                            null, request.distance(), request.efSearch(), request.embeddings())).get(0);
            hits.forEach(hit -> found.putIfAbsent(hit.hit().record().id(), hit));
            results.add(hits);
        }
        Map<String, Float> scores = RankEvaluator.evaluate(request.rank(), results);
        List<RankedGroups.Scored> ranked = new ArrayList<>(scores.size());
        scores.forEach((id, score) -> {
            SequencedHit hit = found.get(id);
            ranked.add(new RankedGroups.Scored(hit.hit().record(), hit.sequence(), score));
        });
        ranked.sort(RankedGroups.RANK_ORDER);
        List<RankedGroups.Scored> kept = request.groupBy() == null ? ranked : RankedGroups.apply(ranked, request.groupBy());
        long from = Math.min(request.offset(), kept.size());
        long to = request.limit() == null ? kept.size() : Math.min(kept.size(), from + request.limit());
        List<SearchHit> page = new ArrayList<>((int) (to - from));
        for (int i = (int) from; i < to; i++) {
            page.add(new SearchHit(kept.get(i).record(), kept.get(i).score()));
        }
        return page;
    }
}
