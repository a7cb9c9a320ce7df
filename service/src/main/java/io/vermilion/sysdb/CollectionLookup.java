package io.vermilion.sysdb;

import io.smallrye.mutiny.Uni;
import io.vermilion.error.ChromaException;
import io.vermilion.model.CollectionConfiguration;
import io.vermilion.resilience.CatalogCall;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

/**
 * Finds a collection by id for the record routes with one query on the reactive SQL client, so it can be called
 * from worker threads (request parsing and validation run off the event loop). Read-only.
 */
@ApplicationScoped
@CatalogCall(idempotent = true)
public class CollectionLookup {

    private final Pool pool;

    public CollectionLookup(Pool pool) {
        this.pool = pool;
    }

    /** The collection if it exists in this tenant and database; a 404 otherwise (another tenant's looks missing). */
    public Uni<CollectionEntry> get(String tenant, String database, UUID id) {
        return pool.preparedQuery("""
                        SELECT c.id, c.name, c.metadata, c.configuration, c.dimension, c.log_position, c.version,
                               d.id AS database_id, d.name AS database_name, d.tenant
                          FROM collections c JOIN databases d ON d.id = c.database_id
                         WHERE c.id = $1""")
                .execute(Tuple.of(id))
                .map(rows -> {
                    var it = rows.iterator();
                    if (!it.hasNext()) {
                        return null;
                    }
                    Row r = it.next();
                    if (!r.getString("tenant").equals(tenant) || !r.getString("database_name").equals(database)) {
                        return null;
                    }
                    String metadata = r.getString("metadata");
                    return new CollectionEntry(r.getUUID("id"), r.getString("name"), r.getString("tenant"),
                            r.getString("database_name"), r.getUUID("database_id"), metadata,
                            CollectionConfiguration.parse(r.getString("configuration"), metadata),
                            r.getInteger("dimension"), r.getLong("log_position"), r.getInteger("version"));
                })
                .onItem()
                .ifNull()
                .failWith(() -> ChromaException.notFound("Collection [" + id + "] does not exist"));
    }
}
