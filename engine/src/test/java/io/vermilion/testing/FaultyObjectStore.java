package io.vermilion.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

import io.vermilion.storage.ObjectInfo;
import io.vermilion.storage.ObjectStore;

/**
 * An {@link ObjectStore} wrapper for tests: fails the Nth put-if-absent from now on, or holds
 * put-if-absent calls back until a gate opens (reporting when the first one arrives).
 */
public final class FaultyObjectStore implements ObjectStore {

    private final ObjectStore delegate;
    private final AtomicInteger putsIfAbsent = new AtomicInteger();
    private volatile int failAt = -1;
    private volatile CompletableFuture<Void> gate = CompletableFuture.completedFuture(null);
    private volatile CompletableFuture<Void> arrived = new CompletableFuture<>();

    public FaultyObjectStore(ObjectStore delegate) {
        this.delegate = delegate;
    }

    /** Fails the {@code n}th put-if-absent (1-based) after this call, and only that one. */
    public void failPutIfAbsent(int n) {
        failAt = putsIfAbsent.get() + n;
    }

    /** Holds later put-if-absent calls until the returned future completes. */
    public CompletableFuture<Void> holdPutsIfAbsent() {
        arrived = new CompletableFuture<>();
        CompletableFuture<Void> held = new CompletableFuture<>();
        gate = held;
        return held;
    }

    /** Lets later put-if-absent calls through; calls already held stay held until their gate completes. */
    public void openForLaterCalls() {
        gate = CompletableFuture.completedFuture(null);
    }

    /** Completes when a put-if-absent reaches the gate of {@link #holdPutsIfAbsent}. */
    public CompletableFuture<Void> arrived() {
        return arrived;
    }

    @Override
    public CompletionStage<Void> put(String key, byte[] bytes) {
        return delegate.put(key, bytes);
    }

    @Override
    public CompletionStage<Boolean> putIfAbsent(String key, byte[] bytes) {
        int n = putsIfAbsent.incrementAndGet();
        if (n == failAt) {
            return CompletableFuture.failedFuture(new UncheckedIOException(new IOException("injected failure of put "
                    + n + " (" + key + ")")));
        }
        CompletableFuture<Void> held = gate;
        arrived.complete(null);
        return held.thenCompose(open -> delegate.putIfAbsent(key, bytes));
    }

    @Override
    public CompletionStage<byte[]> get(String key) {
        return delegate.get(key);
    }

    @Override
    public CompletionStage<byte[]> getRange(String key, long offset, int length) {
        return delegate.getRange(key, offset, length);
    }

    @Override
    public CompletionStage<List<ObjectInfo>> list(String prefix) {
        return delegate.list(prefix);
    }

    @Override
    public CompletionStage<Void> delete(String key) {
        return delegate.delete(key);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
