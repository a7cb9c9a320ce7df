package io.vermilion.filter;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Parses a {@code where_document} clause exactly as Chroma does: one-key objects of {@code $contains},
 * {@code $not_contains}, {@code $regex}, {@code $not_regex} (string operand), {@code $and}, {@code $or}. Anything
 * else is {@code "Invalid where document clause"}; a bad regex is Chroma's regex error. Stateless.
 */
public final class WhereDocumentParser {

    private WhereDocumentParser() {}

    /** Parses {@code node}; the caller handles an absent or JSON-null clause (no filter). */
    public static WhereDocument parse(JsonNode node) {
        if (node == null || !node.isObject() || node.size() != 1) {
            throw InvalidFilterException.invalidWhereDocument();
        }
        Map.Entry<String, JsonNode> entry = node.properties().iterator().next();
        String key = entry.getKey();
        JsonNode value = entry.getValue();
        if (key.equals("$and") || key.equals("$or")) {
            if (!value.isArray()) {
                throw InvalidFilterException.invalidWhereDocument();
            }
            List<WhereDocument> children = new ArrayList<>(value.size());
            for (JsonNode child : value) {
                children.add(parse(child));
            }
            return key.equals("$and") ? new WhereDocument.And(children) : new WhereDocument.Or(children);
        }
        if (!value.isTextual()) {
            throw InvalidFilterException.invalidWhereDocument();
        }
        String text = value.textValue();
        return switch (key) {
            case "$contains" -> new WhereDocument.Contains(text);
            case "$not_contains" -> new WhereDocument.NotContains(text);
            case "$regex" -> new WhereDocument.Regex(DocumentPattern.compile(text));
            case "$not_regex" -> new WhereDocument.NotRegex(DocumentPattern.compile(text));
            default -> throw InvalidFilterException.invalidWhereDocument();
        };
    }
}
