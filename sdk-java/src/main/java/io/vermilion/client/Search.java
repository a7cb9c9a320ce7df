package io.vermilion.client;

import io.vermilion.client.generated.model.SearchGroupBy;
import io.vermilion.client.generated.model.SearchLimit;
import io.vermilion.client.generated.model.SearchPayload;
import io.vermilion.client.generated.model.SearchSelect;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One search of the Search API: a filter ({@code where} grammar plus {@code #id} and {@code #document} keys), a
 * {@link Rank}, an optional group-by, a page and the keys to return ({@code #document}, {@code #embedding},
 * {@code #metadata}, {@code #score} or metadata keys). Immutable; each {@code with...} returns a new search.
 */
public record Search(Map<String, Object> filter, Rank rank, List<String> groupKeys, List<String> aggregateKeys,
        int k, boolean maxK, int offset, Integer limit, List<String> select) {

    public Search {
        groupKeys = groupKeys == null ? null : List.copyOf(groupKeys);
        aggregateKeys = aggregateKeys == null ? null : List.copyOf(aggregateKeys);
        select = List.copyOf(select);
    }

    /** Every record, in insertion order, ids only. */
    public static Search all() {
        return new Search(null, null, null, null, 0, false, 0, null, List.of());
    }

    /** Records ranked by {@code rank}. */
    public static Search ranked(Rank rank) {
        return all().withRank(rank);
    }

    public Search withRank(Rank rank) {
        return new Search(filter, rank, groupKeys, aggregateKeys, k, maxK, offset, limit, select);
    }

    public Search withWhere(Map<String, Object> where) {
        return new Search(where, rank, groupKeys, aggregateKeys, k, maxK, offset, limit, select);
    }

    /** Keeps per value of {@code keys} the {@code k} records lowest ({@code max} false) or highest by the aggregate keys. */
    public Search withGroupBy(List<String> keys, List<String> aggregateBy, int k, boolean max) {
        return new Search(filter, rank, keys, aggregateBy, k, max, offset, limit, select);
    }

    public Search withLimit(int limit, int offset) {
        return new Search(filter, rank, groupKeys, aggregateKeys, k, maxK, offset, limit, select);
    }

    public Search withSelect(String... keys) {
        return new Search(filter, rank, groupKeys, aggregateKeys, k, maxK, offset, limit, List.of(keys));
    }

    SearchPayload toPayload() {
        SearchPayload p = new SearchPayload().filter(filter).rank(rank == null ? null : rank.toJson())
                .limit(new SearchLimit().offset((long) offset).limit(limit == null ? null : (long) limit))
                .select(new SearchSelect().keys(select));
        if (groupKeys != null) {
            Map<String, Object> aggregate = new LinkedHashMap<>();
            aggregate.put("keys", aggregateKeys);
            aggregate.put("k", k);
            p.groupBy(new SearchGroupBy().keys(groupKeys).aggregate(Map.of(maxK ? "$max_k" : "$min_k", aggregate)));
        }
        return p;
    }
}
