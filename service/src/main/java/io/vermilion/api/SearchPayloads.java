package io.vermilion.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vermilion.error.ChromaException;
import io.vermilion.index.DocumentText;
import io.vermilion.filter.InvalidFilterException;
import io.vermilion.filter.Where;
import io.vermilion.filter.WhereParser;
import io.vermilion.model.RankExpr;
import io.vermilion.record.MetadataValue;
import io.vermilion.model.SearchGroupBy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Parses the body of Chroma's {@code /search} route ({@code SearchRequestPayload} in Chroma's
 * {@code rust/types/src/api_types.rs}) into engine terms, with Chroma's defaults ({@code $knn} key
 * {@code #embedding}, limit 16; offset 0; no limit) and its checks: shape errors are 422 in serde's words, rule
 * violations ({@code group_by}, sparse {@code $knn} without a sparse index) are 400. Stateless.
 */
final class SearchPayloads {

    /** The longest text a BM25 {@code $knn} may carry, in UTF-16 characters. */
    static final int MAX_TEXT_QUERY_CHARS = 16_384;

    /** The most distinct analyzed terms a BM25 {@code $knn} may carry (Lucene's default clause limit). */
    static final int MAX_TEXT_QUERY_TERMS = 1024;

    /** Rank expressions nested deeper than this are refused (serde_json's own recursion limit is 128). */
    static final int MAX_RANK_DEPTH = 64;

    private static final String VARIANTS =
            "`$abs`, `$div`, `$exp`, `$knn`, `$log`, `$max`, `$min`, `$mul`, `$sub`, `$sum`, `$val`";

    /** One parsed search: the engine's terms plus the select keys in Chroma's response order. */
    record Parsed(Where filter, RankExpr rank, SearchGroupBy groupBy, int offset, Integer limit, Select select) {}

    /**
     * Selected keys as Chroma sorts them: {@code #document}, {@code #embedding}, {@code #metadata}, {@code #score},
     * then metadata keys by code point.
     */
    record Select(List<String> keys) {
        boolean document() {
            return keys.contains("#document");
        }

        boolean embedding() {
            return keys.contains("#embedding");
        }

        boolean allMetadata() {
            return keys.contains("#metadata");
        }

        boolean score() {
            return keys.contains("#score");
        }

        List<String> metadataKeys() {
            return keys.stream().filter(k -> !isPredefined(k)).toList();
        }

        boolean metadata() {
            return allMetadata() || !metadataKeys().isEmpty();
        }
    }

    private SearchPayloads() {}

    static List<JsonNode> searches(ObjectNode body) {
        JsonNode searches = JsonBody.required(body, "searches");
        if (!searches.isArray()) {
            throw ChromaException.shape("searches", "invalid type: " + JsonBody.describe(searches) + ", expected a sequence");
        }
        List<JsonNode> out = new ArrayList<>();
        searches.forEach(out::add);
        return out;
    }

    /** The request's read level: {@code index_and_wal} (the default), {@code index_only} or {@code index_and_bounded_wal}. */
    static ReadLevel readLevel(ObjectNode body) {
        JsonNode v = JsonBody.optional(body, "read_level");
        if (v == null) {
            return ReadLevel.INDEX_AND_WAL;
        }
        if (!v.isTextual()) {
            throw ChromaException.shape("read_level", "invalid type: " + JsonBody.describe(v) + ", expected enum ReadLevel");
        }
        ReadLevel level = ReadLevel.named(v.textValue());
        if (level == null) {
            throw ChromaException.shape("", ReadLevel.unknown(v.textValue()));
        }
        return level;
    }

    static Parsed parse(JsonNode node, int index) {
        String path = "searches[" + index + "]";
        if (!node.isObject()) {
            throw ChromaException.shape(path, "invalid type: " + JsonBody.describe(node) + ", expected struct SearchPayload");
        }
        ObjectNode search = (ObjectNode) node;
        Where filter = filter(JsonBody.optional(search, "filter"), path + ".filter");
        JsonNode rankNode = JsonBody.optional(search, "rank");
        RankExpr rank = rankNode == null ? null : rank(rankNode, path + ".rank", 1);
        SearchGroupBy groupBy = groupBy(JsonBody.optional(search, "group_by"), path + ".group_by");
        int offset = 0;
        Integer limit = null;
        JsonNode limitNode = JsonBody.optional(search, "limit");
        if (limitNode != null) {
            ObjectNode l = object(limitNode, path + ".limit", "struct Limit");
            Integer o = u32(l, "offset", path + ".limit.offset");
            offset = o == null ? 0 : o;
            limit = u32(l, "limit", path + ".limit.limit");
        }
        Select select = select(JsonBody.optional(search, "select"), path + ".select");
        if (groupBy != null && rank == null) {
            throw ChromaException.validation(path + ".group_by", "group_by requires rank expression to be specified");
        }
        return new Parsed(filter, rank, groupBy, offset, limit, select);
    }

    private static Where filter(JsonNode node, String path) {
        if (node == null || (node.isObject() && node.isEmpty())) {
            return null;
        }
        try {
            return WhereParser.parseSyntax(node);
        } catch (InvalidFilterException e) {
            throw ChromaException.shape(path, e.getMessage());
        }
    }

    private static RankExpr rank(JsonNode node, String path, int depth) {
        if (depth > MAX_RANK_DEPTH) {
            throw ChromaException.invalid("Rank expression nested deeper than " + MAX_RANK_DEPTH + " levels");
        }
        if (!node.isObject() || node.size() != 1) {
            throw ChromaException.shape(path, node.isObject()
                    ? "invalid length " + node.size() + ", expected map containing 1 entry"
                    : "invalid type: " + JsonBody.describe(node) + ", expected enum RankExpr");
        }
        Map.Entry<String, JsonNode> entry = node.properties().iterator().next();
        String op = entry.getKey();
        JsonNode arg = entry.getValue();
        String at = path + "." + op;
        return switch (op) {
            case "$knn" -> knn(arg, at);
            case "$val" -> new RankExpr.Value(f32(arg, at));
            case "$sum" -> new RankExpr.Sum(terms(arg, at, depth));
            case "$mul" -> new RankExpr.Mul(terms(arg, at, depth));
            case "$max" -> new RankExpr.Max(terms(arg, at, depth));
            case "$min" -> new RankExpr.Min(terms(arg, at, depth));
            case "$sub", "$div" -> {
                ObjectNode o = object(arg, at, "struct variant RankExpr::" + (op.equals("$sub") ? "Subtraction" : "Division"));
                RankExpr left = rank(JsonBody.required(o, "left"), at + ".left", depth + 1);
                RankExpr right = rank(JsonBody.required(o, "right"), at + ".right", depth + 1);
                yield op.equals("$sub") ? new RankExpr.Sub(left, right) : new RankExpr.Div(left, right);
            }
            case "$abs" -> new RankExpr.Abs(rank(arg, at, depth + 1));
            case "$exp" -> new RankExpr.Exp(rank(arg, at, depth + 1));
            case "$log" -> new RankExpr.Log(rank(arg, at, depth + 1));
            default -> throw ChromaException.shape(path, "unknown variant `" + op + "`, expected one of " + VARIANTS);
        };
    }

    private static List<RankExpr> terms(JsonNode arg, String path, int depth) {
        if (!arg.isArray()) {
            throw ChromaException.shape(path, "invalid type: " + JsonBody.describe(arg) + ", expected a sequence");
        }
        List<RankExpr> terms = new ArrayList<>(arg.size());
        for (int i = 0; i < arg.size(); i++) {
            terms.add(rank(arg.get(i), path + "[" + i + "]", depth + 1));
        }
        return terms;
    }

    private static RankExpr knn(JsonNode arg, String path) {
        ObjectNode o = object(arg, path, "struct variant RankExpr::Knn");
        JsonNode query = JsonBody.required(o, "query");
        JsonNode keyNode = JsonBody.optional(o, "key");
        String key = keyNode == null ? "#embedding" : JsonBody.string(keyNode, path + ".key");
        Integer limit = u32(o, "limit", path + ".limit");
        JsonNode defaultNode = JsonBody.optional(o, "default");
        Float defaultScore = defaultNode == null ? null : f32(defaultNode, path + ".default");
        boolean returnRank = JsonBody.optionalBoolean(o, "return_rank", false);
        if (query.isTextual() && key.equals(RankExpr.Knn.DOCUMENT_KEY)) {
            return textKnn(query.textValue(), path, limit == null ? 16 : limit, defaultScore, returnRank);
        }
        if (query.isObject()) {
            return sparseKnn(query, key, path, limit == null ? 16 : limit, defaultScore, returnRank);
        }
        if (!query.isArray()) {
            throw ChromaException.shape(path + ".query", "data did not match any variant of untagged enum QueryVector");
        }
        float[] vector = RecordWrites.floats(query, path + ".query");
        for (float v : vector) {
            if (!Float.isFinite(v)) {
                throw ChromaException.validation(path + ".query", "Embeddings must not contain NaN or Infinity values");
            }
        }
        return new RankExpr.Knn(vector, limit == null ? 16 : limit, defaultScore, returnRank);
    }

    /**
     * Vermilion's BM25 extension: a {@code $knn} whose {@code query} is a string and whose {@code key} is
     * {@code #document} ranks documents by BM25 of the text (Chroma refuses both, so nothing it accepts means
     * otherwise). The text must have a word, at most {@value #MAX_TEXT_QUERY_CHARS} characters and
     * {@value #MAX_TEXT_QUERY_TERMS} distinct terms.
     */
    private static RankExpr textKnn(String text, String path, int limit, Float defaultScore, boolean returnRank) {
        if (text.length() > MAX_TEXT_QUERY_CHARS) {
            throw ChromaException.validation(path + ".query", "text query of " + text.length()
                    + " characters exceeds the maximum of " + MAX_TEXT_QUERY_CHARS);
        }
        int terms = DocumentText.queryTerms(text).size();
        if (terms == 0) {
            throw ChromaException.validation(path + ".query", "text query for #document has no searchable words");
        }
        if (terms > MAX_TEXT_QUERY_TERMS) {
            throw ChromaException.validation(path + ".query", "text query has " + terms
                    + " distinct terms, more than the maximum of " + MAX_TEXT_QUERY_TERMS);
        }
        return RankExpr.Knn.text(text, limit, defaultScore, returnRank);
    }

    /** A sparse {@code $knn}: {@code query} is a sparse vector, {@code key} the metadata key holding the records'. */
    private static RankExpr sparseKnn(JsonNode query, String key, String path, int limit, Float defaultScore,
            boolean returnRank) {
        MetadataValue.Sparse sparse = RecordWrites.sparse(query);
        if (sparse == null) {
            throw ChromaException.shape(path + ".query", "data did not match any variant of untagged enum QueryVector");
        }
        String problem = sparse.problem();
        if (problem != null) {
            throw ChromaException.validation("rank", "Invalid sparse vector in KNN query: " + problem);
        }
        if (key.startsWith("#")) {
            // A sparse query over #embedding (or any reserved key) has no sparse vectors to meet.
            throw ChromaException.invalid("Cannot filter using metadata key '" + key
                    + "' with type 'SparseVector' because indexing is disabled");
        }
        return new RankExpr.Knn(null, sparse, key, limit, defaultScore, returnRank);
    }

    private static SearchGroupBy groupBy(JsonNode node, String path) {
        if (node == null) {
            return null;
        }
        ObjectNode o = object(node, path, "struct GroupBy");
        JsonNode keysNode = JsonBody.optional(o, "keys");
        List<String> keys = keysNode == null ? List.of() : RecordWrites.stringList(keysNode, path + ".keys", false);
        JsonNode aggregateNode = JsonBody.optional(o, "aggregate");
        if (keys.isEmpty() != (aggregateNode == null)) {
            throw ChromaException.validation(path,
                    "group_by keys and aggregate must both be specified or both be omitted");
        }
        if (keys.isEmpty()) {
            return null;
        }
        for (String key : keys) {
            if (isPredefined(key)) {
                throw ChromaException.validation(path, "group_by keys must be metadata fields "
                        + "(cannot use #score, #document, #embedding, or #metadata)");
            }
        }
        ObjectNode aggregate = object(aggregateNode, path + ".aggregate", "enum Aggregate");
        if (aggregate.size() != 1 || !(aggregate.has("$min_k") || aggregate.has("$max_k"))) {
            String variant = aggregate.size() == 1 ? aggregate.properties().iterator().next().getKey() : null;
            throw ChromaException.shape(path + ".aggregate", variant == null
                    ? "invalid length " + aggregate.size() + ", expected map containing 1 entry"
                    : "unknown variant `" + variant + "`, expected `$min_k` or `$max_k`");
        }
        boolean max = aggregate.has("$max_k");
        String at = path + ".aggregate." + (max ? "$max_k" : "$min_k");
        ObjectNode spec = object(aggregate.get(max ? "$max_k" : "$min_k"), at, "struct variant Aggregate");
        List<String> aggregateKeys = RecordWrites.stringList(JsonBody.required(spec, "keys"), at + ".keys", false);
        if (JsonBody.required(spec, "k").isNull()) {
            throw ChromaException.shape(at + ".k", "invalid type: null, expected u32");
        }
        Integer k = u32(spec, "k", at + ".k");
        if (aggregateKeys.isEmpty()) {
            throw ChromaException.validation(path, "aggregate keys must not be empty");
        }
        if (k == 0) {
            throw ChromaException.validation(path, "aggregate k must be greater than 0");
        }
        for (String key : aggregateKeys) {
            if (isPredefined(key) && !key.equals("#score")) {
                throw ChromaException.validation(path, "aggregate keys must be metadata fields or #score "
                        + "(cannot use #document, #embedding, or #metadata)");
            }
        }
        return new SearchGroupBy(keys, aggregateKeys, k, max);
    }

    private static Select select(JsonNode node, String path) {
        if (node == null) {
            return new Select(List.of());
        }
        ObjectNode o = object(node, path, "struct Select");
        JsonNode keysNode = JsonBody.optional(o, "keys");
        List<String> given = keysNode == null ? List.of() : RecordWrites.stringList(keysNode, path + ".keys", false);
        List<String> sorted = new ArrayList<>();
        for (String predefined : List.of("#document", "#embedding", "#metadata", "#score")) {
            if (given.contains(predefined)) {
                sorted.add(predefined);
            }
        }
        TreeSet<String> fields = new TreeSet<>(SearchPayloads::compareCodePoints);
        given.stream().filter(k -> !isPredefined(k)).forEach(fields::add);
        sorted.addAll(fields);
        return new Select(List.copyOf(sorted));
    }

    static boolean isPredefined(String key) {
        return key.equals("#document") || key.equals("#embedding") || key.equals("#metadata") || key.equals("#score");
    }

    private static ObjectNode object(JsonNode node, String path, String expected) {
        if (node == null || !node.isObject()) {
            throw ChromaException.shape(path, "invalid type: " + (node == null ? "null" : JsonBody.describe(node))
                    + ", expected " + expected);
        }
        return (ObjectNode) node;
    }

    private static Integer u32(ObjectNode o, String field, String path) {
        try {
            return JsonBody.optionalU32(o, field);
        } catch (ChromaException e) {
            JsonNode v = o.get(field);
            String detail = v.isIntegralNumber() ? "invalid value: integer `" + v.asText() + "`, expected u32"
                    : "invalid type: " + JsonBody.describe(v) + ", expected u32";
            throw ChromaException.shape(path, detail);
        }
    }

    private static float f32(JsonNode v, String path) {
        if (!v.isNumber()) {
            throw ChromaException.shape(path, "invalid type: " + JsonBody.describe(v) + ", expected f32");
        }
        return (float) v.doubleValue();
    }

    private static int compareCodePoints(String a, String b) {
        return Arrays.compare(a.codePoints().toArray(), b.codePoints().toArray());
    }
}
