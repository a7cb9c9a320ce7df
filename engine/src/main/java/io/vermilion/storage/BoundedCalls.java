package io.vermilion.storage;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * A bound on asynchronous calls: at most {@code limit} started here run at once, the rest wait in arrival order
 * without holding a thread. It bounds a replica's background reads of index files (shared by every version's
 * download, so a query's own page reads, which do not pass through it, never queue behind one) and the ranged reads
 * in flight of an {@link S3RangeReader}. Thread-safe.
 */
public final class BoundedCalls {

    private final int limit;
    private final ArrayDeque<Runnable> waiting = new ArrayDeque<>(); // guarded by this
    private int running; // guarded by this
    /** Whether this thread is in {@link #startWaiting} already. */
    private final ThreadLocal<Boolean> starting = ThreadLocal.withInitial(() -> false);

    public BoundedCalls(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("the bound must be at least 1: " + limit);
        }
        this.limit = limit;
    }

    /**
     * Starts {@code fetch} once fewer than {@code limit} started here are still running; its slot is free again when
     * the stage it returns completes (or it throws). The result completes as that stage does.
     */
    public <T> CompletableFuture<T> run(Supplier<? extends CompletionStage<T>> fetch) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Runnable start = () -> {
            CompletionStage<T> stage;
            try {
                stage = fetch.get();
            } catch (RuntimeException | Error e) {
                release();
                result.completeExceptionally(e);
                return;
            }
            stage.whenComplete((value, failure) -> {
                release();
                if (failure != null) {
                    result.completeExceptionally(failure);
                } else {
                    result.complete(value);
                }
            });
        };
        synchronized (this) {
            waiting.add(start);
        }
        startWaiting();
        return result;
    }

    /** Calls running now. */
    public synchronized int running() {
        return running;
    }

    /** Calls waiting for a slot. */
    public synchronized int waiting() {
        return waiting.size();
    }

    private void release() {
        synchronized (this) {
            running--;
        }
        startWaiting();
    }

    /**
     * Starts waiting fetches while slots are free. A fetch that completes at once releases its slot on this very
     * thread: the loop further up the stack then starts the next one, instead of a recursion as deep as the queue.
     */
    private void startWaiting() {
        if (starting.get()) {
            return;
        }
        starting.set(true);
        try {
            while (true) {
                Runnable next;
                synchronized (this) {
                    if (running >= limit || waiting.isEmpty()) {
                        return;
                    }
                    running++;
                    next = waiting.poll();
                }
                next.run();
            }
        } finally {
            starting.remove();
        }
    }

    /** {@code store} with its reads ({@code get}, {@code getRange}) started through this bound; the rest passes. */
    public ObjectStore reads(ObjectStore store) {
        return new Reads(store);
    }

    private final class Reads extends ForwardingObjectStore {

        Reads(ObjectStore store) {
            super(store);
        }

        @Override
        public CompletionStage<byte[]> get(String key) {
            return run(() -> delegate().get(key));
        }

        @Override
        public CompletionStage<byte[]> getRange(String key, long offset, int length) {
            return run(() -> delegate().getRange(key, offset, length));
        }

        @Override
        public void close() {
            // the store is its owner's to close
        }
    }
}
