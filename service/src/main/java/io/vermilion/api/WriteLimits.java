package io.vermilion.api;

import io.vermilion.record.Operation;
import java.util.List;

/**
 * Size limits every write is held to, refused with Chroma's quota error (422, "Quota exceeded: ...") naming the
 * limit and its value. The gateway issue makes them per-tenant; here they are server-wide.
 */
public record WriteLimits(int maxBatchSize, int maxIdBytes, int maxDocumentBytes, int maxUriBytes) {

    void check(Operation op, List<String> ids, List<String> documents, List<String> uris) {
        String action = action(op);
        if (ids.size() > maxBatchSize) {
            throw exceeded("Number of records", action, ids.size(), maxBatchSize);
        }
        for (String id : ids) {
            int bytes = RecordWrites.utf8Length(id);
            if (bytes > maxIdBytes) {
                throw exceeded("ID size (bytes)", action, bytes, maxIdBytes);
            }
        }
        if (documents != null) {
            for (String d : documents) {
                int bytes = RecordWrites.utf8Length(d);
                if (bytes > maxDocumentBytes) {
                    throw exceeded("Document size (bytes)", action, bytes, maxDocumentBytes);
                }
            }
        }
        if (uris != null) {
            for (String u : uris) {
                int bytes = RecordWrites.utf8Length(u);
                if (bytes > maxUriBytes) {
                    throw exceeded("URI size (bytes)", action, bytes, maxUriBytes);
                }
            }
        }
    }

    static String action(Operation op) {
        return switch (op) {
            case ADD -> "Add";
            case UPSERT -> "Upsert";
            case UPDATE -> "Update";
            case DELETE -> "Delete";
        };
    }

    static ChromaException exceeded(String usage, String action, long current, long limit) {
        return new ChromaException(ErrorCode.UNPROCESSABLE_ENTITY, "Quota exceeded: '" + usage
                + "' exceeded quota limit for action '" + action + "': current usage of " + current
                + " exceeds limit of " + limit);
    }
}
