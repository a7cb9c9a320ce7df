-- Vermilion catalog, version 5: compacted versions and compaction leases (see PgVersionCatalog).

-- Each collection's current compacted version: its number (at least 1; no row means none published yet), its
-- manifest's object key, and the exclusive end of the log it covers. Switched only by a conditional UPDATE from the
-- expected version to its successor. (collections.version is Chroma's own collection version, unrelated.)
CREATE TABLE collection_versions (
    collection_id  UUID        PRIMARY KEY REFERENCES collections (id) ON DELETE CASCADE,
    version        BIGINT      NOT NULL CHECK (version >= 1),
    manifest_key   TEXT        NOT NULL,
    log_end_offset BIGINT      NOT NULL CHECK (log_end_offset >= 0),
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- One compactor at a time per collection. expires_at is computed from PostgreSQL's now() (never a replica's clock),
-- so replicas with skewed clocks agree on whether a lease has expired; a lease is expired once now() >= expires_at.
CREATE TABLE compaction_leases (
    collection_id UUID        PRIMARY KEY REFERENCES collections (id) ON DELETE CASCADE,
    holder        TEXT        NOT NULL,
    expires_at    TIMESTAMPTZ NOT NULL
);
