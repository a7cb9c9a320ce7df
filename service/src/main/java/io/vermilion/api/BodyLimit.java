package io.vermilion.api;

import io.vermilion.error.ErrorResponses;
import io.vermilion.error.ErrorCode;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Chroma's answer to a request body over the limit ({@code quarkus.http.limits.max-body-size}): 413 with
 * {@code {"error":"ChromaError","message":"Failed to buffer the request body: length limit exceeded"}}. Quarkus
 * refuses such a body itself, before any JAX-RS code, with an empty 413 and a closed connection - which most clients
 * see as a broken pipe while they are still sending. This Vert.x route runs just before Quarkus' check: it reads and
 * discards the declared body (up to {@link #MAX_DRAINED} bytes; past that the connection is simply closed), then
 * answers and closes the connection, so the client reads the answer.
 */
@ApplicationScoped
public class BodyLimit {

    static final String MESSAGE = "Failed to buffer the request body: length limit exceeded";
    /** Quarkus' own limit check is a route of order -2. */
    private static final int ORDER = -3;
    /** Beyond this many discarded bytes the client is cut off instead of answered. */
    private static final long MAX_DRAINED = 256L << 20;

    private final long limit;

    public BodyLimit(@ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize limit) {
        this.limit = limit.asLongValue();
    }

    void install(@Observes Router router) {
        router.route().order(ORDER).handler(this::check);
    }

    private void check(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        long declared = contentLength(request.getHeader(HttpHeaders.CONTENT_LENGTH));
        if (declared <= limit) {
            ctx.next();
            return;
        }
        if (declared > MAX_DRAINED || request.isEnded()
                || "100-continue".equalsIgnoreCase(request.getHeader(HttpHeaders.EXPECT))) {
            refuse(ctx); // a client that waits for "100 Continue" sends no body; an absurd one is not read
            return;
        }
        long[] drained = {0};
        request.handler(chunk -> {
            drained[0] += chunk.length();
            if (drained[0] > MAX_DRAINED) {
                request.connection().close();
            }
        });
        request.endHandler(ended -> refuse(ctx));
        request.exceptionHandler(failure -> request.connection().close());
        request.resume();
    }

    private static void refuse(RoutingContext ctx) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return;
        }
        String body = "{\"error\":\"" + ErrorCode.PAYLOAD_TOO_LARGE.errorName() + "\",\"message\":\"" + MESSAGE + "\"}";
        ctx.response()
                .setStatusCode(ErrorCode.PAYLOAD_TOO_LARGE.status())
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(ErrorResponses.TRACE_HEADER, ErrorResponses.ZERO_TRACE)
                .putHeader(HttpHeaders.CONNECTION, "close")
                .end(Buffer.buffer(body))
                .onComplete(done -> ctx.request().connection().close());
    }

    private static long contentLength(String header) {
        if (header == null) {
            return -1;
        }
        try {
            return Long.parseLong(header.trim());
        } catch (NumberFormatException e) {
            return -1; // Vert.x refuses a malformed length itself
        }
    }
}
