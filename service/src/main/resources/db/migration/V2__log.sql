-- Vermilion catalog, version 2: the write-ahead log's recorded fragments.
-- A fragment object in storage is visible to readers only once it has a row here; the row is inserted in the
-- same transaction that advances collections.log_position from start_offset to end_offset.
CREATE TABLE log_fragments (
    collection_id UUID   NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    start_offset  BIGINT NOT NULL,
    end_offset    BIGINT NOT NULL,
    object_key    TEXT   NOT NULL,
    bytes         BIGINT NOT NULL,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (collection_id, start_offset),
    CHECK (end_offset > start_offset)
);
