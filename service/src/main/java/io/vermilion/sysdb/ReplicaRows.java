package io.vermilion.sysdb;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.stream.StreamSupport;

/**
 * The statements on the catalog's {@code replicas} table (cluster membership): a replica's heartbeat, the live
 * members' addresses and a replica's leaving. Liveness is judged on PostgreSQL's clock, the same for every replica.
 */
@ApplicationScoped
public class ReplicaRows {

    private final Pool pool;

    public ReplicaRows(Pool pool) {
        this.pool = pool;
    }

    /**
     * Records that replica {@code id} at {@code address} is alive now, and returns the addresses of every replica
     * whose heartbeat is younger than {@code deadAfter} (this one included), sorted; rows dead for a minute go.
     */
    public Uni<List<String>> heartbeat(String id, String address, Duration deadAfter) {
        return pool.withTransaction(conn -> conn.preparedQuery("""
                        INSERT INTO replicas (id, address, heartbeat_at) VALUES ($1, $2, now())
                        ON CONFLICT (id) DO UPDATE SET address = EXCLUDED.address, heartbeat_at = now()""")
                .execute(Tuple.of(id, address))
                .flatMap(v -> conn.query("DELETE FROM replicas WHERE heartbeat_at < now() - interval '1 minute'")
                        .execute())
                .flatMap(v -> conn.preparedQuery("""
                                SELECT DISTINCT address FROM replicas
                                WHERE heartbeat_at > now() - make_interval(secs => $1) ORDER BY address""")
                        .execute(Tuple.of(deadAfter.toMillis() / 1000.0)))
                .map(rows -> StreamSupport.stream(rows.spliterator(), false).map((Row r) -> r.getString(0)).toList()));
    }

    /** Removes replica {@code id}: it leaves at once rather than after its heartbeat ages. */
    public Uni<Void> leave(String id) {
        return pool.preparedQuery("DELETE FROM replicas WHERE id = $1").execute(Tuple.of(id)).replaceWithVoid();
    }
}
