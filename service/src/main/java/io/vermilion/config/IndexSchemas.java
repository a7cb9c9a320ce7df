package io.vermilion.config;

import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.vermilion.compactor.CompactorOptions;
import io.vermilion.index.IndexSchema;
import io.vermilion.index.VectorQuantization;
import io.vermilion.model.DistanceFunction;
import io.vermilion.record.Record;
import io.vermilion.sysdb.PgVersionCatalog;

/**
 * The index schema a collection's next version is built with, from its stored configuration: the HNSW {@code space},
 * {@code max_neighbors} and {@code ef_construction}, and the vector encoding from the collection metadata key
 * {@value #QUANTIZATION_KEY} ({@code "float32"}, the default, or {@code "int8"}). Blocks on the catalog: call it off
 * the event loop (the compactor does).
 */
public final class IndexSchemas implements CompactorOptions.SchemaSource {

    /** Collection metadata key choosing the vector encoding of the index. */
    public static final String QUANTIZATION_KEY = "vermilion:quantization";

    private static final ObjectMapper JSON = new ObjectMapper();
    private final PgVersionCatalog catalog;

    public IndexSchemas(PgVersionCatalog catalog) {
        this.catalog = catalog;
    }

    @Override
    public IndexSchema schemaFor(UUID collection, List<Record> records) {
        PgVersionCatalog.IndexSettings settings = catalog.indexSettings(collection).toCompletableFuture().join()
                .orElseThrow(() -> new io.vermilion.catalog.CollectionMissingException(collection));
        return schemaFor(settings, records);
    }

    static IndexSchema schemaFor(PgVersionCatalog.IndexSettings settings, List<Record> records) {
        try {
            JsonNode hnsw = JSON.readTree(settings.configuration()).path("hnsw");
            DistanceFunction space = DistanceFunction.fromWireName(hnsw.path("space").asText("l2"));
            int maxNeighbors = hnsw.path("max_neighbors").asInt(IndexSchema.DEFAULT_MAX_NEIGHBORS);
            int efConstruction = hnsw.path("ef_construction").asInt(IndexSchema.DEFAULT_EF_CONSTRUCTION);
            return IndexSchema.forCollection(space, quantization(settings.metadata()), maxNeighbors, efConstruction,
                    records);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("stored configuration is not JSON", e);
        }
    }

    /** The encoding the metadata asks for: {@code int8} or (anything else, or nothing) float32. */
    static VectorQuantization quantization(String metadata) throws com.fasterxml.jackson.core.JsonProcessingException {
        if (metadata == null) {
            return VectorQuantization.FLOAT32;
        }
        JsonNode value = JSON.readTree(metadata).get(QUANTIZATION_KEY);
        return value != null && "int8".equals(value.asText()) ? VectorQuantization.INT8 : VectorQuantization.FLOAT32;
    }
}
