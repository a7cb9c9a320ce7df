package io.vermilion.log;

import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import io.vermilion.catalog.FragmentRef;
import io.vermilion.catalog.InMemoryLogCatalog;
import io.vermilion.catalog.LogCatalog;

/**
 * A commit hook that holds commits (of one collection, or of all) until {@link #open()}: lets a test queue writes
 * behind a commit in flight, so that they form the next batch exactly.
 */
public final class CommitGate implements InMemoryLogCatalog.CommitHook {

    private final UUID only;
    private final CountDownLatch entered = new CountDownLatch(1);
    private final CountDownLatch open = new CountDownLatch(1);

    /** @param only the collection whose commits to hold, or null for all */
    public CommitGate(UUID only) {
        this.only = only;
    }

    @Override
    public LogCatalog.CommitResult beforeCommit(UUID collection, FragmentRef fragment, Integer dimension) {
        if (only == null || only.equals(collection)) {
            entered.countDown();
            try {
                if (!open.await(LogTestKit.TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("commit gate never opened");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return null;
    }

    /** Waits until a held commit reached the gate. */
    public void awaitHeldCommit() throws InterruptedException {
        if (!entered.await(LogTestKit.TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            throw new AssertionError("no commit reached the gate");
        }
    }

    public void open() {
        open.countDown();
    }
}
