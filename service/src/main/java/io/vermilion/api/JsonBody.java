package io.vermilion.api;

import io.vermilion.error.ErrorCode;
import io.vermilion.error.ChromaException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Parses request bodies in Chroma's two stages: bytes that are not JSON are a 400, JSON of the wrong
 * shape is a 422 naming the field. Field readers accept absent and explicit null alike for optional fields.
 * Every parsed body has passed {@link StorableText}: no NUL, no unpaired surrogate, no number out of range.
 */
public final class JsonBody {

    static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private JsonBody() {}

    /** Parses a required JSON object body. */
    public static ObjectNode object(String body) {
        JsonNode node = parse(body);
        if (!node.isObject()) {
            throw ChromaException.shape("", "invalid type: " + describe(node) + ", expected a map");
        }
        return (ObjectNode) node;
    }

    public static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            throw new ChromaException(
                    ErrorCode.INVALID_ARGUMENT,
                    "Failed to parse the request body as JSON: EOF while parsing a value at line 1 column 0");
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(body);
        } catch (JsonProcessingException e) {
            throw new ChromaException(
                    ErrorCode.INVALID_ARGUMENT, "Failed to parse the request body as JSON: " + e.getOriginalMessage());
        }
        StorableText.requireStorable(node);
        return node;
    }

    /** A present, non-null field; otherwise 422 "missing field". */
    public static JsonNode required(ObjectNode obj, String field) {
        JsonNode v = obj.get(field);
        if (v == null) {
            throw ChromaException.shape("", "missing field `" + field + "`");
        }
        return v;
    }

    /** The field or null when it is absent or JSON null. */
    public static JsonNode optional(ObjectNode obj, String field) {
        JsonNode v = obj.get(field);
        return v == null || v.isNull() ? null : v;
    }

    public static String requiredString(ObjectNode obj, String field) {
        return string(required(obj, field), field);
    }

    public static String optionalString(ObjectNode obj, String field) {
        JsonNode v = optional(obj, field);
        return v == null ? null : string(v, field);
    }

    public static String string(JsonNode v, String path) {
        if (!v.isTextual()) {
            throw ChromaException.shape(path, "invalid type: " + describe(v) + ", expected a string");
        }
        return v.textValue();
    }

    public static boolean optionalBoolean(ObjectNode obj, String field, boolean defaultValue) {
        JsonNode v = optional(obj, field);
        if (v == null) {
            return defaultValue;
        }
        if (!v.isBoolean()) {
            throw ChromaException.shape(field, "invalid type: " + describe(v) + ", expected a boolean");
        }
        return v.booleanValue();
    }

    /** An optional unsigned 32-bit integer field (Chroma's u32), capped at Integer.MAX_VALUE. */
    public static Integer optionalU32(ObjectNode obj, String field) {
        JsonNode v = optional(obj, field);
        if (v == null) {
            return null;
        }
        if (!v.isIntegralNumber()) {
            throw ChromaException.shape(field, "invalid type: " + describe(v) + ", expected u32");
        }
        if (!v.canConvertToLong() || v.longValue() < 0 || v.longValue() > 0xFFFF_FFFFL) {
            throw ChromaException.shape(field, "invalid value: integer `" + v.asText() + "`, expected u32");
        }
        return (int) Math.min(v.longValue(), Integer.MAX_VALUE);
    }

    public static ObjectNode optionalObject(ObjectNode obj, String field) {
        JsonNode v = optional(obj, field);
        if (v == null) {
            return null;
        }
        if (!v.isObject()) {
            throw ChromaException.shape(field, "invalid type: " + describe(v) + ", expected a map");
        }
        return (ObjectNode) v;
    }

    /** Serde's wording for the JSON type found where another was expected. */
    public static String describe(JsonNode v) {
        JsonNodeType type = v.getNodeType();
        return switch (type) {
            case STRING -> "string \"" + v.textValue() + "\"";
            case NUMBER -> v.isIntegralNumber()
                    ? (v.asLong() < 0 ? "integer `" + v.asText() + "`" : "integer `" + v.asText() + "`")
                    : "floating point `" + v.asText() + "`";
            case BOOLEAN -> "boolean `" + v.asText() + "`";
            case NULL -> "null";
            case ARRAY -> "sequence";
            case OBJECT -> "map";
            default -> type.name().toLowerCase();
        };
    }

    public static String write(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static JsonNode read(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Stored JSON is unreadable", e);
        }
    }
}
