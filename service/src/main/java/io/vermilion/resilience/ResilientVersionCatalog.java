package io.vermilion.resilience;

import io.vermilion.catalog.VersionCatalog;
import io.vermilion.catalog.VersionRef;
import jakarta.enterprise.util.TypeLiteral;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The version catalog (read on every query, written by compactions) with every call guarded like the log's
 * ({@link GuardedCatalogCalls}): a timeout per attempt, retries of transient failures, the catalog's circuit breaker,
 * a 503 for what is left. Thread-safe.
 *
 * <p>Reads and the lease calls are safe to repeat (a holder may take or renew its own lease again; releasing twice
 * releases once). {@link #publish} is made safe to repeat: an attempt whose answer was lost may have switched the
 * pointer, and a repeat would then answer false - which the compactor would take as "beaten" and delete the files the
 * published version consists of. So when an earlier attempt failed and a later one answers false, the current version
 * is read: if it is this {@code next}, the answer is true.
 */
public final class ResilientVersionCatalog implements VersionCatalog {

    private static final TypeLiteral<CompletionStage<Optional<VersionRef>>> VERSION = new TypeLiteral<>() {};
    private static final TypeLiteral<CompletionStage<Boolean>> ANSWER = new TypeLiteral<>() {};
    private static final TypeLiteral<CompletionStage<Void>> DONE = new TypeLiteral<>() {};

    private final VersionCatalog delegate;
    private final GuardedCatalogCalls calls;

    public ResilientVersionCatalog(VersionCatalog delegate, Guards guards) {
        this.delegate = delegate;
        this.calls = new GuardedCatalogCalls(guards);
    }

    @Override
    public CompletionStage<Optional<VersionRef>> currentVersion(UUID collection) {
        return calls.guarded(() -> calls.timed(delegate.currentVersion(collection)), VERSION);
    }

    @Override
    public CompletionStage<Boolean> publish(UUID collection, long expectedCurrentVersion, VersionRef next) {
        AtomicBoolean attemptFailed = new AtomicBoolean();
        return calls.guarded(() -> {
            boolean mayBePublished = attemptFailed.get();
            return calls.timed(delegate.publish(collection, expectedCurrentVersion, next))
                    .whenComplete((published, failure) -> {
                        if (failure != null) {
                            attemptFailed.set(true);
                        }
                    })
                    .thenCompose(published -> !published && mayBePublished
                            ? calls.timed(delegate.currentVersion(collection)).thenApply(current ->
                                    current.filter(next::equals).isPresent())
                            : CompletableFuture.completedFuture(published));
        }, ANSWER);
    }

    @Override
    public CompletionStage<Boolean> tryAcquireLease(UUID collection, String holder, Duration ttl) {
        return calls.guarded(() -> calls.timed(delegate.tryAcquireLease(collection, holder, ttl)), ANSWER);
    }

    @Override
    public CompletionStage<Boolean> renewLease(UUID collection, String holder, Duration ttl) {
        return calls.guarded(() -> calls.timed(delegate.renewLease(collection, holder, ttl)), ANSWER);
    }

    @Override
    public CompletionStage<Void> releaseLease(UUID collection, String holder) {
        return calls.guarded(() -> calls.timed(delegate.releaseLease(collection, holder)), DONE);
    }
}
