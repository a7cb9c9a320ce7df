package io.vermilion.client;

import java.util.List;
import java.util.Map;

/**
 * The records a get found, as columns: item {@code i} of every column belongs to {@code ids().get(i)}. A column that
 * was not included is null; a record without a document (or URI, or metadata) has a null item. Metadata integers are
 * {@code Long}, floats {@code Double}. Immutable, except that the embedding arrays are the result's own copies.
 */
public record GetResult(List<String> ids, List<float[]> embeddings, List<String> documents, List<String> uris,
        List<Map<String, Object>> metadatas, List<Include> include) {

    public GetResult {
        ids = List.copyOf(ids);
        embeddings = Values.copyEmbeddings(embeddings);
        documents = Values.copy(documents);
        uris = Values.copy(uris);
        metadatas = Values.copyMetadatas(metadatas);
        include = include == null ? null : List.copyOf(include);
    }

    public int size() {
        return ids.size();
    }
}
