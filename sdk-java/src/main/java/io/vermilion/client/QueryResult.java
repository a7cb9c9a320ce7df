package io.vermilion.client;

import java.util.List;
import java.util.Map;

/**
 * The hits of a query, per query embedding and nearest first: {@code ids().get(q).get(i)} is the i-th hit of query
 * {@code q}, and the same indexes address every other column. A column that was not included is null. Distances are
 * the collection's distance function in float32, ascending. Metadata integers are {@code Long}, floats {@code Double}.
 */
public record QueryResult(List<List<String>> ids, List<List<float[]>> embeddings, List<List<String>> documents,
        List<List<String>> uris, List<List<Map<String, Object>>> metadatas, List<List<Float>> distances,
        List<Include> include) {

    public QueryResult {
        ids = Values.map(ids, List::copyOf);
        embeddings = Values.map(embeddings, Values::copyEmbeddings);
        documents = Values.map(documents, Values::copy);
        uris = Values.map(uris, Values::copy);
        metadatas = Values.map(metadatas, Values::copyMetadatas);
        distances = Values.map(distances, List::copyOf);
        include = include == null ? null : List.copyOf(include);
    }
}
