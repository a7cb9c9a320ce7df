package io.vermilion.filter;

import com.fasterxml.jackson.databind.JsonNode;
import io.vermilion.record.MetadataValue;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Parses a {@code where} clause exactly as Chroma does (rust/types/src/where_parsing.rs): one-key objects,
 * {@code $and}/{@code $or} of any length, implicit {@code $eq}, the typed operators, and {@code #document} text
 * operators. Every syntax error is {@code "Invalid where clause"}; a bad regex is Chroma's regex error. Stateless.
 */
public final class WhereParser {

    /** The document pseudo-key: its text operators become a {@link Where.Document}. */
    public static final String DOCUMENT_KEY = "#document";

    /**
     * The record id as a where key, as Chroma's search filters use it ({@code {"#id": {"$in": [...]}}}): a clause on
     * it tests the id. Metadata keys cannot start with {@code #}, so no stored key is shadowed.
     */
    public static final String ID_KEY = "#id";

    private WhereParser() {}

    /**
     * Parses {@code node}, then applies the default schema's check ({@link #requireIndexed}). The caller handles an
     * absent or JSON-null clause (no filter); here null and non-objects are invalid.
     */
    public static Where parse(JsonNode node) {
        Where where = parseSyntax(node);
        requireIndexed(where);
        return where;
    }

    /** The grammar alone, without the schema check (Chroma checks the schema after the collection lookup). */
    public static Where parseSyntax(JsonNode node) {
        if (node == null || !node.isObject() || node.size() != 1) {
            throw InvalidFilterException.invalidWhere();
        }
        Map.Entry<String, JsonNode> entry = node.properties().iterator().next();
        String key = entry.getKey();
        JsonNode value = entry.getValue();
        if (key.equals("$and") || key.equals("$or")) {
            if (!value.isArray()) {
                throw InvalidFilterException.invalidWhere();
            }
            List<Where> children = new ArrayList<>(value.size());
            for (JsonNode child : value) {
                children.add(parseSyntax(child));
            }
            return key.equals("$and") ? new Where.And(children) : new Where.Or(children);
        }
        if (key.startsWith("$")) {
            throw InvalidFilterException.invalidWhere();
        }
        switch (JsonScalars.kind(value)) {
            case STRING:
                return new Where.Compare(key, CompareOp.EQ, new MetadataValue.Str(value.textValue()));
            case BOOL:
                return new Where.Compare(key, CompareOp.EQ, new MetadataValue.Bool(value.booleanValue()));
            case FLOAT:
                return new Where.Compare(key, CompareOp.EQ, new MetadataValue.Flt(value.doubleValue()));
            case INT:
                return new Where.Compare(key, CompareOp.EQ, new MetadataValue.Int(value.longValue()));
            case OTHER:
                break;
        }
        if (!value.isObject() || value.size() != 1) {
            throw InvalidFilterException.invalidWhere();
        }
        Map.Entry<String, JsonNode> opEntry = value.properties().iterator().next();
        return parseOperator(key, opEntry.getKey(), opEntry.getValue());
    }

    /**
     * Chroma's default-schema check: {@code #document} has no string metadata index, so a string-typed metadata
     * comparison on it ({@code $eq}, {@code $ne}, {@code $in}, {@code $nin}) is refused.
     */
    public static void requireIndexed(Where where) {
        switch (where) {
            case Where.And and -> and.children().forEach(WhereParser::requireIndexed);
            case Where.Or or -> or.children().forEach(WhereParser::requireIndexed);
            case Where.Compare c -> requireIndexed(c.key(), c.value());
            case Where.In in -> requireIndexed(in.key(), in.values().get(0));
            case Where.NotIn nin -> requireIndexed(nin.key(), nin.values().get(0));
            case Where.ArrayContains c -> requireIndexed(c.key(), c.value());
            case Where.ArrayNotContains c -> requireIndexed(c.key(), c.value());
            case Where.Document d -> { }
        }
    }

    private static void requireIndexed(String key, MetadataValue value) {
        if (key.equals(DOCUMENT_KEY) && value instanceof MetadataValue.Str) {
            throw InvalidFilterException.indexingDisabled(key, MetadataMatcher.typeName(value));
        }
    }

    private static Where parseOperator(String key, String operator, JsonNode operand) {
        if (operand.isArray()) {
            return parseSet(key, operator, operand);
        }
        boolean contains = operator.equals("$contains") || operator.equals("$not_contains");
        boolean positive = operator.equals("$contains");
        JsonScalars.Kind kind = JsonScalars.kind(operand);
        MetadataValue value = switch (kind) {
            case STRING -> new MetadataValue.Str(operand.textValue());
            case BOOL -> new MetadataValue.Bool(operand.booleanValue());
            case FLOAT -> new MetadataValue.Flt(operand.doubleValue());
            case INT -> new MetadataValue.Int(operand.longValue());
            case OTHER -> throw InvalidFilterException.invalidWhere();
        };
        if (contains) {
            if (key.equals(DOCUMENT_KEY)) {
                if (kind != JsonScalars.Kind.STRING) {
                    throw InvalidFilterException.invalidWhere();
                }
                String text = operand.textValue();
                return new Where.Document(positive ? new WhereDocument.Contains(text) : new WhereDocument.NotContains(text));
            }
            return positive ? new Where.ArrayContains(key, value) : new Where.ArrayNotContains(key, value);
        }
        if (kind == JsonScalars.Kind.STRING && (operator.equals("$regex") || operator.equals("$not_regex"))) {
            if (!key.equals(DOCUMENT_KEY)) {
                throw InvalidFilterException.invalidWhere();
            }
            DocumentPattern pattern = DocumentPattern.compile(operand.textValue());
            return new Where.Document(operator.equals("$regex") ? new WhereDocument.Regex(pattern) : new WhereDocument.NotRegex(pattern));
        }
        CompareOp op = CompareOp.fromOperator(operator);
        boolean numeric = kind == JsonScalars.Kind.INT || kind == JsonScalars.Kind.FLOAT;
        if (op == null || (op.isRange() && !numeric)) {
            throw InvalidFilterException.invalidWhere();
        }
        return new Where.Compare(key, op, value);
    }

    /** {@code $in}/{@code $nin}: the first element fixes the type; a float list also takes ints. */
    private static Where parseSet(String key, String operator, JsonNode operand) {
        if (!operator.equals("$in") && !operator.equals("$nin")) {
            throw InvalidFilterException.invalidWhere();
        }
        if (operand.isEmpty()) {
            throw InvalidFilterException.invalidWhere();
        }
        JsonScalars.Kind kind = JsonScalars.kind(operand.get(0));
        List<MetadataValue> values = new ArrayList<>(operand.size());
        for (JsonNode element : operand) {
            JsonScalars.Kind elementKind = JsonScalars.kind(element);
            MetadataValue value = switch (kind) {
                case STRING -> elementKind == JsonScalars.Kind.STRING ? new MetadataValue.Str(element.textValue()) : null;
                case BOOL -> elementKind == JsonScalars.Kind.BOOL ? new MetadataValue.Bool(element.booleanValue()) : null;
                case FLOAT -> element.isNumber() ? new MetadataValue.Flt(element.doubleValue()) : null;
                case INT -> elementKind == JsonScalars.Kind.INT ? new MetadataValue.Int(element.longValue()) : null;
                case OTHER -> null;
            };
            if (value == null) {
                throw InvalidFilterException.invalidWhere();
            }
            values.add(value);
        }
        return operator.equals("$in") ? new Where.In(key, values) : new Where.NotIn(key, values);
    }
}
