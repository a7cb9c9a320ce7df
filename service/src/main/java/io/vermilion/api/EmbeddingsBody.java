package io.vermilion.api;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A request body whose embeddings field ({@code embeddings} or {@code query_embeddings}) is read with the streaming
 * parser straight into float arrays (or, for base64 embeddings, kept as their strings), and whose other fields are
 * the usual tree. Only a well-formed body with a plain field takes this path — an array of arrays of finite numbers,
 * or of strings that {@link StorableText} accepts; anything else (bad JSON, a null, mixed or nested elements, an
 * out-of-range number, a duplicate field, trailing data) is parsed again by {@link JsonBody#object}, so every 4xx
 * and its wording stay exactly what they were. Immutable once parsed.
 */
record EmbeddingsBody(ObjectNode fields, List<float[]> vectors, List<String> base64) {

    /**
     * Sub-trees are read one value at a time, so this mapper must not look for trailing tokens. Numbers go through
     * Jackson's fast double parser (correctly rounded, so the same doubles as {@link Double#parseDouble}, in a
     * fraction of the time: number text is most of an embeddings body).
     */
    private static final ObjectMapper VALUES = new ObjectMapper(JsonFactory.builder()
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER).build());

    /**
     * Parses {@code body} (a JSON object), streaming {@code field} (its strings too if {@code base64}). {@link #vectors} or {@link #base64} holds the
     * field's elements when it was streamed, and {@link #fields} then lacks it; otherwise both are null and
     * {@link #fields} is the whole body as {@link JsonBody#object} parses it (the field absent, or not plain).
     */
    static EmbeddingsBody parse(String body, String field, boolean base64) {
        if (body != null && !body.isBlank()) {
            try (JsonParser parser = VALUES.getFactory().createParser(body)) {
                EmbeddingsBody streamed = stream(parser, field, base64);
                if (streamed != null) {
                    return streamed;
                }
            } catch (IOException | RuntimeException e) {
                // not well-formed or not plain: the tree parse below reports it as before
            }
        }
        return new EmbeddingsBody(JsonBody.object(body), null, null);
    }

    /** Whether the field was streamed (then exactly one of {@link #vectors} and {@link #base64} is set). */
    boolean streamed() {
        return vectors != null || base64 != null;
    }

    private static EmbeddingsBody stream(JsonParser parser, String field, boolean base64) throws IOException {
        if (parser.nextToken() != JsonToken.START_OBJECT) {
            return null;
        }
        ObjectNode fields = JsonNodeFactory.instance.objectNode();
        List<float[]> vectors = null;
        List<String> strings = null;
        boolean seen = false;
        JsonToken token;
        while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            if (name.equals(field)) {
                if (seen || value != JsonToken.START_ARRAY) {
                    return null;
                }
                seen = true;
                Elements elements = elements(parser, base64);
                if (elements == null) {
                    return null;
                }
                vectors = elements.vectors;
                strings = elements.strings;
                continue;
            }
            if (fields.has(name)) {
                return null;
            }
            JsonNode node = VALUES.readTree(parser);
            fields.set(name, node);
        }
        if (token != JsonToken.END_OBJECT || parser.nextToken() != null) {
            return null;
        }
        StorableText.requireStorable(fields); // without the field, this is the whole body as JsonBody.object reads it
        return strings != null ? new EmbeddingsBody(fields, null, strings) : new EmbeddingsBody(fields, vectors, null);
    }

    private record Elements(List<float[]> vectors, List<String> strings) {}

    /** The outer array's elements: all arrays of finite numbers, or all storable strings; null otherwise. */
    private static Elements elements(JsonParser parser, boolean base64) throws IOException {
        List<float[]> vectors = new ArrayList<>();
        List<String> strings = new ArrayList<>();
        float[] buffer = new float[512];
        JsonToken token;
        while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
            if (token == JsonToken.START_ARRAY && strings.isEmpty()) {
                int n = 0;
                while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
                    if (token != JsonToken.VALUE_NUMBER_FLOAT && token != JsonToken.VALUE_NUMBER_INT) {
                        return null;
                    }
                    double value = parser.getDoubleValue();
                    if (!Double.isFinite(value)) {
                        return null;
                    }
                    if (n == buffer.length) {
                        buffer = Arrays.copyOf(buffer, n * 2);
                    }
                    buffer[n++] = (float) value; // as the tree path converts: double, then float
                }
                vectors.add(Arrays.copyOf(buffer, n));
            } else if (token == JsonToken.VALUE_STRING && base64 && vectors.isEmpty()) {
                String text = parser.getText();
                if (text.indexOf('\0') >= 0 || StorableText.hasLoneSurrogate(text)) {
                    return null;
                }
                strings.add(text);
            } else {
                return null;
            }
        }
        return strings.isEmpty() ? new Elements(vectors, null) : new Elements(null, strings);
    }
}
