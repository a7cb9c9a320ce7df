package io.vermilion.catalog;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A {@link LogCatalog} in this process's memory, for the embeddable engine and for deterministic tests. Thread-safe:
 * every operation is atomic under one lock, and completes before it returns (the stages are already complete).
 * Nothing survives the process. A {@link CommitHook} can inject failures, conflicts or pauses before each commit.
 */
public final class InMemoryLogCatalog implements LogCatalog {

    /**
     * Consulted before each {@link #commit}, outside the catalog's lock. Return null to let the commit proceed, or a
     * result to answer instead without recording anything; an exception thrown here fails the commit.
     */
    @FunctionalInterface
    public interface CommitHook {
        CommitResult beforeCommit(UUID collection, FragmentRef fragment, Integer dimension);
    }

    private static final class Log {
        final List<FragmentRef> fragments = new ArrayList<>();
        long nextOffset;
        Integer dimension;
    }

    private final Map<UUID, Log> logs = new HashMap<>();
    private volatile CommitHook hook;

    /** Creates an empty log for {@code collection}; false (and no change) if it exists already. */
    public synchronized boolean createCollection(UUID collection) {
        Objects.requireNonNull(collection, "collection");
        return logs.putIfAbsent(collection, new Log()) == null;
    }

    /** Forgets {@code collection} and its log; false if it did not exist. Its objects are the caller's to delete. */
    public synchronized boolean dropCollection(UUID collection) {
        return logs.remove(collection) != null;
    }

    /** Installs {@code hook} (null removes it) for every later commit. */
    public void setCommitHook(CommitHook hook) {
        this.hook = hook;
    }

    @Override
    public synchronized CompletionStage<Optional<LogPosition>> position(UUID collection) {
        Log log = logs.get(collection);
        return CompletableFuture.completedFuture(
                log == null ? Optional.empty() : Optional.of(new LogPosition(log.nextOffset, log.dimension)));
    }

    @Override
    public CompletionStage<CommitResult> commit(UUID collection, FragmentRef fragment, Integer dimension) {
        if (fragment.endOffset() <= fragment.startOffset()) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("empty or inverted fragment " + fragment));
        }
        CommitHook current = hook;
        if (current != null) {
            try {
                CommitResult injected = current.beforeCommit(collection, fragment, dimension);
                if (injected != null) {
                    return CompletableFuture.completedFuture(injected);
                }
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        return CompletableFuture.completedFuture(record(collection, fragment, dimension));
    }

    private synchronized CommitResult record(UUID collection, FragmentRef fragment, Integer dimension) {
        Log log = logs.get(collection);
        if (log == null) {
            return CommitResult.COLLECTION_MISSING;
        }
        if (log.nextOffset != fragment.startOffset()
                || (dimension != null && log.dimension != null && !log.dimension.equals(dimension))) {
            return CommitResult.CONFLICT;
        }
        log.fragments.add(fragment);
        log.nextOffset = fragment.endOffset();
        if (log.dimension == null) {
            log.dimension = dimension;
        }
        return CommitResult.COMMITTED;
    }

    @Override
    public synchronized CompletionStage<List<FragmentRef>> fragments(UUID collection, long fromOffset) {
        Log log = logs.get(collection);
        if (log == null) {
            return CompletableFuture.completedFuture(List.of());
        }
        List<FragmentRef> found = new ArrayList<>();
        for (FragmentRef fragment : log.fragments) { // in log order; a binary search would do for long logs
            if (fragment.startOffset() >= fromOffset) {
                found.add(fragment);
            }
        }
        return CompletableFuture.completedFuture(List.copyOf(found));
    }

    @Override
    public synchronized CompletionStage<Integer> forget(UUID collection, long beforeOffset) {
        Log log = logs.get(collection);
        if (log == null) {
            return CompletableFuture.completedFuture(0);
        }
        int before = log.fragments.size();
        log.fragments.removeIf(fragment -> fragment.endOffset() <= beforeOffset);
        return CompletableFuture.completedFuture(before - log.fragments.size());
    }
}
