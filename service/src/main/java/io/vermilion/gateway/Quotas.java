package io.vermilion.gateway;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.smallrye.mutiny.Uni;
import io.vermilion.config.VermilionConfig;
import io.vermilion.sysdb.QuotaRows;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
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

    private final QuotaRows rows;
    private final boolean enforced;
    private final QuotaLimits local;
    private final QuotaLimits defaults;
    private final Cache<String, QuotaLimits> cache =
            Caffeine.newBuilder().expireAfterWrite(CACHE_TTL).maximumSize(100_000).build();

    public Quotas(QuotaRows rows, VermilionConfig config) {
        this.rows = rows;
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
        return rows.overrides(tenant).map(stored -> {
            QuotaLimits limits = defaults.with(known(stored));
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
        return rows.overridesOfExisting(tenant).map(Quotas::known);
    }

    /** Sets ({@code value}) or removes ({@code null}) overrides of a tenant at once; returns all its overrides. */
    public Uni<Map<Quota, Long>> update(String tenant, Map<Quota, Long> changes) {
        Map<String, Long> byName = new LinkedHashMap<>();
        changes.forEach((quota, value) -> byName.put(quota.key(), value));
        return rows.update(tenant, byName).map(Quotas::known).invoke(() -> cache.invalidate(tenant));
    }

    /** The stored overrides this version knows; a name written by a newer version is left alone. */
    private static Map<Quota, Long> known(Map<String, Long> stored) {
        Map<Quota, Long> out = new EnumMap<>(Quota.class);
        stored.forEach((name, value) -> Quota.byKey(name).ifPresent(q -> out.put(q, value)));
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
