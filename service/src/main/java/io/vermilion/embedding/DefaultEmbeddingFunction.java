package io.vermilion.embedding;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vermilion.model.CollectionConfiguration;

/**
 * Recognises a collection embedded on the server: its configuration's {@code embedding_function} is Chroma's
 * {@code default} (all-MiniLM-L6-v2), as Chroma's clients send it: {@code {"type":"known","name":"default",..}}.
 */
public final class DefaultEmbeddingFunction {

    private static final ObjectMapper JSON = new ObjectMapper();

    private DefaultEmbeddingFunction() {}

    public static boolean isServerEmbedded(CollectionConfiguration configuration) {
        if (!configuration.json().contains("\"default\"")) {
            return false; // cheap test first: most collections name no embedding function
        }
        try {
            JsonNode ef = JSON.readTree(configuration.json()).path("embedding_function");
            return "known".equals(ef.path("type").asText()) && "default".equals(ef.path("name").asText());
        } catch (JsonProcessingException e) {
            return false;
        }
    }
}
