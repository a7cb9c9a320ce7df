package io.vermilion.sysdb;

import io.smallrye.mutiny.Uni;
import io.vermilion.catalog.ForkLineage;
import io.vermilion.catalog.VersionRef;
import io.vermilion.resilience.CatalogCall;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Typed;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * Forks and retained versions in PostgreSQL (tables {@code collection_lineage} and {@code collection_version_history},
 * migration V6). A fork is one transaction: it locks the source's row (so no write or compaction of the source
 * interleaves), serializes forks of one tree with an advisory lock on the root (so the limit on fork edges holds),
 * and inserts the new collection pointing at the source's version manifest and log fragments where they lie: no
 * record data is copied. Also the garbage collectors' {@link ForkLineage}. Callable from any thread; the API's
 * calls are guarded like the rest of the catalog ({@link CatalogCall}).
 */
@ApplicationScoped
@Typed(PgForkCatalog.class)
public class PgForkCatalog implements ForkLineage {

    private static final String UNIQUE_VIOLATION = "23505";

    /** What a fork request came to. */
    public sealed interface ForkResult {
        record Forked(UUID id) implements ForkResult {}

        record SourceMissing() implements ForkResult {}

        record VersionMissing(String asked) implements ForkResult {}

        record NameTaken() implements ForkResult {}

        /** The root already has {@code edges} fork edges, at least the limit. */
        record LimitReached(long edges) implements ForkResult {}
    }

    /** Which version a fork starts from: the source's current state, a retained version, or the one current at a time. */
    public record ForkPoint(Long version, Instant asOf) {
        public static final ForkPoint CURRENT = new ForkPoint(null, null);
    }

    /** A version a collection still retains, and when it was published. */
    public record RetainedVersion(long version, long logEndOffset, Instant publishedAt, boolean current) {}

    private final Pool pool;

    public PgForkCatalog(Pool pool) {
        this.pool = pool;
    }

    /**
     * Forks {@code source} (of database {@code databaseId}) as {@code newName} from {@code point}, unless its tree
     * already has {@code limit} fork edges.
     */
    @CatalogCall
    public Uni<ForkResult> fork(UUID source, UUID databaseId, String newName, ForkPoint point, long limit) {
        UUID target = UUID.randomUUID();
        return pool.withTransaction(conn -> conn.preparedQuery("""
                                SELECT name, metadata, configuration, dimension, log_position FROM collections
                                 WHERE id = $1 AND database_id = $2 FOR UPDATE""")
                        .execute(Tuple.of(source, databaseId))
                        .flatMap(rows -> {
                            if (rows.size() == 0) {
                                return Uni.createFrom().item((ForkResult) new ForkResult.SourceMissing());
                            }
                            Row src = rows.iterator().next();
                            return forkPoint(conn, source, point).flatMap(start -> start == null
                                    ? Uni.createFrom().item((ForkResult) new ForkResult.VersionMissing(describe(point)))
                                    : forkLocked(conn, source, databaseId, target, newName, src, start, limit));
                        }))
                .onFailure(e -> e instanceof io.vertx.pgclient.PgException pg && UNIQUE_VIOLATION.equals(pg.getSqlState()))
                .recoverWithItem(new ForkResult.NameTaken());
    }

    private static String describe(ForkPoint point) {
        return point.version() != null ? "version " + point.version() : "as of " + point.asOf();
    }

    /** The version the fork starts from; an empty start (no version) for the current state of a never compacted source; null if missing. */
    private record Start(VersionRef version, boolean current) {}

    private Uni<Start> forkPoint(SqlConnection conn, UUID source, ForkPoint point) {
        if (point.version() == null && point.asOf() == null) {
            return conn.preparedQuery("""
                            SELECT version, manifest_key, log_end_offset FROM collection_versions
                             WHERE collection_id = $1 FOR UPDATE""")
                    .execute(Tuple.of(source))
                    .map(rows -> new Start(rows.size() == 0 ? null : ref(rows.iterator().next()), true));
        }
        Uni<RowSet<Row>> found = point.version() != null
                ? conn.preparedQuery("""
                        SELECT version, manifest_key, log_end_offset FROM collection_version_history
                         WHERE collection_id = $1 AND version = $2 FOR SHARE""")
                        .execute(Tuple.of(source, point.version()))
                : conn.preparedQuery("""
                        SELECT version, manifest_key, log_end_offset FROM collection_version_history
                         WHERE collection_id = $1 AND published_at <= $2
                         ORDER BY version DESC LIMIT 1 FOR SHARE""")
                        .execute(Tuple.of(source, OffsetDateTime.ofInstant(point.asOf(), ZoneOffset.UTC)));
        return found.map(rows -> rows.size() == 0 ? null : new Start(ref(rows.iterator().next()), false));
    }

    private Uni<ForkResult> forkLocked(SqlConnection conn, UUID source, UUID databaseId, UUID target, String newName,
            Row src, Start start, long limit) {
        long logPosition = start.current() ? src.getLong("log_position") : start.version().logEndOffset();
        Long forkVersion = start.version() == null ? null : start.version().version();
        return conn.preparedQuery("SELECT root_id FROM collection_lineage WHERE collection_id = $1")
                .execute(Tuple.of(source))
                .flatMap(rows -> {
                    UUID root = rows.size() == 0 ? source : rows.iterator().next().getUUID("root_id");
                    return conn.preparedQuery("SELECT pg_advisory_xact_lock(hashtextextended($1, 16))")
                            .execute(Tuple.of(root.toString()))
                            .flatMap(locked -> edges(conn, root))
                            .flatMap(edges -> {
                                if (edges >= limit) {
                                    return Uni.createFrom().item((ForkResult) new ForkResult.LimitReached(edges));
                                }
                                return conn.preparedQuery("SELECT 1 FROM collections WHERE database_id = $1 AND name = $2")
                                        .execute(Tuple.of(databaseId, newName))
                                        .flatMap(taken -> taken.size() > 0
                                                ? Uni.createFrom().item((ForkResult) new ForkResult.NameTaken())
                                                : insert(conn, source, databaseId, target, newName, src, start,
                                                        logPosition, forkVersion, root));
                            });
                });
    }

    private Uni<ForkResult> insert(SqlConnection conn, UUID source, UUID databaseId, UUID target, String newName,
            Row src, Start start, long logPosition, Long forkVersion, UUID root) {
        Uni<?> steps = conn.preparedQuery("""
                        INSERT INTO collections (id, name, database_id, metadata, configuration, dimension, log_position)
                        VALUES ($1, $2, $3, $4, $5, $6, $7)""")
                .execute(Tuple.tuple().addUUID(target).addString(newName).addUUID(databaseId)
                        .addString(src.getString("metadata")).addString(src.getString("configuration"))
                        .addInteger(src.getInteger("dimension")).addLong(logPosition));
        if (start.version() != null) {
            VersionRef v = start.version();
            steps = steps.flatMap(done -> conn.preparedQuery("""
                            INSERT INTO collection_versions (collection_id, version, manifest_key, log_end_offset)
                            VALUES ($1, $2, $3, $4)""")
                    .execute(Tuple.of(target, v.version(), v.manifestKey(), v.logEndOffset())));
        }
        if (start.current()) {
            // The source's log after its version: the fork reads these fragments where they lie.
            long from = start.version() == null ? 0 : start.version().logEndOffset();
            steps = steps.flatMap(done -> conn.preparedQuery("""
                            INSERT INTO log_fragments (collection_id, start_offset, end_offset, object_key, bytes)
                            SELECT $1, start_offset, end_offset, object_key, bytes FROM log_fragments
                             WHERE collection_id = $2 AND start_offset >= $3""")
                    .execute(Tuple.of(target, source, from)));
        }
        return steps
                .flatMap(done -> conn.preparedQuery("""
                                INSERT INTO collection_lineage (collection_id, root_id, parent_id)
                                SELECT $1::uuid, $1::uuid, NULL::uuid WHERE $1::uuid = $2::uuid
                                ON CONFLICT (collection_id) DO NOTHING""")
                        .execute(Tuple.of(source, root)))
                .flatMap(done -> conn.preparedQuery("""
                                INSERT INTO collection_lineage
                                    (collection_id, root_id, parent_id, fork_version, fork_log_offset)
                                VALUES ($1, $2, $3, $4, $5)""")
                        .execute(Tuple.tuple().addUUID(target).addUUID(root).addUUID(source).addLong(forkVersion)
                                .addLong(logPosition)))
                .map(done -> (ForkResult) new ForkResult.Forked(target));
    }

    private static Uni<Long> edges(SqlConnection conn, UUID root) {
        return conn.preparedQuery("""
                        SELECT count(*) AS n FROM collection_lineage l JOIN collections c ON c.id = l.collection_id
                         WHERE l.root_id = $1 AND l.parent_id IS NOT NULL""")
                .execute(Tuple.of(root))
                .map(rows -> rows.iterator().next().getLong("n"));
    }

    /** The number of fork edges of the collection's tree (Chroma counts per root, from any member); 0 outside one. */
    @CatalogCall(idempotent = true)
    public Uni<Long> forkCount(UUID collection) {
        return pool.withConnection(conn -> conn.preparedQuery(
                        "SELECT root_id FROM collection_lineage WHERE collection_id = $1")
                .execute(Tuple.of(collection))
                .flatMap(rows -> rows.size() == 0
                        ? Uni.createFrom().item(0L)
                        : edges(conn, rows.iterator().next().getUUID("root_id"))));
    }

    /** The versions the collection retains, oldest first; the last one is current. */
    @CatalogCall(idempotent = true)
    public Uni<List<RetainedVersion>> versions(UUID collection) {
        return pool.preparedQuery("""
                        SELECT h.version, h.log_end_offset, h.published_at, (v.version = h.version) AS current
                          FROM collection_version_history h
                          LEFT JOIN collection_versions v ON v.collection_id = h.collection_id
                         WHERE h.collection_id = $1 AND h.version <= COALESCE(v.version, 0)
                         ORDER BY h.version""")
                .execute(Tuple.of(collection))
                .map(rows -> {
                    List<RetainedVersion> out = new ArrayList<>(rows.size());
                    for (Row r : rows) {
                        out.add(new RetainedVersion(r.getLong("version"), r.getLong("log_end_offset"),
                                r.getOffsetDateTime("published_at").toInstant(), Boolean.TRUE.equals(r.getBoolean("current"))));
                    }
                    return out;
                });
    }

    // ---- ForkLineage, for the garbage collectors ----

    @Override
    public CompletionStage<List<String>> sharedManifests(UUID collection) {
        return pool.preparedQuery("""
                        SELECT h.manifest_key FROM collection_version_history h
                         WHERE h.collection_id <> $1 AND h.collection_id IN (
                               SELECT l.collection_id FROM collection_lineage l
                                WHERE l.root_id = (SELECT root_id FROM collection_lineage WHERE collection_id = $1))""")
                .execute(Tuple.of(collection))
                .map(rows -> {
                    List<String> keys = new ArrayList<>(rows.size());
                    rows.forEach(r -> keys.add(r.getString("manifest_key")));
                    return keys;
                })
                .subscribeAsCompletionStage();
    }

    @Override
    public CompletionStage<Set<String>> sharedFragments(UUID collection) {
        return pool.preparedQuery("""
                        SELECT f.object_key FROM log_fragments f
                         WHERE f.collection_id <> $1 AND starts_with(f.object_key, $2) AND f.collection_id IN (
                               SELECT l.collection_id FROM collection_lineage l
                                WHERE l.root_id = (SELECT root_id FROM collection_lineage WHERE collection_id = $1))""")
                .execute(Tuple.of(collection, collection + "/"))
                .map(rows -> {
                    Set<String> keys = new HashSet<>();
                    rows.forEach(r -> keys.add(r.getString("object_key")));
                    return keys;
                })
                .subscribeAsCompletionStage();
    }

    @Override
    public CompletionStage<List<VersionRef>> expireVersions(UUID collection, long current, Instant supersededBefore) {
        OffsetDateTime cutoff = OffsetDateTime.ofInstant(supersededBefore, ZoneOffset.UTC);
        return pool.withTransaction(conn -> conn.preparedQuery("""
                                DELETE FROM collection_version_history h
                                 WHERE h.collection_id = $1 AND h.version < $2
                                   AND (SELECT min(n.published_at) FROM collection_version_history n
                                         WHERE n.collection_id = h.collection_id AND n.version > h.version) <= $3""")
                        .execute(Tuple.of(collection, current, cutoff))
                        .flatMap(deleted -> conn.preparedQuery("""
                                        SELECT version, manifest_key, log_end_offset FROM collection_version_history
                                         WHERE collection_id = $1 AND version < $2 ORDER BY version""")
                                .execute(Tuple.of(collection, current)))
                        .map(rows -> {
                            List<VersionRef> out = new ArrayList<>(rows.size());
                            rows.forEach(r -> out.add(ref(r)));
                            return out;
                        }))
                .subscribeAsCompletionStage();
    }

    @Override
    public CompletionStage<List<UUID>> dropped() {
        return pool.query("SELECT collection_id FROM collection_lineage WHERE dropped_at IS NOT NULL ORDER BY dropped_at")
                .execute()
                .map(rows -> {
                    List<UUID> ids = new ArrayList<>(rows.size());
                    rows.forEach(r -> ids.add(r.getUUID("collection_id")));
                    return ids;
                })
                .subscribeAsCompletionStage();
    }

    @Override
    public CompletionStage<Boolean> isDroppedFork(UUID collection) {
        return pool.preparedQuery("SELECT 1 FROM collection_lineage WHERE collection_id = $1")
                .execute(Tuple.of(collection))
                .map(rows -> rows.size() > 0)
                .subscribeAsCompletionStage();
    }

    @Override
    public CompletionStage<Void> forgetDropped(UUID collection) {
        return pool.preparedQuery("DELETE FROM collection_lineage WHERE collection_id = $1 AND dropped_at IS NOT NULL")
                .execute(Tuple.of(collection))
                .<Void>map(rows -> null)
                .subscribeAsCompletionStage();
    }

    private static VersionRef ref(Row row) {
        return new VersionRef(row.getLong("version"), row.getString("manifest_key"), row.getLong("log_end_offset"));
    }
}
