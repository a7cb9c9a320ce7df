package io.vermilion.executor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.vermilion.model.GetRequest;
import io.vermilion.model.QueryRequest;
import io.vermilion.model.RankExpr;
import io.vermilion.model.RecordParts;
import io.vermilion.model.SearchHit;
import io.vermilion.model.SearchRequest;
import io.vermilion.record.Record;

/**
 * Answers one search of Chroma's Search API over a {@link CollectionView} (compacted version plus log tail), as
 * Chroma's worker does: each {@code $knn} leaf is a filtered nearest-neighbour query for its {@code limit} hits, the
 * rank expression combines them ({@link RankEvaluator}), {@code group_by} thins the ranking ({@link RankedGroups}),
 * then {@code offset}/{@code limit} slice it. A sparse {@code $knn} is answered by {@link SparseKnn}, a text one (BM25
 * over {@code #document}) by {@link Bm25Candidates}. Ranking runs on {@link Candidate}s (sequence and distance): only
 * the records of the returned page are loaded, with the parts the request asks for (plus, under {@code group_by},
 * the metadata of every ranked record, which grouping reads). Without a rank expression the result is the filtered
 * records in insertion order, each scored by its position in the page. Ties rank by insertion order. Stateless.
 */
public final class SearchExecutor {

    private static final RecordParts METADATA = new RecordParts(true, false, false);

    /** A ranked candidate: its record's score under the rank expression. */
    private record Ranked(Candidate candidate, float score) {}

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
        List<List<Candidate>> results = new ArrayList<>(knns.size());
        Map<Long, Candidate> found = new HashMap<>();
        for (RankExpr.Knn knn : knns) {
            List<Candidate> hits = knn.limit() == 0 ? List.of()
                    : knn.text() != null ? Bm25Candidates.nearest(view, knn, request.filter())
                    : knn.sparse() != null ? SparseKnn.nearest(view, knn, request.filter(), request.embeddings())
                    : view.candidates(new QueryRequest(List.of(knn.query()), knn.limit(), null, request.filter(),
                            null, request.distance(), request.efSearch(), request.embeddings())).get(0);
            for (Candidate hit : hits) {
                found.putIfAbsent(hit.sequence(), hit);
            }
            results.add(hits);
        }
        Map<Long, Float> scores = RankEvaluator.evaluate(request.rank(), results);
        List<Ranked> ranked = new ArrayList<>(scores.size());
        scores.forEach((sequence, score) -> ranked.add(new Ranked(found.get(sequence), score)));
        ranked.sort((a, b) -> {
            int byScore = Float.compare(a.score(), b.score());
            return byScore != 0 ? byScore : Long.compare(a.candidate().sequence(), b.candidate().sequence());
        });
        return request.groupBy() == null ? page(view, ranked, request) : grouped(view, ranked, request);
    }

    /** The requested slice of {@code ranked}, its records loaded. */
    private static List<SearchHit> page(CollectionView view, List<Ranked> ranked, SearchRequest request) {
        List<Ranked> slice = ranked.subList(from(request, ranked.size()), to(request, ranked.size()));
        List<Candidate> candidates = new ArrayList<>(slice.size());
        for (Ranked r : slice) {
            candidates.add(r.candidate());
        }
        List<Record> records = view.load(candidates, request.parts());
        List<SearchHit> hits = new ArrayList<>(slice.size());
        for (int i = 0; i < slice.size(); i++) {
            hits.add(new SearchHit(records.get(i), slice.get(i).score()));
        }
        return hits;
    }

    /**
     * {@code group_by} over every ranked record (their metadata loaded), then the requested slice of the survivors,
     * loaded again with the requested parts when those go beyond the metadata.
     */
    private static List<SearchHit> grouped(CollectionView view, List<Ranked> ranked, SearchRequest request) {
        List<Candidate> candidates = new ArrayList<>(ranked.size());
        for (Ranked r : ranked) {
            candidates.add(r.candidate());
        }
        List<Record> withMetadata = view.load(candidates, METADATA);
        List<RankedGroups.Scored> scored = new ArrayList<>(ranked.size());
        Map<Long, Candidate> bySequence = new HashMap<>();
        for (int i = 0; i < ranked.size(); i++) {
            Candidate c = ranked.get(i).candidate();
            scored.add(new RankedGroups.Scored(withMetadata.get(i), c.sequence(), ranked.get(i).score()));
            bySequence.put(c.sequence(), c);
        }
        List<RankedGroups.Scored> kept = RankedGroups.apply(scored, request.groupBy());
        List<RankedGroups.Scored> slice = kept.subList(from(request, kept.size()), to(request, kept.size()));
        List<SearchHit> hits = new ArrayList<>(slice.size());
        if (METADATA.plus(request.parts()).equals(METADATA)) {
            for (RankedGroups.Scored s : slice) {
                hits.add(new SearchHit(s.record(), s.score()));
            }
            return hits;
        }
        List<Candidate> page = new ArrayList<>(slice.size());
        for (RankedGroups.Scored s : slice) {
            page.add(bySequence.get(s.sequence()));
        }
        List<Record> records = view.load(page, request.parts());
        for (int i = 0; i < slice.size(); i++) {
            hits.add(new SearchHit(records.get(i), slice.get(i).score()));
        }
        return hits;
    }

    private static int from(SearchRequest request, int size) {
        return (int) Math.min(request.offset(), size);
    }

    private static int to(SearchRequest request, int size) {
        long from = from(request, size);
        return (int) (request.limit() == null ? size : Math.min(size, from + request.limit()));
    }
}
