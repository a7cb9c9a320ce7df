package io.vermilion.gateway;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vermilion.error.ErrorCode;
import io.vermilion.error.ErrorResponses;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Response;
import java.lang.reflect.Method;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Applies {@link RateLimits} to every request after {@link AuthFilter} has identified the caller: over the limit is
 * a 429 in Chroma's words with a {@code Retry-After} (whole seconds until a token is back). Public routes and the
 * bootstrap admin key (the operator's) are not limited; with auth off (when enabled), a client is its address.
 * A PostgreSQL-backed take runs on a worker thread and the request resumes on its event loop.
 */
public class RateLimitFilter {

    /** After authentication and authorization (both {@link AuthFilter}), before anything reads the body. */
    static final int PRIORITY = Priorities.AUTHENTICATION + 100;
    static final String RETRY_AFTER = "Retry-After";

    private final RateLimits limits;
    private final CallerContext callerContext;

    public RateLimitFilter(RateLimits limits, CallerContext callerContext) {
        this.limits = limits;
        this.callerContext = callerContext;
    }

    @ServerRequestFilter(priority = PRIORITY)
    public Uni<Response> limit(ContainerRequestContext ctx, ResourceInfo resource, HttpServerRequest request) {
        Method method = resource.getResourceMethod();
        if (!limits.enabled() || method == null || method.isAnnotationPresent(Public.class)) {
            return Uni.createFrom().nullItem();
        }
        Caller caller = callerContext.get();
        if (Caller.BOOTSTRAP.equals(caller)) {
            return Uni.createFrom().nullItem();
        }
        String key = caller.keyId() != null ? caller.keyId().toString() : "address:" + address(request);
        String tenant = caller.isGlobal() ? ctx.getUriInfo().getPathParameters().getFirst("tenant") : caller.tenant();
        if (!limits.blocking()) {
            return Uni.createFrom().item(answer(limits.acquire(key, tenant)));
        }
        Context context = Vertx.currentContext();
        Uni<RateLimits.Decision> decision = Uni.createFrom().item(() -> limits.acquire(key, tenant))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
        if (context != null) {
            decision = decision.emitOn(task -> context.runOnContext(v -> task.run()));
        }
        return decision.map(RateLimitFilter::answer);
    }

    private static Response answer(RateLimits.Decision decision) {
        if (decision.allowed()) {
            return null;
        }
        return Response.fromResponse(ErrorResponses.of(ErrorCode.RESOURCE_EXHAUSTED, RateLimits.MESSAGE))
                .header(RETRY_AFTER, decision.retryAfterSeconds())
                .build();
    }

    private static String address(HttpServerRequest request) {
        var remote = request.remoteAddress();
        return remote == null ? "unknown" : remote.hostAddress();
    }
}
