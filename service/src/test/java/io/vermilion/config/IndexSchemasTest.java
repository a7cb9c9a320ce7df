package io.vermilion.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.apache.lucene.index.VectorSimilarityFunction;
import org.junit.jupiter.api.Test;

import io.vermilion.index.IndexSchema;
import io.vermilion.index.VectorQuantization;
import io.vermilion.model.DistanceFunction;
import io.vermilion.sysdb.PgVersionCatalog.IndexSettings;

class IndexSchemasTest {

    @Test
    void schemaFollowsTheStoredHnswConfigurationAndTheQuantizationKey() {
        IndexSettings int8 = new IndexSettings(
                "{\"hnsw\":{\"space\":\"cosine\",\"max_neighbors\":32,\"ef_construction\":200,\"ef_search\":100}}",
                "{\"vermilion:quantization\":\"int8\",\"other\":1}");
        assertEquals(new IndexSchema(DistanceFunction.COSINE, VectorSimilarityFunction.DOT_PRODUCT,
                VectorQuantization.INT8, 32, 200), IndexSchemas.schemaFor(int8, List.of()));

        IndexSettings plain = new IndexSettings("{\"hnsw\":{\"space\":\"l2\"}}", null);
        assertEquals(new IndexSchema(DistanceFunction.L2, VectorSimilarityFunction.EUCLIDEAN,
                VectorQuantization.FLOAT32, 16, 100), IndexSchemas.schemaFor(plain, List.of()));

        IndexSettings float32 = new IndexSettings("{\"hnsw\":{\"space\":\"ip\"}}", "{\"vermilion:quantization\":\"float32\"}");
        assertEquals(VectorQuantization.FLOAT32, IndexSchemas.schemaFor(float32, List.of()).quantization());
    }
}
