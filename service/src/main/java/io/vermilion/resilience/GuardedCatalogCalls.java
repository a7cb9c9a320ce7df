package io.vermilion.resilience;

import io.smallrye.faulttolerance.api.Guard;
import jakarta.enterprise.util.TypeLiteral;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * How the catalog decorators ({@link ResilientLogCatalog}, {@link ResilientVersionCatalog}) guard a call made through
 * the reactive SQL client: every attempt times out after {@code vermilion.resilience.catalog.timeout}, the catalog
 * guard retries transient failures and counts them in its circuit breaker, and what is left of a transient failure
 * reaches the caller as a {@link DependencyUnavailableException}; a call still open after every attempt and backoff
 * should have ended is failed then ({@link CallDeadline}). Thread-safe.
 */
final class GuardedCatalogCalls {

    private final Guards guards;
    private final Guard guard;
    private final Duration timeout;
    private final Duration deadline;

    GuardedCatalogCalls(Guards guards) {
        this.guards = guards;
        this.guard = guards.catalog();
        this.timeout = guards.catalogTimeout();
        this.deadline = guards.catalogDeadline();
    }

    /** One attempt, failed with a timeout when it takes longer than the catalog timeout. */
    <T> CompletableFuture<T> timed(CompletionStage<T> attempt) {
        return attempt.toCompletableFuture().copy().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The call under the catalog guard; its failure as the client should see it. */
    <T> CompletionStage<T> guarded(Supplier<CompletionStage<T>> call, TypeLiteral<CompletionStage<T>> type) {
        CompletionStage<T> stage;
        try {
            stage = guard.get(call, type);
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        return CallDeadline.within(stage, deadline, () -> "A catalog call answering " + type.getType().getTypeName())
                .handle((value, failure) -> failure == null
                        ? CompletableFuture.completedFuture(value)
                        : CompletableFuture.<T>failedFuture(guards.catalogFailure(failure)))
                .thenCompose(f -> f);
    }
}
