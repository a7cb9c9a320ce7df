package io.vermilion.model;

import java.util.Objects;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A collection's configuration, typed: parsed once, when its catalog row is read, from the stored configuration JSON
 * and the {@value #QUANTIZATION_KEY} key of its metadata. Queries search with {@link #space} and {@link #efSearch};
 * compaction builds the index with {@link #maxNeighbors}, {@link #efConstruction} and {@link #quantization}; the API
 * renders {@link #json}, the stored text, back to clients unchanged. A collection schema beyond the vector index
 * (today folded into the HNSW parameters on create) belongs here as another typed field. Immutable.
 */
public record CollectionConfiguration(
        String json,
        DistanceFunction space,
        int efSearch,
        int efConstruction,
        int maxNeighbors,
        VectorQuantization quantization) {

    /** Collection metadata key choosing the vector encoding of the index: {@code "float32"} (default) or {@code "int8"}. */
    public static final String QUANTIZATION_KEY = "vermilion:quantization";
    /** Chroma's HNSW defaults. */
    public static final int DEFAULT_EF_SEARCH = 100;
    public static final int DEFAULT_EF_CONSTRUCTION = 100;
    public static final int DEFAULT_MAX_NEIGHBORS = 16;

    private static final ObjectMapper JSON = new ObjectMapper();

    public CollectionConfiguration {
        Objects.requireNonNull(json, "json");
        Objects.requireNonNull(space, "space");
        Objects.requireNonNull(quantization, "quantization");
        if (efSearch < 1) {
            throw new IllegalArgumentException("efSearch must be >= 1: " + efSearch);
        }
    }

    /**
     * The configuration of a catalog row: {@code configurationJson} as stored ({@code {"hnsw":{..},..}}; missing
     * HNSW parameters take Chroma's defaults) and {@code metadataJson} (may be null). Throws
     * {@link IllegalStateException} when either is not JSON: stored rows are always written valid.
     */
    public static CollectionConfiguration parse(String configurationJson, String metadataJson) {
        JsonNode hnsw = read(configurationJson).path("hnsw");
        return new CollectionConfiguration(
                configurationJson,
                DistanceFunction.fromWireName(hnsw.path("space").asText("l2")),
                Math.max(1, hnsw.path("ef_search").asInt(DEFAULT_EF_SEARCH)),
                hnsw.path("ef_construction").asInt(DEFAULT_EF_CONSTRUCTION),
                hnsw.path("max_neighbors").asInt(DEFAULT_MAX_NEIGHBORS),
                quantization(metadataJson));
    }

    /** The encoding the metadata asks for: {@code int8}, or (anything else, or no metadata) float32. */
    private static VectorQuantization quantization(String metadataJson) {
        if (metadataJson == null) {
            return VectorQuantization.FLOAT32;
        }
        JsonNode value = read(metadataJson).get(QUANTIZATION_KEY);
        return value != null && "int8".equals(value.asText()) ? VectorQuantization.INT8 : VectorQuantization.FLOAT32;
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored collection configuration or metadata is not JSON", e);
        }
    }
}
