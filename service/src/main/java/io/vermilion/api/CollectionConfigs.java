package io.vermilion.api;

import io.vermilion.error.ChromaException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Collection configuration as Chroma defines it: parses the {@code configuration} of create and the
 * {@code new_configuration} of modify (unknown fields and bad variants are 422), applies the legacy
 * {@code hnsw:*} metadata keys, and renders {@code configuration_json} and the default schema.
 * The stored form is {@code {"hnsw":{all eight parameters},"embedding_function":..}}.
 */
public final class CollectionConfigs {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    static final List<String> SPACES = List.of("l2", "cosine", "ip");
    private static final List<String> HNSW_CREATE_FIELDS = List.of(
            "space", "ef_construction", "ef_search", "max_neighbors", "num_threads", "resize_factor",
            "sync_threshold", "batch_size");
    private static final List<String> HNSW_UPDATE_FIELDS = List.of(
            "ef_search", "max_neighbors", "num_threads", "resize_factor", "sync_threshold", "batch_size");
    private static final List<String> SPANN_CREATE_FIELDS = List.of(
            "space", "search_nprobe", "write_nprobe", "ef_construction", "ef_search", "max_neighbors",
            "reassign_neighbor_count", "split_threshold", "merge_threshold");
    private static final List<String> SPANN_UPDATE_FIELDS = List.of("ef_search", "search_nprobe");
    private static final List<String> CONFIG_FIELDS = List.of("hnsw", "spann", "embedding_function");
    private static final List<String> EF_TYPES = List.of("known", "legacy", "unknown");
    private static final Map<String, String> LEGACY_KEYS = Map.of(
            "hnsw:space", "space",
            "hnsw:construction_ef", "ef_construction",
            "hnsw:search_ef", "ef_search",
            "hnsw:M", "max_neighbors",
            "hnsw:num_threads", "num_threads",
            "hnsw:resize_factor", "resize_factor",
            "hnsw:sync_threshold", "sync_threshold",
            "hnsw:batch_size", "batch_size");

    private CollectionConfigs() {}

    public static ObjectNode defaultHnsw() {
        ObjectNode h = F.objectNode();
        h.put("space", "l2");
        h.put("ef_construction", 100);
        h.put("ef_search", 100);
        h.put("max_neighbors", 16);
        h.put("num_threads", Runtime.getRuntime().availableProcessors());
        h.put("resize_factor", 1.2);
        h.put("sync_threshold", 1000);
        h.put("batch_size", 100);
        return h;
    }

    /** The stored configuration for a create request; {@code metadata} may carry legacy hnsw keys. */
    public static ObjectNode forCreate(JsonNode configuration, ObjectNode metadata) {
        ObjectNode hnsw = defaultHnsw();
        JsonNode ef = null;
        boolean spannSection = false;
        if (configuration != null && !configuration.isNull()) {
            ObjectNode cfg = requireMap(configuration, "configuration");
            rejectUnknown(cfg, CONFIG_FIELDS, "configuration");
            JsonNode h = present(cfg.get("hnsw"));
            JsonNode s = present(cfg.get("spann"));
            if (h != null && s != null) {
                throw ChromaException.invalid("Multiple vector index configurations provided");
            }
            if (h != null) {
                applyHnsw(hnsw, requireMap(h, "configuration.hnsw"), HNSW_CREATE_FIELDS, "configuration.hnsw");
            } else if (s != null) {
                spannSection = true;
                ObjectNode spann = requireMap(s, "configuration.spann");
                rejectUnknown(spann, SPANN_CREATE_FIELDS, "configuration.spann");
                JsonNode space = present(spann.get("space"));
                if (space != null) {
                    hnsw.put("space", space(space, "configuration.spann.space"));
                }
            }
            ef = embeddingFunction(cfg.get("embedding_function"), "configuration.embedding_function");
        }
        if (!spannSection && metadata != null) {
            // As Chroma: legacy keys are always checked, and they configure the index when the configuration asks
            // for nothing but the defaults (absent, empty, or naming only default values).
            ObjectNode legacy = defaultHnsw();
            applyLegacy(legacy, metadata);
            if (isDefaultHnsw(hnsw)) {
                hnsw = legacy;
            }
        }
        ObjectNode stored = F.objectNode();
        stored.set("hnsw", hnsw);
        stored.set("embedding_function", ef == null ? F.nullNode() : ef);
        return stored;
    }

    /** Whether these HNSW parameters are all Chroma's defaults (numbers compared by value, not by JSON type). */
    static boolean isDefaultHnsw(JsonNode hnsw) {
        ObjectNode defaults = defaultHnsw();
        for (Iterator<Map.Entry<String, JsonNode>> it = defaults.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = hnsw.get(e.getKey());
            boolean same = v != null && (e.getValue().isNumber()
                    ? v.isNumber() && v.doubleValue() == e.getValue().doubleValue()
                    : v.equals(e.getValue()));
            if (!same) {
                return false;
            }
        }
        return true;
    }

    /** Applies a modify request's {@code new_configuration} to a stored configuration, returning the new one. */
    public static ObjectNode forUpdate(ObjectNode stored, JsonNode update) {
        ObjectNode cfg = requireMap(update, "new_configuration");
        rejectUnknown(cfg, CONFIG_FIELDS, "new_configuration");
        JsonNode h = present(cfg.get("hnsw"));
        JsonNode s = present(cfg.get("spann"));
        if (h != null && s != null) {
            throw ChromaException.invalid("Multiple vector index configurations provided");
        }
        ObjectNode result = stored.deepCopy();
        if (h != null) {
            applyHnsw((ObjectNode) result.get("hnsw"), requireMap(h, "new_configuration.hnsw"), HNSW_UPDATE_FIELDS,
                    "new_configuration.hnsw");
        }
        if (s != null) {
            rejectUnknown(requireMap(s, "new_configuration.spann"), SPANN_UPDATE_FIELDS, "new_configuration.spann");
        }
        if (cfg.has("embedding_function")) {
            JsonNode ef = embeddingFunction(cfg.get("embedding_function"), "new_configuration.embedding_function");
            result.set("embedding_function", ef == null ? F.nullNode() : ef);
        }
        return result;
    }

    /** {@code configuration_json} as Chroma returns it: hnsw without num_threads/batch_size, spann null. */
    public static ObjectNode configurationJson(JsonNode stored) {
        ObjectNode hnsw = ((ObjectNode) stored.get("hnsw")).deepCopy();
        hnsw.remove("num_threads");
        hnsw.remove("batch_size");
        ObjectNode out = F.objectNode();
        out.set("hnsw", hnsw);
        out.putNull("spann");
        out.set("embedding_function", stored.get("embedding_function"));
        return out;
    }

    /** The collection schema Chroma's server returns for this configuration. */
    public static ObjectNode schema(JsonNode stored) {
        JsonNode hnsw = stored.get("hnsw");
        JsonNode ef = stored.get("embedding_function");
        ObjectNode hnswParams = F.objectNode();
        for (String k : List.of("ef_construction", "max_neighbors", "ef_search", "num_threads", "batch_size",
                "sync_threshold", "resize_factor")) {
            hnswParams.set(k, hnsw.get(k));
        }
        ObjectNode defaults = F.objectNode();
        defaults.set("string", typeSlot("fts_index", false, "string_inverted_index", true));
        ObjectNode defaultVector = F.objectNode();
        if (ef != null && !ef.isNull()) {
            defaultVector.set("embedding_function", ef);
        }
        defaultVector.set("space", hnsw.get("space"));
        defaultVector.set("hnsw", hnswParams);
        defaults.set("float_list", F.objectNode().set("vector_index", index(false, defaultVector)));
        ObjectNode sparseConfig = F.objectNode();
        sparseConfig.set("embedding_function", F.objectNode().put("type", "unknown"));
        sparseConfig.put("bm25", false);
        defaults.set("sparse_vector", F.objectNode().set("sparse_vector_index", index(false, sparseConfig)));
        defaults.set("int", F.objectNode().set("int_inverted_index", index(true, F.objectNode())));
        defaults.set("float", F.objectNode().set("float_inverted_index", index(true, F.objectNode())));
        defaults.set("bool", F.objectNode().set("bool_inverted_index", index(true, F.objectNode())));

        ObjectNode keys = F.objectNode();
        keys.set("#document", F.objectNode().set("string", typeSlot("fts_index", true, "string_inverted_index", false)));
        ObjectNode embeddingVector = F.objectNode();
        if (ef != null && !ef.isNull()) {
            embeddingVector.set("embedding_function", ef);
        }
        embeddingVector.set("space", hnsw.get("space"));
        embeddingVector.put("source_key", "#document");
        embeddingVector.set("hnsw", hnswParams.deepCopy());
        keys.set("#embedding", F.objectNode().set("float_list",
                F.objectNode().set("vector_index", index(true, embeddingVector))));
        SparseIndexSchemas.render(stored, keys);
        ObjectNode schema = F.objectNode();
        schema.set("defaults", defaults);
        schema.set("keys", keys);
        return schema;
    }

    private static ObjectNode typeSlot(String first, boolean firstEnabled, String second, boolean secondEnabled) {
        ObjectNode slot = F.objectNode();
        slot.set(first, index(firstEnabled, F.objectNode()));
        slot.set(second, index(secondEnabled, F.objectNode()));
        return slot;
    }

    private static ObjectNode index(boolean enabled, ObjectNode config) {
        ObjectNode n = F.objectNode();
        n.put("enabled", enabled);
        n.set("config", config);
        return n;
    }

    static void applyHnsw(ObjectNode target, ObjectNode given, List<String> allowed, String path) {
        rejectUnknown(given, allowed, path);
        for (Iterator<Map.Entry<String, JsonNode>> it = given.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            if (v.isNull()) {
                continue;
            }
            String field = e.getKey();
            String at = path + "." + field;
            switch (field) {
                case "space" -> target.put("space", space(v, at));
                case "resize_factor" -> target.put("resize_factor", number(v, at));
                default -> target.put(field, unsigned(v, at));
            }
        }
    }

    private static void applyLegacy(ObjectNode target, ObjectNode metadata) {
        for (Iterator<Map.Entry<String, JsonNode>> it = metadata.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getKey().startsWith("hnsw:")) {
                continue;
            }
            String field = LEGACY_KEYS.get(e.getKey());
            JsonNode v = e.getValue();
            boolean ok = field != null;
            if (ok) {
                switch (field) {
                    case "space" -> {
                        ok = v.isTextual() && SPACES.contains(v.textValue());
                        if (ok) {
                            target.put("space", v.textValue());
                        }
                    }
                    case "resize_factor" -> {
                        ok = v.isNumber();
                        if (ok) {
                            target.put("resize_factor", v.doubleValue());
                        }
                    }
                    default -> {
                        ok = v.isIntegralNumber() && v.canConvertToLong() && v.longValue() >= 0
                                && !((field.equals("sync_threshold") || field.equals("batch_size")) && v.longValue() < 2);
                        if (ok) {
                            target.put(field, v.longValue());
                        }
                    }
                }
            }
            if (!ok) {
                throw ChromaException.invalid("Failed to parse hnsw parameters from segment metadata");
            }
        }
    }

    static JsonNode embeddingFunction(JsonNode v, String path) {
        if (v == null || v.isNull()) {
            return null;
        }
        ObjectNode ef = requireMap(v, path);
        JsonNode type = ef.get("type");
        if (type == null) {
            throw ChromaException.shape(path, "missing field `type`");
        }
        if (!type.isTextual() || !EF_TYPES.contains(type.textValue())) {
            throw ChromaException.shape(path + ".type", "unknown variant " + variant(type)
                    + ", expected one of `known`, `legacy`, `unknown`");
        }
        JsonNode name = present(ef.get("name"));
        if (name != null && !name.isTextual()) {
            throw ChromaException.shape(path + ".name", "invalid type: " + JsonBody.describe(name) + ", expected a string");
        }
        JsonNode config = ef.get("config");
        if (config != null && !config.isObject()) {
            throw ChromaException.shape(path + ".config", "invalid type: " + JsonBody.describe(config) + ", expected a map");
        }
        return ef.deepCopy();
    }

    static String space(JsonNode v, String path) {
        if (!v.isTextual() || !SPACES.contains(v.textValue())) {
            throw ChromaException.shape(path, "unknown variant " + variant(v) + ", expected one of `l2`, `cosine`, `ip`");
        }
        return v.textValue();
    }

    private static long unsigned(JsonNode v, String path) {
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw ChromaException.shape(path, "invalid type: " + JsonBody.describe(v) + ", expected usize");
        }
        if (v.longValue() < 0) {
            throw ChromaException.shape(path, "invalid value: integer `" + v.asText() + "`, expected usize");
        }
        return v.longValue();
    }

    private static double number(JsonNode v, String path) {
        if (!v.isNumber()) {
            throw ChromaException.shape(path, "invalid type: " + JsonBody.describe(v) + ", expected f64");
        }
        return v.doubleValue();
    }

    private static String variant(JsonNode v) {
        return v.isTextual() ? "`" + v.textValue() + "`" : JsonBody.describe(v);
    }

    private static JsonNode present(JsonNode v) {
        return v == null || v.isNull() ? null : v;
    }

    static ObjectNode requireMap(JsonNode v, String path) {
        if (!v.isObject()) {
            throw ChromaException.shape(path, "invalid type: " + JsonBody.describe(v) + ", expected a map");
        }
        return (ObjectNode) v;
    }

    static void rejectUnknown(ObjectNode obj, List<String> allowed, String path) {
        for (Iterator<String> it = obj.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!allowed.contains(name)) {
                StringBuilder expected = new StringBuilder();
                for (int i = 0; i < allowed.size(); i++) {
                    expected.append(i == 0 ? "" : ", ").append('`').append(allowed.get(i)).append('`');
                }
                throw ChromaException.shape(path, "unknown field `" + name + "`, expected one of " + expected);
            }
        }
    }
}
