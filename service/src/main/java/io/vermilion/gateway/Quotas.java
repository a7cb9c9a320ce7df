package io.vermilion.gateway;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.smallrye.mutiny.Uni;
import io.vermilion.error.ChromaException;
import io.vermilion.config.VermilionConfig;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * Which limits a tenant's requests are held to. With auth on (the cloud configuration) every tenant has Chroma
 * Cloud's quotas ({@link Quota}, adjustable for all tenants by {@code vermilion.quota.<name>}) with its own
 * overrides from the catalog's {@code tenant_quotas}; with auth off the server-wide {@link WriteLimits} apply, as
 * before quotas existed. A tenant's limits are cached for {@link #CACHE_TTL}, so an override set on one replica
 * takes effect on every replica within that time (at once on the replica that set it).
 */
@ApplicationScoped
public class Quotas {

    public static final Duration CACHE_TTL = Duration.ofSeconds(10);

    private final Pool pool;
    private final boolean enforced;
    private final QuotaLimits local;
    private final QuotaLimits defaults;
    private final Cache<String, QuotaLimits> cache =
            Caffeine.newBuilder().expireAfterWrite(CACHE_TTL).maximumSize(100_000).build();

    public Quotas(Pool pool, VermilionConfig config) {
        this.pool = pool;
        this.enforced = config.adminKey().filter(k -> !k.isBlank()).isPresent();
        this.local = WriteLimits.of(config.limits()).asQuotas();
        this.defaults = QuotaLimits.cloudDefaults().with(configured(config.quota()));
    }

    /** True when per-tenant quotas apply (auth is on). */
    public boolean enforced() {
        return enforced;
    }

    /** The quotas of a tenant without overrides. */
    public QuotaLimits defaults() {
        return defaults;
    }

    /** The limits requests on {@code tenant}'s data are held to. */
    public Uni<QuotaLimits> forTenant(String tenant) {
        if (!enforced) {
            return Uni.createFrom().item(local);
        }
        QuotaLimits cached = cache.getIfPresent(tenant);
        if (cached != null) {
            return Uni.createFrom().item(cached);
        }
        return pool.preparedQuery("SELECT name, value FROM tenant_quotas WHERE tenant = $1")
                .execute(Tuple.of(tenant))
                .map(rows -> {
                    QuotaLimits limits = defaults.with(overrides(rows));
                    cache.put(tenant, limits);
                    return limits;
                });
    }

    /** The limits of the caller's own tenant; the defaults for a caller of every tenant (or none). */
    public Uni<QuotaLimits> forCaller(Caller caller) {
        if (!enforced) {
            return Uni.createFrom().item(local);
        }
        if (caller == null || caller.isGlobal()) {
            return Uni.createFrom().item(defaults);
        }
        return forTenant(caller.tenant());
    }

    /** A tenant's overrides; 404 for an unknown tenant. */
    public Uni<Map<Quota, Long>> overrides(String tenant) {
        return overrides(pool, tenant);
    }

    /** Sets ({@code value}) or removes ({@code null}) overrides of a tenant at once; returns all its overrides. */
    public Uni<Map<Quota, Long>> update(String tenant, Map<Quota, Long> changes) {
        return pool.withTransaction(conn -> overrides(conn, tenant).flatMap(before -> {
                    Uni<Void> chain = Uni.createFrom().voidItem();
                    for (Map.Entry<Quota, Long> c : changes.entrySet()) {
                        String name = c.getKey().key();
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
                    return chain.flatMap(v -> overrides(conn, tenant));
                }))
                .invoke(() -> cache.invalidate(tenant));
    }

    private static Uni<Map<Quota, Long>> overrides(SqlClient client, String tenant) {
        return client.preparedQuery("""
                        SELECT q.name, q.value FROM tenants t LEFT JOIN tenant_quotas q ON q.tenant = t.name
                         WHERE t.name = $1""")
                .execute(Tuple.of(tenant))
                .map(rows -> {
                    if (rows.rowCount() == 0) {
                        throw ChromaException.notFound("Tenant [" + tenant + "] not found");
                    }
                    return overrides(rows);
                });
    }

    private static Map<Quota, Long> overrides(Iterable<Row> rows) {
        Map<Quota, Long> out = new EnumMap<>(Quota.class);
        for (Row r : rows) {
            String name = r.getString("name");
            if (name != null) {
                // A name this version does not know (written by a newer one) is left alone.
                Quota.byKey(name).ifPresent(q -> out.put(q, r.getLong("value")));
            }
        }
        return out;
    }

    private static Map<Quota, Long> configured(Map<String, Long> settings) {
        Map<Quota, Long> out = new EnumMap<>(Quota.class);
        settings.forEach((name, value) -> {
            Quota q = Quota.byKey(name).orElseThrow(() -> new IllegalStateException("vermilion.quota." + name
                    + " is not a quota; known quotas: " + java.util.Arrays.stream(Quota.values()).map(Quota::key).toList()));
            if (value < 0) {
                throw new IllegalStateException("vermilion.quota." + name + " must not be negative");
            }
            out.put(q, value);
        });
        return out;
    }
}
