package io.vermilion.error;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import io.vermilion.catalog.CollectionMissingException;
import io.vermilion.log.CommitConflictException;
import io.vermilion.log.LogWriterClosedException;
import io.vermilion.log.DimensionMismatchException;
import io.vermilion.filter.InvalidFilterException;
import io.vermilion.resilience.DependencyUnavailableException;
import io.vermilion.resilience.Failures;
import io.vertx.core.http.HttpServerRequest;
import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The one place where failures become HTTP answers: status and {@code {"error","message"}} from {@link ErrorCode},
 * plus Chroma's trace header. Unexpected exceptions become a logged 500 without internals in the body. A 503 carries a
 * {@code Retry-After}: the object store or the catalog is unavailable, or the server is busy or shutting down.
 */
public class ErrorResponses {

    public static final String TRACE_HEADER = "chroma-trace-id";
    public static final String ZERO_TRACE = "00000000000000000000000000000000";
    static final String RETRY_AFTER = "Retry-After";
    /** The pause a 503 asks for when its cause names none. */
    static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(1);
    private static final Logger LOG = Logger.getLogger(ErrorResponses.class);
    /** During an outage every request fails alike: one warning a second says so, the rest go to debug. */
    private static final long UNAVAILABLE_WARNING_INTERVAL_NANOS = 1_000_000_000L;
    private static final AtomicLong LAST_UNAVAILABLE_WARNING =
            new AtomicLong(System.nanoTime() - UNAVAILABLE_WARNING_INTERVAL_NANOS);

    public static Response of(ErrorCode code, String message) {
        return of(code, message, null);
    }

    /** As {@link #of(ErrorCode, String)}; a 503 tells the client when to retry ({@code retryAfter}, or a default). */
    public static Response of(ErrorCode code, String message, Duration retryAfter) {
        Response.ResponseBuilder b = Response.status(code.status())
                .type(MediaType.APPLICATION_JSON_TYPE)
                .header(TRACE_HEADER, ZERO_TRACE)
                .entity(body(code, message));
        if (code == ErrorCode.UNAVAILABLE) {
            Duration after = retryAfter != null ? retryAfter : DEFAULT_RETRY_AFTER;
            b.header(RETRY_AFTER, Math.max(1, (after.toMillis() + 999) / 1000)); // whole seconds, rounded up
        }
        return b.build();
    }

    /** Chroma's error body: {@code {"error": <name>, "message": <message>}}. */
    public static ObjectNode body(ErrorCode code, String message) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("error", code.errorName());
        body.put("message", message);
        return body;
    }

    public static String noSuchRoute(String method, String path) {
        return "No such route: " + method + " " + path;
    }

    @ServerExceptionMapper
    public Response chroma(ChromaException e) {
        return of(e.code(), e.getMessage());
    }

    /**
     * Framework refusals get Chroma's error body: an unknown route is a 404 NotFoundError and a wrong method a 405
     * (with its {@code Allow} header), each naming the method and path, so a client that calls a route this server
     * lacks reads why; any other status the framework produces is mapped by its number.
     */
    @ServerExceptionMapper
    public Response framework(WebApplicationException e, HttpServerRequest request) {
        Response r = e.getResponse();
        int status = r.getStatus();
        if (status == 404 || status == 405) {
            String route = request.method().name() + " " + request.path();
            Response answer = status == 404
                    ? of(ErrorCode.NOT_FOUND, noSuchRoute(request.method().name(), request.path()))
                    : of(ErrorCode.METHOD_NOT_ALLOWED, "Method not allowed: " + route);
            String allow = r.getHeaderString("Allow");
            if (allow != null) {
                answer.getHeaders().putSingle("Allow", allow);
            }
            return answer;
        }
        ErrorCode code = status == 415 ? ErrorCode.UNSUPPORTED_MEDIA_TYPE
                : status == 413 ? ErrorCode.PAYLOAD_TOO_LARGE
                : status >= 500 ? ErrorCode.INTERNAL
                : ErrorCode.BAD_REQUEST;
        return of(code, e.getMessage() == null ? r.getStatusInfo().getReasonPhrase() : e.getMessage());
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        return unexpectedFailure(e);
    }

    /** PostgreSQL refusing connections to a call outside the guarded beans arrives unwrapped, as a checked exception. */
    @ServerExceptionMapper
    public Response unreachable(ConnectException e) {
        return unexpectedFailure(e);
    }

    private static Response unexpectedFailure(Exception e) {
        ChromaException known = translate(e);
        if (known != null) {
            if (known.code() == ErrorCode.UNAVAILABLE) {
                long now = System.nanoTime();
                long last = LAST_UNAVAILABLE_WARNING.get();
                boolean warn = now - last >= UNAVAILABLE_WARNING_INTERVAL_NANOS
                        && LAST_UNAVAILABLE_WARNING.compareAndSet(last, now);
                LOG.logf(warn ? Logger.Level.WARN : Logger.Level.DEBUG, "Answering 503: %s (%s)", known.getMessage(),
                        rootCause(e));
            }
            return of(known.code(), known.getMessage(), retryAfter(e));
        }
        LOG.error("Unexpected failure", e);
        return of(ErrorCode.INTERNAL, "Internal error: " + e.getClass().getSimpleName());
    }

    /** The pause a dependency's outage asks for, if the failure carries one. */
    private static Duration retryAfter(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof DependencyUnavailableException u) {
                return u.retryAfter();
            }
        }
        return null;
    }

    private static String rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getName() + ": " + t.getMessage();
    }

    /** The client-facing meaning of an engine failure, looking through async wrappers; null when unexpected. */
    public static ChromaException translate(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            switch (t) {
                case ChromaException c -> {
                    return c;
                }
                case InvalidFilterException f -> {
                    return ChromaException.invalid(f.getMessage());
                }
                case DimensionMismatchException d -> {
                    return ChromaException.invalid(d.getMessage());
                }
                case CollectionMissingException m -> {
                    return ChromaException.notFound(m.getMessage());
                }
                case CommitConflictException c -> {
                    return new ChromaException(ErrorCode.UNAVAILABLE,
                            "Too many concurrent writers on this collection; nothing was written, retry the request");
                }
                case LogWriterClosedException c -> {
                    return new ChromaException(ErrorCode.UNAVAILABLE, "The server is shutting down; retry the request");
                }
                case DependencyUnavailableException u -> {
                    return new ChromaException(ErrorCode.UNAVAILABLE, u.getMessage());
                }
                default -> {
                }
            }
        }
        // A dependency's failure that reached here without a guard (e.g. the API-key lookup): still a 503, not a 500.
        DependencyUnavailableException unguarded = Failures.asUnavailable(e);
        return unguarded == null ? null : new ChromaException(ErrorCode.UNAVAILABLE, unguarded.getMessage());
    }
}
