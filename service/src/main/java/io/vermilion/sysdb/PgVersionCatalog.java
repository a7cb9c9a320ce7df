package io.vermilion.sysdb;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.List;
import java.util.ArrayList;
import io.smallrye.mutiny.Uni;
import io.vermilion.catalog.VersionCatalog;
import io.vermilion.catalog.VersionRef;
import io.vermilion.model.CollectionConfiguration;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Typed;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * The compactor's {@link VersionCatalog} in PostgreSQL (tables {@code collection_versions} and
 * {@code compaction_leases}, migration V5). Every operation is a single conditional statement, so concurrent
 * publishers or lease takers on any number of replicas are decided by PostgreSQL's row locking: exactly one wins.
 *
 * <p>Leases expire by the <em>database's</em> clock: a ttl is added to PostgreSQL's {@code now()}, and expiry is
 * compared against {@code now()}; no Java {@link java.time.Clock} is involved, so replicas with skewed clocks agree.
 * A lease is expired once {@code now() >= expires_at}. Versions and leases exist only for existing collections:
 * publishing or taking a lease on a missing collection completes with false, and deleting a collection deletes its
 * rows (ON DELETE CASCADE).
 *
 * <p>Uses the reactive SQL client directly, so it may be called from any thread. Also answers the compaction
 * scheduler's questions: which collections have an un-compacted tail, and which versions are past their grace period.
 */
@ApplicationScoped
@Typed(PgVersionCatalog.class)
public class PgVersionCatalog implements VersionCatalog {

    /** SQLSTATE foreign_key_violation: the collection was deleted while the statement ran. */
    private static final String FOREIGN_KEY_VIOLATION = "23503";

    private final Pool pool;

    public PgVersionCatalog(Pool pool) {
        this.pool = pool;
    }

    @Override
    public CompletionStage<Optional<VersionRef>> currentVersion(UUID collection) {
        return pool.preparedQuery(
                        "SELECT version, manifest_key, log_end_offset FROM collection_versions WHERE collection_id = $1")
                .execute(Tuple.of(collection))
                .map(rows -> {
                    var it = rows.iterator();
                    if (!it.hasNext()) {
                        return Optional.<VersionRef>empty();
                    }
                    Row row = it.next();
                    return Optional.of(new VersionRef(row.getLong("version"), row.getString("manifest_key"),
                            row.getLong("log_end_offset")));
                })
                .subscribeAsCompletionStage();
    }

    @Override
    public CompletionStage<Boolean> publish(UUID collection, long expectedCurrentVersion, VersionRef next) {
        Objects.requireNonNull(next, "next");
        if (next.version() != expectedCurrentVersion + 1) {
            return Uni.createFrom().item(false).subscribeAsCompletionStage();
        }
        Uni<Integer> changed;
        if (expectedCurrentVersion == NO_VERSION) {
            // The first version: insert only for an existing collection, and only if no version exists yet.
            changed = pool.preparedQuery("""
                            INSERT INTO collection_versions (collection_id, version, manifest_key, log_end_offset)
                            SELECT id, $2, $3, $4 FROM collections WHERE id = $1
                            ON CONFLICT (collection_id) DO NOTHING""")
                    .execute(Tuple.of(collection, next.version(), next.manifestKey(), next.logEndOffset()))
                    .map(rows -> rows.rowCount());
        } else {
            changed = pool.preparedQuery("""
                            UPDATE collection_versions
                               SET version = $2, manifest_key = $3, log_end_offset = $4, updated_at = now()
                             WHERE collection_id = $1 AND version = $5""")
                    .execute(Tuple.tuple().addUUID(collection).addLong(next.version())
                            .addString(next.manifestKey()).addLong(next.logEndOffset())
                            .addLong(expectedCurrentVersion))
                    .map(rows -> rows.rowCount());
        }
        return changed.map(n -> n == 1)
                .onFailure(PgVersionCatalog::collectionDeleted).recoverWithItem(false)
                .subscribeAsCompletionStage();
    }

    @Override
    public CompletionStage<Boolean> tryAcquireLease(UUID collection, String holder, Duration ttl) {
        Objects.requireNonNull(holder, "holder");
        return pool.preparedQuery("""
                        INSERT INTO compaction_leases AS l (collection_id, holder, expires_at)
                        SELECT id, $2, now() + $3::bigint * interval '1 millisecond' FROM collections WHERE id = $1
                        ON CONFLICT (collection_id) DO UPDATE
                           SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
                         WHERE l.expires_at <= now() OR l.holder = EXCLUDED.holder
                        RETURNING l.holder""")
                .execute(Tuple.of(collection, holder, millis(ttl)))
                .map(rows -> rows.size() == 1)
                .onFailure(PgVersionCatalog::collectionDeleted).recoverWithItem(false)
                .subscribeAsCompletionStage();
    }

    @Override
    public CompletionStage<Boolean> renewLease(UUID collection, String holder, Duration ttl) {
        Objects.requireNonNull(holder, "holder");
        return pool.preparedQuery("""
                        UPDATE compaction_leases SET expires_at = now() + $3::bigint * interval '1 millisecond'
                         WHERE collection_id = $1 AND holder = $2 AND expires_at > now()""")
                .execute(Tuple.of(collection, holder, millis(ttl)))
                .map(rows -> rows.rowCount() == 1)
                .subscribeAsCompletionStage();
    }

    @Override
    public CompletionStage<Void> releaseLease(UUID collection, String holder) {
        Objects.requireNonNull(holder, "holder");
        return pool.preparedQuery("DELETE FROM compaction_leases WHERE collection_id = $1 AND holder = $2")
                .execute(Tuple.of(collection, holder))
                .<Void>map(rows -> null)
                .subscribeAsCompletionStage();
    }

    private static long millis(Duration ttl) {
        Objects.requireNonNull(ttl, "ttl");
        if (ttl.isNegative()) {
            throw new IllegalArgumentException("a lease ttl is not negative: " + ttl);
        }
        return ttl.toMillis();
    }

    private static boolean collectionDeleted(Throwable failure) {
        return failure instanceof PgException pg && FOREIGN_KEY_VIOLATION.equals(pg.getSqlState());
    }

    /** A collection whose log runs past its current version: how far, and how many fragment bytes that tail holds. */
    public record Pending(UUID collection, long logPosition, long compactedTo, long tailBytes) {
        public long tailRecords() {
            return logPosition - compactedTo;
        }
    }

    /** Every collection with log records after its current version (or any records and no version). */
    public CompletionStage<List<Pending>> pending() {
        return pool.query("""
                        SELECT c.id, c.log_position, COALESCE(v.log_end_offset, 0) AS compacted,
                               (SELECT COALESCE(SUM(f.bytes), 0) FROM log_fragments f
                                 WHERE f.collection_id = c.id AND f.start_offset >= COALESCE(v.log_end_offset, 0)) AS tail_bytes
                          FROM collections c LEFT JOIN collection_versions v ON v.collection_id = c.id
                         WHERE c.log_position > COALESCE(v.log_end_offset, 0)""")
                .execute()
                .map(rows -> {
                    List<Pending> out = new ArrayList<>(rows.size());
                    for (Row r : rows) {
                        out.add(new Pending(r.getUUID("id"), r.getLong("log_position"), r.getLong("compacted"),
                                r.getLong("tail_bytes")));
                    }
                    return out;
                })
                .subscribeAsCompletionStage();
    }

    /** Collections and their current version numbers, for versions published at least {@code age} ago. */
    public CompletionStage<Map<UUID, Long>> publishedBefore(Duration age) {
        return pool.preparedQuery("""
                        SELECT collection_id, version FROM collection_versions
                         WHERE updated_at <= now() - $1::bigint * interval '1 millisecond'""")
                .execute(Tuple.of(age.toMillis()))
                .map(rows -> {
                    Map<UUID, Long> out = new LinkedHashMap<>();
                    rows.forEach(r -> out.put(r.getUUID("collection_id"), r.getLong("version")));
                    return out;
                })
                .subscribeAsCompletionStage();
    }

    /** The collection's configuration, parsed from its row, or empty if it is missing. */
    public CompletionStage<Optional<CollectionConfiguration>> configuration(UUID collection) {
        return pool.preparedQuery("SELECT configuration, metadata FROM collections WHERE id = $1")
                .execute(Tuple.of(collection))
                .map(rows -> {
                    var it = rows.iterator();
                    if (!it.hasNext()) {
                        return Optional.<CollectionConfiguration>empty();
                    }
                    Row r = it.next();
                    return Optional.of(
                            CollectionConfiguration.parse(r.getString("configuration"), r.getString("metadata")));
                })
                .subscribeAsCompletionStage();
    }
}
