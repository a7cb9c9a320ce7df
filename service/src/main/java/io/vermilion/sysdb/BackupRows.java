package io.vermilion.sysdb;

import io.smallrye.mutiny.Uni;
import io.vermilion.catalog.FragmentRef;
import io.vermilion.catalog.VersionRef;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The catalog side of backups: which databases and collections a tenant or database holds, one collection's rows at
 * one consistent point (its version pointer, log position and the recorded log after the version, read in one
 * REPEATABLE READ snapshot), and a restore that inserts every row of a backup in one transaction (all or nothing),
 * refusing collections that already exist. Callable from any thread.
 */
@ApplicationScoped
public class BackupRows {

    /** A tenant as the catalog holds it. */
    public record TenantRow(String name, String resourceName) {}

    /** A database as the catalog holds it. */
    public record DatabaseRow(UUID id, String name, String tenant) {}

    /** Where a fork sits in its tree ({@code collection_lineage}). */
    public record LineageRow(UUID root, UUID parent, Long forkVersion, Long forkLogOffset) {}

    /**
     * One collection at one (version, log position) pair: its row, its current version (null if none), the recorded
     * log fragments from the version's end to {@code logPosition}, and its lineage (null outside a fork tree).
     */
    public record CollectionRows(UUID id, String name, UUID databaseId, String metadata, String configuration,
            Integer dimension, long logPosition, int chromaVersion, VersionRef version, List<FragmentRef> fragments,
            LineageRow lineage) {}

    /** What a restore found in the way: existing collections by id or by name. */
    public record Conflict(String description) {}

    private final Pool pool;

    public BackupRows(Pool pool) {
        this.pool = pool;
    }

    public Uni<TenantRow> tenant(String name) {
        return pool.preparedQuery("SELECT name, resource_name FROM tenants WHERE name = $1").execute(Tuple.of(name))
                .map(rows -> rows.size() == 0 ? null
                        : new TenantRow(name, rows.iterator().next().getString("resource_name")));
    }

    /** The tenant's databases, or only the one named {@code database} when it is not null. */
    public Uni<List<DatabaseRow>> databases(String tenant, String database) {
        return pool.preparedQuery("""
                        SELECT id, name, tenant FROM databases
                         WHERE tenant = $1 AND ($2::text IS NULL OR name = $2) ORDER BY name""")
                .execute(Tuple.of(tenant, database))
                .map(rows -> {
                    List<DatabaseRow> out = new ArrayList<>();
                    rows.forEach(r -> out.add(new DatabaseRow(r.getUUID("id"), r.getString("name"), r.getString("tenant"))));
                    return out;
                });
    }

    public Uni<List<UUID>> collections(UUID databaseId) {
        return pool.preparedQuery("SELECT id FROM collections WHERE database_id = $1 ORDER BY name")
                .execute(Tuple.of(databaseId))
                .map(rows -> {
                    List<UUID> out = new ArrayList<>();
                    rows.forEach(r -> out.add(r.getUUID("id")));
                    return out;
                });
    }

    public Uni<Boolean> exists(UUID collection) {
        return pool.preparedQuery("SELECT 1 FROM collections WHERE id = $1").execute(Tuple.of(collection))
                .map(rows -> rows.size() > 0);
    }

    /** The collection's rows at one point; null if it no longer exists. */
    public Uni<CollectionRows> snapshot(UUID collection) {
        return pool.withTransaction(conn -> conn.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ").execute()
                .flatMap(set -> conn.preparedQuery("""
                                SELECT c.name, c.database_id, c.metadata, c.configuration, c.dimension, c.log_position,
                                       c.version AS chroma_version, v.version, v.manifest_key, v.log_end_offset,
                                       l.root_id, l.parent_id, l.fork_version, l.fork_log_offset
                                  FROM collections c
                                  LEFT JOIN collection_versions v ON v.collection_id = c.id
                                  LEFT JOIN collection_lineage l ON l.collection_id = c.id
                                 WHERE c.id = $1""")
                        .execute(Tuple.of(collection)))
                .flatMap(rows -> {
                    if (rows.size() == 0) {
                        return Uni.createFrom().nullItem();
                    }
                    Row r = rows.iterator().next();
                    VersionRef version = r.getLong("version") == null ? null : new VersionRef(r.getLong("version"),
                            r.getString("manifest_key"), r.getLong("log_end_offset"));
                    long logPosition = r.getLong("log_position");
                    long from = version == null ? 0 : version.logEndOffset();
                    LineageRow lineage = r.getUUID("root_id") == null ? null : new LineageRow(r.getUUID("root_id"),
                            r.getUUID("parent_id"), r.getLong("fork_version"), r.getLong("fork_log_offset"));
                    return conn.preparedQuery("""
                                    SELECT start_offset, end_offset, object_key, bytes FROM log_fragments
                                     WHERE collection_id = $1 AND end_offset > $2 AND end_offset <= $3
                                     ORDER BY start_offset""")
                            .execute(Tuple.of(collection, from, logPosition))
                            .map(fragments -> {
                                List<FragmentRef> refs = new ArrayList<>();
                                fragments.forEach(f -> refs.add(new FragmentRef(f.getLong("start_offset"),
                                        f.getLong("end_offset"), f.getString("object_key"), f.getLong("bytes"))));
                                return new CollectionRows(collection, r.getString("name"), r.getUUID("database_id"),
                                        r.getString("metadata"), r.getString("configuration"),
                                        r.getInteger("dimension"), logPosition, r.getInteger("chroma_version"),
                                        version, refs, lineage);
                            });
                }));
    }

    /** Collections of the backup already in the catalog (same id, or same name in the same database). */
    public Uni<List<Conflict>> conflicts(List<DatabaseRow> databases, List<CollectionRows> collections) {
        return pool.withConnection(conn -> {
            Uni<List<Conflict>> found = Uni.createFrom().item(new ArrayList<>());
            for (CollectionRows c : collections) {
                DatabaseRow db = databases.stream().filter(d -> d.id().equals(c.databaseId())).findFirst().orElseThrow();
                found = found.flatMap(list -> conn.preparedQuery("""
                                SELECT c.id FROM collections c JOIN databases d ON d.id = c.database_id
                                 WHERE c.id = $1 OR (d.tenant = $2 AND d.name = $3 AND c.name = $4)""")
                        .execute(Tuple.of(c.id(), db.tenant(), db.name(), c.name()))
                        .map(rows -> {
                            if (rows.size() > 0) {
                                list.add(new Conflict("collection [" + c.name() + "] (" + c.id() + ") in "
                                        + db.tenant() + "/" + db.name()));
                            }
                            return list;
                        }));
            }
            return found;
        });
    }

    /**
     * Inserts every row of a backup in one transaction: tenants and databases where missing (an existing database of
     * the same tenant and name is reused, a new one gets a new id), then each collection with its version pointer,
     * log fragments and lineage.
     * Fails (inserting nothing) if any collection already exists.
     */
    public Uni<Void> restore(List<TenantRow> tenants, List<DatabaseRow> databases, List<CollectionRows> collections) {
        return pool.withTransaction(conn -> {
            Uni<Void> steps = Uni.createFrom().voidItem();
            for (TenantRow t : tenants) {
                steps = steps.flatMap(done -> conn.preparedQuery("""
                                INSERT INTO tenants (name, resource_name) VALUES ($1, $2)
                                ON CONFLICT (name) DO NOTHING""")
                        .execute(Tuple.of(t.name(), t.resourceName())).replaceWithVoid());
            }
            List<UUID> databaseIds = new ArrayList<>();
            for (DatabaseRow d : databases) {
                steps = steps.flatMap(done -> conn.preparedQuery("""
                                INSERT INTO databases (id, name, tenant) VALUES ($1, $2, $3)
                                ON CONFLICT (tenant, name) DO UPDATE SET name = EXCLUDED.name RETURNING id""")
                        .execute(Tuple.of(UUID.randomUUID(), d.name(), d.tenant()))
                        .invoke(rows -> databaseIds.add(rows.iterator().next().getUUID("id")))
                        .replaceWithVoid());
            }
            for (CollectionRows c : collections) {
                int db = databases.indexOf(databases.stream().filter(d -> d.id().equals(c.databaseId()))
                        .findFirst().orElseThrow());
                steps = steps.flatMap(done -> insert(conn, c, databaseIds.get(db)));
            }
            return steps;
        });
    }

    private static Uni<Void> insert(SqlConnection conn, CollectionRows c, UUID databaseId) {
        Uni<?> steps = conn.preparedQuery("""
                        INSERT INTO collections (id, name, database_id, metadata, configuration, dimension, log_position,
                                                 version)
                        VALUES ($1, $2, $3, $4, $5, $6, $7, $8)""")
                .execute(Tuple.tuple().addUUID(c.id()).addString(c.name()).addUUID(databaseId)
                        .addString(c.metadata()).addString(c.configuration()).addInteger(c.dimension())
                        .addLong(c.logPosition()).addInteger(c.chromaVersion()));
        if (c.version() != null) {
            VersionRef v = c.version();
            steps = steps.flatMap(done -> conn.preparedQuery("""
                            INSERT INTO collection_versions (collection_id, version, manifest_key, log_end_offset)
                            VALUES ($1, $2, $3, $4)""")
                    .execute(Tuple.of(c.id(), v.version(), v.manifestKey(), v.logEndOffset())));
        }
        for (FragmentRef f : c.fragments()) {
            steps = steps.flatMap(done -> conn.preparedQuery("""
                            INSERT INTO log_fragments (collection_id, start_offset, end_offset, object_key, bytes)
                            VALUES ($1, $2, $3, $4, $5)""")
                    .execute(Tuple.of(c.id(), f.startOffset(), f.endOffset(), f.key(), f.bytes())));
        }
        if (c.lineage() != null) {
            LineageRow l = c.lineage();
            steps = steps.flatMap(done -> conn.preparedQuery("""
                            INSERT INTO collection_lineage (collection_id, root_id, parent_id, fork_version, fork_log_offset)
                            VALUES ($1, $2, $3, $4, $5)
                            ON CONFLICT (collection_id) DO UPDATE SET root_id = EXCLUDED.root_id,
                                parent_id = EXCLUDED.parent_id, fork_version = EXCLUDED.fork_version,
                                fork_log_offset = EXCLUDED.fork_log_offset, dropped_at = NULL""")
                    .execute(Tuple.tuple().addUUID(c.id()).addUUID(l.root()).addUUID(l.parent())
                            .addLong(l.forkVersion()).addLong(l.forkLogOffset())));
        }
        return steps.replaceWithVoid();
    }
}
