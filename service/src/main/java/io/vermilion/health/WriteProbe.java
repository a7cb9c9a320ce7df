package io.vermilion.health;

import io.vermilion.resilience.Failures;
import io.vermilion.storage.ObjectStore;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;

/**
 * The object-store readiness probe's write: a put and a delete of a tiny object at one key, straight to the store
 * given (past retries and breaker), one probe serving every check for {@code every}. A transient failure (a reset, a
 * pooled connection the server had closed) is tried once more at once: one failed attempt on one connection does not
 * make the replica unready, while a store that refuses writes fails both. Each failed attempt is logged with its
 * message. Thread-safe.
 */
final class WriteProbe {

    private static final Logger LOG = Logger.getLogger(WriteProbe.class);
    static final int ATTEMPTS = 2;

    private final ObjectStore store;
    private final String key;
    private final byte[] content;
    private final long everyNanos;
    private final LongSupplier nanoTime;
    private CompletableFuture<Void> last; // guarded by this
    private long lastAt; // guarded by this

    WriteProbe(ObjectStore store, String key, byte[] content, Duration every, LongSupplier nanoTime) {
        this.store = store;
        this.key = key;
        this.content = content.clone();
        this.everyNanos = every.toNanos();
        this.nanoTime = nanoTime;
    }

    /** The probe in flight or finished within {@code every}, else a new one; completes as it does. */
    synchronized CompletableFuture<Void> probe() {
        long now = nanoTime.getAsLong();
        boolean fresh = last != null && (!last.isDone() || now - lastAt < everyNanos);
        if (!fresh) {
            lastAt = now;
            last = attempt(1);
        }
        return last.copy();
    }

    private CompletableFuture<Void> attempt(int n) {
        CompletableFuture<Void> written;
        try {
            written = store.put(key, content).thenCompose(v -> store.delete(key)).toCompletableFuture();
        } catch (RuntimeException e) {
            written = CompletableFuture.failedFuture(e);
        }
        return written.handle((ok, failure) -> {
            if (failure == null) {
                return CompletableFuture.<Void>completedFuture(null);
            }
            Throwable cause = Failures.unwrap(failure);
            boolean again = n < ATTEMPTS && Failures.transientStorage(cause);
            LOG.warnf("Object store readiness probe, attempt %d of %d, failed%s: %s", n, ATTEMPTS,
                    again ? " (trying again)" : "", describe(cause));
            return again ? attempt(n + 1) : CompletableFuture.<Void>failedFuture(cause);
        }).thenCompose(next -> next);
    }

    /** The failure's class and message, with its cause's when it has one (the SDK wraps the I/O error). */
    static String describe(Throwable failure) {
        String text = failure.getClass().getSimpleName() + ": " + failure.getMessage();
        Throwable cause = failure.getCause();
        return cause == null || cause == failure ? text
                : text + " (cause " + cause.getClass().getSimpleName() + ": " + cause.getMessage() + ")";
    }
}
