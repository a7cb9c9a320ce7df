package io.vermilion.executor;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.DoubleUnaryOperator;

import io.vermilion.model.RankExpr;

/**
 * Evaluates a rank expression over the results of its {@code $knn} leaves with Chroma's semantics
 * ({@code rust/worker/src/execution/operators/rank.rs}): every sub-expression is a <em>domain</em> — scores for the
 * records it names (its support) and a default score for all others, or no default when other records are out.
 * A {@code $knn} names its hits and defaults to its {@code default}; a constant names nobody and defaults to itself.
 * A binary operation keeps the union of the supports when both sides have a default, the side without a default's
 * support when one lacks it, and the intersection when neither has one. The result is the root's support, so a
 * record appears only if some {@code $knn} found it. Arithmetic is float32, as Chroma's. Stateless.
 */
final class RankEvaluator {

    /**
     * Scores for the supported records (by insertion sequence, which names a record within a view) and the score of
     * every other record, null when they are out.
     */
    record Domain(Map<Long, Float> support, Float fallback) {}

    private interface FloatOp {
        float apply(float left, float right);
    }

    private RankEvaluator() {}

    /** The root's support: sequence to score. {@code knnResults} are the leaves' hits, depth-first, nearest first. */
    static Map<Long, Float> evaluate(RankExpr expr, List<List<Candidate>> knnResults) {
        return eval(expr, knnResults.iterator()).support();
    }

    private static Domain eval(RankExpr expr, Iterator<List<Candidate>> knns) {
        return switch (expr) {
            case RankExpr.Knn knn -> {
                List<Candidate> hits = knns.hasNext() ? knns.next() : List.of();
                Map<Long, Float> support = new HashMap<>();
                for (int i = 0; i < hits.size(); i++) {
                    Candidate hit = hits.get(i);
                    support.put(hit.sequence(), knn.returnRank() ? (float) i : hit.distance());
                }
                yield new Domain(support, knn.defaultScore());
            }
            case RankExpr.Value v -> flat(v.value());
            case RankExpr.Sum s -> fold(s.terms(), 0.0f, (a, b) -> a + b, knns);
            case RankExpr.Mul m -> fold(m.terms(), 1.0f, (a, b) -> a * b, knns);
            case RankExpr.Max m -> fold(m.terms(), -Float.MAX_VALUE, RankEvaluator::max, knns);
            case RankExpr.Min m -> fold(m.terms(), Float.MAX_VALUE, RankEvaluator::min, knns);
            case RankExpr.Sub s -> merge(eval(s.left(), knns), eval(s.right(), knns), (a, b) -> a - b);
            case RankExpr.Div d -> merge(eval(d.left(), knns), eval(d.right(), knns), (a, b) -> a / b);
            case RankExpr.Abs a -> map(eval(a.operand(), knns), Math::abs);
            case RankExpr.Exp e -> map(eval(e.operand(), knns), Math::exp);
            case RankExpr.Log l -> map(eval(l.operand(), knns), Math::log);
        };
    }

    private static Domain flat(float value) {
        return new Domain(Map.of(), value);
    }

    private static Domain fold(List<RankExpr> terms, float start, FloatOp op, Iterator<List<Candidate>> knns) {
        Domain acc = flat(start);
        for (RankExpr term : terms) {
            acc = merge(acc, eval(term, knns), op);
        }
        return acc;
    }

    private static Domain map(Domain domain, DoubleUnaryOperator op) {
        Map<Long, Float> support = new HashMap<>(domain.support().size() * 2);
        domain.support().forEach((id, v) -> support.put(id, (float) op.applyAsDouble(v)));
        Float fallback = domain.fallback() == null ? null : (float) op.applyAsDouble(domain.fallback());
        return new Domain(support, fallback);
    }

    private static Domain merge(Domain left, Domain right, FloatOp op) {
        Map<Long, Float> support = new HashMap<>();
        Float l = left.fallback();
        Float r = right.fallback();
        if (l != null && r != null) {
            Set<Long> ids = new HashSet<>(left.support().keySet());
            ids.addAll(right.support().keySet());
            for (Long id : ids) {
                support.put(id, op.apply(left.support().getOrDefault(id, l), right.support().getOrDefault(id, r)));
            }
            return new Domain(support, op.apply(l, r));
        }
        if (l != null) {
            right.support().forEach((id, v) -> support.put(id, op.apply(left.support().getOrDefault(id, l), v)));
        } else if (r != null) {
            left.support().forEach((id, v) -> support.put(id, op.apply(v, right.support().getOrDefault(id, r))));
        } else {
            left.support().forEach((id, v) -> {
                Float other = right.support().get(id);
                if (other != null) {
                    support.put(id, op.apply(v, other));
                }
            });
        }
        return new Domain(support, null);
    }

    /** Rust's {@code f32::max}: a NaN operand yields the other one. */
    private static float max(float a, float b) {
        return Float.isNaN(a) ? b : Float.isNaN(b) ? a : Math.max(a, b);
    }

    /** Rust's {@code f32::min}: a NaN operand yields the other one. */
    private static float min(float a, float b) {
        return Float.isNaN(a) ? b : Float.isNaN(b) ? a : Math.min(a, b);
    }
}
