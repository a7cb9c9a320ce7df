package io.vermilion.client;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Copies between the caller's values, the generated client's wire types and the immutable results. */
final class Values {

    private static final ObjectMapper MAPPER = Apis.objectMapper();
    private static final TypeReference<LinkedHashMap<String, Object>> METADATA = new TypeReference<>() {};

    private Values() {}

    /** An unmodifiable copy that keeps null items (a record may lack a document); null stays null. */
    static <T> List<T> copy(List<T> list) {
        return list == null ? null : Collections.unmodifiableList(new ArrayList<>(list));
    }

    static <A, B> List<B> map(List<A> list, Function<A, B> f) {
        if (list == null) {
            return null;
        }
        List<B> out = new ArrayList<>(list.size());
        for (A a : list) {
            out.add(a == null ? null : f.apply(a));
        }
        return Collections.unmodifiableList(out);
    }

    static List<float[]> copyEmbeddings(List<float[]> embeddings) {
        return map(embeddings, float[]::clone);
    }

    static float[] toFloats(List<Float> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }

    /** An unmodifiable copy; a sparse vector in Chroma's tagged form becomes a {@link SparseVector}. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> metadata(Map<?, ?> raw) {
        if (raw == null) {
            return null;
        }
        Map<String, Object> copy = new LinkedHashMap<>((Map<String, Object>) raw);
        copy.replaceAll((key, value) -> {
            SparseVector sparse = SparseVector.fromJson(value);
            return sparse == null ? value : sparse;
        });
        return Collections.unmodifiableMap(copy);
    }

    /** A metadata map as the server reads it: written to JSON and read back (integers Long, floats Double). */
    static Map<String, Object> asSent(Object metadata) {
        try {
            return MAPPER.readValue(MAPPER.writeValueAsBytes(metadata), METADATA);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Map<String, Object>> copyMetadatas(List<Map<String, Object>> metadatas) {
        return map(metadatas, Values::metadata);
    }
}
