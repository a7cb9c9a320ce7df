package io.vermilion.resilience;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32C;

import io.vermilion.storage.ObjectFiles;

import io.smallrye.faulttolerance.api.Guard;
import io.vermilion.storage.ObjectStoreLayer;
import io.vermilion.storage.ObjectInfo;
import io.vermilion.storage.ObjectStore;
import jakarta.enterprise.util.TypeLiteral;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * An object store whose calls are guarded ({@link Guards#objectStore()}): each attempt times out, transient failures
 * (S3 5xx and SlowDown, connection errors, timeouts) are retried with backoff, and a circuit breaker fails calls fast
 * while the store keeps failing. What is left of a transient failure reaches the caller as a
 * {@link DependencyUnavailableException} (a 503); other failures (not found, invalid key, corrupt object) pass
 * through unchanged and are never retried. A call still open when every attempt and backoff should have ended is failed
 * then ({@link CallDeadline}), so no caller waits forever. Thread-safe.
 *
 * <p>Every operation is safe to repeat: put writes the same bytes under the same key, get and list read, delete of a
 * missing key succeeds. The one answer a repeat could change is put-if-absent's: an attempt that failed may still have
 * written the object, so a later attempt would find the key taken. When an earlier attempt failed and a later one finds
 * the key taken, the object is read back, and identical bytes count as written by this call.
 */
public final class ResilientObjectStore implements ObjectStoreLayer {

    private static final TypeLiteral<CompletionStage<Void>> VOID = new TypeLiteral<>() {};
    private static final TypeLiteral<CompletionStage<Boolean>> BOOLEAN = new TypeLiteral<>() {};
    private static final TypeLiteral<CompletionStage<byte[]>> BYTES = new TypeLiteral<>() {};
    private static final TypeLiteral<CompletionStage<List<ObjectInfo>>> LIST = new TypeLiteral<>() {};

    private final ObjectStore delegate;
    private final Guards guards;
    private final Guard guard;
    private final Duration deadline;

    public ResilientObjectStore(ObjectStore delegate, Guards guards) {
        this(delegate, guards, guards.objectStoreDeadline());
    }

    /** @param deadline fails a call still open after it ({@link CallDeadline}); the guard's bound unless testing */
    ResilientObjectStore(ObjectStore delegate, Guards guards, Duration deadline) {
        this.delegate = delegate;
        this.guards = guards;
        this.guard = guards.objectStore();
        this.deadline = deadline;
    }

    @Override
    public ObjectStore delegate() {
        return delegate;
    }

    @Override
    public CompletionStage<Void> put(String key, byte[] bytes) {
        return guarded(() -> delegate.put(key, bytes), VOID, "put", key);
    }

    @Override
    public CompletionStage<Boolean> putIfAbsent(String key, byte[] bytes) {
        AtomicBoolean attemptFailed = new AtomicBoolean();
        return guarded(() -> {
            boolean mayHaveWritten = attemptFailed.get();
            return delegate.putIfAbsent(key, bytes)
                    .whenComplete((written, failure) -> {
                        if (failure != null) {
                            attemptFailed.set(true);
                        }
                    })
                    .thenCompose(written -> written || !mayHaveWritten
                            ? CompletableFuture.completedFuture(written)
                            : delegate.get(key).thenApply(existing -> Arrays.equals(existing, bytes)));
        }, BOOLEAN, "put-if-absent", key);
    }

    /**
     * As put-if-absent, streamed from the file; a key found taken after a failed attempt counts as written by this
     * call if the object has the file's size and CRC32C (read back in ranges, never whole).
     */
    @Override
    public CompletionStage<Boolean> putFileIfAbsent(String key, Path file) {
        AtomicBoolean attemptFailed = new AtomicBoolean();
        return guarded(() -> {
            boolean mayHaveWritten = attemptFailed.get();
            return delegate.putFileIfAbsent(key, file)
                    .whenComplete((written, failure) -> {
                        if (failure != null) {
                            attemptFailed.set(true);
                        }
                    })
                    .thenCompose(written -> written || !mayHaveWritten
                            ? CompletableFuture.completedFuture(written)
                            : sameContent(key, file));
        }, BOOLEAN, "put-if-absent of a file", key);
    }

    private CompletableFuture<Boolean> sameContent(String key, Path file) {
        long size;
        int crc;
        try {
            size = Files.size(file);
            crc = ObjectFiles.crc32c(file);
        } catch (IOException e) {
            return CompletableFuture.failedFuture(new UncheckedIOException(e));
        }
        CRC32C read = new CRC32C();
        return crcFrom(key, 0, read).thenApply(total -> total == size && (int) read.getValue() == crc);
    }

    private CompletableFuture<Long> crcFrom(String key, long offset, CRC32C crc) {
        return delegate.getRange(key, offset, ObjectFiles.RANGE_BYTES).toCompletableFuture().thenCompose(bytes -> {
            crc.update(bytes);
            long next = offset + bytes.length;
            return bytes.length < ObjectFiles.RANGE_BYTES ? CompletableFuture.completedFuture(next)
                    : crcFrom(key, next, crc);
        });
    }

    @Override
    public CompletionStage<byte[]> get(String key) {
        return guarded(() -> delegate.get(key), BYTES, "get", key);
    }

    @Override
    public CompletionStage<byte[]> getRange(String key, long offset, int length) {
        return guarded(() -> delegate.getRange(key, offset, length), BYTES, "ranged get", key);
    }

    @Override
    public CompletionStage<List<ObjectInfo>> list(String prefix) {
        return guarded(() -> delegate.list(prefix), LIST, "list", prefix);
    }

    @Override
    public CompletionStage<Void> delete(String key) {
        return guarded(() -> delegate.delete(key), VOID, "delete", key);
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public String toString() {
        return "Resilient" + delegate;
    }

    private <T> CompletionStage<T> guarded(Supplier<CompletionStage<T>> call, TypeLiteral<CompletionStage<T>> type,
                                           String operation, String key) {
        CompletionStage<T> stage;
        try {
            stage = guard.get(call, type);
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        return CallDeadline.within(stage, deadline, () -> "Object-store " + operation + " of " + key + " in " + delegate)
                .handle((value, failure) -> failure == null
                        ? CompletableFuture.completedFuture(value)
                        : CompletableFuture.<T>failedFuture(guards.storageFailure(failure)))
                .thenCompose(f -> f);
    }
}
