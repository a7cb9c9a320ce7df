package io.vermilion.api;

import io.vermilion.error.ErrorResponses;
import io.vermilion.error.ErrorCode;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Transport rules Chroma applies before a handler runs: paths match exactly, a body must be JSON (a missing content type counts
 * as JSON), anything else is a 415 in Chroma's error format.
 */
public class RequestFilters {

    /** Chroma's router is exact: a trailing slash is another (unknown) route, answered 404 with no body. */
    @ServerRequestFilter(preMatching = true)
    public Response exactPaths(ContainerRequestContext ctx) {
        String path = ctx.getUriInfo().getPath();
        if (path.length() > 1 && path.endsWith("/")) {
            return Response.status(404).build();
        }
        return null;
    }

    @ServerRequestFilter
    public Response requireJson(ContainerRequestContext ctx) {
        String method = ctx.getMethod();
        if (!("POST".equals(method) || "PUT".equals(method) || "PATCH".equals(method))) {
            return null;
        }
        MediaType type = ctx.getMediaType();
        if (type == null || (type.getType().equalsIgnoreCase("application") && type.getSubtype().equalsIgnoreCase("json"))) {
            return null;
        }
        return ErrorResponses.of(
                ErrorCode.UNSUPPORTED_MEDIA_TYPE, "Expected request with `Content-Type: application/json`");
    }
}
