package io.vermilion.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vermilion.storage.ObjectStoreLayer;
import io.vermilion.storage.ObjectInfo;
import io.vermilion.storage.ObjectNotFoundException;
import io.vermilion.storage.ObjectStore;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.function.ToLongFunction;
import org.jboss.logging.Logger;

/**
 * An object store that times every call, per operation and outcome, and counts the bytes moved:
 * {@code vermilion_object_store_requests_seconds{operation, outcome}} (outcome {@code success}, {@code not_found} or
 * {@code error}) and {@code vermilion_object_store_bytes_total{operation}}. Placed under the retrying layer, it sees
 * every attempt, so errors that a retry hid still show; each failed attempt is also logged, with its key, time and
 * cause. Thread-safe.
 */
public final class InstrumentedObjectStore implements ObjectStoreLayer {

    private static final Logger LOG = Logger.getLogger(InstrumentedObjectStore.class);

    static final String REQUESTS = "vermilion.object_store.requests";
    static final String BYTES = "vermilion.object_store.bytes";

    private final ObjectStore delegate;
    private final MeterRegistry registry;
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();
    private final Map<String, Counter> bytes = new ConcurrentHashMap<>();

    public InstrumentedObjectStore(ObjectStore delegate, MeterRegistry registry) {
        this.delegate = delegate;
        this.registry = registry;
    }

    @Override
    public ObjectStore delegate() {
        return delegate;
    }

    @Override
    public CompletionStage<Void> put(String key, byte[] data) {
        return timed("put", key, () -> delegate.put(key, data), ignored -> data.length);
    }

    @Override
    public CompletionStage<Boolean> putIfAbsent(String key, byte[] data) {
        return timed("put_if_absent", key, () -> delegate.putIfAbsent(key, data), written -> written ? data.length : 0);
    }

    @Override
    public CompletionStage<Boolean> putFileIfAbsent(String key, java.nio.file.Path file) {
        return timed("put_if_absent", key, () -> delegate.putFileIfAbsent(key, file), written -> {
            try {
                return written ? java.nio.file.Files.size(file) : 0;
            } catch (java.io.IOException e) {
                return 0;
            }
        });
    }

    @Override
    public CompletionStage<byte[]> get(String key) {
        return timed("get", key, () -> delegate.get(key), read -> read.length);
    }

    @Override
    public CompletionStage<byte[]> getRange(String key, long offset, int length) {
        return timed("get_range", key, () -> delegate.getRange(key, offset, length), read -> read.length);
    }

    @Override
    public CompletionStage<List<ObjectInfo>> list(String prefix) {
        return timed("list", prefix, () -> delegate.list(prefix), null);
    }

    @Override
    public CompletionStage<Void> delete(String key) {
        return timed("delete", key, () -> delegate.delete(key), null);
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public String toString() {
        return "Instrumented" + delegate;
    }

    private <T> CompletionStage<T> timed(String operation, String key, Supplier<CompletionStage<T>> call,
                                         ToLongFunction<T> size) {
        long started = System.nanoTime();
        CompletionStage<T> stage;
        try {
            stage = call.get();
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        return stage.whenComplete((value, failure) -> {
            long nanos = System.nanoTime() - started;
            String outcome = outcome(failure);
            timer(operation, outcome).record(nanos, TimeUnit.NANOSECONDS);
            if (outcome.equals("error")) {
                LOG.warnf("Object-store %s of %s failed after %d ms: %s", operation, key,
                        TimeUnit.NANOSECONDS.toMillis(nanos), causes(failure));
            }
            if (failure == null && size != null) {
                long n = size.applyAsLong(value);
                if (n > 0) {
                    counter(operation).increment(n);
                }
            }
        });
    }

    /** The failure's exceptions, outermost first, without the async wrappers. */
    private static String causes(Throwable failure) {
        StringBuilder text = new StringBuilder();
        for (Throwable t = failure; t != null && text.length() < 1_000; t = t.getCause()) {
            if (t instanceof CompletionException && t.getCause() != null) {
                continue;
            }
            text.append(text.isEmpty() ? "" : "; caused by ").append(t);
        }
        return text.toString();
    }

    private static String outcome(Throwable failure) {
        if (failure == null) {
            return "success";
        }
        Throwable t = failure;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t instanceof ObjectNotFoundException ? "not_found" : "error";
    }

    private Timer timer(String operation, String outcome) {
        return timers.computeIfAbsent(operation + '/' + outcome, k -> Timer.builder(REQUESTS)
                .description("Object-store calls (every attempt, retries included)")
                .tag("operation", operation)
                .tag("outcome", outcome)
                .register(registry));
    }

    private Counter counter(String operation) {
        return bytes.computeIfAbsent(operation, k -> Counter.builder(BYTES)
                .description("Bytes written to and read from the object store")
                .baseUnit("bytes")
                .tag("operation", operation)
                .register(registry));
    }
}
