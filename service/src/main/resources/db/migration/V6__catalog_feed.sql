-- Vermilion catalog, version 6: the catalog change feed (see io.vermilion.sysdb.CatalogFeed).
-- Every statement that moves a collection's log position, publishes a compacted version, or changes or deletes a
-- collection row sends a notification on channel vermilion_catalog from its own transaction: PostgreSQL delivers it
-- only if that transaction commits, and in commit order. Triggers, so that no path (Hibernate, the reactive client,
-- cascades from deleted databases and tenants, reset) can change a row without telling the replicas. Payloads:
--   p <collection id> <log position> <dimension or ->          the log advanced (or the dimension was fixed)
--   r <collection id>                                          name, metadata, configuration or version changed
--   d <collection id>                                          the collection was deleted
--   v <collection id> <version> <log end offset> <manifest key> a compacted version was published

CREATE FUNCTION vermilion_collections_feed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('vermilion_catalog', 'd ' || OLD.id);
        RETURN OLD;
    END IF;
    IF NEW.name IS DISTINCT FROM OLD.name OR NEW.metadata IS DISTINCT FROM OLD.metadata
            OR NEW.configuration IS DISTINCT FROM OLD.configuration OR NEW.database_id IS DISTINCT FROM OLD.database_id
            OR NEW.version IS DISTINCT FROM OLD.version OR NEW.id IS DISTINCT FROM OLD.id THEN
        PERFORM pg_notify('vermilion_catalog', 'r ' || OLD.id);
    END IF;
    IF NEW.log_position IS DISTINCT FROM OLD.log_position OR NEW.dimension IS DISTINCT FROM OLD.dimension THEN
        PERFORM pg_notify('vermilion_catalog',
                'p ' || NEW.id || ' ' || NEW.log_position || ' ' || COALESCE(NEW.dimension::text, '-'));
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER collections_feed AFTER UPDATE OR DELETE ON collections
    FOR EACH ROW EXECUTE FUNCTION vermilion_collections_feed();

CREATE FUNCTION vermilion_versions_feed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('vermilion_catalog',
            'v ' || NEW.collection_id || ' ' || NEW.version || ' ' || NEW.log_end_offset || ' ' || NEW.manifest_key);
    RETURN NEW;
END
$$;

CREATE TRIGGER collection_versions_feed AFTER INSERT OR UPDATE ON collection_versions
    FOR EACH ROW EXECUTE FUNCTION vermilion_versions_feed();
