package io.vermilion.client;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A nearest-neighbour query: one or more query embeddings (or query texts), how many hits each, optional pre-filters (as in
 * {@link GetRequest}) and the columns to return (by default documents, metadatas and distances). Immutable: the
 * {@code with…} methods return a copy.
 *
 * <p>This record is also the body the generated client sends ({@code QueryRequestPayload} of the contract, mapped here
 * because OpenAPI Generator 7.25.0 emits non-compiling Java for its {@code include} default); a null part is left out.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record QueryRequest(
        @JsonProperty("query_embeddings") List<float[]> queryEmbeddings,
        @JsonProperty("query_texts") List<String> queryTexts,
        @JsonProperty("n_results") Long nResults,
        @JsonProperty("ids") List<String> ids,
        @JsonProperty("where") Map<String, Object> where,
        @JsonProperty("where_document") Map<String, Object> whereDocument,
        @JsonProperty("include") List<Include> include) {

    public QueryRequest {
        if ((queryEmbeddings == null) == (queryTexts == null)) {
            throw new IllegalArgumentException("give queryEmbeddings or queryTexts, not both");
        }
        queryEmbeddings = Values.copyEmbeddings(queryEmbeddings);
        queryTexts = queryTexts == null ? null : List.copyOf(queryTexts);
        ids = ids == null ? null : List.copyOf(ids);
        include = include == null ? null : List.copyOf(include);
    }

    /** The server's default number of hits (10) per query embedding. */
    public static QueryRequest of(float[]... queryEmbeddings) {
        return of(Arrays.asList(queryEmbeddings));
    }

    public static QueryRequest of(List<float[]> queryEmbeddings) {
        return new QueryRequest(queryEmbeddings, null, null, null, null, null, null);
    }

    /**
     * Queries by text: embedded by the collection's {@link EmbeddingFunction} if it has one, otherwise sent as
     * {@code query_texts} for the server to embed (a collection embedded on the server; any other answers 400).
     */
    public static QueryRequest ofTexts(String... queryTexts) {
        return ofTexts(Arrays.asList(queryTexts));
    }

    public static QueryRequest ofTexts(List<String> queryTexts) {
        return new QueryRequest(null, Objects.requireNonNull(queryTexts, "queryTexts"), null, null, null, null, null);
    }

    /** This query with embeddings in place of its texts. */
    QueryRequest withEmbeddings(List<float[]> embeddings) {
        return new QueryRequest(embeddings, null, nResults, ids, where, whereDocument, include);
    }

    public QueryRequest withNResults(long nResults) {
        return new QueryRequest(queryEmbeddings, queryTexts, nResults, ids, where, whereDocument, include);
    }

    /** Only among these ids. */
    public QueryRequest withIds(String... ids) {
        return withIds(Arrays.asList(ids));
    }

    public QueryRequest withIds(List<String> ids) {
        return new QueryRequest(queryEmbeddings, queryTexts, nResults, ids, where, whereDocument, include);
    }

    public QueryRequest withWhere(Map<String, Object> where) {
        return new QueryRequest(queryEmbeddings, queryTexts, nResults, ids, where, whereDocument, include);
    }

    public QueryRequest withWhereDocument(Map<String, Object> whereDocument) {
        return new QueryRequest(queryEmbeddings, queryTexts, nResults, ids, where, whereDocument, include);
    }

    public QueryRequest withInclude(Include... include) {
        return new QueryRequest(queryEmbeddings, queryTexts, nResults, ids, where, whereDocument, Arrays.asList(include));
    }
}
