package io.vermilion.sysdb;

import io.smallrye.mutiny.Uni;
import io.vermilion.error.ChromaException;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The statements on the catalog's {@code api_keys} table: insert, list, look up a live key by id or by the hash of its
 * secret, revoke. Stores only hashes; what a key may do is decided by the gateway. Each call is one statement.
 */
@ApplicationScoped
public class ApiKeyRows {

    private static final String FOREIGN_KEY_VIOLATION = "23503";

    private final Pool pool;

    public ApiKeyRows(Pool pool) {
        this.pool = pool;
    }

    /** A stored key: its tenant, databases (null: all of the tenant's), role name, and when created and revoked. */
    public record KeyRow(UUID id, String tenant, List<String> databases, String role, String createdAt,
            String revokedAt) {}

    /** Stores a new key; 404 when the tenant does not exist. */
    public Uni<Void> insert(UUID id, String keyHash, String tenant, List<String> databases, String role) {
        String[] dbs = databases == null ? null : databases.toArray(String[]::new);
        return pool.preparedQuery("INSERT INTO api_keys (id, key_hash, tenant, databases, role) VALUES ($1, $2, $3, $4, $5)")
                .execute(Tuple.of(id, keyHash, tenant, dbs, role))
                .replaceWithVoid()
                .onFailure(ApiKeyRows::isForeignKeyViolation)
                .transform(e -> ChromaException.notFound("Tenant [" + tenant + "] not found"));
    }

    /** The tenant's keys, revoked ones included, oldest first. */
    public Uni<List<KeyRow>> list(String tenant) {
        return pool.preparedQuery("""
                        SELECT id, tenant, databases, role, created_at::text AS created, revoked_at::text AS revoked
                          FROM api_keys WHERE tenant = $1 ORDER BY created_at, id""")
                .execute(Tuple.of(tenant))
                .map(rows -> {
                    List<KeyRow> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new KeyRow(r.getUUID("id"), r.getString("tenant"), databases(r), r.getString("role"),
                                r.getString("created"), r.getString("revoked")));
                    }
                    return out;
                });
    }

    /** The key of that id if it is not revoked (its tenant and databases only). */
    public Uni<Optional<KeyRow>> live(UUID id) {
        return pool.preparedQuery("SELECT tenant, databases FROM api_keys WHERE id = $1 AND revoked_at IS NULL")
                .execute(Tuple.of(id))
                .map(rows -> first(rows).map(r -> new KeyRow(id, r.getString("tenant"), databases(r), null, null, null)));
    }

    /** The live key whose secret has this hash (no timestamps). */
    public Uni<Optional<KeyRow>> liveByHash(String keyHash) {
        return pool.preparedQuery("SELECT id, tenant, databases, role FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL")
                .execute(Tuple.of(keyHash))
                .map(rows -> first(rows).map(r -> new KeyRow(r.getUUID("id"), r.getString("tenant"), databases(r),
                        r.getString("role"), null, null)));
    }

    /** Revokes the key; false when there was no such live key. */
    public Uni<Boolean> revoke(UUID id) {
        return pool.preparedQuery("UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL")
                .execute(Tuple.of(id))
                .map(rows -> rows.rowCount() > 0);
    }

    private static Optional<Row> first(RowSet<Row> rows) {
        var it = rows.iterator();
        return it.hasNext() ? Optional.of(it.next()) : Optional.empty();
    }

    private static List<String> databases(Row r) {
        String[] dbs = r.getArrayOfStrings("databases");
        return dbs == null ? null : List.copyOf(Arrays.asList(dbs));
    }

    private static boolean isForeignKeyViolation(Throwable e) {
        return e instanceof PgException pg && FOREIGN_KEY_VIOLATION.equals(pg.getSqlState());
    }
}
