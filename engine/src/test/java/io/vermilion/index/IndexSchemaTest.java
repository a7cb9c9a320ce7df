package io.vermilion.index;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vermilion.model.CollectionConfiguration;
import io.vermilion.model.DistanceFunction;
import io.vermilion.model.VectorQuantization;
import java.util.List;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.junit.jupiter.api.Test;

class IndexSchemaTest {

    @Test
    void schemaFollowsTheCollectionConfiguration() {
        CollectionConfiguration int8 = CollectionConfiguration.parse(
                "{\"hnsw\":{\"space\":\"cosine\",\"max_neighbors\":32,\"ef_construction\":200,\"ef_search\":100}}",
                "{\"vermilion:quantization\":\"int8\",\"other\":1}");
        assertEquals(new IndexSchema(DistanceFunction.COSINE, VectorSimilarityFunction.DOT_PRODUCT,
                VectorQuantization.INT8, 32, 200), IndexSchema.forCollection(int8, List.of()));

        CollectionConfiguration plain = CollectionConfiguration.parse("{\"hnsw\":{\"space\":\"l2\"}}", null);
        assertEquals(new IndexSchema(DistanceFunction.L2, VectorSimilarityFunction.EUCLIDEAN,
                VectorQuantization.FLOAT32, 16, 100), IndexSchema.forCollection(plain, List.of()));
    }
}
