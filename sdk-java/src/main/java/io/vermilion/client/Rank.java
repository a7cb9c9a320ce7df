package io.vermilion.client;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A rank expression of the Search API, as the JSON the server reads (lower scores rank first): {@link #knn} leaves
 * combined by arithmetic. {@link #rrf} builds reciprocal rank fusion the way Chroma's clients do. Immutable.
 */
public final class Rank {

    private final Map<String, Object> json;

    private Rank(String operator, Object argument) {
        this.json = Map.of(operator, argument);
    }

    /** The {@code limit} nearest records to {@code query} score their distance; others drop out. */
    public static Rank knn(float[] query, int limit) {
        return knn(query, limit, null, false);
    }

    /**
     * The {@code limit} nearest records to {@code query} score their distance, or their 0-based position with
     * {@code returnRank}; other records score {@code defaultScore}, or drop out when it is null.
     */
    public static Rank knn(float[] query, int limit, Float defaultScore, boolean returnRank) {
        List<Float> values = new ArrayList<>(query.length);
        for (float v : query) {
            values.add(v);
        }
        return knnOf(values, null, limit, defaultScore, returnRank);
    }

    /**
     * The {@code limit} nearest records to a text: embedded by the collection's {@link EmbeddingFunction} when it has
     * one, otherwise sent as it is for the server to embed (a collection it embeds; any other answers 400).
     */
    public static Rank knn(String text, int limit) {
        return knn(text, limit, null, false);
    }

    public static Rank knn(String text, int limit, Float defaultScore, boolean returnRank) {
        return knnOf(java.util.Objects.requireNonNull(text, "text"), null, limit, defaultScore, returnRank);
    }

    /**
     * A sparse {@code $knn}: the {@code limit} records whose sparse vector under metadata {@code key} (a key with a
     * sparse vector index in the collection schema) best matches {@code query} score {@code 1 - query·vector}; others
     * drop out.
     */
    public static Rank knn(SparseVector query, String key, int limit) {
        return knn(query, key, limit, null, false);
    }

    public static Rank knn(SparseVector query, String key, int limit, Float defaultScore, boolean returnRank) {
        return knnOf(java.util.Objects.requireNonNull(query, "query").toJson(),
                java.util.Objects.requireNonNull(key, "key"), limit, defaultScore, returnRank);
    }

    /**
     * Vermilion's BM25 extension: the {@code limit} records whose document best matches {@code text} by BM25 (over the
     * server's text index, compacted records and log tail alike) score {@code -bm25}; others drop out. Never embedded.
     */
    public static Rank bm25(String text, int limit) {
        return bm25(text, limit, null, false);
    }

    /**
     * As {@link #bm25(String, int)}, scoring the 0-based position with {@code returnRank} and {@code defaultScore}
     * for other records (null: they drop out) — for {@link #rrf} with a dense {@link #knn}, i.e. hybrid search.
     */
    public static Rank bm25(String text, int limit, Float defaultScore, boolean returnRank) {
        return knnOf(java.util.Objects.requireNonNull(text, "text"), DOCUMENT_KEY, limit, defaultScore, returnRank);
    }

    /** One {@code $knn} as the wire has it: query, key (when not the default), limit, then the optional fields. */
    private static Rank knnOf(Object query, String key, int limit, Float defaultScore, boolean returnRank) {
        Map<String, Object> knn = new LinkedHashMap<>();
        knn.put("query", query);
        if (key != null) {
            knn.put("key", key);
        }
        knn.put("limit", limit);
        if (defaultScore != null) {
            knn.put("default", defaultScore);
        }
        if (returnRank) {
            knn.put("return_rank", true);
        }
        return new Rank("$knn", Collections.unmodifiableMap(knn));
    }

    private static final String DOCUMENT_KEY = "#document";

    /** A copy of this expression whose text {@code $knn} queries are replaced by {@code embed}'s vector for them. */
    Rank withTextsEmbedded(java.util.function.Function<String, float[]> embed) {
        Map.Entry<String, Object> e = json.entrySet().iterator().next();
        return new Rank(e.getKey(), embedded(e.getKey(), e.getValue(), embed));
    }

    @SuppressWarnings("unchecked")
    private static Object embedded(String key, Object node, java.util.function.Function<String, float[]> embed) {
        if (node instanceof Map<?, ?> map) {
            if (key.equals("$knn") && DOCUMENT_KEY.equals(map.get("key"))) {
                return node; // BM25 over #document: the server reads the text itself
            }
            Map<String, Object> out = new LinkedHashMap<>();
            ((Map<String, Object>) map).forEach((k, v) -> {
                if (key.equals("$knn") && k.equals("query") && v instanceof String text) {
                    List<Float> values = new ArrayList<>();
                    for (float x : embed.apply(text)) {
                        values.add(x);
                    }
                    out.put(k, values);
                } else {
                    out.put(k, embedded(k, v, embed));
                }
            });
            return Collections.unmodifiableMap(out);
        }
        if (node instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            list.forEach(v -> out.add(embedded("", v, embed)));
            return out;
        }
        return node;
    }

    public static Rank val(float value) {
        return new Rank("$val", value);
    }

    public static Rank sum(Rank... terms) {
        return new Rank("$sum", jsons(terms));
    }

    public static Rank mul(Rank... terms) {
        return new Rank("$mul", jsons(terms));
    }

    public static Rank max(Rank... terms) {
        return new Rank("$max", jsons(terms));
    }

    public static Rank min(Rank... terms) {
        return new Rank("$min", jsons(terms));
    }

    public static Rank sub(Rank left, Rank right) {
        return new Rank("$sub", operands(left, right));
    }

    public static Rank div(Rank left, Rank right) {
        return new Rank("$div", operands(left, right));
    }

    public static Rank abs(Rank operand) {
        return new Rank("$abs", operand.json);
    }

    public static Rank exp(Rank operand) {
        return new Rank("$exp", operand.json);
    }

    public static Rank log(Rank operand) {
        return new Rank("$log", operand.json);
    }

    /**
     * Reciprocal rank fusion: {@code -(sum of 1 / (k + rank))} over {@code ranks}, which should be {@link #knn}
     * leaves with {@code returnRank} (and a default, to keep records only some of them found).
     */
    public static Rank rrf(int k, Rank... ranks) {
        if (ranks.length == 0) {
            throw new IllegalArgumentException("rrf needs at least one rank");
        }
        Rank[] terms = new Rank[ranks.length];
        for (int i = 0; i < ranks.length; i++) {
            terms[i] = div(val(1), sum(val(k), ranks[i]));
        }
        return mul(val(-1), sum(terms));
    }

    /** The JSON object the server reads. */
    public Map<String, Object> toJson() {
        return json;
    }

    private static Map<String, Object> operands(Rank left, Rank right) {
        Map<String, Object> node = new LinkedHashMap<>();
        node.put("left", left.json);
        node.put("right", right.json);
        return Collections.unmodifiableMap(node);
    }

    private static List<Object> jsons(Rank... terms) {
        List<Object> out = new ArrayList<>(terms.length);
        for (Rank term : terms) {
            out.add(term.json);
        }
        return out;
    }
}
