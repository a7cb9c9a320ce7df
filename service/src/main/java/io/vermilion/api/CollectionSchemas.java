package io.vermilion.api;

import io.vermilion.error.ChromaException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The {@code schema} of a collection create request. Vermilion applies its vector index part (the space, HNSW
 * parameters and embedding function of {@code #embedding}) and its sparse vector indexes ({@link SparseIndexSchemas}),
 * and accepts every other part only where it asks for the
 * indexes Vermilion always keeps (Chroma's defaults). Anything else is refused with a 400 naming the part, so no
 * collection is ever stored with a schema it did not get.
 */
final class CollectionSchemas {

    private static final String EMBEDDING_KEY = "#embedding";
    private static final String DOCUMENT_KEY = "#document";
    /** Value type → the index types Chroma's schema knows for it. */
    private static final Map<String, List<String>> INDEX_TYPES = Map.of(
            "string", List.of("fts_index", "string_inverted_index"),
            "float_list", List.of("vector_index"),
            "sparse_vector", List.of("sparse_vector_index"),
            "int", List.of("int_inverted_index"),
            "float", List.of("float_inverted_index"),
            "bool", List.of("bool_inverted_index"));
    private static final List<String> SCHEMA_FIELDS = List.of("defaults", "keys");
    private static final List<String> VECTOR_FIELDS = List.of("space", "embedding_function", "source_key", "hnsw", "spann");
    private static final List<String> SCHEMA_HNSW_FIELDS = List.of(
            "ef_construction", "max_neighbors", "ef_search", "num_threads", "batch_size", "sync_threshold",
            "resize_factor");

    private CollectionSchemas() {}

    /**
     * The stored configuration for a create request that carries {@code schema}: {@code stored} (from the
     * configuration and legacy metadata) with the schema's vector index applied. As on Chroma, a configuration that
     * asks for anything but the default index cannot be combined with a schema.
     */
    static ObjectNode apply(JsonNode schema, ObjectNode stored) {
        if (schema == null || schema.isNull()) {
            return stored;
        }
        ObjectNode root = CollectionConfigs.requireMap(schema, "schema");
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!SCHEMA_FIELDS.contains(field)) {
                throw unsupported("schema." + field);
            }
        }
        if (!CollectionConfigs.isDefaultHnsw(stored.get("hnsw"))) {
            throw ChromaException.invalid(
                    "Failed to reconcile schema: Cannot set both collection config and schema simultaneously");
        }
        ObjectNode fallback = null;
        ObjectNode primary = null;
        Map<String, ObjectNode> sparse = new java.util.LinkedHashMap<>();
        JsonNode defaults = present(root.get("defaults"));
        if (defaults != null) {
            fallback = valueTypes(CollectionConfigs.requireMap(defaults, "schema.defaults"), "schema.defaults", null,
                    sparse);
        }
        JsonNode keys = present(root.get("keys"));
        if (keys != null) {
            ObjectNode keyMap = CollectionConfigs.requireMap(keys, "schema.keys");
            for (Iterator<Map.Entry<String, JsonNode>> it = keyMap.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String path = "schema.keys." + e.getKey();
                ObjectNode vector = valueTypes(CollectionConfigs.requireMap(e.getValue(), path), path, e.getKey(),
                        sparse);
                if (vector != null) {
                    primary = vector;
                }
            }
        }
        ObjectNode result = stored.deepCopy();
        applyVectorIndex(result, fallback, "schema.defaults.float_list.vector_index.config");
        applyVectorIndex(result, primary, "schema.keys.#embedding.float_list.vector_index.config");
        SparseIndexSchemas.store(result, sparse);
        return result;
    }

    /** Checks one key's (or the defaults') value types; returns its vector index config when it carries one. */
    private static ObjectNode valueTypes(ObjectNode types, String path, String key, Map<String, ObjectNode> sparse) {
        ObjectNode vector = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = types.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> t = it.next();
            String typePath = path + "." + t.getKey();
            List<String> indexTypes = INDEX_TYPES.get(t.getKey());
            if (indexTypes == null) {
                throw unsupported(typePath);
            }
            if (t.getValue().isNull()) {
                continue;
            }
            ObjectNode indexes = CollectionConfigs.requireMap(t.getValue(), typePath);
            for (Iterator<Map.Entry<String, JsonNode>> ix = indexes.fields(); ix.hasNext(); ) {
                Map.Entry<String, JsonNode> i = ix.next();
                String indexPath = typePath + "." + i.getKey();
                if (!indexTypes.contains(i.getKey())) {
                    throw unsupported(indexPath);
                }
                if (i.getValue().isNull()) {
                    continue;
                }
                ObjectNode index = CollectionConfigs.requireMap(i.getValue(), indexPath);
                ObjectNode config = check(index, indexPath, key, t.getKey(), i.getKey(), sparse);
                if (config != null) {
                    vector = config;
                }
            }
        }
        return vector;
    }

    /** Checks one index entry against what Vermilion applies; returns the config of an applicable vector index. */
    private static ObjectNode check(ObjectNode index, String path, String key, String valueType, String indexType,
            Map<String, ObjectNode> sparse) {
        JsonNode enabledNode = present(index.get("enabled"));
        if (enabledNode != null && !enabledNode.isBoolean()) {
            throw ChromaException.shape(path + ".enabled", "invalid type: " + JsonBody.describe(enabledNode)
                    + ", expected a boolean");
        }
        JsonNode configNode = present(index.get("config"));
        ObjectNode config = configNode == null ? null : CollectionConfigs.requireMap(configNode, path + ".config");
        boolean configured = config != null && !config.isEmpty();
        switch (indexType) {
            case "vector_index" -> {
                boolean onEmbedding = EMBEDDING_KEY.equals(key);
                boolean expected = onEmbedding;
                if (enabledNode != null && enabledNode.booleanValue() && !onEmbedding) {
                    throw ChromaException.validation("schema", key == null
                            ? "Vector index cannot be enabled by default. It can only be enabled on #embedding field."
                            : "Vector index can only be enabled on #embedding field: " + key);
                }
                if (enabledNode != null && enabledNode.booleanValue() != expected) {
                    throw unsupported(path + ".enabled");
                }
                if (onEmbedding || key == null) {
                    return config;
                }
                if (configured) {
                    throw unsupported(path + ".config");
                }
                return null;
            }
            case "sparse_vector_index" -> {
                // Enabled on a metadata key: a sparse index (SparseIndexSchemas); a disabled entry changes nothing.
                boolean enabled = enabledNode != null && enabledNode.booleanValue();
                ObjectNode sparseConfig = SparseIndexSchemas.check(index, enabled, path, key);
                if (enabled && key == null) { // after the config's shape: Chroma validates a deserialized schema
                    throw ChromaException.validation("schema", "Sparse vector index cannot be enabled by default. "
                            + "Please enable sparse vector index on specific keys.");
                }
                if (sparseConfig != null) {
                    sparse.put(key, sparseConfig);
                }
                return null;
            }
            default -> {
                boolean document = DOCUMENT_KEY.equals(key);
                if ((document && !"string".equals(valueType)) || EMBEDDING_KEY.equals(key)) {
                    throw unsupported(path);
                }
                boolean expected = indexType.equals("fts_index") == document;
                if (indexType.equals("fts_index") && !document && enabledNode != null && enabledNode.booleanValue()) {
                    throw ChromaException.validation("schema", key == null
                            ? "Full text search / regular expression index cannot be enabled by default. It can only "
                                    + "be enabled on #document field."
                            : "Full text search / regular expression index can only be enabled on #document field: "
                                    + key);
                }
                if (indexType.equals("string_inverted_index") && document && enabledNode != null
                        && enabledNode.booleanValue()) {
                    throw ChromaException.validation("schema",
                            "String inverted index can not be enabled on #document key: " + key);
                }
                if (enabledNode != null && enabledNode.booleanValue() != expected) {
                    throw unsupported(path + ".enabled");
                }
                if (configured) {
                    throw unsupported(path + ".config");
                }
                return null;
            }
        }
    }

    private static void applyVectorIndex(ObjectNode stored, ObjectNode config, String path) {
        if (config == null) {
            return;
        }
        for (Iterator<String> it = config.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!VECTOR_FIELDS.contains(field)) {
                throw unsupported(path + "." + field);
            }
        }
        ObjectNode hnsw = (ObjectNode) stored.get("hnsw");
        JsonNode space = present(config.get("space"));
        if (space != null) {
            hnsw.put("space", CollectionConfigs.space(space, path + ".space"));
        }
        JsonNode sourceKey = present(config.get("source_key"));
        if (sourceKey != null && !DOCUMENT_KEY.equals(sourceKey.asText())) {
            throw unsupported(path + ".source_key");
        }
        if (present(config.get("spann")) != null) {
            throw unsupported(path + ".spann");
        }
        JsonNode params = present(config.get("hnsw"));
        if (params != null) {
            CollectionConfigs.applyHnsw(hnsw, CollectionConfigs.requireMap(params, path + ".hnsw"), SCHEMA_HNSW_FIELDS,
                    path + ".hnsw");
        }
        JsonNode ef = CollectionConfigs.embeddingFunction(config.get("embedding_function"), path + ".embedding_function");
        if (ef != null) {
            stored.set("embedding_function", ef);
        }
    }

    private static ChromaException unsupported(String part) {
        return ChromaException.invalid("Unsupported collection schema: " + part + " is not supported yet (a schema may "
                + "set the #embedding vector index's space, hnsw parameters and embedding function; other indexes "
                + "must keep their defaults)");
    }

    private static JsonNode present(JsonNode v) {
        return v == null || v.isNull() ? null : v;
    }
}
