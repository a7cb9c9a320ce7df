package io.vermilion.resilience;

/**
 * Marks a transient failure of a call that must not be repeated: the call may have been applied (a connection lost
 * during a transaction's commit, an attempt that timed out but may still run). Counted by the circuit breaker like
 * its cause, never retried; the client gets the cause's 503.
 */
final class NotRetryableException extends RuntimeException {

    NotRetryableException(Throwable cause) {
        super(cause.getMessage(), cause, false, false);
    }
}
