package io.vermilion.api;

import io.vermilion.error.ChromaException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;

/**
 * Validates collection-level metadata as Chroma does: a non-empty flat map of strings, integers (kept as
 * integers), floats and booleans; keys may not start with '#' or '$'. Arrays are refused with a 400
 * (Chroma's local server crashes on them).
 */
public final class CollectionMetadata {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    /** The metadata key choosing a collection's vector index encoding (read by the compactor's schema source). */
    static final String QUANTIZATION_KEY = io.vermilion.model.CollectionConfiguration.QUANTIZATION_KEY;

    private CollectionMetadata() {}

    /** Metadata of a create request, normalized; null when absent. */
    public static ObjectNode forCreate(JsonNode given) {
        if (given == null || given.isNull()) {
            return null;
        }
        return normalize(given, "metadata", false);
    }

    /**
     * Metadata of a modify request. Null values drop their key; the result may be empty, which the caller
     * stores as no metadata.
     */
    public static ObjectNode forUpdate(JsonNode given) {
        return normalize(given, "new_metadata", true);
    }

    private static ObjectNode normalize(JsonNode given, String field, boolean nullDropsKey) {
        if (!given.isObject()) {
            throw ChromaException.shape(field, "invalid type: " + JsonBody.describe(given) + ", expected a map");
        }
        if (given.isEmpty()) {
            throw ChromaException.validation(field, "Metadata cannot be empty");
        }
        ObjectNode out = F.objectNode();
        for (Iterator<Map.Entry<String, JsonNode>> it = given.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            JsonNode v = e.getValue();
            if (v.isNull() && nullDropsKey) {
                continue;
            }
            JsonNode scalar = scalar(v);
            if (scalar == null) {
                if (v.isArray()) {
                    throw ChromaException.validation(field, "Collection metadata values cannot be arrays: " + key);
                }
                throw ChromaException.shape(field + "." + key,
                        "data did not match any variant of untagged enum MetadataValue");
            }
            if (key.startsWith("#") || key.startsWith("$")) {
                throw ChromaException.validation(field, "Metadata key cannot start with '#' or '$': " + key);
            }
            if (key.equals(QUANTIZATION_KEY) && !(scalar.isTextual()
                    && (scalar.textValue().equals("float32") || scalar.textValue().equals("int8")))) {
                throw ChromaException.validation(field, "Metadata key " + QUANTIZATION_KEY
                        + " must be \"float32\" or \"int8\", not " + scalar);
            }
            out.set(key, scalar);
        }
        return out;
    }

    /** A string, bool, i64 or f64 node; integers beyond i64 become floats. Null for anything else. */
    static JsonNode scalar(JsonNode v) {
        if (v.isTextual() || v.isBoolean()) {
            return v;
        }
        if (v.isIntegralNumber()) {
            return v.canConvertToLong() ? F.numberNode(v.longValue()) : F.numberNode(v.doubleValue());
        }
        if (v.isNumber()) {
            return F.numberNode(v.doubleValue());
        }
        return null;
    }
}
