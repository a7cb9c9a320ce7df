package io.vermilion.client;

/**
 * An error the server answered with, or a call that could not be made. Carries Chroma's error name (the {@code error}
 * field of the body, e.g. {@code NotFoundError}; null when the answer had no error body) and the HTTP status (0 when
 * no answer came). Subclasses name the common cases; anything else is thrown as this class.
 */
public class VermilionException extends RuntimeException {

    private final int status;
    private final String errorName;

    public VermilionException(int status, String errorName, String message) {
        this(status, errorName, message, null);
    }

    public VermilionException(int status, String errorName, String message, Throwable cause) {
        super(message, cause);
        this.status = status;
        this.errorName = errorName;
    }

    /** The HTTP status of the answer, or 0 if no answer came. */
    public int status() {
        return status;
    }

    /** Chroma's error name, e.g. {@code InvalidArgumentError}; null if the answer had no error body. */
    public String errorName() {
        return errorName;
    }
}
