package io.vermilion.client;

import java.util.List;

/**
 * Turns texts into embeddings on the client, for a collection got or created with one: documents written without
 * embeddings and query texts are embedded by it before they are sent. Without one, a collection embedded on the server
 * (its configuration names Chroma's {@code default} function) gets texts as they are and embeds them itself.
 */
@FunctionalInterface
public interface EmbeddingFunction {

    /** One embedding per text, in order. */
    List<float[]> embed(List<String> texts);
}
