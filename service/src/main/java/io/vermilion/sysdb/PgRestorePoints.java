package io.vermilion.sysdb;

import io.smallrye.mutiny.Uni;
import io.vermilion.catalog.VersionRef;
import io.vermilion.resilience.CatalogCall;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

/**
 * Finds the retained version an in-place restore goes back to (table {@code collection_version_history}), with the
 * collection's current version and log position read in the same statement snapshot. Tells a version that never
 * existed (404) from one that existed but left the retention window (400). Read-only; callable from any thread.
 */
@ApplicationScoped
public class PgRestorePoints {

    /** What looking up a restore point came to. */
    public sealed interface Lookup {
        /** {@code target} is retained; {@code current} is the version now published, {@code logPosition} the log's end. */
        record Found(VersionRef target, VersionRef current, long logPosition) implements Lookup {}

        /** No such version (never published, or no version was current at that time). */
        record Missing(String asked) implements Lookup {}

        /** The version existed but has been garbage-collected: the oldest still retained is {@code oldest}. */
        record OutsideRetention(String asked, long oldest) implements Lookup {}
    }

    private final Pool pool;

    public PgRestorePoints(Pool pool) {
        this.pool = pool;
    }

    /** The retained version numbered {@code version} ({@code asOf} null) or current at {@code asOf}. */
    @CatalogCall(idempotent = true)
    public Uni<Lookup> find(UUID collection, Long version, Instant asOf) {
        String asked = version != null ? "version " + version : "as of " + asOf;
        return pool.withTransaction(conn -> conn.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ").execute()
                .flatMap(set -> conn.preparedQuery("""
                                SELECT c.log_position, v.version, v.manifest_key, v.log_end_offset,
                                       (SELECT min(h.version) FROM collection_version_history h
                                         WHERE h.collection_id = c.id) AS oldest
                                  FROM collections c LEFT JOIN collection_versions v ON v.collection_id = c.id
                                 WHERE c.id = $1""")
                        .execute(Tuple.of(collection)))
                .flatMap(rows -> {
                    if (rows.size() == 0 || rows.iterator().next().getLong("version") == null) {
                        return Uni.createFrom().item((Lookup) new Lookup.Missing(asked));
                    }
                    Row head = rows.iterator().next();
                    VersionRef current = ref(head);
                    long logPosition = head.getLong("log_position");
                    long oldest = head.getLong("oldest") == null ? current.version() : head.getLong("oldest");
                    Uni<RowSet<Row>> found = version != null
                            ? conn.preparedQuery("""
                                    SELECT version, manifest_key, log_end_offset FROM collection_version_history
                                     WHERE collection_id = $1 AND version = $2 AND version <= $3""")
                                    .execute(Tuple.of(collection, version, current.version()))
                            : conn.preparedQuery("""
                                    SELECT version, manifest_key, log_end_offset FROM collection_version_history
                                     WHERE collection_id = $1 AND published_at <= $2 AND version <= $3
                                     ORDER BY version DESC LIMIT 1""")
                                    .execute(Tuple.of(collection, OffsetDateTime.ofInstant(asOf, ZoneOffset.UTC),
                                            current.version()));
                    return found.map(hit -> {
                        if (hit.size() > 0) {
                            return (Lookup) new Lookup.Found(ref(hit.iterator().next()), current, logPosition);
                        }
                        boolean expired = version != null ? version < oldest : oldest > 1;
                        return expired ? new Lookup.OutsideRetention(asked, oldest) : new Lookup.Missing(asked);
                    });
                }));
    }

    private static VersionRef ref(Row row) {
        return new VersionRef(row.getLong("version"), row.getString("manifest_key"), row.getLong("log_end_offset"));
    }
}
