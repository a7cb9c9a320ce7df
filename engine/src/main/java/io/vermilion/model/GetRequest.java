package io.vermilion.model;

import io.vermilion.filter.Where;
import io.vermilion.filter.WhereDocument;
import java.util.List;

/**
 * What a {@code get} asks for, independent of how it is answered. {@code ids}: null means no id filter, empty means
 * nothing; {@code where} and {@code whereDocument} are optional and ANDed; {@code limit} null means all;
 * {@code embeddings} false lets a reader skip loading them (records then carry none).
 */
public record GetRequest(List<String> ids, Where where, WhereDocument whereDocument, Integer limit, int offset,
                         boolean embeddings) {

    /** A request for whole records, embeddings included. */
    public GetRequest(List<String> ids, Where where, WhereDocument whereDocument, Integer limit, int offset) {
        this(ids, where, whereDocument, limit, offset, true);
    }

    /** The same request, loading embeddings or not (a reader may then leave them null). */
    public GetRequest withEmbeddings(boolean load) {
        return new GetRequest(ids, where, whereDocument, limit, offset, load);
    }

    public GetRequest {
        ids = ids == null ? null : List.copyOf(ids);
        if (limit != null && limit < 0) {
            throw new IllegalArgumentException("limit must be >= 0: " + limit);
        }
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be >= 0: " + offset);
        }
    }

    /** Every record, in insertion order. */
    public static GetRequest all() {
        return new GetRequest(null, null, null, null, 0);
    }
}
