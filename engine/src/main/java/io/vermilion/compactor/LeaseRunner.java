package io.vermilion.compactor;

import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.vermilion.catalog.VersionCatalog;
import io.vermilion.version.VersionManifest;

/**
 * Runs one attempt at a collection's next version under its compaction lease: takes the lease (or completes empty if
 * another holder has it), renews it every third of its TTL while the attempt runs (when given a heartbeat), deletes
 * what a failed or unpublished attempt wrote, and always releases the lease. A compaction and a segment merge of the
 * same collection therefore never run at once, on this replica or another.
 */
final class LeaseRunner {

    /** One attempt: builds and publishes a version (or empty), and can delete what it wrote. */
    interface Attempt {
        Optional<VersionManifest> run();

        CompletableFuture<Void> deleteCreated();
    }

    private final VersionCatalog versionCatalog;
    private final CompactorOptions options;
    private final Executor executor;
    private final ScheduledExecutorService heartbeat;

    LeaseRunner(VersionCatalog versionCatalog, CompactorOptions options, Executor executor,
                ScheduledExecutorService heartbeat) {
        this.versionCatalog = versionCatalog;
        this.options = options;
        this.executor = executor;
        this.heartbeat = heartbeat;
    }

    CompletionStage<Optional<VersionManifest>> run(UUID collection, Function<UUID, Attempt> attempts) {
        String holder = options.holder();
        return versionCatalog.tryAcquireLease(collection, holder, options.leaseTtl()).thenCompose(acquired -> {
            if (!acquired) {
                return CompletableFuture.completedFuture(Optional.<VersionManifest>empty());
            }
            Attempt attempt = attempts.apply(collection);
            long period = Math.max(1, options.leaseTtl().toMillis() / 3);
            ScheduledFuture<?> renewals = heartbeat == null ? null : heartbeat.scheduleAtFixedRate(
                    () -> versionCatalog.renewLease(collection, holder, options.leaseTtl()),
                    period, period, TimeUnit.MILLISECONDS);
            return CompletableFuture.supplyAsync(attempt::run, executor)
                    .handle((result, failure) -> {
                        if (renewals != null) {
                            renewals.cancel(false);
                        }
                        CompletableFuture<Void> cleanup = failure != null || result.isEmpty()
                                ? attempt.deleteCreated() : CompletableFuture.completedFuture(null);
                        return cleanup
                                .thenCompose(ignored -> versionCatalog.releaseLease(collection, holder))
                                .handle((ignored, releaseFailure) -> {
                                    if (failure != null) {
                                        throw failure instanceof CompletionException e ? e
                                                : new CompletionException(failure);
                                    }
                                    return result;
                                });
                    })
                    .thenCompose(stage -> stage);
        });
    }
}
