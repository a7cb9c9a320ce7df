package io.vermilion.resilience;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.faulttolerance.api.CircuitBreakerMaintenance;
import io.vermilion.storage.LocalObjectStore;
import io.vermilion.storage.ObjectInfo;
import io.vermilion.storage.ObjectNotFoundException;
import io.vermilion.storage.ObjectStore;
import io.vermilion.sysdb.PostgresResource;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The guarded object store over a real local store whose writes can land and then lose their answer: put-if-absent
 * stays truthful across such a retry, and a missing object is an answer, never retried.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
class ResilientObjectStoreTest {

    @Inject
    Guards guards;

    @Inject
    CircuitBreakerMaintenance breakers;

    private Path dir;
    private ExecutorService io;
    private FlakyStore flaky;
    private ObjectStore resilient;

    @BeforeEach
    void open() throws IOException {
        dir = Files.createTempDirectory("vermilion-resilient-store");
        io = Executors.newFixedThreadPool(2);
        flaky = new FlakyStore(new LocalObjectStore(dir, io));
        resilient = new ResilientObjectStore(flaky, guards);
    }

    @AfterEach
    void close() throws IOException {
        breakers.resetAll();
        io.shutdownNow();
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Test
    void putIfAbsentWhoseAnswerWasLostIsTrueOnRetry() throws Exception {
        byte[] bytes = "manifest 42".getBytes(StandardCharsets.UTF_8);
        flaky.loseAnswers.set(1);

        assertTrue(await(resilient.putIfAbsent("c/manifest/42", bytes)));

        assertEquals(3, flaky.calls.get()); // two attempts, then the object read back
        assertArrayEquals(bytes, await(resilient.get("c/manifest/42")));
    }

    @Test
    void putIfAbsentStaysFalseForAnotherWritersObject() throws Exception {
        await(resilient.put("c/manifest/42", "theirs".getBytes(StandardCharsets.UTF_8)));
        flaky.calls.set(0);
        flaky.loseAnswers.set(1); // our first attempt fails (the key is taken, nothing written), the retry says false

        assertFalse(await(resilient.putIfAbsent("c/manifest/42", "ours".getBytes(StandardCharsets.UTF_8))));

        assertEquals(3, flaky.calls.get()); // two attempts, then the object read back
        assertArrayEquals("theirs".getBytes(StandardCharsets.UTF_8), await(resilient.get("c/manifest/42")));
    }

    @Test
    void putFileIfAbsentWhoseAnswerWasLostIsTrueOnRetryWhenTheStoredObjectMatchesTheFile() throws Exception {
        byte[] bytes = new byte[100_000];
        new java.util.Random(5).nextBytes(bytes);
        Path file = Files.write(upload(), bytes);
        flaky.loseAnswers.set(1);

        assertTrue(await(resilient.putFileIfAbsent("c/index/_0.cfs", file)));

        assertEquals(3, flaky.calls.get()); // two attempts, then the object read back in one range
        assertArrayEquals(bytes, await(resilient.get("c/index/_0.cfs")));
    }

    @Test
    void putFileIfAbsentStaysFalseForAnotherWritersObjectOfTheSameSize() throws Exception {
        await(resilient.put("c/index/_0.cfs", "theirs".getBytes(StandardCharsets.UTF_8)));
        Path file = Files.write(upload(), "ours!!".getBytes(StandardCharsets.UTF_8));
        flaky.calls.set(0);
        flaky.loseAnswers.set(1);

        assertFalse(await(resilient.putFileIfAbsent("c/index/_0.cfs", file)));

        assertEquals(3, flaky.calls.get());
        assertArrayEquals("theirs".getBytes(StandardCharsets.UTF_8), await(resilient.get("c/index/_0.cfs")));
    }

    @Test
    void missingObjectIsAnAnswerNotRetried() {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> resilient.get("c/none").toCompletableFuture().get(10, TimeUnit.SECONDS));

        assertInstanceOf(ObjectNotFoundException.class, e.getCause());
        assertEquals(1, flaky.calls.get());
    }

    @Test
    void callWhoseAnswerNeverComesFailsAtTheDeadlineAsUnavailableAndLeavesTheStoreServing() throws Exception {
        // The guard times each attempt at 30 s; the deadline (shortened here) is what ends a call whose answer was lost
        // on its way back, wherever it was lost.
        ObjectStore bounded = new ResilientObjectStore(flaky, guards, java.time.Duration.ofMillis(300));
        flaky.hangNext.set(1);

        // Within 10 s: ended by the deadline, not by the attempt's 30 s timeout.
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> bounded.putIfAbsent("c/manifest/7", new byte[] {7}).toCompletableFuture().get(10, TimeUnit.SECONDS));

        assertInstanceOf(DependencyUnavailableException.class, e.getCause());
        assertEquals("Object storage is unavailable (timed out); retry the request", e.getCause().getMessage());
        assertInstanceOf(CallDeadline.DeadlineExceededException.class, e.getCause().getCause());
        assertTrue(e.getCause().getCause().getMessage().startsWith("Object-store put-if-absent of c/manifest/7 in "),
                e.getCause().getCause().getMessage());
        assertEquals(1, flaky.calls.get());
        // The store serves on: the lost call's write had landed, and the next calls are answered.
        assertFalse(await(bounded.putIfAbsent("c/manifest/7", new byte[] {8})));
        assertArrayEquals(new byte[] {7}, await(bounded.get("c/manifest/7")));
        assertTrue(await(bounded.putIfAbsent("c/manifest/8", new byte[] {8})));
    }

    /** A file outside the store's folder to upload from; deleted when the JVM exits. */
    private static Path upload() throws IOException {
        Path file = Files.createTempFile("vermilion-upload", ".bin");
        file.toFile().deleteOnExit();
        return file;
    }

    private static <T> T await(CompletionStage<T> stage) throws Exception {
        return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /**
     * A real store whose next calls complete, then answer with a lost connection instead of their result, or whose
     * next calls never answer at all.
     */
    private static final class FlakyStore implements ObjectStore {
        final ObjectStore delegate;
        final AtomicInteger calls = new AtomicInteger();
        final AtomicInteger loseAnswers = new AtomicInteger();
        final AtomicInteger hangNext = new AtomicInteger();

        FlakyStore(ObjectStore delegate) {
            this.delegate = delegate;
        }

        private <T> CompletionStage<T> lossy(CompletionStage<T> call) {
            calls.incrementAndGet();
            if (hangNext.getAndDecrement() > 0) {
                return new CompletableFuture<>(); // the call was made; its answer never comes
            }
            if (loseAnswers.getAndDecrement() > 0) {
                return call.handle((v, e) -> null).thenCompose(ignored ->
                        CompletableFuture.failedFuture(new IOException("Connection reset by peer")));
            }
            return call;
        }

        @Override
        public CompletionStage<Void> put(String key, byte[] bytes) {
            return lossy(delegate.put(key, bytes));
        }

        @Override
        public CompletionStage<Boolean> putIfAbsent(String key, byte[] bytes) {
            return lossy(delegate.putIfAbsent(key, bytes));
        }

        @Override
        public CompletionStage<Boolean> putFileIfAbsent(String key, Path file) {
            return lossy(delegate.putFileIfAbsent(key, file));
        }

        @Override
        public CompletionStage<byte[]> get(String key) {
            return lossy(delegate.get(key));
        }

        @Override
        public CompletionStage<byte[]> getRange(String key, long offset, int length) {
            return lossy(delegate.getRange(key, offset, length));
        }

        @Override
        public CompletionStage<List<ObjectInfo>> list(String prefix) {
            return lossy(delegate.list(prefix));
        }

        @Override
        public CompletionStage<Void> delete(String key) {
            return lossy(delegate.delete(key));
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
