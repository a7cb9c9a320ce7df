package io.vermilion.executor;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import io.vermilion.blockstore.SequencedRecord;
import io.vermilion.model.RankExpr;
import io.vermilion.record.MetadataValue;

/**
 * Chroma's server-side IDF for a sparse index declared with {@code bm25: true}
 * ({@code rust/worker/src/execution/operators/idf.rs}): before the search, each value of a sparse {@code $knn} query
 * over such a key is multiplied by {@code idf(t) = ln(1 + (n − n_t + 0.5) / (n_t + 0.5))} (float32), where {@code n}
 * counts the collection's records and {@code n_t} those whose vector in the key has index {@code t} (clamped to
 * {@code n}), both over the compacted version and the log tail, ignoring the search's filter. Stateless.
 */
public final class SparseIdf {

    private SparseIdf() {}

    /** {@code rank} with the query of every sparse {@code $knn} over a key of {@code bm25Keys} scaled by IDF. */
    public static RankExpr apply(CollectionView view, RankExpr rank, Set<String> bm25Keys) {
        if (rank == null || bm25Keys.isEmpty()) {
            return rank;
        }
        return switch (rank) {
            case RankExpr.Knn k -> k.sparse() != null && bm25Keys.contains(k.key())
                    ? new RankExpr.Knn(null, scaled(view, k.key(), k.sparse()), k.key(), k.limit(), k.defaultScore(),
                            k.returnRank())
                    : k;
            case RankExpr.Value v -> v;
            case RankExpr.Sum s -> new RankExpr.Sum(all(view, s.terms(), bm25Keys));
            case RankExpr.Mul m -> new RankExpr.Mul(all(view, m.terms(), bm25Keys));
            case RankExpr.Max m -> new RankExpr.Max(all(view, m.terms(), bm25Keys));
            case RankExpr.Min m -> new RankExpr.Min(all(view, m.terms(), bm25Keys));
            case RankExpr.Sub s -> new RankExpr.Sub(apply(view, s.left(), bm25Keys), apply(view, s.right(), bm25Keys));
            case RankExpr.Div d -> new RankExpr.Div(apply(view, d.left(), bm25Keys), apply(view, d.right(), bm25Keys));
            case RankExpr.Abs a -> new RankExpr.Abs(apply(view, a.operand(), bm25Keys));
            case RankExpr.Exp e -> new RankExpr.Exp(apply(view, e.operand(), bm25Keys));
            case RankExpr.Log l -> new RankExpr.Log(apply(view, l.operand(), bm25Keys));
        };
    }

    private static List<RankExpr> all(CollectionView view, List<RankExpr> terms, Set<String> bm25Keys) {
        List<RankExpr> out = new ArrayList<>(terms.size());
        for (RankExpr t : terms) {
            out.add(apply(view, t, bm25Keys));
        }
        return out;
    }

    /** {@code query} with each value multiplied by its dimension's IDF in {@code key} over {@code view}. */
    public static MetadataValue.Sparse scaled(CollectionView view, String key, MetadataValue.Sparse query) {
        int[] indices = query.indices();
        int[] counts = view.versionSparseFrequencies(key, indices);
        Iterable<SequencedRecord> scanned = counts == null ? view.sequencedScan(null, false) : view.tailScan(null, false);
        if (counts == null) {
            counts = new int[indices.length];
        }
        for (SequencedRecord r : scanned) {
            if (r.record().metadata() != null && r.record().metadata().get(key) instanceof MetadataValue.Sparse v) {
                int[] have = v.indices();
                for (int i = 0; i < indices.length; i++) {
                    if (contains(have, indices[i])) {
                        counts[i]++;
                    }
                }
            }
        }
        float n = view.count();
        float[] values = new float[indices.length];
        for (int i = 0; i < indices.length; i++) {
            values[i] = idf(n, counts[i]) * query.values()[i];
        }
        return new MetadataValue.Sparse(indices, values, query.tokens());
    }

    /** Chroma's {@code scale(n, n_t)}: {@code ln_1p((n − n_t + 0.5) / (n_t + 0.5))} in float32, {@code n_t ≤ n}. */
    static float idf(float n, float nt) {
        float clamped = Math.min(nt, n);
        float ratio = (n - clamped + 0.5f) / (clamped + 0.5f);
        return (float) Math.log1p(ratio);
    }

    /** Binary search in strictly ascending unsigned indices. */
    private static boolean contains(int[] sorted, int index) {
        int lo = 0;
        int hi = sorted.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            int c = Integer.compareUnsigned(sorted[mid], index);
            if (c == 0) {
                return true;
            }
            if (c < 0) {
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return false;
    }
}
