package io.vermilion.error;

/** A refusal the client should see as Chroma's {@code {"error","message"}} body with the code's status. */
public class ChromaException extends RuntimeException {

    private final ErrorCode code;

    public ChromaException(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }

    public static ChromaException invalid(String message) {
        return new ChromaException(ErrorCode.INVALID_ARGUMENT, message);
    }

    public static ChromaException validation(String field, String message) {
        return new ChromaException(ErrorCode.INVALID_ARGUMENT, "Validation error: " + field + ": " + message);
    }

    public static ChromaException notFound(String message) {
        return new ChromaException(ErrorCode.NOT_FOUND, message);
    }

    public static ChromaException conflict(String message) {
        return new ChromaException(ErrorCode.ALREADY_EXISTS, message);
    }

    /** A body of valid JSON but the wrong shape: 422, worded like Chroma's deserializer. */
    public static ChromaException shape(String path, String message) {
        String where = path == null || path.isEmpty() ? "" : path + ": ";
        return new ChromaException(
                ErrorCode.UNPROCESSABLE_ENTITY,
                "Failed to deserialize the JSON body into the target type: " + where + message);
    }
}
