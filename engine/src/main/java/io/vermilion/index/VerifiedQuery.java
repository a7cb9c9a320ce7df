package io.vermilion.index;

import io.vermilion.record.Record;
import java.io.IOException;
import java.util.Objects;
import java.util.function.Predicate;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.ConstantScoreScorer;
import org.apache.lucene.search.ConstantScoreWeight;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchNoDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.QueryVisitor;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.Scorer;
import org.apache.lucene.search.ScorerSupplier;
import org.apache.lucene.search.TwoPhaseIterator;
import org.apache.lucene.search.Weight;

/**
 * Matches exactly the documents whose stored record passes {@code verifier}, given two index queries that bracket
 * them: {@code candidates} (a superset) and {@code certain} (a subset). Candidates inside {@code certain} match
 * without being read; the rest are loaded from stored fields (embedding skipped) and tested. A two-phase query, so
 * conjunctions and kNN pre-filters run the cheap index part first. Equality is identity (the verifier is a
 * lambda): not for query caches.
 */
final class VerifiedQuery extends Query {

    /** Loading and testing one stored record, relative to a postings step (for two-phase ordering). */
    private static final float MATCH_COST = 1_000f;

    private final Query candidates;
    private final Query certain;
    private final Predicate<Record> verifier;

    VerifiedQuery(Query candidates, Query certain, Predicate<Record> verifier) {
        this.candidates = Objects.requireNonNull(candidates, "candidates");
        this.certain = Objects.requireNonNull(certain, "certain");
        this.verifier = Objects.requireNonNull(verifier, "verifier");
    }

    @Override
    public Query rewrite(IndexSearcher searcher) throws IOException {
        Query rewrittenCandidates = candidates.rewrite(searcher);
        Query rewrittenCertain = certain.rewrite(searcher);
        if (rewrittenCandidates instanceof MatchNoDocsQuery) {
            return rewrittenCandidates;
        }
        if (rewrittenCandidates != candidates || rewrittenCertain != certain) {
            return new VerifiedQuery(rewrittenCandidates, rewrittenCertain, verifier);
        }
        return this;
    }

    @Override
    public Weight createWeight(IndexSearcher searcher, ScoreMode scoreMode, float boost) throws IOException {
        Weight candidatesWeight = searcher.createWeight(searcher.rewrite(candidates), ScoreMode.COMPLETE_NO_SCORES, 1f);
        Weight certainWeight = certain instanceof MatchNoDocsQuery
                ? null
                : searcher.createWeight(searcher.rewrite(certain), ScoreMode.COMPLETE_NO_SCORES, 1f);
        return new ConstantScoreWeight(this, boost) {
            @Override
            public ScorerSupplier scorerSupplier(LeafReaderContext context) throws IOException {
                Scorer candidateScorer = candidatesWeight.scorer(context);
                if (candidateScorer == null) {
                    return null;
                }
                Scorer certainScorer = certainWeight == null ? null : certainWeight.scorer(context);
                DocIdSetIterator approximation = candidateScorer.iterator();
                DocIdSetIterator certainDocs = certainScorer == null ? null : certainScorer.iterator();
                StoredFields storedFields = context.reader().storedFields();
                float score = score();
                TwoPhaseIterator twoPhase = new TwoPhaseIterator(approximation) {
                    @Override
                    public boolean matches() throws IOException {
                        int doc = approximation.docID();
                        if (certainDocs != null) {
                            int at = certainDocs.docID() < doc ? certainDocs.advance(doc) : certainDocs.docID();
                            if (at == doc) {
                                return true;
                            }
                        }
                        return verifier.test(StoredRecords.load(storedFields, doc));
                    }

                    @Override
                    public float matchCost() {
                        return MATCH_COST;
                    }
                };
                return new ScorerSupplier() {
                    @Override
                    public Scorer get(long leadCost) {
                        return new ConstantScoreScorer(score, scoreMode, twoPhase);
                    }

                    @Override
                    public long cost() {
                        return approximation.cost();
                    }
                };
            }

            @Override
            public boolean isCacheable(LeafReaderContext context) {
                return false;
            }
        };
    }

    @Override
    public void visit(QueryVisitor visitor) {
        QueryVisitor sub = visitor.getSubVisitor(BooleanClause.Occur.FILTER, this);
        candidates.visit(sub);
        certain.visit(sub);
    }

    @Override
    public String toString(String field) {
        return "Verified(candidates=" + candidates.toString(field) + ", certain=" + certain.toString(field) + ")";
    }

    @Override
    public boolean equals(Object other) {
        return this == other;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }
}
