package io.vermilion.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vermilion.storage.LocalObjectStore;
import io.vermilion.storage.ForwardingObjectStore;
import io.vermilion.storage.ObjectStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.S3Exception;

class WriteProbeTest {

    private static final byte[] CONTENT = "probe".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    private ExecutorService io;
    private FailingPuts store;
    private final AtomicLong now = new AtomicLong();

    @BeforeEach
    void open() {
        io = Executors.newSingleThreadExecutor();
        store = new FailingPuts(new LocalObjectStore(dir, io));
    }

    @AfterEach
    void close() {
        io.shutdownNow();
    }

    private WriteProbe probe() {
        return new WriteProbe(store, "health-probe/replica", CONTENT, Duration.ofSeconds(2), now::get);
    }

    @Test
    void oneFailedAttemptOnAConnectionIsTriedAgainAndTheStoreIsReady() {
        store.failNext(1, () -> SdkClientException.create("Unable to execute HTTP request: The connection was closed"
                + " during the request"));
        probe().probe().join();
        assertEquals(2, store.puts.get());
        assertEquals(List.of(), store.list("health-probe/").toCompletableFuture().join(),
                "the probe object is deleted");
    }

    @Test
    void aStoreThatKeepsFailingWritesFailsBothAttempts() {
        store.failNext(5, () -> SdkClientException.create("Connection refused"));
        CompletionException failed = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
                () -> probe().probe().join());
        assertInstanceOf(SdkClientException.class, failed.getCause());
        assertEquals(WriteProbe.ATTEMPTS, store.puts.get());
        assertEquals("SdkClientException: Connection refused", WriteProbe.describe(failed.getCause()));
    }

    @Test
    void aRefusedWriteIsNotTriedAgain() {
        store.failNext(1, () -> (RuntimeException) S3Exception.builder().statusCode(403).message("Access Denied")
                .build());
        CompletionException failed = org.junit.jupiter.api.Assertions.assertThrows(CompletionException.class,
                () -> probe().probe().join());
        assertInstanceOf(S3Exception.class, failed.getCause());
        assertEquals(1, store.puts.get());
    }

    @Test
    void oneProbeServesTheChecksOfTheNextTwoSeconds() {
        WriteProbe probe = probe();
        probe.probe().join();
        now.addAndGet(Duration.ofMillis(1_999).toNanos());
        probe.probe().join();
        assertEquals(1, store.puts.get());
        store.failNext(2, () -> SdkClientException.create("Connection reset"));
        now.addAndGet(Duration.ofMillis(1).toNanos());
        CompletableFuture<Void> failed = probe.probe();
        assertTrue(failed.isCompletedExceptionally());
        assertEquals(3, store.puts.get());
        now.addAndGet(Duration.ofSeconds(2).toNanos());
        probe.probe().join(); // the store takes writes again
        assertFalse(probe.probe().isCompletedExceptionally());
        assertEquals(4, store.puts.get());
    }

    /** Fails the next puts it is told to with the exception given; counts every put. */
    private static final class FailingPuts extends ForwardingObjectStore {
        private final AtomicInteger failures = new AtomicInteger();
        private volatile java.util.function.Supplier<RuntimeException> failure;
        final AtomicInteger puts = new AtomicInteger();

        FailingPuts(ObjectStore store) {
            super(store);
        }

        void failNext(int n, java.util.function.Supplier<RuntimeException> with) {
            failure = with;
            failures.set(n);
        }

        @Override
        public CompletionStage<Void> put(String key, byte[] bytes) {
            puts.incrementAndGet();
            if (failures.getAndDecrement() > 0) {
                return CompletableFuture.failedFuture(failure.get());
            }
            return delegate().put(key, bytes);
        }
    }
}
