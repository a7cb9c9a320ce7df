package io.vermilion.record;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;

/**
 * Metadata maps as JSON text that keeps every type: ints as JSON integers ({@code 3}), floats always with a fraction
 * or exponent ({@code 3.0}, shortest form that parses back to the same double), and null values (meaning "delete this
 * key" in a log record), and sparse vectors as Chroma's tagged objects. {@code decode(encode(m))} equals {@code m};
 * non-finite floats are rejected. Text written before sparse vectors existed never holds an object and still decodes.
 * Thread-safe.
 */
public final class MetadataJson {

    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            // Correctly rounded as Float.parseFloat, several times faster: a sparse vector holds hundreds of floats.
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .build();

    private MetadataJson() {}

    /** Encodes a flat map whose values are scalars, arrays of scalars, or null. */
    public static String encode(Map<String, MetadataValue> metadata) {
        StringWriter out = new StringWriter();
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            for (Map.Entry<String, MetadataValue> entry : metadata.entrySet()) {
                json.writeFieldName(entry.getKey());
                MetadataValue value = entry.getValue();
                if (value instanceof MetadataValue.Array array) {
                    json.writeStartArray();
                    for (MetadataValue element : array.elements()) {
                        if (element == null || element instanceof MetadataValue.Array) {
                            throw new IllegalArgumentException("metadata arrays hold scalars only: " + entry.getKey());
                        }
                        writeScalar(json, entry.getKey(), element);
                    }
                    json.writeEndArray();
                } else if (value == null) {
                    json.writeNull();
                } else if (value instanceof MetadataValue.Sparse sparse) {
                    writeSparse(json, entry.getKey(), sparse);
                } else {
                    writeScalar(json, entry.getKey(), value);
                }
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.toString();
    }

    /** Decodes what {@link #encode} wrote; throws {@link IllegalArgumentException} on anything else. */
    public static Map<String, MetadataValue> decode(String text) {
        try (JsonParser json = JSON.createParser(text)) {
            expect(json.nextToken() == JsonToken.START_OBJECT, "not a JSON object");
            Map<String, MetadataValue> metadata = new LinkedHashMap<>();
            while (json.nextToken() == JsonToken.FIELD_NAME) {
                String key = json.currentName();
                JsonToken token = json.nextToken();
                if (token == JsonToken.VALUE_NULL) {
                    metadata.put(key, null);
                } else if (token == JsonToken.START_ARRAY) {
                    List<MetadataValue> elements = new ArrayList<>();
                    while (json.nextToken() != JsonToken.END_ARRAY) {
                        elements.add(readScalar(json, key));
                    }
                    metadata.put(key, new MetadataValue.Array(elements));
                } else if (token == JsonToken.START_OBJECT) {
                    metadata.put(key, readSparse(json, key));
                } else {
                    metadata.put(key, readScalar(json, key));
                }
            }
            expect(json.currentToken() == JsonToken.END_OBJECT && json.nextToken() == null, "malformed JSON object");
            return metadata;
        } catch (IOException e) {
            throw new IllegalArgumentException("malformed metadata JSON: " + e.getMessage(), e);
        }
    }

    /** A sparse vector as Chroma serializes it: {@code {"#type":"sparse_vector","indices":..,"values":..,"tokens":..}}. */
    private static void writeSparse(JsonGenerator json, String key, MetadataValue.Sparse sparse) throws IOException {
        json.writeStartObject();
        json.writeStringField("#type", "sparse_vector");
        json.writeArrayFieldStart("indices");
        for (int index : sparse.indices()) {
            json.writeNumber(Integer.toUnsignedLong(index));
        }
        json.writeEndArray();
        json.writeArrayFieldStart("values");
        for (float value : sparse.values()) {
            if (!Float.isFinite(value)) {
                throw new IllegalArgumentException("sparse vector values must be finite: " + key);
            }
            json.writeNumber(value); // Float.toString form: shortest text that parses back to the same float
        }
        json.writeEndArray();
        if (sparse.tokens() == null) {
            json.writeNullField("tokens");
        } else {
            json.writeArrayFieldStart("tokens");
            for (String token : sparse.tokens()) {
                json.writeString(token);
            }
            json.writeEndArray();
        }
        json.writeEndObject();
    }

    private static MetadataValue.Sparse readSparse(JsonParser json, String key) throws IOException {
        long[] indices = null;
        float[] values = null;
        List<String> tokens = null;
        while (json.nextToken() == JsonToken.FIELD_NAME) {
            String field = json.currentName();
            JsonToken token = json.nextToken();
            switch (field) {
                case "#type" -> expect(token == JsonToken.VALUE_STRING && "sparse_vector".equals(json.getText()),
                        "bad sparse vector type for " + key);
                case "indices" -> {
                    expect(token == JsonToken.START_ARRAY, "sparse indices must be an array: " + key);
                    List<Long> list = new ArrayList<>();
                    while (json.nextToken() == JsonToken.VALUE_NUMBER_INT) {
                        list.add(json.getLongValue());
                    }
                    indices = list.stream().mapToLong(Long::longValue).toArray();
                }
                case "values" -> {
                    expect(token == JsonToken.START_ARRAY, "sparse values must be an array: " + key);
                    List<Float> list = new ArrayList<>();
                    while (json.nextToken() != JsonToken.END_ARRAY) {
                        list.add(json.getFloatValue());
                    }
                    values = new float[list.size()];
                    for (int i = 0; i < values.length; i++) {
                        values[i] = list.get(i);
                    }
                }
                case "tokens" -> {
                    if (token != JsonToken.VALUE_NULL) {
                        expect(token == JsonToken.START_ARRAY, "sparse tokens must be an array: " + key);
                        tokens = new ArrayList<>();
                        while (json.nextToken() == JsonToken.VALUE_STRING) {
                            tokens.add(json.getText());
                        }
                    }
                }
                default -> throw new IllegalArgumentException("malformed metadata JSON: unknown sparse field " + field);
            }
        }
        expect(indices != null && values != null, "sparse vector without indices or values: " + key);
        int[] unsigned = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            expect(indices[i] >= 0 && indices[i] <= 0xFFFF_FFFFL, "sparse index out of range: " + key);
            unsigned[i] = (int) indices[i];
        }
        return new MetadataValue.Sparse(unsigned, values, tokens);
    }

    private static void writeScalar(JsonGenerator json, String key, MetadataValue value) throws IOException {
        switch (value) {
            case MetadataValue.Str s -> json.writeString(s.value());
            case MetadataValue.Int i -> json.writeNumber(i.value());
            case MetadataValue.Flt f -> {
                if (!Double.isFinite(f.value())) {
                    throw new IllegalArgumentException("metadata float must be finite: " + key + "=" + f.value());
                }
                json.writeNumber(f.value()); // Double.toString form: always has '.' or 'E'
            }
            case MetadataValue.Bool b -> json.writeBoolean(b.value());
            case MetadataValue.Array a -> throw new IllegalStateException("unreachable");
            case MetadataValue.Sparse v -> throw new IllegalStateException("unreachable");
        }
    }

    private static MetadataValue readScalar(JsonParser json, String key) throws IOException {
        JsonToken token = json.currentToken();
        if (token == null) {
            throw new IllegalArgumentException("malformed metadata JSON: unexpected end");
        }
        return switch (token) {
            case VALUE_STRING -> new MetadataValue.Str(json.getText());
            case VALUE_NUMBER_INT -> new MetadataValue.Int(json.getLongValue());
            case VALUE_NUMBER_FLOAT -> new MetadataValue.Flt(json.getDoubleValue());
            case VALUE_TRUE -> new MetadataValue.Bool(true);
            case VALUE_FALSE -> new MetadataValue.Bool(false);
            default -> throw new IllegalArgumentException("unsupported metadata value for '" + key + "': " + token);
        };
    }

    private static void expect(boolean condition, String problem) {
        if (!condition) {
            throw new IllegalArgumentException("malformed metadata JSON: " + problem);
        }
    }
}
