package io.vermilion.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import io.vermilion.record.MetadataValue;

/**
 * A search's rank expression, as Chroma's {@code RankExpr} ({@code rust/types/src/execution/operator.rs}): a tree
 * over {@code $knn} leaves and constants. Lower scores rank first. Immutable; the query vectors are not copied and
 * must not be mutated.
 */
public sealed interface RankExpr {

    /** The {@code $knn} leaves in depth-first order, the order their results feed {@code evaluation}. */
    default List<Knn> knns() {
        List<Knn> out = new ArrayList<>();
        collect(this, out);
        return out;
    }

    private static void collect(RankExpr expr, List<Knn> out) {
        switch (expr) {
            case Knn k -> out.add(k);
            case Value v -> { }
            case Sum s -> s.terms.forEach(t -> collect(t, out));
            case Mul m -> m.terms.forEach(t -> collect(t, out));
            case Max m -> m.terms.forEach(t -> collect(t, out));
            case Min m -> m.terms.forEach(t -> collect(t, out));
            case Sub s -> { collect(s.left, out); collect(s.right, out); }
            case Div d -> { collect(d.left, out); collect(d.right, out); }
            case Abs a -> collect(a.operand, out);
            case Exp e -> collect(e.operand, out);
            case Log l -> collect(l.operand, out);
        }
    }

    /**
     * {@code $knn}: the {@code limit} nearest records (among those passing the search's filter) score their distance,
     * or their 0-based rank when {@code returnRank}; every other record scores {@code defaultScore}, or is dropped
     * from the result when that is null. A dense {@code $knn} has {@code query} (over {@code #embedding}); a sparse
     * one has {@code sparse} and the metadata {@code key} holding the records' sparse vectors, and scores
     * {@code 1 - query·vector} as Chroma does, over records whose vector shares an index with the query. A text
     * one (Vermilion's extension, key {@value #DOCUMENT_KEY}) has {@code text} and ranks records whose document shares
     * an analyzed term with it by BM25, scoring {@code -bm25} so that lower still ranks first.
     */
    record Knn(float[] query, MetadataValue.Sparse sparse, String key, int limit, Float defaultScore,
               boolean returnRank, String text) implements RankExpr {

        /** The key of a text {@code $knn}: BM25 over the records' documents. */
        public static final String DOCUMENT_KEY = "#document";

        public Knn {
            if ((query != null ? 1 : 0) + (sparse != null ? 1 : 0) + (text != null ? 1 : 0) != 1) {
                throw new IllegalArgumentException("exactly one of a dense, a sparse and a text query");
            }
            if (sparse != null) {
                Objects.requireNonNull(key, "key");
            }
            if (text != null && !DOCUMENT_KEY.equals(key)) {
                throw new IllegalArgumentException("a text query ranks " + DOCUMENT_KEY + ", not " + key);
            }
            if (limit < 0) {
                throw new IllegalArgumentException("limit must be >= 0: " + limit);
            }
        }

        /** A dense or sparse {@code $knn}. */
        public Knn(float[] query, MetadataValue.Sparse sparse, String key, int limit, Float defaultScore,
                   boolean returnRank) {
            this(query, sparse, key, limit, defaultScore, returnRank, null);
        }

        /** A text {@code $knn}: BM25 over {@code #document}. */
        public static Knn text(String text, int limit, Float defaultScore, boolean returnRank) {
            return new Knn(null, null, DOCUMENT_KEY, limit, defaultScore, returnRank, Objects.requireNonNull(text, "text"));
        }

        /** A dense {@code $knn} over {@code #embedding}. */
        public Knn(float[] query, int limit, Float defaultScore, boolean returnRank) {
            this(Objects.requireNonNull(query, "query"), null, null, limit, defaultScore, returnRank);
        }
    }

    /** {@code $val}: the same score for every record. */
    record Value(float value) implements RankExpr {}

    record Sum(List<RankExpr> terms) implements RankExpr {
        public Sum {
            terms = List.copyOf(terms);
        }
    }

    record Mul(List<RankExpr> terms) implements RankExpr {
        public Mul {
            terms = List.copyOf(terms);
        }
    }

    record Max(List<RankExpr> terms) implements RankExpr {
        public Max {
            terms = List.copyOf(terms);
        }
    }

    record Min(List<RankExpr> terms) implements RankExpr {
        public Min {
            terms = List.copyOf(terms);
        }
    }

    record Sub(RankExpr left, RankExpr right) implements RankExpr {
        public Sub {
            Objects.requireNonNull(left, "left");
            Objects.requireNonNull(right, "right");
        }
    }

    record Div(RankExpr left, RankExpr right) implements RankExpr {
        public Div {
            Objects.requireNonNull(left, "left");
            Objects.requireNonNull(right, "right");
        }
    }

    record Abs(RankExpr operand) implements RankExpr {
        public Abs {
            Objects.requireNonNull(operand, "operand");
        }
    }

    record Exp(RankExpr operand) implements RankExpr {
        public Exp {
            Objects.requireNonNull(operand, "operand");
        }
    }

    /** {@code $log}: the natural logarithm. */
    record Log(RankExpr operand) implements RankExpr {
        public Log {
            Objects.requireNonNull(operand, "operand");
        }
    }
}
