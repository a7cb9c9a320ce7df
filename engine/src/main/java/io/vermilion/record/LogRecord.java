package io.vermilion.record;

import java.util.Map;

/**
 * One write as it is appended to the log. For {@link Operation#UPDATE} and {@link Operation#UPSERT} a null
 * field means "leave unchanged", and a null value inside {@code metadata} means "delete this key".
 * For {@link Operation#DELETE} only {@code id} is set.
 */
public record LogRecord(
        Operation operation, String id, float[] embedding, Map<String, MetadataValue> metadata, String document, String uri) {

    public static LogRecord delete(String id) {
        return new LogRecord(Operation.DELETE, id, null, null, null, null);
    }
}
