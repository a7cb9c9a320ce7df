package io.vermilion.sysdb;

import io.smallrye.mutiny.Uni;
import io.vermilion.error.ChromaException;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The statements on the catalog's {@code tenant_quotas} table: a tenant's quota overrides by name. Which names exist
 * and what they mean is the gateway's business; names are stored and returned as they are.
 */
@ApplicationScoped
public class QuotaRows {

    private final Pool pool;

    public QuotaRows(Pool pool) {
        this.pool = pool;
    }

    /** The tenant's overrides by name (none for an unknown tenant). */
    public Uni<Map<String, Long>> overrides(String tenant) {
        return pool.preparedQuery("SELECT name, value FROM tenant_quotas WHERE tenant = $1")
                .execute(Tuple.of(tenant))
                .map(QuotaRows::byName);
    }

    /** The tenant's overrides by name; 404 for an unknown tenant. */
    public Uni<Map<String, Long>> overridesOfExisting(String tenant) {
        return overridesOfExisting(pool, tenant);
    }

    /**
     * Sets ({@code value}) or removes ({@code null}) overrides of an existing tenant in one transaction; returns all its
     * overrides after the change. 404 for an unknown tenant (nothing changes).
     */
    public Uni<Map<String, Long>> update(String tenant, Map<String, Long> changes) {
        return pool.withTransaction(conn -> overridesOfExisting(conn, tenant).flatMap(before -> {
            Uni<Void> chain = Uni.createFrom().voidItem();
            for (Map.Entry<String, Long> c : changes.entrySet()) {
                String name = c.getKey();
                Long value = c.getValue();
                chain = chain.flatMap(v -> (value == null
                        ? conn.preparedQuery("DELETE FROM tenant_quotas WHERE tenant = $1 AND name = $2")
                                .execute(Tuple.of(tenant, name))
                        : conn.preparedQuery("""
                                        INSERT INTO tenant_quotas (tenant, name, value) VALUES ($1, $2, $3)
                                        ON CONFLICT (tenant, name) DO UPDATE SET value = EXCLUDED.value, updated_at = now()""")
                                .execute(Tuple.of(tenant, name, value)))
                        .replaceWithVoid());
            }
            return chain.flatMap(v -> overridesOfExisting(conn, tenant));
        }));
    }

    private static Uni<Map<String, Long>> overridesOfExisting(SqlClient client, String tenant) {
        return client.preparedQuery("""
                        SELECT q.name, q.value FROM tenants t LEFT JOIN tenant_quotas q ON q.tenant = t.name
                         WHERE t.name = $1""")
                .execute(Tuple.of(tenant))
                .map(rows -> {
                    if (rows.rowCount() == 0) {
                        throw ChromaException.notFound("Tenant [" + tenant + "] not found");
                    }
                    return byName(rows);
                });
    }

    private static Map<String, Long> byName(Iterable<Row> rows) {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Row r : rows) {
            String name = r.getString("name");
            if (name != null) { // a tenant without overrides joins to one row of nulls
                out.put(name, r.getLong("value"));
            }
        }
        return out;
    }
}
