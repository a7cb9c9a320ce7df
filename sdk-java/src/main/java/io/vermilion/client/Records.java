package io.vermilion.client;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Records to write (add, upsert or update), as columns: one item per id in every column that is given. An absent column
 * is null. Metadata values are strings, integers ({@code Integer} or {@code Long}), floats ({@code Double} or
 * {@code Float}), booleans, lists of one of those, or {@link SparseVector}s; in upsert and update a null value deletes its
 * key. Immutable: the
 * {@code with…} methods return a copy.
 *
 * <pre>{@code
 * Records.of("a", "b")
 *         .withEmbeddings(new float[] {1, 0}, new float[] {0, 1})
 *         .withDocuments("first", "second")
 *         .withMetadatas(Map.of("n", 1), Map.of("n", 2))
 * }</pre>
 */
public record Records(List<String> ids, List<float[]> embeddings, List<String> documents, List<String> uris,
        List<Map<String, Object>> metadatas) {

    public Records {
        Objects.requireNonNull(ids, "ids");
        ids = List.copyOf(ids);
        embeddings = Values.copyEmbeddings(embeddings);
        documents = Values.copy(documents);
        uris = Values.copy(uris);
        metadatas = Values.copyMetadatas(metadatas);
    }

    public static Records of(String... ids) {
        return of(Arrays.asList(ids));
    }

    public static Records of(List<String> ids) {
        return new Records(ids, null, null, null, null);
    }

    public Records withEmbeddings(float[]... embeddings) {
        return withEmbeddings(Arrays.asList(embeddings));
    }

    public Records withEmbeddings(List<float[]> embeddings) {
        return new Records(ids, embeddings, documents, uris, metadatas);
    }

    public Records withDocuments(String... documents) {
        return withDocuments(Arrays.asList(documents));
    }

    public Records withDocuments(List<String> documents) {
        return new Records(ids, embeddings, documents, uris, metadatas);
    }

    public Records withUris(String... uris) {
        return withUris(Arrays.asList(uris));
    }

    public Records withUris(List<String> uris) {
        return new Records(ids, embeddings, documents, uris, metadatas);
    }

    @SafeVarargs
    public final Records withMetadatas(Map<String, Object>... metadatas) {
        return withMetadatas(Arrays.asList(metadatas));
    }

    public Records withMetadatas(List<Map<String, Object>> metadatas) {
        return new Records(ids, embeddings, documents, uris, metadatas);
    }
}
