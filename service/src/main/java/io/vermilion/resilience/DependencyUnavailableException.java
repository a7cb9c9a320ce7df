package io.vermilion.resilience;

import java.time.Duration;

/**
 * The object store or the catalog could not serve a call: transient failures outlasted the retries, or its circuit
 * breaker is open. The client is answered 503 with a {@code Retry-After}; the cause is kept for the log.
 */
public final class DependencyUnavailableException extends RuntimeException {

    private final Duration retryAfter;

    private DependencyUnavailableException(String message, Duration retryAfter, Throwable cause) {
        super(message, cause);
        this.retryAfter = retryAfter;
    }

    static DependencyUnavailableException storage(Throwable cause, Duration retryAfter) {
        return new DependencyUnavailableException(
                "Object storage is unavailable (" + Failures.reason(cause) + "); retry the request", retryAfter, cause);
    }

    static DependencyUnavailableException catalog(Throwable cause, Duration retryAfter) {
        return new DependencyUnavailableException(
                "The catalog database is unavailable (" + Failures.reason(cause) + "); retry the request", retryAfter,
                cause);
    }

    /** How long the client should wait before retrying. */
    public Duration retryAfter() {
        return retryAfter;
    }
}
