package io.vermilion.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vermilion.error.ChromaException;
import io.vermilion.model.RankExpr;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Vermilion's extension to Chroma's search body: a {@code $knn} whose {@code query} is a string (what Chroma's
 * {@code Knn(query="text")} serialises before its client embeds it) is found in the JSON, stood in for by a vector of
 * the model's width so the body parses and is checked as usual, and then replaced by the text's embedding. Walks the
 * same shapes {@link SearchPayloads} parses and leaves anything else to its errors. A text query on {@code #document}
 * is not embedded: it is Vermilion's BM25 extension, which {@link SearchPayloads} parses itself.
 */
final class SearchTextQueries {

    /** The {@code $knn} argument objects whose {@code query} is a string, in the body's order. */
    private final List<ObjectNode> knns = new ArrayList<>();
    private final List<String> texts = new ArrayList<>();

    private SearchTextQueries() {}

    /** Finds the text {@code $knn} queries of a search body (none when the body is not the expected shape). */
    static SearchTextQueries find(ObjectNode body) {
        SearchTextQueries found = new SearchTextQueries();
        JsonNode searches = body.get("searches");
        if (searches != null && searches.isArray()) {
            for (JsonNode search : searches) {
                if (search.isObject() && search.get("rank") != null) {
                    found.walk(search.get("rank"), 1);
                }
            }
        }
        return found;
    }

    private void walk(JsonNode node, int depth) {
        if (depth > SearchPayloads.MAX_RANK_DEPTH || !node.isObject() || node.size() != 1) {
            return;
        }
        Map.Entry<String, JsonNode> entry = node.properties().iterator().next();
        JsonNode arg = entry.getValue();
        switch (entry.getKey()) {
            case "$knn" -> {
                if (arg.isObject() && arg.get("query") != null && arg.get("query").isTextual()
                        && !isDocumentKey(arg.get("key"))) { // a text query on #document is BM25, not embedded
                    knns.add((ObjectNode) arg);
                    texts.add(arg.get("query").textValue());
                }
            }
            case "$sum", "$mul", "$max", "$min" -> {
                if (arg.isArray()) {
                    arg.forEach(term -> walk(term, depth + 1));
                }
            }
            case "$sub", "$div" -> {
                if (arg.isObject()) {
                    if (arg.get("left") != null) {
                        walk(arg.get("left"), depth + 1);
                    }
                    if (arg.get("right") != null) {
                        walk(arg.get("right"), depth + 1);
                    }
                }
            }
            case "$abs", "$exp", "$log" -> walk(arg, depth + 1);
            default -> { }
        }
    }

    private static boolean isDocumentKey(JsonNode key) {
        return key != null && key.isTextual() && key.textValue().equals(RankExpr.Knn.DOCUMENT_KEY);
    }

    boolean isEmpty() {
        return texts.isEmpty();
    }

    List<String> texts() {
        return texts;
    }

    /**
     * Replaces every text query by a zero vector of {@code dimension} so the body parses; a text query on another key
     * than {@code #embedding} is a 400 (only the collection's embedding is embedded on the server).
     */
    void standIn(int dimension) {
        for (ObjectNode knn : knns) {
            JsonNode key = knn.get("key");
            if (key != null && key.isTextual() && !key.textValue().equals("#embedding")) {
                throw ChromaException.invalid("Cannot embed string query for key '" + key.textValue()
                        + "': the server embeds text only for #embedding; provide a vector");
            }
            ArrayNode zeros = knn.arrayNode(dimension);
            for (int i = 0; i < dimension; i++) {
                zeros.add(0.0f);
            }
            knn.set("query", zeros);
        }
    }

    /** Puts the texts' embeddings, in {@link #texts()} order, in place of the stand-ins. */
    void embedded(List<float[]> vectors) {
        for (int k = 0; k < knns.size(); k++) {
            ArrayNode v = knns.get(k).arrayNode(vectors.get(k).length);
            for (float x : vectors.get(k)) {
                v.add(x);
            }
            knns.get(k).set("query", v);
        }
    }
}
