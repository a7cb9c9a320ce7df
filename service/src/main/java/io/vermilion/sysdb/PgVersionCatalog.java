package io.vermilion.sysdb;

import io.smallrye.mutiny.Uni;
import io.vermilion.compactor.VersionCatalog;
import io.vermilion.compactor.VersionRef;
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
 * <p>Uses the reactive SQL client directly, so it may be called from any thread. Injected as itself only (not yet
 * wired into the engine; the compactor's scheduling will wrap it as a {@link VersionCatalog}).
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
}
