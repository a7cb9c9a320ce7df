package io.vermilion.index;

import static io.vermilion.log.LogTestKit.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.vermilion.storage.LocalObjectStore;
import io.vermilion.version.VersionFile;

class PagedIndexFilesTest {

    private static final int PAGE = 64 << 10;

    @TempDir
    Path dir;

    private final ExecutorService executor = Executors.newFixedThreadPool(2);

    @AfterEach
    void close() throws InterruptedException {
        executor.shutdownNow();
        assertTrue(executor.awaitTermination(10, TimeUnit.SECONDS));
    }

    private static byte[] bytes(int length, int seed) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (i * 31 + seed);
        }
        return b;
    }

    @Test
    void int8FloatVectorPagesAreServedWithoutTakingMemoryCacheRoom() throws Exception {
        LocalObjectStore store = new LocalObjectStore(dir.resolve("objects"), executor);
        String prefix = "c/v/1/";
        byte[] vec = bytes((int) LocalIndexDirectory.MAPPED_BELOW + 3 * PAGE, 1); // an int8 index's float32 copy
        byte[] veq = bytes(2 * PAGE, 2); // its quantized copy
        byte[] small = bytes(PAGE / 2, 3); // a float32 index's vectors, in another segment: no .veq beside it
        await(store.put(prefix + "_0_Lucene104HnswScalarQuantizedVectorsFormat_0.vec", vec));
        await(store.put(prefix + "_0_Lucene104HnswScalarQuantizedVectorsFormat_0.veq", veq));
        await(store.put(prefix + "_1_Lucene99HnswVectorsFormat_0.vec", small));
        List<VersionFile> files = List.of(
                new VersionFile(prefix + "_0_Lucene104HnswScalarQuantizedVectorsFormat_0.vec", VersionFile.Role.INDEX, vec.length, 0),
                new VersionFile(prefix + "_0_Lucene104HnswScalarQuantizedVectorsFormat_0.veq", VersionFile.Role.INDEX, veq.length, 0),
                new VersionFile(prefix + "_1_Lucene99HnswVectorsFormat_0.vec", VersionFile.Role.INDEX, small.length, 0));
        AsyncCache<PagedIndexFiles.PageKey, byte[]> memory = Caffeine.newBuilder().executor(Runnable::run).buildAsync();
        Path folder = Files.createDirectories(dir.resolve("fetch"));
        AtomicLong fetched = new AtomicLong();
        try (PagedIndexFiles paged = new PagedIndexFiles(store, files, folder, PAGE, memory, executor, fetched)) {
            PagedIndexFiles.PagedFile floats = paged.file("_0_Lucene104HnswScalarQuantizedVectorsFormat_0.vec");
            // From the store (written to the local file), then from the local file: the right bytes both times.
            assertArrayEquals(Arrays.copyOfRange(vec, 2 * PAGE, 3 * PAGE), floats.page(2));
            assertTrue(floats.isLocal(2));
            assertArrayEquals(Arrays.copyOfRange(vec, 2 * PAGE, 3 * PAGE), floats.page(2));
            assertArrayEquals(Arrays.copyOfRange(veq, PAGE, 2 * PAGE),
                    paged.file("_0_Lucene104HnswScalarQuantizedVectorsFormat_0.veq").page(1));
            assertArrayEquals(small, paged.file("_1_Lucene99HnswVectorsFormat_0.vec").page(0));

            Set<String> cached = memory.synchronous().asMap().keySet().stream()
                    .map(k -> k.objectKey().substring(prefix.length()) + "#" + k.page()).collect(Collectors.toSet());
            assertEquals(Set.of("_0_Lucene104HnswScalarQuantizedVectorsFormat_0.veq#1", "_1_Lucene99HnswVectorsFormat_0.vec#0"),
                    cached);
            assertEquals(PAGE + PAGE + small.length, fetched.get(), "the float32 page was fetched once");
        }
    }

    @Test
    void aReadWaitingForABackgroundChunkThatFailsOverOtherPagesFetchesItsPageAgainAlone() throws Exception {
        LocalObjectStore local = new LocalObjectStore(dir.resolve("objects"), executor);
        String key = "c/v/1/_0.cfs";
        byte[] file = bytes(8 * PAGE, 4);
        await(local.put(key, file));
        // Ranged reads longer than a page (the background download's chunks) are held, then failed by the test.
        java.util.concurrent.CompletableFuture<byte[]> chunk = new java.util.concurrent.CompletableFuture<>();
        io.vermilion.storage.ObjectStore gated = new io.vermilion.storage.ObjectStore() {
            public java.util.concurrent.CompletionStage<Void> put(String k, byte[] b) { return local.put(k, b); }
            public java.util.concurrent.CompletionStage<Boolean> putIfAbsent(String k, byte[] b) {
                return local.putIfAbsent(k, b);
            }
            public java.util.concurrent.CompletionStage<byte[]> get(String k) { return local.get(k); }
            public java.util.concurrent.CompletionStage<byte[]> getRange(String k, long offset, int length) {
                return length > PAGE ? chunk : local.getRange(k, offset, length);
            }
            public java.util.concurrent.CompletionStage<List<io.vermilion.storage.ObjectInfo>> list(String prefix) {
                return local.list(prefix);
            }
            public java.util.concurrent.CompletionStage<Void> delete(String k) { return local.delete(k); }
            public void close() {}
        };
        AsyncCache<PagedIndexFiles.PageKey, byte[]> memory = Caffeine.newBuilder().executor(Runnable::run).buildAsync();
        Path folder = Files.createDirectories(dir.resolve("fetch"));
        try (PagedIndexFiles paged = new PagedIndexFiles(gated, List.of(new VersionFile(key, VersionFile.Role.INDEX,
                file.length, 0)), folder, PAGE, memory, executor, new AtomicLong())) {
            PagedIndexFiles.PagedFile cfs = paged.file("_0.cfs");
            java.util.concurrent.CompletableFuture<Void> download = cfs.fetchChunk(0); // pages 0..7 in one read
            java.util.concurrent.Future<byte[]> read = executor.submit(() -> cfs.page(3));
            while (memory.getIfPresent(new PagedIndexFiles.PageKey(key, 3)) == null) {
                Thread.onSpinWait(); // the read now waits for the chunk's page 3
            }
            chunk.completeExceptionally(new java.io.IOException("injected failure of the chunk (say, at page 5)"));
            assertArrayEquals(Arrays.copyOfRange(file, 3 * PAGE, 4 * PAGE), read.get());
            assertTrue(download.isCompletedExceptionally(), "the chunk itself failed");
            assertTrue(cfs.isLocal(3));
        }
    }
}
