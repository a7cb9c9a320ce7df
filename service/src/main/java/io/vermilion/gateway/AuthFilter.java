package io.vermilion.gateway;

import io.smallrye.mutiny.Uni;
import io.vermilion.error.ErrorCode;
import io.vermilion.error.ErrorResponses;
import io.vermilion.config.VermilionConfig;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.lang.reflect.Method;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Authentication and authorization of every API request, in one place. With {@code VERMILION_ADMIN_KEY} unset
 * auth is off (Chroma's local server behaves so). Otherwise a key is read from {@code x-chroma-token} or
 * {@code Authorization: Bearer}; an unknown key is a 401, and a key outside its tenant, databases or role a
 * 403, decided before the request touches any data (the path's tenant and database by {@link TenantGuard}).
 */
public class AuthFilter {

    static final String PERMISSION_DENIED = TenantGuard.PERMISSION_DENIED;
    private final Optional<String> adminKey;
    private final ApiKeys keys;
    private final CallerContext callerContext;

    public AuthFilter(VermilionConfig config, ApiKeys keys, CallerContext callerContext) {
        this.adminKey = config.adminKey().filter(k -> !k.isBlank());
        this.keys = keys;
        this.callerContext = callerContext;
    }

    public boolean enabled() {
        return adminKey.isPresent();
    }

    @ServerRequestFilter(priority = Priorities.AUTHENTICATION)
    public Uni<Response> authenticate(ContainerRequestContext ctx, ResourceInfo resource) {
        Method method = resource.getResourceMethod();
        if (adminKey.isEmpty() || method == null) {
            return Uni.createFrom().nullItem();
        }
        String token = token(ctx);
        if (method.isAnnotationPresent(Public.class)) {
            return identifyOptionally(token);
        }
        if (token == null) {
            return Uni.createFrom().item(ErrorResponses.of(ErrorCode.UNAUTHENTICATED, "Missing API key in the request header"));
        }
        Uni<Optional<Caller>> caller = ApiKeys.sameKey(token, adminKey.get())
                ? Uni.createFrom().item(Optional.of(Caller.BOOTSTRAP))
                : keys.resolve(token);
        return caller.map(found -> {
            if (found.isEmpty()) {
                return ErrorResponses.of(ErrorCode.UNAUTHENTICATED, PERMISSION_DENIED);
            }
            if (!allowed(found.get(), method, ctx.getUriInfo().getPathParameters())) {
                return ErrorResponses.of(ErrorCode.PERMISSION_DENIED, PERMISSION_DENIED);
            }
            callerContext.set(found.get());
            return null;
        });
    }

    /**
     * A public route needs no key, but a valid one that is sent says who asks (pre-flight checks report that
     * tenant's records per write); an unknown one, or a failed lookup, is ignored there.
     */
    private Uni<Response> identifyOptionally(String token) {
        if (token == null) {
            return Uni.createFrom().nullItem();
        }
        Uni<Optional<Caller>> caller = ApiKeys.sameKey(token, adminKey.get())
                ? Uni.createFrom().item(Optional.of(Caller.BOOTSTRAP))
                : keys.resolve(token).onFailure().recoverWithItem(Optional.empty());
        return caller.map(found -> {
            found.ifPresent(callerContext::set);
            return null;
        });
    }

    static boolean allowed(Caller caller, Method method, MultivaluedMap<String, String> path) {
        Requires requires = method.getAnnotation(Requires.class);
        Role needed = requires == null ? Role.READ_ONLY : requires.value();
        if (!caller.role().includes(needed)) {
            return false;
        }
        if (requires != null && requires.global() && !caller.isGlobal()) {
            return false;
        }
        if (requires != null && requires.tenantWide() && caller.databases() != null) {
            return false;
        }
        return TenantGuard.allows(caller, path.getFirst("tenant"), path.getFirst("database"));
    }

    private static String token(ContainerRequestContext ctx) {
        String token = ctx.getHeaderString("x-chroma-token");
        if (token != null && !token.isBlank()) {
            return token.trim();
        }
        String authorization = ctx.getHeaderString("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            String bearer = authorization.substring(7).trim();
            return bearer.isEmpty() ? null : bearer;
        }
        return null;
    }
}
