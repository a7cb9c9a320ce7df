package io.vermilion.log;

import java.time.Duration;
import java.util.Objects;

/**
 * Tuning of a {@link LogWriter}.
 *
 * @param commitWindow          how long the first write to an idle collection waits for others to join its fragment;
 *                              zero commits at once (writes arriving during a commit still share the next fragment)
 * @param maxRecordsPerFragment a batch is closed before the request that would take it past this many records
 * @param maxBytesPerFragment   likewise for the estimated encoded size; a single request larger than either limit
 *                              is still written, alone, as one fragment (a request is never split)
 * @param maxCommitAttempts     conflicting commits tolerated per batch before it fails with
 *                              {@link CommitConflictException}
 * @param closeTimeout          how long {@link LogWriter#close()} waits for pending writes before failing them
 */
public record LogWriterOptions(
        Duration commitWindow, int maxRecordsPerFragment, long maxBytesPerFragment, int maxCommitAttempts,
        Duration closeTimeout) {

    public static final Duration DEFAULT_COMMIT_WINDOW = Duration.ofMillis(2);
    public static final int DEFAULT_MAX_RECORDS_PER_FRAGMENT = 10_000;
    public static final long DEFAULT_MAX_BYTES_PER_FRAGMENT = 16L << 20;
    public static final int DEFAULT_MAX_COMMIT_ATTEMPTS = 10;
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(30);

    public LogWriterOptions {
        Objects.requireNonNull(commitWindow, "commitWindow");
        Objects.requireNonNull(closeTimeout, "closeTimeout");
        if (commitWindow.isNegative() || closeTimeout.isNegative()) {
            throw new IllegalArgumentException("negative duration");
        }
        if (maxRecordsPerFragment < 1 || maxBytesPerFragment < 1 || maxCommitAttempts < 1) {
            throw new IllegalArgumentException("fragment limits and commit attempts must be positive");
        }
    }

    public static LogWriterOptions defaults() {
        return new LogWriterOptions(DEFAULT_COMMIT_WINDOW, DEFAULT_MAX_RECORDS_PER_FRAGMENT,
                DEFAULT_MAX_BYTES_PER_FRAGMENT, DEFAULT_MAX_COMMIT_ATTEMPTS, DEFAULT_CLOSE_TIMEOUT);
    }

    public LogWriterOptions withCommitWindow(Duration window) {
        return new LogWriterOptions(window, maxRecordsPerFragment, maxBytesPerFragment, maxCommitAttempts, closeTimeout);
    }

    public LogWriterOptions withMaxRecordsPerFragment(int records) {
        return new LogWriterOptions(commitWindow, records, maxBytesPerFragment, maxCommitAttempts, closeTimeout);
    }

    public LogWriterOptions withMaxBytesPerFragment(long bytes) {
        return new LogWriterOptions(commitWindow, maxRecordsPerFragment, bytes, maxCommitAttempts, closeTimeout);
    }

    public LogWriterOptions withMaxCommitAttempts(int attempts) {
        return new LogWriterOptions(commitWindow, maxRecordsPerFragment, maxBytesPerFragment, attempts, closeTimeout);
    }

    public LogWriterOptions withCloseTimeout(Duration timeout) {
        return new LogWriterOptions(commitWindow, maxRecordsPerFragment, maxBytesPerFragment, maxCommitAttempts, timeout);
    }
}
