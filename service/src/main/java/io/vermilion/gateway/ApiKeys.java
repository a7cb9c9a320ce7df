package io.vermilion.gateway;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.smallrye.mutiny.Uni;
import io.vermilion.error.ChromaException;
import io.vermilion.error.ErrorCode;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * API keys in the catalog: created with a random secret shown once, stored only as a SHA-256 hash, scoped to a
 * tenant (and optionally some databases) with a role, revocable. Lookups are cached briefly, so a revocation
 * takes effect on every replica within {@link #CACHE_TTL}.
 */
@ApplicationScoped
public class ApiKeys {

    public static final Duration CACHE_TTL = Duration.ofSeconds(10);
    private static final String PREFIX = "vmk_";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Pool pool;
    private final Cache<String, Optional<Caller>> cache =
            Caffeine.newBuilder().expireAfterWrite(CACHE_TTL).maximumSize(100_000).build();

    public ApiKeys(Pool pool) {
        this.pool = pool;
    }

    /** A created key: the secret is in {@code key} and is never stored. */
    public record Created(UUID id, String key, String tenant, List<String> databases, Role role) {}

    /** A stored key as listed (no secret). */
    public record Listed(UUID id, String tenant, List<String> databases, Role role, String createdAt, String revokedAt) {}

    public Uni<Created> create(String tenant, Role role, List<String> databases) {
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String key = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        UUID id = UUID.randomUUID();
        String[] dbs = databases == null ? null : databases.toArray(String[]::new);
        return pool.preparedQuery("INSERT INTO api_keys (id, key_hash, tenant, databases, role) VALUES ($1, $2, $3, $4, $5)")
                .execute(Tuple.of(id, hash(key), tenant, dbs, role.wire()))
                .map(r -> new Created(id, key, tenant, databases, role))
                .onFailure(ApiKeys::isForeignKeyViolation)
                .transform(e -> ChromaException.notFound("Tenant [" + tenant + "] not found"));
    }

    public Uni<List<Listed>> list(String tenant) {
        return pool.preparedQuery("""
                        SELECT id, tenant, databases, role, created_at::text AS created, revoked_at::text AS revoked
                          FROM api_keys WHERE tenant = $1 ORDER BY created_at, id""")
                .execute(Tuple.of(tenant))
                .map(rows -> {
                    List<Listed> out = new ArrayList<>();
                    for (Row r : rows) {
                        out.add(new Listed(r.getUUID("id"), r.getString("tenant"), databases(r),
                                Role.fromWire(r.getString("role")), r.getString("created"), r.getString("revoked")));
                    }
                    return out;
                });
    }

    /**
     * Revokes a key within {@code by}'s scope: 404 when no such live key is visible to it (another tenant's key
     * included), 403 when the key is in its tenant but beyond its databases.
     */
    public Uni<Void> revoke(UUID id, Caller by) {
        return pool.preparedQuery("SELECT tenant, databases FROM api_keys WHERE id = $1 AND revoked_at IS NULL")
                .execute(Tuple.of(id))
                .flatMap(rows -> {
                    var it = rows.iterator();
                    Row r = it.hasNext() ? it.next() : null;
                    if (r == null || !by.coversTenant(r.getString("tenant"))) {
                        throw notFound(id);
                    }
                    if (!by.coversKey(r.getString("tenant"), databases(r))) {
                        throw new ChromaException(ErrorCode.PERMISSION_DENIED, AuthFilter.PERMISSION_DENIED);
                    }
                    return pool.preparedQuery("UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL")
                            .execute(Tuple.of(id));
                })
                .map(rows -> {
                    if (rows.rowCount() == 0) {
                        throw notFound(id);
                    }
                    cache.invalidateAll();
                    return null;
                });
    }

    private static ChromaException notFound(UUID id) {
        return ChromaException.notFound("API key [" + id + "] not found");
    }

    /** The caller a presented key stands for; empty for an unknown or revoked key. */
    public Uni<Optional<Caller>> resolve(String presented) {
        String h = hash(presented);
        Optional<Caller> cached = cache.getIfPresent(h);
        if (cached != null) {
            return Uni.createFrom().item(cached);
        }
        return pool.preparedQuery("SELECT id, tenant, databases, role FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL")
                .execute(Tuple.of(h))
                .map(rows -> {
                    var it = rows.iterator();
                    Optional<Caller> caller = Optional.empty();
                    if (it.hasNext()) {
                        Row r = it.next();
                        caller = Optional.of(new Caller(r.getUUID("id"), r.getString("tenant"), databases(r),
                                Role.fromWire(r.getString("role"))));
                    }
                    cache.put(h, caller);
                    return caller;
                });
    }

    private static List<String> databases(Row r) {
        String[] dbs = r.getArrayOfStrings("databases");
        return dbs == null ? null : List.copyOf(Arrays.asList(dbs));
    }

    static String hash(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Constant-time comparison of a presented key with a configured one. */
    static boolean sameKey(String presented, String configured) {
        return MessageDigest.isEqual(presented.getBytes(StandardCharsets.UTF_8), configured.getBytes(StandardCharsets.UTF_8));
    }

    private static boolean isForeignKeyViolation(Throwable e) {
        return e instanceof PgException pg && "23503".equals(pg.getSqlState());
    }

    static ChromaException unauthenticated(String message) {
        return new ChromaException(ErrorCode.UNAUTHENTICATED, message);
    }
}
