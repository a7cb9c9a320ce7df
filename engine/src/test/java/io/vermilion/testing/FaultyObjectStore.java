package io.vermilion.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

import io.vermilion.storage.ForwardingObjectStore;
import io.vermilion.storage.ObjectStore;

/**
 * An {@link ObjectStore} wrapper for tests: fails the Nth put-if-absent (of bytes or of a file) from now on, or holds
 * put-if-absent calls back until a gate opens (reporting when the first one arrives); fails ranged reads of chosen
 * keys after letting some through.
 */
public final class FaultyObjectStore extends ForwardingObjectStore {

    private final AtomicInteger putsIfAbsent = new AtomicInteger();
    private volatile int failAt = -1;
    private volatile CompletableFuture<Void> gate = CompletableFuture.completedFuture(null);
    private volatile CompletableFuture<Void> arrived = new CompletableFuture<>();
    private volatile java.util.function.Predicate<String> failingRanges = key -> false;
    private final AtomicInteger rangesLetThrough = new AtomicInteger(Integer.MAX_VALUE);
    private final AtomicInteger failedRanges = new AtomicInteger();
    private volatile java.util.function.BiPredicate<String, long[]> failingAt = (key, range) -> false;

    public FaultyObjectStore(ObjectStore delegate) {
        super(delegate);
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

    /**
     * Lets {@code allowed} more ranged reads of keys matching {@code keys} through, then fails every later one (with an
     * {@link UncheckedIOException}) until {@link #healRanges}.
     */
    public void failRangesAfter(java.util.function.Predicate<String> keys, int allowed) {
        rangesLetThrough.set(allowed);
        failingRanges = keys;
    }

    /**
     * Fails every ranged read of a key ending with {@code keySuffix} that overlaps bytes {@code [from, to)}, until
     * {@link #healRanges}.
     */
    public void failRangesOverlapping(String keySuffix, long from, long to) {
        failingAt = (key, range) -> key.endsWith(keySuffix) && range[0] < to && range[0] + range[1] > from;
    }

    /** Ranged reads succeed again. */
    public void healRanges() {
        failingRanges = key -> false;
        failingAt = (key, range) -> false;
    }

    /** Ranged reads failed by {@link #failRangesAfter}. */
    public int failedRanges() {
        return failedRanges.get();
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
        return held.thenCompose(open -> delegate().putIfAbsent(key, bytes));
    }

    /** Counted, failed and held with put-if-absent; otherwise the delegate's own streamed upload. */
    @Override
    public CompletionStage<Boolean> putFileIfAbsent(String key, java.nio.file.Path file) {
        int n = putsIfAbsent.incrementAndGet();
        if (n == failAt) {
            return CompletableFuture.failedFuture(new UncheckedIOException(new IOException("injected failure of put "
                    + n + " (" + key + ")")));
        }
        CompletableFuture<Void> held = gate;
        arrived.complete(null);
        return held.thenCompose(open -> delegate().putFileIfAbsent(key, file));
    }

    @Override
    public CompletionStage<byte[]> getRange(String key, long offset, int length) {
        if (failingAt.test(key, new long[] {offset, length}) || failingRanges.test(key) && rangesLetThrough.getAndDecrement() <= 0) {
            failedRanges.incrementAndGet();
            return CompletableFuture.failedFuture(new UncheckedIOException(new IOException(
                    "injected failure of a ranged read of " + key + " at " + offset)));
        }
        return delegate().getRange(key, offset, length);
    }
}
