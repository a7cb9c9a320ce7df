package io.vermilion.client;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Which records a get returns, and which of their columns. Every part is optional: {@link #all()} returns every record
 * with its documents and metadatas. Filters use Chroma's grammar as maps, e.g.
 * {@code Map.of("n", Map.of("$gte", 2))} or {@code Map.of("$contains", "pie")} for {@link #withWhereDocument}.
 * Immutable: the {@code with…} methods return a copy.
 *
 * <p>This record is also the body the generated client sends ({@code GetRequestPayload} of the contract, mapped here
 * because OpenAPI Generator 7.25.0 emits non-compiling Java for its {@code include} default); a null part is left out.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record GetRequest(
        @JsonProperty("ids") List<String> ids,
        @JsonProperty("where") Map<String, Object> where,
        @JsonProperty("where_document") Map<String, Object> whereDocument,
        @JsonProperty("limit") Long limit,
        @JsonProperty("offset") Long offset,
        @JsonProperty("include") List<Include> include) {

    public GetRequest {
        ids = ids == null ? null : List.copyOf(ids);
        include = include == null ? null : List.copyOf(include);
    }

    /** Every record, with the server's default columns (documents and metadatas). */
    public static GetRequest all() {
        return new GetRequest(null, null, null, null, null, null);
    }

    /** Only these ids ({@code []} matches nothing). */
    public GetRequest withIds(String... ids) {
        return withIds(Arrays.asList(ids));
    }

    public GetRequest withIds(List<String> ids) {
        return new GetRequest(ids, where, whereDocument, limit, offset, include);
    }

    public GetRequest withWhere(Map<String, Object> where) {
        return new GetRequest(ids, where, whereDocument, limit, offset, include);
    }

    public GetRequest withWhereDocument(Map<String, Object> whereDocument) {
        return new GetRequest(ids, where, whereDocument, limit, offset, include);
    }

    public GetRequest withLimit(long limit) {
        return new GetRequest(ids, where, whereDocument, limit, offset, include);
    }

    public GetRequest withOffset(long offset) {
        return new GetRequest(ids, where, whereDocument, limit, offset, include);
    }

    public GetRequest withInclude(Include... include) {
        return new GetRequest(ids, where, whereDocument, limit, offset, Arrays.asList(include));
    }
}
