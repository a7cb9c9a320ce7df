package io.vermilion.sysdb;

import io.smallrye.mutiny.Uni;
import io.vermilion.catalog.LogPosition;
import io.vermilion.catalog.VersionRef;
import io.vermilion.error.ChromaException;
import io.vermilion.model.CollectionConfiguration;
import io.vermilion.resilience.CatalogCall;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

/**
 * Finds a collection by id for the record routes, with its read state (log position, dimension, current compacted
 * version) at least as new as every write acknowledged before the call, on any replica: from the {@link CatalogCache}
 * once the {@link CatalogFeed} says it is up to date, otherwise with one query on the reactive SQL client (whose
 * answer then fills the cache). May be called from worker threads. Read-only.
 */
@ApplicationScoped
@CatalogCall(idempotent = true)
public class CollectionLookup {

    private final Pool pool;
    private final CatalogFeed feed;

    public CollectionLookup(Pool pool, CatalogFeed feed) {
        this.pool = pool;
        this.feed = feed;
    }

    /** The collection if it exists in this tenant and database; a 404 otherwise (another tenant's looks missing). */
    public Uni<CollectionEntry> get(String tenant, String database, UUID id) {
        return Uni.createFrom().completionStage(feed::sync)
                .flatMap(synced -> {
                    CatalogCache cache = feed.cache();
                    CatalogCache.State known = synced ? cache.state(id) : cache.missed();
                    return known != null ? Uni.createFrom().item(known.entry()) : query(id);
                })
                .map(entry -> entry != null && entry.tenant().equals(tenant) && entry.database().equals(database)
                        ? entry : null)
                .onItem()
                .ifNull()
                .failWith(() -> ChromaException.notFound("Collection [" + id + "] does not exist"));
    }

    private Uni<CollectionEntry> query(UUID id) {
        CatalogCache cache = feed.cache();
        CatalogCache.Token token = cache.token(id);
        return pool.preparedQuery("""
                        SELECT c.id, c.name, c.metadata, c.configuration, c.dimension, c.log_position, c.version,
                               d.id AS database_id, d.name AS database_name, d.tenant,
                               v.version AS compacted, v.manifest_key, v.log_end_offset
                          FROM collections c JOIN databases d ON d.id = c.database_id
                          LEFT JOIN collection_versions v ON v.collection_id = c.id
                         WHERE c.id = $1""")
                .execute(Tuple.of(id))
                .map(rows -> {
                    var it = rows.iterator();
                    if (!it.hasNext()) {
                        cache.absent(token);
                        return null;
                    }
                    Row r = it.next();
                    String metadata = r.getString("metadata");
                    CatalogCache.Row row = new CatalogCache.Row(r.getUUID("id"), r.getString("name"),
                            r.getString("tenant"), r.getString("database_name"), r.getUUID("database_id"), metadata,
                            CollectionConfiguration.parse(r.getString("configuration"), metadata),
                            r.getInteger("version"));
                    LogPosition position = new LogPosition(r.getLong("log_position"), r.getInteger("dimension"));
                    Long compacted = r.getLong("compacted");
                    VersionRef version = compacted == null ? null
                            : new VersionRef(compacted, r.getString("manifest_key"), r.getLong("log_end_offset"));
                    cache.offer(token, row, position, true, version);
                    return new CatalogCache.State(row, position, version).entry();
                });
    }
}
