package io.vermilion.executor;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import io.vermilion.model.SearchGroupBy;
import io.vermilion.record.MetadataValue;
import io.vermilion.record.Record;
import io.vermilion.storage.ObjectKeys;

/**
 * Chroma's {@code group_by} over ranked records ({@code rust/worker/src/execution/operators/ranked_group_by.rs}):
 * groups by the values of the group keys (a missing value is its own group), keeps the first {@code k} of each
 * group by the aggregate keys ({@code $min_k} ascending, {@code $max_k} descending; ties keep rank order), and
 * returns the survivors in rank order. Values order as Chroma's {@code MetadataValue}: missing first, then by type
 * (bool, int, float, string, arrays) and value. Stateless.
 */
final class RankedGroups {

    /** A ranked record with its score and insertion sequence (the tie-break). */
    record Scored(Record record, long sequence, float score) {}

    /** Rank order: ascending score (float total order), then insertion sequence. */
    static final Comparator<Scored> RANK_ORDER = (a, b) -> {
        int byScore = Float.compare(a.score(), b.score());
        return byScore != 0 ? byScore : Long.compare(a.sequence(), b.sequence());
    };

    private static final Comparator<MetadataValue> VALUE_ORDER = RankedGroups::compareValues;
    private static final Comparator<List<MetadataValue>> KEY_ORDER = RankedGroups::compareKeys;

    private RankedGroups() {}

    /** {@code ranked} in rank order; returns the records that survive grouping, in rank order. */
    static List<Scored> apply(List<Scored> ranked, SearchGroupBy groupBy) {
        List<Scored> byGroup = new ArrayList<>(ranked);
        byGroup.sort(Comparator.comparing(r -> key(r, groupBy.keys()), KEY_ORDER));
        List<Scored> kept = new ArrayList<>();
        int start = 0;
        while (start < byGroup.size()) {
            List<MetadataValue> groupKey = key(byGroup.get(start), groupBy.keys());
            int end = start + 1;
            while (end < byGroup.size() && KEY_ORDER.compare(key(byGroup.get(end), groupBy.keys()), groupKey) == 0) {
                end++;
            }
            List<Scored> group = new ArrayList<>(byGroup.subList(start, end));
            Comparator<Scored> aggregate =
                    Comparator.comparing(r -> key(r, groupBy.aggregateKeys()), KEY_ORDER);
            group.sort(groupBy.max() ? aggregate.reversed() : aggregate);
            kept.addAll(group.subList(0, Math.min(groupBy.k(), group.size())));
            start = end;
        }
        kept.sort(RANK_ORDER);
        return kept;
    }

    private static List<MetadataValue> key(Scored r, List<String> keys) {
        List<MetadataValue> values = new ArrayList<>(keys.size());
        Map<String, MetadataValue> metadata = r.record().metadata();
        for (String key : keys) {
            if (key.equals(SearchGroupBy.SCORE)) {
                values.add(new MetadataValue.Flt(r.score()));
            } else {
                values.add(metadata == null ? null : metadata.get(key));
            }
        }
        return values;
    }

    private static int compareKeys(List<MetadataValue> a, List<MetadataValue> b) {
        for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
            int c = Comparator.nullsFirst(VALUE_ORDER).compare(a.get(i), b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.size(), b.size());
    }

    static int compareValues(MetadataValue a, MetadataValue b) {
        int byType = Integer.compare(typeOrder(a), typeOrder(b));
        if (byType != 0) {
            return byType;
        }
        return switch (a) {
            case MetadataValue.Bool x -> Boolean.compare(x.value(), ((MetadataValue.Bool) b).value());
            case MetadataValue.Int x -> Long.compare(x.value(), ((MetadataValue.Int) b).value());
            case MetadataValue.Flt x -> totalCompare(x.value(), ((MetadataValue.Flt) b).value());
            // Rust's String order: by code point (UTF-8 bytes), not UTF-16 units, as object keys are ordered.
            case MetadataValue.Str x -> ObjectKeys.UTF8_ORDER.compare(x.value(), ((MetadataValue.Str) b).value());
            case MetadataValue.Array x -> {
                List<MetadataValue> left = x.elements();
                List<MetadataValue> right = ((MetadataValue.Array) b).elements();
                for (int i = 0; i < Math.min(left.size(), right.size()); i++) {
                    int c = compareValues(left.get(i), right.get(i));
                    if (c != 0) {
                        yield c;
                    }
                }
                yield Integer.compare(left.size(), right.size());
            }
            case MetadataValue.Sparse x -> compareSparse(x, (MetadataValue.Sparse) b);
        };
    }

    /** Bool < Int < Float < Str < (sparse vector) < bool, int, float, string arrays, as Chroma orders them. */
    private static int typeOrder(MetadataValue v) {
        return switch (v) {
            case MetadataValue.Bool x -> 0;
            case MetadataValue.Int x -> 1;
            case MetadataValue.Flt x -> 2;
            case MetadataValue.Str x -> 3;
            case MetadataValue.Sparse x -> 4;
            case MetadataValue.Array x -> x.elements().isEmpty() ? 5 : 5 + typeOrder(x.elements().get(0));
        };
    }

    /** Chroma's {@code Ord for SparseVector}: indices (unsigned, lexicographic), then values by total order. */
    private static int compareSparse(MetadataValue.Sparse a, MetadataValue.Sparse b) {
        int n = Math.min(a.indices().length, b.indices().length);
        for (int i = 0; i < n; i++) {
            int c = Integer.compareUnsigned(a.indices()[i], b.indices()[i]);
            if (c != 0) {
                return c;
            }
        }
        int byIndices = Integer.compare(a.indices().length, b.indices().length);
        if (byIndices != 0) {
            return byIndices;
        }
        for (int i = 0; i < Math.min(a.values().length, b.values().length); i++) {
            int c = Float.compare(a.values()[i], b.values()[i]);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(a.values().length, b.values().length);
    }

    /** Rust's {@code f64::total_cmp}: -0.0 below 0.0. */
    private static int totalCompare(double a, double b) {
        return Double.compare(a, b);
    }
}
