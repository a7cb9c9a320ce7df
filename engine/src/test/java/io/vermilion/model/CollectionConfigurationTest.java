package io.vermilion.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class CollectionConfigurationTest {

    @Test
    void storedHnswParametersAndTheQuantizationKeyAreReadOnce() {
        String json = "{\"hnsw\":{\"space\":\"cosine\",\"max_neighbors\":32,\"ef_construction\":200,\"ef_search\":7},"
                + "\"embedding_function\":null}";
        assertEquals(new CollectionConfiguration(json, DistanceFunction.COSINE, 7, 200, 32, VectorQuantization.INT8),
                CollectionConfiguration.parse(json, "{\"vermilion:quantization\":\"int8\",\"other\":1}"));
    }

    @Test
    void missingParametersTakeChromasDefaultsAndOtherEncodingsAreFloat32() {
        String json = "{\"hnsw\":{\"space\":\"ip\"}}";
        CollectionConfiguration expected =
                new CollectionConfiguration(json, DistanceFunction.IP, 100, 100, 16, VectorQuantization.FLOAT32);
        assertEquals(expected, CollectionConfiguration.parse(json, null));
        assertEquals(expected, CollectionConfiguration.parse(json, "{\"vermilion:quantization\":\"float32\"}"));
        assertEquals(expected, CollectionConfiguration.parse(json, "{\"vermilion:quantization\":\"int4\"}"));
        assertEquals(new CollectionConfiguration("{}", DistanceFunction.L2, 100, 100, 16, VectorQuantization.FLOAT32),
                CollectionConfiguration.parse("{}", null));
    }

    @Test
    void efSearchBelowOneSearchesWithOne() {
        assertEquals(1, CollectionConfiguration.parse("{\"hnsw\":{\"space\":\"l2\",\"ef_search\":0}}", null).efSearch());
    }

    @Test
    void theStoredTextIsKeptAsWritten() {
        String json = "{\"hnsw\": {\"space\": \"l2\", \"resize_factor\": 1.2}, \"embedding_function\": {\"type\": \"legacy\"}}";
        assertEquals(json, CollectionConfiguration.parse(json, "{}").json());
    }

    @Test
    void textThatIsNotJsonIsRefused() {
        assertThrows(IllegalStateException.class, () -> CollectionConfiguration.parse("{hnsw", null));
        assertThrows(IllegalStateException.class, () -> CollectionConfiguration.parse("{}", "[1,"));
    }
}
