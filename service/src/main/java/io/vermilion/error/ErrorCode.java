package io.vermilion.error;

/**
 * Every error the API can answer with, mapped once to an HTTP status and Chroma's {@code error} name.
 * Chroma emits only four specific names; every other code is reported as {@code ChromaError}.
 */
public enum ErrorCode {
    INVALID_ARGUMENT(400, "InvalidArgumentError"),
    /** Request-shape and parse failures that Chroma reports as ChromaError with 400. */
    BAD_REQUEST(400, "ChromaError"),
    UNAUTHENTICATED(401, "ChromaError"),
    PERMISSION_DENIED(403, "ChromaError"),
    NOT_FOUND(404, "NotFoundError"),
    /** A known route asked with a method it does not serve. */
    METHOD_NOT_ALLOWED(405, "ChromaError"),
    ALREADY_EXISTS(409, "ChromaError"),
    FAILED_PRECONDITION(412, "ChromaError"),
    PAYLOAD_TOO_LARGE(413, "ChromaError"),
    UNSUPPORTED_MEDIA_TYPE(415, "ChromaError"),
    UNPROCESSABLE_ENTITY(422, "ChromaError"),
    RESOURCE_EXHAUSTED(429, "ChromaError"),
    INTERNAL(500, "InternalError"),
    UNIMPLEMENTED(501, "ChromaError"),
    UNAVAILABLE(503, "ChromaError");

    private final int status;
    private final String errorName;

    ErrorCode(int status, String errorName) {
        this.status = status;
        this.errorName = errorName;
    }

    public int status() {
        return status;
    }

    public String errorName() {
        return errorName;
    }
}
