package io.vermilion.api;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import io.vermilion.log.CollectionMissingException;
import io.vermilion.log.CommitConflictException;
import io.vermilion.log.LogWriterClosedException;
import io.vermilion.log.DimensionMismatchException;
import io.vermilion.query.filter.InvalidFilterException;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The one place where failures become HTTP answers: status and {@code {"error","message"}} from {@link ErrorCode},
 * plus Chroma's trace header. Unexpected exceptions become a logged 500 without internals in the body.
 */
public class ErrorResponses {

    static final String TRACE_HEADER = "chroma-trace-id";
    static final String ZERO_TRACE = "00000000000000000000000000000000";
    private static final Logger LOG = Logger.getLogger(ErrorResponses.class);

    public static Response of(ErrorCode code, String message) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("error", code.errorName());
        body.put("message", message);
        return Response.status(code.status())
                .type(MediaType.APPLICATION_JSON_TYPE)
                .header(TRACE_HEADER, ZERO_TRACE)
                .entity(body)
                .build();
    }

    @ServerExceptionMapper
    public Response chroma(ChromaException e) {
        return of(e.code(), e.getMessage());
    }

    /**
     * Framework refusals: an unknown route (404) and a wrong method (405) keep Chroma's empty body; any other
     * status the framework produces is given Chroma's error body.
     */
    @ServerExceptionMapper
    public Response framework(WebApplicationException e) {
        Response r = e.getResponse();
        int status = r.getStatus();
        if (status == 404 || status == 405) {
            Response.ResponseBuilder b = Response.status(status);
            String allow = r.getHeaderString("Allow");
            if (allow != null) {
                b.header("Allow", allow);
            }
            return b.build();
        }
        ErrorCode code = status == 415 ? ErrorCode.UNSUPPORTED_MEDIA_TYPE
                : status == 413 ? ErrorCode.PAYLOAD_TOO_LARGE
                : status >= 500 ? ErrorCode.INTERNAL
                : ErrorCode.BAD_REQUEST;
        return of(code, e.getMessage() == null ? r.getStatusInfo().getReasonPhrase() : e.getMessage());
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        ChromaException known = translate(e);
        if (known != null) {
            return chroma(known);
        }
        LOG.error("Unexpected failure", e);
        return of(ErrorCode.INTERNAL, "Internal error: " + e.getClass().getSimpleName());
    }

    /** The client-facing meaning of an engine failure, looking through async wrappers; null when unexpected. */
    static ChromaException translate(Throwable e) {
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
                default -> {
                }
            }
        }
        return null;
    }
}
