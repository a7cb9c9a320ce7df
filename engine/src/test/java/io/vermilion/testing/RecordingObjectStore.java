package io.vermilion.testing;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import io.vermilion.storage.ForwardingObjectStore;
import io.vermilion.storage.ObjectStore;

/**
 * An {@link ObjectStore} wrapper for tests: counts reads per key and ranged bytes, tracks how many puts run at once, can fail puts and
 * reads, and can hold reads back until a gate opens.
 */
public final class RecordingObjectStore extends ForwardingObjectStore {

    private final Map<String, AtomicInteger> gets = new ConcurrentHashMap<>();
    private final AtomicInteger putsInFlight = new AtomicInteger();
    private final AtomicInteger maxPutsInFlight = new AtomicInteger();
    private final java.util.concurrent.atomic.AtomicLong rangedBytes = new java.util.concurrent.atomic.AtomicLong();
    private final AtomicInteger rangedReads = new AtomicInteger();
    private final Map<String, java.util.concurrent.atomic.AtomicLong> rangedBytesByKey = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> rangedReadsByKey = new ConcurrentHashMap<>();
    private volatile Function<String, RuntimeException> putFailure = key -> null;
    private volatile Function<String, RuntimeException> getFailure = key -> null;
    private volatile CompletableFuture<Void> getGate = CompletableFuture.completedFuture(null);

    public RecordingObjectStore(ObjectStore delegate) {
        super(delegate);
    }

    /** For each put, the exception to fail it with, or null to let it through. */
    public void failPuts(Function<String, RuntimeException> failure) {
        this.putFailure = failure;
    }

    /** For each get, the exception to fail it with, or null to let it through. */
    public void failGets(Function<String, RuntimeException> failure) {
        this.getFailure = failure;
    }

    /** Holds every later get back until the returned future is completed. */
    public CompletableFuture<Void> closeGetGate() {
        CompletableFuture<Void> gate = new CompletableFuture<>();
        getGate = gate;
        return gate;
    }

    public int getsOf(String key) {
        AtomicInteger count = gets.get(key);
        return count == null ? 0 : count.get();
    }

    public int totalGets() {
        return gets.values().stream().mapToInt(AtomicInteger::get).sum();
    }

    /** Bytes returned by ranged reads so far. */
    public long rangedBytes() {
        return rangedBytes.get();
    }

    /** Bytes returned by ranged reads of each key so far. */
    public Map<String, Long> rangedBytesByKey() {
        Map<String, Long> copy = new java.util.TreeMap<>();
        rangedBytesByKey.forEach((key, bytes) -> copy.put(key, bytes.get()));
        return copy;
    }

    /** Ranged reads of each key answered so far. */
    public Map<String, Integer> rangedReadsByKey() {
        Map<String, Integer> copy = new java.util.TreeMap<>();
        rangedReadsByKey.forEach((key, reads) -> copy.put(key, reads.get()));
        return copy;
    }

    /** Ranged reads answered so far. */
    public int rangedReads() {
        return rangedReads.get();
    }

    public int maxPutsInFlight() {
        return maxPutsInFlight.get();
    }

    @Override
    public CompletionStage<Void> put(String key, byte[] bytes) {
        RuntimeException failure = putFailure.apply(key);
        if (failure != null) {
            return CompletableFuture.failedFuture(failure);
        }
        maxPutsInFlight.accumulateAndGet(putsInFlight.incrementAndGet(), Math::max);
        return delegate().put(key, bytes).whenComplete((ok, e) -> putsInFlight.decrementAndGet());
    }

    @Override
    public CompletionStage<byte[]> get(String key) {
        gets.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        RuntimeException failure = getFailure.apply(key);
        if (failure != null) {
            return CompletableFuture.failedFuture(failure);
        }
        return getGate.thenCompose(open -> delegate().get(key));
    }

    @Override
    public CompletionStage<byte[]> getRange(String key, long offset, int length) {
        return delegate().getRange(key, offset, length).thenApply(bytes -> {
            rangedBytes.addAndGet(bytes.length);
            rangedBytesByKey.computeIfAbsent(key, k -> new java.util.concurrent.atomic.AtomicLong()).addAndGet(bytes.length);
            rangedReads.incrementAndGet();
            rangedReadsByKey.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
            return bytes;
        });
    }
}
