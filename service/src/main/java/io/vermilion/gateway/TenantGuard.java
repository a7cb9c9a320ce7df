package io.vermilion.gateway;

import io.vermilion.error.ChromaException;
import io.vermilion.error.ErrorCode;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/**
 * The one place that decides whether a caller may touch tenant T / database D, whatever named them (the path, a CRN,
 * a request body, a stored key's scope). {@link AuthFilter} asks it for the path before the request touches data;
 * resources ask it, for the request's caller, about tenants and databases they learn later.
 */
@ApplicationScoped
public class TenantGuard {

    /** Chroma's words for a refusal of scope. */
    public static final String PERMISSION_DENIED = "Permission denied.";

    private final CallerContext callers;

    public TenantGuard(CallerContext callers) {
        this.callers = callers;
    }

    /** Whether {@code caller} may touch {@code tenant} and, unless {@code database} is null, that database of it. */
    public static boolean allows(Caller caller, String tenant, String database) {
        if (tenant != null && !caller.coversTenant(tenant)) {
            return false;
        }
        return database == null || caller.coversDatabase(tenant, database);
    }

    /** Whether a key of {@code tenant} limited to {@code keyDatabases} (null: all) lies within {@code caller}'s scope. */
    public static boolean allowsKey(Caller caller, String tenant, List<String> keyDatabases) {
        return caller.coversKey(tenant, keyDatabases);
    }

    /** Whether the request's caller may touch the tenant (and database, unless null). */
    public boolean allows(String tenant, String database) {
        return allows(callers.get(), tenant, database);
    }

    /** Whether a key of that scope lies within the request's caller's scope. */
    public boolean allowsKey(String tenant, List<String> keyDatabases) {
        return allowsKey(callers.get(), tenant, keyDatabases);
    }

    /** A 403 unless the request's caller may touch the tenant. */
    public void requireTenant(String tenant) {
        if (!allows(tenant, null)) {
            throw denied();
        }
    }

    /** A 403 unless a key of that scope lies within the request's caller's scope. */
    public void requireKeyScope(String tenant, List<String> keyDatabases) {
        if (!allowsKey(tenant, keyDatabases)) {
            throw denied();
        }
    }

    public static ChromaException denied() {
        return new ChromaException(ErrorCode.PERMISSION_DENIED, PERMISSION_DENIED);
    }
}
