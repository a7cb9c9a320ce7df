package io.vermilion.log;

/** A write reached a {@link LogWriter} after {@link LogWriter#close()}, or was still uncommitted when closing gave up. */
public final class LogWriterClosedException extends IllegalStateException {

    public LogWriterClosedException(String message) {
        super(message);
    }
}
