package io.vermilion.resilience;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The last bound on a guarded call. A guard times every attempt and bounds its retries, so each call it returns ends
 * within a known time; one still open at that deadline lost its answer somewhere in between. It is failed here, with a
 * transient {@link DeadlineExceededException} (a 503 to a client) on the JDK's own timer, and logged as an error, so
 * that no caller waits forever for an answer that will never come.
 */
final class CallDeadline {

    private static final Logger LOG = Logger.getLogger(CallDeadline.class);

    private CallDeadline() {}

    /** {@code stage}, or a {@link DeadlineExceededException} if it has not ended after {@code deadline}. */
    static <T> CompletableFuture<T> within(CompletionStage<T> stage, Duration deadline, Supplier<String> call) {
        long millis = deadline.toMillis();
        // A copy, so that the guard's own future is left as it is; it fails with a bare TimeoutException only when the
        // deadline passed (a failure of the call itself reaches the copy wrapped in a CompletionException).
        return stage.toCompletableFuture().copy().orTimeout(millis, TimeUnit.MILLISECONDS)
                .exceptionallyCompose(failure -> {
                    if (!(failure instanceof TimeoutException)) {
                        return CompletableFuture.failedFuture(failure);
                    }
                    String what = call.get();
                    LOG.errorf("%s did not end within %d ms, although the guard bounds its attempts and retries: its"
                            + " answer was lost; failing it", what, millis);
                    return CompletableFuture.failedFuture(new DeadlineExceededException(what, millis));
                });
    }

    /** A guarded call that outlived its deadline; transient, like the timeouts of its attempts. */
    static final class DeadlineExceededException extends TimeoutException {
        DeadlineExceededException(String call, long millis) {
            super(call + " did not end within " + millis + " ms");
        }
    }
}
