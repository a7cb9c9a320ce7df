package io.vermilion.gateway;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.smallrye.mutiny.Uni;
import io.vermilion.error.ChromaException;
import io.vermilion.error.ErrorCode;
import io.vermilion.sysdb.ApiKeyRows;
import io.vermilion.sysdb.ApiKeyRows.KeyRow;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * API keys: created with a random secret shown once, stored only as a SHA-256 hash ({@link ApiKeyRows}), scoped to a
 * tenant (and optionally some databases) with a role, revocable. Lookups are cached briefly, so a revocation takes
 * effect on every replica within {@link #CACHE_TTL}.
 */
@ApplicationScoped
public class ApiKeys {

    public static final Duration CACHE_TTL = Duration.ofSeconds(10);
    private static final String PREFIX = "vmk_";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ApiKeyRows rows;
    private final Cache<String, Optional<Caller>> cache =
            Caffeine.newBuilder().expireAfterWrite(CACHE_TTL).maximumSize(100_000).build();

    public ApiKeys(ApiKeyRows rows) {
        this.rows = rows;
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
        return rows.insert(id, hash(key), tenant, databases, role.wire())
                .map(v -> new Created(id, key, tenant, databases, role));
    }

    public Uni<List<Listed>> list(String tenant) {
        return rows.list(tenant).map(keys -> keys.stream()
                .map(k -> new Listed(k.id(), k.tenant(), k.databases(), Role.fromWire(k.role()), k.createdAt(),
                        k.revokedAt()))
                .toList());
    }

    /**
     * Revokes a key within {@code by}'s scope: 404 when no such live key is visible to it (another tenant's key
     * included), 403 when the key is in its tenant but beyond its databases.
     */
    public Uni<Void> revoke(UUID id, Caller by) {
        return rows.live(id)
                .flatMap(found -> {
                    KeyRow k = found.orElse(null);
                    if (k == null || !TenantGuard.allows(by, k.tenant(), null)) {
                        throw notFound(id);
                    }
                    if (!TenantGuard.allowsKey(by, k.tenant(), k.databases())) {
                        throw TenantGuard.denied();
                    }
                    return rows.revoke(id);
                })
                .map(revoked -> {
                    if (!revoked) {
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
        return rows.liveByHash(h).map(found -> {
            Optional<Caller> caller = found.map(k -> new Caller(k.id(), k.tenant(), k.databases(), Role.fromWire(k.role())));
            cache.put(h, caller);
            return caller;
        });
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

    static ChromaException unauthenticated(String message) {
        return new ChromaException(ErrorCode.UNAUTHENTICATED, message);
    }
}
