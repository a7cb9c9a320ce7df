package io.vermilion.resilience;

import io.vermilion.catalog.FragmentRef;
import io.vermilion.catalog.LogCatalog;
import io.vermilion.catalog.LogPosition;
import jakarta.enterprise.util.TypeLiteral;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The log's catalog with every call guarded ({@link GuardedCatalogCalls}): each attempt times out, transient failures
 * (PostgreSQL unreachable or restarting, a lost connection, a timeout) are retried with backoff, and a circuit breaker
 * fails calls fast while the database keeps failing. What is left of a transient failure reaches the caller as a
 * {@link DependencyUnavailableException} (a 503). Thread-safe.
 *
 * <p>{@link #position} and {@link #fragments} only read. {@link #commit} is made safe to repeat: an attempt that
 * failed (lost connection, timeout) may have been applied all the same, and a repeat of it would then meet its own
 * earlier success as a {@link CommitResult#CONFLICT} - which the log writer would take as "another writer won" and
 * delete the fragment that is in fact recorded. So when an earlier attempt failed and a later one answers CONFLICT,
 * the recorded fragment at the commit's start offset is looked up: if it is this commit's (fragment keys are unique),
 * the answer is {@link CommitResult#COMMITTED}. A commit that still fails leaves the log writer to treat its outcome as
 * unknown (it re-reads the position before its next commit and never deletes that fragment).
 */
public final class ResilientLogCatalog implements LogCatalog {

    private static final TypeLiteral<CompletionStage<Optional<LogPosition>>> POSITION = new TypeLiteral<>() {};
    private static final TypeLiteral<CompletionStage<CommitResult>> RESULT = new TypeLiteral<>() {};
    private static final TypeLiteral<CompletionStage<List<FragmentRef>>> FRAGMENTS = new TypeLiteral<>() {};
    private static final TypeLiteral<CompletionStage<Integer>> COUNT = new TypeLiteral<>() {};

    private final LogCatalog delegate;
    private final GuardedCatalogCalls calls;

    public ResilientLogCatalog(LogCatalog delegate, Guards guards) {
        this.delegate = delegate;
        this.calls = new GuardedCatalogCalls(guards);
    }

    @Override
    public CompletionStage<Optional<LogPosition>> position(UUID collection) {
        return guarded(() -> timed(delegate.position(collection)), POSITION);
    }

    @Override
    public CompletionStage<CommitResult> commit(UUID collection, FragmentRef fragment, Integer dimension) {
        AtomicBoolean attemptFailed = new AtomicBoolean();
        return guarded(() -> {
            boolean mayBeRecorded = attemptFailed.get();
            return timed(delegate.commit(collection, fragment, dimension))
                    .whenComplete((result, failure) -> {
                        if (failure != null) {
                            attemptFailed.set(true);
                        }
                    })
                    .thenCompose(result -> result == CommitResult.CONFLICT && mayBeRecorded
                            ? recordedBefore(collection, fragment)
                            : CompletableFuture.completedFuture(result));
        }, RESULT);
    }

    @Override
    public CompletionStage<List<FragmentRef>> fragments(UUID collection, long fromOffset) {
        return guarded(() -> timed(delegate.fragments(collection, fromOffset)), FRAGMENTS);
    }

    @Override
    public CompletionStage<Integer> forget(UUID collection, long beforeOffset) {
        return guarded(() -> timed(delegate.forget(collection, beforeOffset)), COUNT);
    }

    /** Whether an earlier attempt of this commit recorded the fragment after all. */
    private CompletableFuture<CommitResult> recordedBefore(UUID collection, FragmentRef fragment) {
        return timed(delegate.fragments(collection, fragment.startOffset())).thenApply(recorded ->
                !recorded.isEmpty() && recorded.getFirst().key().equals(fragment.key())
                        ? CommitResult.COMMITTED
                        : CommitResult.CONFLICT);
    }

    private <T> CompletableFuture<T> timed(CompletionStage<T> attempt) {
        return calls.timed(attempt);
    }

    private <T> CompletionStage<T> guarded(Supplier<CompletionStage<T>> call, TypeLiteral<CompletionStage<T>> type) {
        return calls.guarded(call, type);
    }
}
