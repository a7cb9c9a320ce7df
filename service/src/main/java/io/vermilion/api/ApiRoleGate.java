package io.vermilion.api;

import io.vermilion.config.ReplicaRole;
import io.vermilion.config.VermilionConfig;
import io.vermilion.error.ErrorCode;
import io.vermilion.error.ErrorResponses;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * On a replica whose roles leave out {@code api} (a compactor-only replica), every Chroma API route ({@code /api/...})
 * is answered with a 404 {@code NotFoundError} saying so, before authentication or any handler runs; health
 * ({@code /q/health}) and metrics ({@code /q/metrics}) stay served. A replica with the {@code api} role is unchanged.
 */
@ApplicationScoped
public class ApiRoleGate {

    static final String MESSAGE = "This replica runs the compactor role only and serves no API routes;"
            + " send API requests to a replica with the api role (vermilion.roles)";

    private final boolean servesApi;

    public ApiRoleGate(VermilionConfig config) {
        this.servesApi = config.roles().contains(ReplicaRole.API);
    }

    void install(@Observes Router router) {
        if (!servesApi) {
            router.route("/api/*").order(Integer.MIN_VALUE).handler(ApiRoleGate::refuse);
        }
    }

    private static void refuse(RoutingContext ctx) {
        ctx.response()
                .setStatusCode(ErrorCode.NOT_FOUND.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(ErrorResponses.TRACE_HEADER, ErrorResponses.ZERO_TRACE)
                .end(ErrorResponses.body(ErrorCode.NOT_FOUND, MESSAGE).toString());
    }
}
