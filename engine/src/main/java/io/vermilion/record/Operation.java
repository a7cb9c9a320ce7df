package io.vermilion.record;

/** The kinds of write a log record carries, with Chroma's semantics applied when the log is materialized. */
public enum Operation {
    /** Insert; an id that already exists is left unchanged. */
    ADD,
    /** Insert, or merge into the existing record (metadata key by key, null deletes a key). */
    UPSERT,
    /** Merge into an existing record; a missing id is ignored. */
    UPDATE,
    /** Remove the record if present. */
    DELETE
}
