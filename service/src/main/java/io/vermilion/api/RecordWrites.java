package io.vermilion.api;

import io.vermilion.error.ChromaException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vermilion.gateway.Quota;
import io.vermilion.gateway.QuotaLimits;
import io.vermilion.index.IndexSchema;
import io.vermilion.record.LogRecord;
import io.vermilion.record.MetadataValue;
import io.vermilion.record.Operation;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns an add / upsert / update body into log records, validating the whole request first so that one bad
 * record writes nothing. Shape errors are 422 and value errors 400, in Chroma's order and words; embeddings
 * may be float arrays or base64 little-endian float32.
 */
final class RecordWrites {

    static final String DOCUMENT_KEY = "chroma:document";
    static final String URI_KEY = "chroma:uri";

    private RecordWrites() {}

    static List<LogRecord> parse(EmbeddingsBody request, Operation op, QuotaLimits limits) {
        return parse(request, op, limits, false);
    }

    /**
     * As {@link #parse(EmbeddingsBody, Operation, QuotaLimits)}; when {@code serverEmbedded}, embeddings may be
     * absent or null for records with a document (the caller embeds those), and a record with neither is refused.
     */
    static List<LogRecord> parse(EmbeddingsBody request, Operation op, QuotaLimits limits, boolean serverEmbedded) {
        ObjectNode body = request.fields();
        List<String> ids = ids(body);
        List<float[]> embeddings = request.streamed() ? streamedEmbeddings(request)
                : embeddings(body, op, serverEmbedded);
        List<String> documents = strings(body, "documents");
        List<String> uris = strings(body, "uris");
        List<Map<String, MetadataValue>> metadatas = metadatas(body, op);

        if (embeddings != null) {
            for (float[] e : embeddings) {
                if (e != null && e.length == 0) {
                    throw ChromaException.validation("embeddings", "Each embedding must have at least 1 dimension");
                }
                if (e != null) {
                    requireIndexable("embeddings", e.length);
                }
            }
            for (float[] e : embeddings) {
                if (e != null) {
                    for (float v : e) {
                        if (!Float.isFinite(v)) {
                            throw ChromaException.validation(
                                    "embeddings", "Embeddings must not contain NaN or Infinity values");
                        }
                    }
                }
            }
        }
        if (metadatas != null) {
            for (int i = 0; i < metadatas.size(); i++) {
                Map<String, MetadataValue> m = metadatas.get(i);
                if (m != null) {
                    for (Map.Entry<String, MetadataValue> e : m.entrySet()) {
                        String key = e.getKey();
                        if (key.isEmpty() || key.startsWith("#") || key.startsWith("$")
                                || (e.getValue() instanceof MetadataValue.Sparse sp && sp.problem() != null)) {
                            throw ChromaException.validation("metadatas", "Invalid metadata at index " + i);
                        }
                    }
                }
            }
        }
        if (embeddings != null) {
            int dim = -1;
            for (float[] e : embeddings) {
                if (e != null) {
                    if (dim >= 0 && e.length != dim) {
                        throw ChromaException.invalid("Inconsistent dimensions in provided embeddings");
                    }
                    dim = e.length;
                }
            }
        }
        int n = ids.size();
        if ((embeddings != null && embeddings.size() != n) || (documents != null && documents.size() != n)
                || (uris != null && uris.size() != n) || (metadatas != null && metadatas.size() != n)) {
            throw ChromaException.invalid("Inconsistent number of IDs, embeddings, documents, URIs and metadatas");
        }
        for (String id : ids) {
            if (id.isEmpty()) {
                throw ChromaException.invalid("Empty ID, ID must have at least one character");
            }
        }
        checkQuotas(limits, action(op), ids, embeddings, documents, uris, metadatas);

        List<LogRecord> records = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Map<String, MetadataValue> metadata = metadatas == null ? null : metadatas.get(i);
            String document = documents == null ? null : documents.get(i);
            String uri = uris == null ? null : uris.get(i);
            if (metadata != null) {
                metadata = new LinkedHashMap<>(metadata);
                // Chroma keeps documents and URIs as these metadata keys; a user key of that name becomes the field.
                if (metadata.remove(DOCUMENT_KEY) instanceof MetadataValue.Str s && document == null) {
                    document = s.value();
                }
                if (metadata.remove(URI_KEY) instanceof MetadataValue.Str s && uri == null) {
                    uri = s.value();
                }
                if (metadata.isEmpty() && op == Operation.ADD) {
                    metadata = null;
                }
            }
            float[] embedding = embeddings == null ? null : embeddings.get(i);
            if (serverEmbedded && embedding == null && document == null && op != Operation.UPDATE) {
                throw ChromaException.invalid("Record " + ids.get(i) + " has neither an embedding nor a document to "
                        + "embed: provide embeddings or documents");
            }
            records.add(new LogRecord(op, ids.get(i), embedding, metadata, document, uri));
        }
        return records;
    }

    /**
     * Refuses an embedding wider than the vector index can hold ({@link IndexSchema#MAX_DIMENSIONS}, the limit the
     * codec's HNSW format declares): accepted, it would make every later compaction of its collection fail.
     */
    static void requireIndexable(String field, int dimension) {
        if (dimension > IndexSchema.MAX_DIMENSIONS) {
            throw ChromaException.validation(field, "Embedding dimension " + dimension + " exceeds the maximum of "
                    + IndexSchema.MAX_DIMENSIONS + " this server can index");
        }
    }

    /** Chroma's name of a write action in quota errors. */
    static String action(Operation op) {
        return switch (op) {
            case ADD -> "Add";
            case UPSERT -> "Upsert";
            case UPDATE -> "Update";
            case DELETE -> "Delete";
        };
    }

    /**
     * The size quotas of a write, checked once the request is known to be valid. A metadata value's size is the UTF-8
     * length of a string, 8 bytes for a number, 1 for a boolean, and the sum of its elements for an array.
     */
    private static void checkQuotas(QuotaLimits limits, String action, List<String> ids, List<float[]> embeddings,
            List<String> documents, List<String> uris, List<Map<String, MetadataValue>> metadatas) {
        limits.check(Quota.NUM_RECORDS, action, ids.size());
        for (String id : ids) {
            limits.check(Quota.ID_SIZE_BYTES, action, utf8Length(id));
        }
        if (documents != null) {
            for (String d : documents) {
                limits.check(Quota.DOCUMENT_SIZE_BYTES, action, utf8Length(d));
            }
        }
        if (uris != null) {
            for (String u : uris) {
                limits.check(Quota.URI_SIZE_BYTES, action, utf8Length(u));
            }
        }
        if (embeddings != null) {
            for (float[] e : embeddings) {
                if (e != null) {
                    limits.check(Quota.EMBEDDING_DIMENSIONS, action, e.length);
                    break; // all widths are equal by now
                }
            }
        }
        boolean metadataLimited = limits.limits(Quota.NUM_METADATA_KEYS) || limits.limits(Quota.METADATA_KEY_SIZE_BYTES)
                || limits.limits(Quota.METADATA_VALUE_SIZE_BYTES);
        if (metadatas != null && metadataLimited) {
            for (Map<String, MetadataValue> m : metadatas) {
                if (m == null) {
                    continue;
                }
                limits.check(Quota.NUM_METADATA_KEYS, action, m.size());
                for (Map.Entry<String, MetadataValue> e : m.entrySet()) {
                    limits.check(Quota.METADATA_KEY_SIZE_BYTES, action, utf8Length(e.getKey()));
                    limits.check(Quota.METADATA_VALUE_SIZE_BYTES, action, valueBytes(e.getValue()));
                }
            }
        }
    }

    private static long valueBytes(MetadataValue v) {
        return switch (v) {
            case null -> 0;
            case MetadataValue.Str s -> utf8Length(s.value());
            case MetadataValue.Int i -> Long.BYTES;
            case MetadataValue.Flt f -> Double.BYTES;
            case MetadataValue.Bool b -> 1;
            case MetadataValue.Array a -> a.elements().stream().mapToLong(RecordWrites::valueBytes).sum();
            case MetadataValue.Sparse sp -> (long) sp.indices().length * (Integer.BYTES + Float.BYTES);
        };
    }

    static List<String> ids(ObjectNode body) {
        JsonNode v = JsonBody.required(body, "ids");
        return stringList(v, "ids", false);
    }

    static List<String> stringList(JsonNode v, String path, boolean nullable) {
        if (!v.isArray()) {
            throw ChromaException.shape(path, "invalid type: " + JsonBody.describe(v) + ", expected a sequence");
        }
        List<String> out = new ArrayList<>(v.size());
        for (int i = 0; i < v.size(); i++) {
            JsonNode e = v.get(i);
            if (e.isNull() && nullable) {
                out.add(null);
            } else {
                out.add(JsonBody.string(e, path + "[" + i + "]"));
            }
        }
        return out;
    }

    private static List<String> strings(ObjectNode body, String field) {
        JsonNode v = JsonBody.optional(body, field);
        return v == null ? null : stringList(v, field, true);
    }

    private static List<float[]> embeddings(ObjectNode body, Operation op, boolean serverEmbedded) {
        boolean required = op != Operation.UPDATE && !serverEmbedded;
        JsonNode v = required ? JsonBody.required(body, "embeddings") : JsonBody.optional(body, "embeddings");
        if (v == null) {
            return null;
        }
        if (v.isNull() || !v.isArray()) {
            throw ChromaException.shape("embeddings", "invalid type: " + JsonBody.describe(v) + ", expected a sequence");
        }
        boolean sawString = false;
        boolean sawArray = false;
        List<float[]> out = new ArrayList<>(v.size());
        for (JsonNode e : v) {
            if (e.isNull() && !required) {
                out.add(null);
            } else if (e.isTextual()) {
                sawString = true;
                out.add(null); // decoded below, once the shape is known to be consistent
            } else if (e.isArray()) {
                sawArray = true;
                out.add(floats(e, "embeddings"));
            } else {
                throw untaggedEmbeddings();
            }
        }
        if (sawString && sawArray) {
            throw untaggedEmbeddings();
        }
        if (sawString) {
            for (int i = 0; i < v.size(); i++) {
                if (v.get(i).isTextual()) {
                    out.set(i, Embeddings.decodeBase64(v.get(i).textValue()));
                }
            }
        }
        return out;
    }

    /** The streamed field, as {@link #embeddings} reads the same elements from a tree. */
    private static List<float[]> streamedEmbeddings(EmbeddingsBody request) {
        if (request.vectors() != null) {
            return new ArrayList<>(request.vectors());
        }
        List<float[]> out = new ArrayList<>(request.base64().size());
        for (String text : request.base64()) {
            out.add(Embeddings.decodeBase64(text));
        }
        return out;
    }

    private static ChromaException untaggedEmbeddings() {
        return ChromaException.shape("embeddings", "data did not match any variant of untagged enum EmbeddingsPayload");
    }

    /** A JSON array of numbers as float32 (values beyond float range become infinite and are refused later). */
    static float[] floats(JsonNode array, String path) {
        float[] out = new float[array.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode n = array.get(i);
            if (!n.isNumber()) {
                throw ChromaException.shape(path, "invalid type: " + JsonBody.describe(n) + ", expected f32");
            }
            out[i] = (float) n.doubleValue();
        }
        return out;
    }

    private static List<Map<String, MetadataValue>> metadatas(ObjectNode body, Operation op) {
        JsonNode v = JsonBody.optional(body, "metadatas");
        if (v == null) {
            return null;
        }
        if (!v.isArray()) {
            throw ChromaException.shape("metadatas", "invalid type: " + JsonBody.describe(v) + ", expected a sequence");
        }
        List<Map<String, MetadataValue>> out = new ArrayList<>(v.size());
        for (int i = 0; i < v.size(); i++) {
            JsonNode m = v.get(i);
            if (m.isNull()) {
                out.add(null);
                continue;
            }
            String path = "metadatas[" + i + "]";
            if (!m.isObject()) {
                throw ChromaException.shape(path, "invalid type: " + JsonBody.describe(m) + ", expected a map");
            }
            Map<String, MetadataValue> map = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = m.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode value = e.getValue();
                String at = path + "." + e.getKey();
                if (value.isNull()) {
                    if (op == Operation.ADD) {
                        throw untaggedMetadata(at);
                    }
                    map.put(e.getKey(), null); // upsert / update: delete this key
                    continue;
                }
                if (value.isArray() && value.isEmpty()) {
                    continue; // Chroma drops empty arrays
                }
                map.put(e.getKey(), metadataValue(value, at));
            }
            out.add(map);
        }
        return out;
    }

    static MetadataValue metadataValue(JsonNode v, String path) {
        MetadataValue scalar = scalar(v);
        if (scalar != null) {
            return scalar;
        }
        if (v.isObject()) {
            MetadataValue.Sparse sparse = sparse(v);
            if (sparse == null) {
                throw untaggedMetadata(path);
            }
            return sparse;
        }
        if (!v.isArray()) {
            throw untaggedMetadata(path);
        }
        List<MetadataValue> elements = new ArrayList<>(v.size());
        boolean anyFloat = false;
        for (JsonNode e : v) {
            MetadataValue s = scalar(e);
            if (s == null) {
                throw untaggedMetadata(path);
            }
            anyFloat |= s instanceof MetadataValue.Flt;
            elements.add(s);
        }
        Class<?> first = elements.get(0).getClass();
        boolean numeric = elements.stream().allMatch(x -> x instanceof MetadataValue.Int || x instanceof MetadataValue.Flt);
        if (numeric && anyFloat) {
            // A mixed int/float array is stored as floats, as Chroma does.
            elements.replaceAll(x -> x instanceof MetadataValue.Int i ? new MetadataValue.Flt(i.value()) : x);
        } else if (!elements.stream().allMatch(x -> x.getClass() == first)) {
            throw untaggedMetadata(path);
        }
        return new MetadataValue.Array(elements);
    }

    /**
     * Chroma's {@code SparseVector} as serde reads it: {@code indices} (u32), {@code values} (f32), optional
     * {@code tokens} and {@code #type} (which must be {@code "sparse_vector"}); null when the object is not one.
     * Lengths and order are not checked here (see {@link MetadataValue.Sparse#problem()}).
     */
    static MetadataValue.Sparse sparse(JsonNode v) {
        JsonNode type = v.get("#type");
        JsonNode indices = v.get("indices");
        JsonNode values = v.get("values");
        JsonNode tokens = v.get("tokens");
        if (!v.isObject() || (type != null && !type.isNull() && !"sparse_vector".equals(type.textValue()))
                || indices == null || !indices.isArray() || values == null || !values.isArray()
                || (tokens != null && !tokens.isNull() && !tokens.isArray())) {
            return null;
        }
        int[] ints = new int[indices.size()];
        for (int i = 0; i < ints.length; i++) {
            JsonNode n = indices.get(i);
            if (!n.isIntegralNumber() || !n.canConvertToLong() || n.longValue() < 0 || n.longValue() > 0xFFFF_FFFFL) {
                return null;
            }
            ints[i] = (int) n.longValue();
        }
        float[] floats = new float[values.size()];
        for (int i = 0; i < floats.length; i++) {
            JsonNode n = values.get(i);
            if (!n.isNumber() || !Float.isFinite(n.floatValue())) {
                return null;
            }
            floats[i] = n.floatValue();
        }
        List<String> words = null;
        if (tokens != null && !tokens.isNull()) {
            words = new ArrayList<>(tokens.size());
            for (JsonNode t : tokens) {
                if (!t.isTextual()) {
                    return null;
                }
                words.add(t.textValue());
            }
        }
        return new MetadataValue.Sparse(ints, floats, words);
    }

    /** String, bool, i64, or f64 (integers beyond i64 become floats); null for anything else. */
    static MetadataValue scalar(JsonNode v) {
        if (v.isTextual()) {
            return new MetadataValue.Str(v.textValue());
        }
        if (v.isBoolean()) {
            return new MetadataValue.Bool(v.booleanValue());
        }
        if (v.isIntegralNumber()) {
            return v.canConvertToLong() ? new MetadataValue.Int(v.longValue()) : new MetadataValue.Flt(v.doubleValue());
        }
        if (v.isNumber()) {
            return new MetadataValue.Flt(v.doubleValue());
        }
        return null;
    }

    private static ChromaException untaggedMetadata(String path) {
        return ChromaException.shape(path, "data did not match any variant of untagged enum MetadataValue");
    }

    static int utf8Length(String s) {
        return s == null ? 0 : s.getBytes(StandardCharsets.UTF_8).length;
    }

    /** Embedding encodings Chroma accepts on writes. */
    static final class Embeddings {
        private Embeddings() {}

        static float[] decodeBase64(String text) {
            byte[] bytes;
            try {
                bytes = Base64.getDecoder().decode(text);
            } catch (IllegalArgumentException e) {
                throw ChromaException.invalid("Invalid base64 string: " + e.getMessage());
            }
            if (bytes.length % 4 != 0) {
                throw ChromaException.invalid("Invalid byte length: " + bytes.length
                        + " bytes cannot be converted to f32 values (must be divisible by 4)");
            }
            float[] out = new float[bytes.length / 4];
            ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
            for (int i = 0; i < out.length; i++) {
                if (!Float.isFinite(out[i])) {
                    throw ChromaException.invalid("Non-finite float value at embedding index " + i + ": " + out[i]);
                }
            }
            return out;
        }
    }
}
