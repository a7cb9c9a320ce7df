package io.vermilion.api;

import io.vermilion.error.ErrorCode;
import io.vermilion.error.ErrorResponses;

import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * A request that no route serves (the JAX-RS resources pass it on unmatched) is answered with Chroma's error body, a
 * 404 {@code NotFoundError} naming the method and path, instead of Vert.x's empty 404.
 */
@ApplicationScoped
public class UnknownRoutes {

    void install(@Observes Router router) {
        // Vert.x calls this when no route took the request (the JAX-RS routes pass unmatched paths on).
        router.errorHandler(404, UnknownRoutes::answer);
    }

    private static void answer(RoutingContext ctx) {
        if (ctx.response().ended()) {
            return;
        }
        String message = ErrorResponses.noSuchRoute(ctx.request().method().name(), ctx.request().path());
        ctx.response()
                .setStatusCode(ErrorCode.NOT_FOUND.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(ErrorResponses.TRACE_HEADER, ErrorResponses.ZERO_TRACE)
                .end(ErrorResponses.body(ErrorCode.NOT_FOUND, message).toString());
    }
}
