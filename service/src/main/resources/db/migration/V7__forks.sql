-- Vermilion catalog, version 6: forks (copy-on-write) and retained versions (time travel); see PgForkCatalog.

-- The fork tree of every collection that was forked or is a fork. A fork reads its source's version objects and log
-- fragments where they lie, so this table outlives the collections row (no foreign key): dropped_at marks a deleted
-- collection whose objects a live collection of its tree may still read, until the garbage collector has emptied
-- its prefix and deleted the row. The root has parent_id NULL; every other row is one fork edge.
CREATE TABLE collection_lineage (
    collection_id   UUID        PRIMARY KEY,
    root_id         UUID        NOT NULL,
    parent_id       UUID,
    fork_version    BIGINT,               -- the parent's version the fork started from (NULL: it had none)
    fork_log_offset BIGINT,               -- the parent's log position the fork started from
    created_at      TIMESTAMPTZ NOT NULL DEFAULT now(),
    dropped_at      TIMESTAMPTZ
);
CREATE INDEX collection_lineage_root ON collection_lineage (root_id);
CREATE INDEX collection_lineage_dropped ON collection_lineage (dropped_at) WHERE dropped_at IS NOT NULL;

-- Every version of a collection still retained: the current one and superseded ones inside the retention window
-- (or still in their grace period). A row is added whenever collection_versions changes, by the trigger below, and
-- deleted by the garbage collector when it deletes the version's objects.
CREATE TABLE collection_version_history (
    collection_id  UUID        NOT NULL REFERENCES collections (id) ON DELETE CASCADE,
    version        BIGINT      NOT NULL CHECK (version >= 1),
    manifest_key   TEXT        NOT NULL,
    log_end_offset BIGINT      NOT NULL CHECK (log_end_offset >= 0),
    published_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (collection_id, version)
);

INSERT INTO collection_version_history (collection_id, version, manifest_key, log_end_offset, published_at)
SELECT collection_id, version, manifest_key, log_end_offset, updated_at FROM collection_versions;

CREATE FUNCTION vermilion_record_version() RETURNS trigger AS $$
BEGIN
    INSERT INTO collection_version_history (collection_id, version, manifest_key, log_end_offset)
    VALUES (NEW.collection_id, NEW.version, NEW.manifest_key, NEW.log_end_offset)
    ON CONFLICT (collection_id, version) DO NOTHING;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER collection_versions_history AFTER INSERT OR UPDATE ON collection_versions
    FOR EACH ROW EXECUTE FUNCTION vermilion_record_version();

CREATE FUNCTION vermilion_mark_dropped_fork() RETURNS trigger AS $$
BEGIN
    UPDATE collection_lineage SET dropped_at = now() WHERE collection_id = OLD.id;
    RETURN OLD;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER collections_lineage_dropped AFTER DELETE ON collections
    FOR EACH ROW EXECUTE FUNCTION vermilion_mark_dropped_fork();
