package io.vermilion.api;

import io.vermilion.error.ChromaException;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The sparse vector indexes of a collection schema, as Chroma's {@code SparseVectorIndexConfig}
 * ({@code rust/types/src/collection_schema.rs}) and {@code validate_schema} ({@code rust/types/src/validators.rs})
 * define them: enabled only on a plain metadata key (any number of keys), config fields {@code embedding_function},
 * {@code source_key}, {@code bm25} and {@code algorithm} ({@code wand} or {@code max_score}; Vermilion serves both the
 * same way). Stored in the collection's configuration as {@value #STORED} (key → config as given) and returned under
 * the key in the schema. Stateless.
 */
final class SparseIndexSchemas {

    static final String STORED = "sparse_vector_indexes";
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> CONFIG_FIELDS = List.of("embedding_function", "source_key", "bm25", "algorithm");
    private static final List<String> ALGORITHMS = List.of("wand", "max_score");

    private SparseIndexSchemas() {}

    /**
     * Checks the {@code sparse_vector_index} entry of {@code key} (null: the defaults) at {@code path}; returns its
     * config, normalized, when it is enabled on a key, and null when it is disabled (its settings then change nothing).
     */
    static ObjectNode check(ObjectNode index, boolean enabled, String path, String key) {
        JsonNode configNode = index.get("config");
        ObjectNode config = configNode == null || configNode.isNull() ? F.objectNode()
                : CollectionConfigs.requireMap(configNode, path + ".config");
        ObjectNode normalized = normalize(config, path + ".config");
        if (!enabled) {
            return null;
        }
        if (key == null) {
            return null; // the caller refuses an enabled sparse index in the defaults
        }
        if (key.equals("#document")) {
            throw ChromaException.validation("schema",
                    "Document field cannot have any value types other than string: " + key);
        }
        if (key.equals("#embedding")) {
            throw ChromaException.validation("schema",
                    "Embedding field cannot have any value types other than float_list: " + key);
        }
        if (key.startsWith("#")) {
            throw ChromaException.validation("schema", "key cannot begin with '#'. Keys starting with '#' are "
                    + "reserved for system use: " + key);
        }
        if (normalized.has("source_key") && !normalized.has("embedding_function")) {
            throw ChromaException.validation("schema", "If source_key is provided then embedding_function must also "
                    + "be provided since there is no default embedding function.");
        }
        return normalized;
    }

    private static ObjectNode normalize(ObjectNode config, String path) {
        CollectionConfigs.rejectUnknown(config, CONFIG_FIELDS, path);
        ObjectNode out = F.objectNode();
        JsonNode ef = CollectionConfigs.embeddingFunction(config.get("embedding_function"), path + ".embedding_function");
        if (ef != null) {
            out.set("embedding_function", ef);
        }
        JsonNode sourceKey = config.get("source_key");
        if (sourceKey != null && !sourceKey.isNull()) {
            if (!sourceKey.isTextual()) {
                throw ChromaException.shape(path + ".source_key", "invalid type: " + JsonBody.describe(sourceKey)
                        + ", expected a string");
            }
            String source = sourceKey.textValue();
            if (source.startsWith("#") && !source.equals("#document")) {
                throw ChromaException.validation("schema", "source_key cannot begin with '#'. The only valid key "
                        + "starting with '#' is Key.DOCUMENT or '#document'.");
            }
            out.put("source_key", source);
        }
        JsonNode bm25 = config.get("bm25");
        if (bm25 != null && !bm25.isNull()) {
            if (!bm25.isBoolean()) {
                throw ChromaException.shape(path + ".bm25", "invalid type: " + JsonBody.describe(bm25)
                        + ", expected a boolean");
            }
            out.put("bm25", bm25.booleanValue());
        }
        JsonNode algorithm = config.get("algorithm");
        if (algorithm != null && !algorithm.isNull()) {
            if (!algorithm.isTextual() || !ALGORITHMS.contains(algorithm.textValue())) {
                throw ChromaException.shape(path + ".algorithm", "unknown variant "
                        + (algorithm.isTextual() ? "`" + algorithm.textValue() + "`" : JsonBody.describe(algorithm))
                        + ", expected `wand` or `max_score`");
            }
            if (!algorithm.textValue().equals("wand")) {
                out.put("algorithm", algorithm.textValue()); // Chroma leaves the default out
            }
        }
        return out;
    }

    /** Adds the sparse indexes to a stored configuration (nothing when there are none). */
    static void store(ObjectNode stored, Map<String, ObjectNode> indexes) {
        if (indexes.isEmpty()) {
            return;
        }
        ObjectNode node = F.objectNode();
        indexes.forEach(node::set);
        stored.set(STORED, node);
    }

    /** The schema's {@code keys} entries for the stored sparse indexes, added to {@code keys}. */
    static void render(JsonNode stored, ObjectNode keys) {
        JsonNode indexes = stored.get(STORED);
        if (indexes == null || !indexes.isObject()) {
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = indexes.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            ObjectNode index = F.objectNode();
            index.put("enabled", true);
            index.set("config", e.getValue().deepCopy());
            keys.set(e.getKey(), F.objectNode().set("sparse_vector", F.objectNode().set("sparse_vector_index", index)));
        }
    }

    /** The keys with a sparse index in a stored configuration's JSON text. */
    static Set<String> indexedKeys(String configurationJson) {
        return keys(configurationJson, false);
    }

    /** The keys whose sparse index is declared {@code bm25: true} (queries get IDF applied on the server). */
    static Set<String> bm25Keys(String configurationJson) {
        return keys(configurationJson, true);
    }

    private static Set<String> keys(String configurationJson, boolean bm25Only) {
        JsonNode indexes;
        try {
            indexes = JSON.readTree(configurationJson).get(STORED);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored collection configuration is not JSON", e);
        }
        Set<String> keys = new HashSet<>();
        if (indexes != null && indexes.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = indexes.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (!bm25Only || e.getValue().path("bm25").asBoolean(false)) {
                    keys.add(e.getKey());
                }
            }
        }
        return keys;
    }

    /** Chroma's refusal of a sparse {@code $knn} over a key without a sparse index. */
    static ChromaException notIndexed(String key) {
        return ChromaException.invalid("Cannot filter using metadata key '" + key
                + "' with type 'SparseVector' because indexing is disabled");
    }
}
