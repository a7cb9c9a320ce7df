package io.vermilion.gateway;

import java.util.List;
import java.util.UUID;

/**
 * Who is calling: the key's id, its tenant ({@code *} for the bootstrap admin key), the databases it may use
 * (null: all of its tenant's) and its role. {@link #ANONYMOUS} is every request when auth is off.
 */
public record Caller(UUID keyId, String tenant, List<String> databases, Role role) {

    public static final String ALL = "*";
    /** Every request when auth is off (Chroma's local server: no auth). */
    public static final Caller ANONYMOUS = new Caller(null, ALL, null, Role.ADMIN);
    /** The bootstrap admin key from configuration. */
    public static final Caller BOOTSTRAP = new Caller(new UUID(0, 0), ALL, null, Role.ADMIN);

    public boolean coversTenant(String name) {
        return ALL.equals(tenant) || tenant.equals(name);
    }

    public boolean coversDatabase(String tenantName, String database) {
        return coversTenant(tenantName) && (databases == null || databases.contains(database));
    }

    /**
     * Whether a key of {@code tenantName} limited to {@code keyDatabases} (null: all) lies within this caller's
     * scope: a database-scoped caller covers only keys limited to some of its own databases.
     */
    public boolean coversKey(String tenantName, List<String> keyDatabases) {
        return coversTenant(tenantName)
                && (databases == null || (keyDatabases != null && databases.containsAll(keyDatabases)));
    }

    public boolean isGlobal() {
        return ALL.equals(tenant);
    }
}
