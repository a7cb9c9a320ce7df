package io.vermilion.sysdb;

import io.smallrye.mutiny.Uni;
import io.vermilion.catalog.VersionRef;
import io.vermilion.resilience.CatalogCall;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
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

    /**
     * A version of collection $1, and whether it stays retained long enough: current, or superseded by a version
     * published less than $4 seconds (the retention minus the margin) ago.
     */
    private static final String RETAINED = """
            SELECT h.version, h.manifest_key, h.log_end_offset,
                   (h.version = $3 OR (SELECT min(n.published_at) FROM collection_version_history n
                                        WHERE n.collection_id = h.collection_id AND n.version > h.version)
                                      > now() - make_interval(secs => $4)) AS kept
              FROM collection_version_history h
             WHERE h.collection_id = $1""";

    private final Pool pool;

    public PgRestorePoints(Pool pool) {
        this.pool = pool;
    }

    /**
     * The retained version numbered {@code version} ({@code asOf} null) or current at {@code asOf}. A superseded
     * version counts as retained only while it stays inside {@code retention} for at least {@code margin} more, so
     * a garbage collection running meanwhile cannot delete what the restore is about to publish.
     */
    @CatalogCall(idempotent = true)
    public Uni<Lookup> find(UUID collection, Long version, Instant asOf, Duration retention, Duration margin) {
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
                    double keep = retention.toMillis() / 1000.0 - margin.toMillis() / 1000.0;
                    Uni<RowSet<Row>> found = version != null
                            ? conn.preparedQuery(RETAINED + " AND h.version = $2 AND h.version <= $3")
                                    .execute(Tuple.of(collection, version, current.version(), keep))
                            : conn.preparedQuery(RETAINED + " " + """
                                     AND h.published_at <= $2 AND h.version <= $3
                                     ORDER BY h.version DESC LIMIT 1""")
                                    .execute(Tuple.of(collection, OffsetDateTime.ofInstant(asOf, ZoneOffset.UTC),
                                            current.version(), keep));
                    return found.map(hit -> {
                        if (hit.size() > 0) {
                            Row r = hit.iterator().next();
                            if (!Boolean.TRUE.equals(r.getBoolean("kept"))) {
                                return new Lookup.OutsideRetention(asked, oldest);
                            }
                            return (Lookup) new Lookup.Found(ref(r), current, logPosition);
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
