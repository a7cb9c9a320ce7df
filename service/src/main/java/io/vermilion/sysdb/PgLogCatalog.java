package io.vermilion.sysdb;

import io.smallrye.mutiny.Uni;
import io.vermilion.catalog.FragmentRef;
import io.vermilion.catalog.LogCatalog;
import io.vermilion.catalog.LogPosition;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Typed;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * The log's catalog in PostgreSQL: a fragment is recorded and the collection's log position advanced in one
 * transaction, conditional on the position still being the fragment's start. Uses the reactive SQL client
 * directly, so it may be called from any thread (the group committer's included). Injected as itself only: the
 * engine gets it as a {@link LogCatalog} wrapped with fault tolerance (see EngineWiring).
 */
@ApplicationScoped
@Typed(PgLogCatalog.class)
public class PgLogCatalog implements LogCatalog {

    private final Pool pool;

    public PgLogCatalog(Pool pool) {
        this.pool = pool;
    }

    @Override
    public CompletionStage<Optional<LogPosition>> position(UUID collection) {
        return pool.preparedQuery("SELECT log_position, dimension FROM collections WHERE id = $1")
                .execute(Tuple.of(collection))
                .map(rows -> {
                    var it = rows.iterator();
                    if (!it.hasNext()) {
                        return Optional.<LogPosition>empty();
                    }
                    Row row = it.next();
                    return Optional.of(new LogPosition(row.getLong("log_position"), row.getInteger("dimension")));
                })
                .subscribeAsCompletionStage();
    }

    @Override
    public CompletionStage<CommitResult> commit(UUID collection, FragmentRef fragment, Integer dimension) {
        return pool.withTransaction(conn -> conn.preparedQuery("""
                        UPDATE collections
                           SET log_position = $3, dimension = COALESCE(dimension, $4), updated_at = now()
                         WHERE id = $1 AND log_position = $2
                           AND ($4::integer IS NULL OR dimension IS NULL OR dimension = $4)""")
                        .execute(Tuple.of(collection, fragment.startOffset(), fragment.endOffset(), dimension))
                        .flatMap(updated -> {
                            if (updated.rowCount() == 1) {
                                return conn.preparedQuery("""
                                                INSERT INTO log_fragments
                                                    (collection_id, start_offset, end_offset, object_key, bytes)
                                                VALUES ($1, $2, $3, $4, $5)""")
                                        .execute(Tuple.of(collection, fragment.startOffset(), fragment.endOffset(),
                                                fragment.key(), fragment.bytes()))
                                        .map(ignored -> CommitResult.COMMITTED);
                            }
                            return conn.preparedQuery("SELECT 1 FROM collections WHERE id = $1")
                                    .execute(Tuple.of(collection))
                                    .map(rows -> rows.size() == 0 ? CommitResult.COLLECTION_MISSING : CommitResult.CONFLICT);
                        }))
                .subscribeAsCompletionStage();
    }

    @Override
    public CompletionStage<List<FragmentRef>> fragments(UUID collection, long fromOffset) {
        return pool.preparedQuery("""
                        SELECT start_offset, end_offset, object_key, bytes FROM log_fragments
                         WHERE collection_id = $1 AND start_offset >= $2 ORDER BY start_offset""")
                .execute(Tuple.of(collection, fromOffset))
                .map(rows -> {
                    List<FragmentRef> out = new ArrayList<>(rows.size());
                    for (Row r : rows) {
                        out.add(new FragmentRef(r.getLong("start_offset"), r.getLong("end_offset"),
                                r.getString("object_key"), r.getLong("bytes")));
                    }
                    return out;
                })
                .subscribeAsCompletionStage();
    }

    @Override
    public CompletionStage<Integer> forget(UUID collection, long beforeOffset) {
        return pool.preparedQuery("DELETE FROM log_fragments WHERE collection_id = $1 AND end_offset <= $2")
                .execute(Tuple.of(collection, beforeOffset))
                .map(rows -> rows.rowCount())
                .subscribeAsCompletionStage();
    }

    /** Ids of every collection, for background sweeps. */
    public Uni<List<UUID>> collectionIds() {
        return pool.query("SELECT id FROM collections").execute().map(rows -> {
            List<UUID> ids = new ArrayList<>(rows.size());
            rows.forEach(r -> ids.add(r.getUUID("id")));
            return ids;
        });
    }
}
