package io.vermilion.storage;

import static io.vermilion.storage.CacheFolderTest.bytes;
import static io.vermilion.storage.ObjectStoreContractTest.await;
import static io.vermilion.storage.ObjectStoreContractTest.failure;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import io.vermilion.testing.Seeds;

/** What the cache adds: which level serves each read, bounds, restart, corruption, single flight, invalidation. */
@ExtendWith(Seeds.class)
class CachedObjectStoreTest {

    private static final long MEMORY = 1 << 20;
    private static final long DISK = 1 << 20;

    private static ExecutorService io;

    @TempDir
    Path root;

    private CountingObjectStore inner;

    @BeforeAll
    static void startIo() {
        io = Executors.newFixedThreadPool(4);
    }

    @AfterAll
    static void stopIo() {
        io.shutdownNow();
    }

    @BeforeEach
    void openInner() {
        inner = new CountingObjectStore(new LocalObjectStore(root.resolve("store"), io));
    }

    /** A new cache instance (empty memory) over the shared folder and the shared wrapped store. */
    private CachedObjectStore open(long memoryBytes, long diskBytes) {
        return new CachedObjectStore(inner, memoryBytes, new CacheFolder(root.resolve("cache"), diskBytes), io);
    }

    @Test
    void aMissFillsMemoryAndDiskSoLaterReadsHitThem() {
        await(inner.put("v/a", bytes(100, 1)));
        CachedObjectStore cache = open(MEMORY, DISK);

        assertArrayEquals(bytes(100, 1), await(cache.get("v/a")));
        assertArrayEquals(bytes(100, 1), await(cache.get("v/a")));
        assertArrayEquals(bytes(100, 1), await(cache.get("v/a")));

        assertEquals(new CacheStats(2, 1, 0, 1, 0, 1, 103, 1, CacheFolder.fileSize("v/a", 100)), cache.stats());
        assertEquals(1, inner.gets.get());
    }

    @Test
    void diskCacheSurvivesARestart() {
        await(inner.put("v/a", bytes(100, 1)));
        CachedObjectStore first = open(MEMORY, DISK);
        await(first.get("v/a"));
        first.close();

        CachedObjectStore restarted = open(MEMORY, DISK);
        assertArrayEquals(bytes(100, 1), await(restarted.get("v/a")));
        assertArrayEquals(bytes(100, 1), await(restarted.get("v/a")));

        assertEquals(new CacheStats(1, 1, 1, 0, 0, 1, 103, 1, CacheFolder.fileSize("v/a", 100)), restarted.stats());
        assertEquals(1, inner.gets.get()); // only the first instance's miss
    }

    @Test
    void writesGoThroughAndFillBothLevels() {
        CachedObjectStore cache = open(MEMORY, DISK);
        await(cache.put("v/a", bytes(10, 1)));
        assertEquals(true, await(cache.putIfAbsent("v/b", bytes(10, 2))));
        assertEquals(false, await(cache.putIfAbsent("v/b", bytes(10, 3))));

        assertArrayEquals(bytes(10, 1), await(inner.get("v/a")));
        assertArrayEquals(bytes(10, 1), await(cache.get("v/a")));
        assertArrayEquals(bytes(10, 2), await(cache.get("v/b")));
        assertEquals(new CacheStats(2, 0, 0, 0, 0, 2, 26, 2, 2 * CacheFolder.fileSize("v/a", 10)), cache.stats());
        assertArrayEquals(bytes(10, 2), await(open(MEMORY, DISK).get("v/b")));
        assertEquals(1, inner.gets.get()); // the direct check above; the cache never read the wrapped store
    }

    @Test
    void callersCannotChangeWhatIsCached() {
        CachedObjectStore cache = open(MEMORY, DISK);
        byte[] written = bytes(10, 1);
        await(cache.put("v/a", written));
        written[0] ^= 1;
        await(cache.get("v/a"))[1] ^= 1;

        assertArrayEquals(bytes(10, 1), await(cache.get("v/a")));
    }

    @Test
    void getRangeIsServedFromACachedWholeObjectElsePassedThrough() {
        await(inner.put("v/r", "0123456789".getBytes()));
        CachedObjectStore cache = open(MEMORY, DISK);

        assertEquals("234", new String(await(cache.getRange("v/r", 2, 3)))); // passed through, not cached
        assertEquals(new CacheStats(0, 1, 0, 1, 0, 0, 0, 0, 0), cache.stats());
        assertEquals(1, inner.ranges.get());

        await(cache.get("v/r"));
        assertEquals("89", new String(await(cache.getRange("v/r", 8, 5))));
        assertEquals("", new String(await(cache.getRange("v/r", 10, 5))));

        CachedObjectStore restarted = open(MEMORY, DISK);
        assertEquals("0", new String(await(restarted.getRange("v/r", 0, 1)))); // whole read from disk
        assertEquals("12", new String(await(restarted.getRange("v/r", 1, 2)))); // now in memory
        assertEquals(new CacheStats(1, 1, 1, 0, 0, 1, 13, 1, CacheFolder.fileSize("v/r", 10)), restarted.stats());
        assertEquals(1, inner.ranges.get());
        assertEquals(1, inner.gets.get());
        assertEquals("v/missing", failure(cache.getRange("v/missing", 0, 1), ObjectNotFoundException.class).key());
    }

    @Test
    void memoryIsBoundedByBytes() {
        CachedObjectStore cache = open(100, DISK); // each object below weighs 40 + 3
        for (String key : List.of("v/a", "v/b", "v/c")) {
            await(cache.put(key, bytes(40, key.charAt(2))));
        }
        CacheStats stats = cache.stats();
        assertEquals(2, stats.memoryEntries());
        assertEquals(86, stats.memoryBytes());
        assertEquals(3, stats.diskFiles());

        for (String key : List.of("v/a", "v/b", "v/c")) {
            assertArrayEquals(bytes(40, key.charAt(2)), await(cache.get(key)));
        }
        stats = cache.stats();
        assertEquals(3, stats.memoryHits() + stats.memoryMisses());
        assertEquals(stats.memoryMisses(), stats.diskHits()); // what memory lacked, disk had
        assertTrue(stats.memoryMisses() >= 1);
        assertEquals(0, stats.diskMisses());
        assertTrue(stats.memoryBytes() <= 100);

        await(cache.put("v/big", bytes(200, 9))); // larger than the whole memory budget
        assertArrayEquals(bytes(200, 9), await(cache.get("v/big")));
        assertTrue(cache.stats().memoryBytes() <= 100);
        assertEquals(0, inner.gets.get());
    }

    @Test
    void diskIsBoundedByBytesEvictingTheLeastRecentlyRead() {
        long one = CacheFolder.fileSize("v/a", 100);
        CachedObjectStore cache = open(0, 3 * one); // no memory: every read reaches the disk level
        for (String key : List.of("v/a", "v/b", "v/c")) {
            await(inner.put(key, bytes(100, key.charAt(2))));
            await(cache.get(key));
        }
        await(cache.get("v/a"));
        await(inner.put("v/d", bytes(100, 'd')));
        await(cache.get("v/d")); // evicts b
        assertEquals(4, inner.gets.get());

        for (String key : List.of("v/a", "v/c", "v/d")) {
            assertArrayEquals(bytes(100, key.charAt(2)), await(cache.get(key)));
        }
        assertEquals(4, inner.gets.get());
        assertArrayEquals(bytes(100, 'b'), await(cache.get("v/b")));
        assertEquals(5, inner.gets.get());
        assertEquals(new CacheStats(0, 9, 4, 5, 0, 0, 0, 3, 3 * one), cache.stats());
    }

    @Test
    void aTruncatedOrCorruptedDiskFileIsDetectedAndFetchedAgain() throws Exception {
        await(inner.put("v/a", bytes(100, 1)));
        CacheFolder folder = new CacheFolder(root.resolve("cache"), DISK);
        await(new CachedObjectStore(inner, MEMORY, folder, io).get("v/a"));
        Path file = folder.fileOf("v/a");
        Files.write(file, Arrays.copyOf(Files.readAllBytes(file), 50)); // truncated

        CachedObjectStore afterTruncation = open(MEMORY, DISK);
        assertArrayEquals(bytes(100, 1), await(afterTruncation.get("v/a")));
        assertEquals(new CacheStats(0, 1, 0, 1, 1, 1, 103, 1, CacheFolder.fileSize("v/a", 100)), afterTruncation.stats());
        assertEquals(2, inner.gets.get());

        byte[] flipped = Files.readAllBytes(file); // rewritten whole by the re-fetch
        flipped[3] ^= 1;
        Files.write(file, flipped);
        CachedObjectStore afterBitFlip = open(MEMORY, DISK);
        assertArrayEquals(bytes(100, 1), await(afterBitFlip.get("v/a")));
        assertEquals(1, afterBitFlip.stats().diskCorruptFiles());
        assertEquals(3, inner.gets.get());

        CachedObjectStore healed = open(MEMORY, DISK);
        assertArrayEquals(bytes(100, 1), await(healed.get("v/a")));
        assertEquals(new CacheStats(0, 1, 1, 0, 0, 1, 103, 1, CacheFolder.fileSize("v/a", 100)), healed.stats());
        assertEquals(3, inner.gets.get());
    }

    @Test
    void concurrentMissesForOneKeyFetchOnce() {
        await(inner.put("v/a", bytes(100, 1)));
        CachedObjectStore cache = open(MEMORY, DISK);
        CompletableFuture<Void> gate = inner.closeGate();

        List<CompletableFuture<byte[]>> reads = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            reads.add(cache.get("v/a").toCompletableFuture());
        }
        reads.add(cache.getRange("v/a", 0, 100).toCompletableFuture()); // not on disk yet: passed through
        gate.complete(null);

        for (CompletableFuture<byte[]> read : reads) {
            assertArrayEquals(bytes(100, 1), await(read));
        }
        assertEquals(1, inner.gets.get());
        assertEquals(1, inner.ranges.get());
        assertEquals(new CacheStats(0, 17, 0, 2, 0, 1, 103, 1, CacheFolder.fileSize("v/a", 100)), cache.stats());
    }

    @Test
    void aMissingObjectFailsEveryWaitingReaderAndIsNotCached() {
        CachedObjectStore cache = open(MEMORY, DISK);
        CompletableFuture<Void> gate = inner.closeGate();
        CompletionStage<byte[]> first = cache.get("v/none");
        CompletionStage<byte[]> second = cache.get("v/none");
        gate.complete(null);

        assertEquals("v/none", failure(first, ObjectNotFoundException.class).key());
        assertEquals("v/none", failure(second, ObjectNotFoundException.class).key());
        assertEquals(1, inner.gets.get());
        assertEquals("v/none", failure(cache.get("v/none"), ObjectNotFoundException.class).key());
        assertEquals(2, inner.gets.get());
        assertEquals(new CacheStats(0, 3, 0, 2, 0, 0, 0, 0, 0), cache.stats());
    }

    @Test
    void deleteInvalidatesEveryLevel() {
        CachedObjectStore cache = open(MEMORY, DISK);
        await(cache.put("v/a", bytes(100, 1)));
        await(cache.get("v/a"));

        await(cache.delete("v/a"));

        assertEquals(new CacheStats(1, 0, 0, 0, 0, 0, 0, 0, 0), cache.stats());
        assertEquals("v/a", failure(cache.get("v/a"), ObjectNotFoundException.class).key());
        assertEquals("v/a", failure(open(MEMORY, DISK).get("v/a"), ObjectNotFoundException.class).key());
        assertEquals(2, inner.gets.get());
    }

    @Test
    void aFetchOvertakenByADeleteCachesNothing() {
        await(inner.put("v/a", bytes(100, 1)));
        CachedObjectStore cache = open(MEMORY, DISK);
        CompletableFuture<Void> gate = inner.closeGate(); // holds the bytes already read from the wrapped store
        CompletionStage<byte[]> read = cache.get("v/a");
        while (inner.fetched.get() == 0) { // the bytes are read, held back by the gate
            Thread.onSpinWait();
        }

        await(cache.delete("v/a"));
        gate.complete(null);

        assertArrayEquals(bytes(100, 1), await(read)); // concurrent with the delete: the old bytes are fine
        CacheStats stats = cache.stats();
        assertEquals(0, stats.memoryEntries());
        assertEquals(0, stats.diskFiles());
        assertEquals("v/a", failure(cache.get("v/a"), ObjectNotFoundException.class).key());
    }

    @Test
    void warmPrefetchesInTheBackground() {
        List<String> keys = List.of("v/0", "v/1", "v/2", "v/3", "v/4");
        for (String key : keys) {
            await(inner.put(key, bytes(50, key.charAt(2))));
        }
        CachedObjectStore cache = open(MEMORY, DISK);
        await(cache.get("v/0")); // already in memory: not fetched again
        CompletableFuture<Void> gate = inner.closeGate();

        CompletableFuture<Void> warming = cache.warm(List.of("v/0", "v/1", "v/none", "v/2", "v/3", "v/4", "not//valid"))
                .toCompletableFuture();
        assertFalse(warming.isDone());
        gate.complete(null);
        await(warming);

        assertEquals(6, inner.gets.get()); // v/0 by the get, then v/1 .. v/4 and v/none
        assertEquals(new CacheStats(0, 1, 0, 1, 0, 5, 265, 5, 5 * CacheFolder.fileSize("v/0", 50)), cache.stats());
        for (String key : keys) {
            assertArrayEquals(bytes(50, key.charAt(2)), await(cache.get(key)));
        }
        assertEquals(6, inner.gets.get());
        assertEquals(5, cache.stats().memoryHits());
    }

    /**
     * A cache of one block at each level, under a seeded random sequence of reads, writes, deletes, warms and
     * restarts, compared read by read with a map of what the wrapped store holds.
     */
    @Test
    void oneBlockCacheReturnsTheRightBytesForRandomOperations() {
        long seed = Seeds.seed("oneBlockCacheReturnsTheRightBytesForRandomOperations");
        Random random = new Random(seed);
        int maxSize = 256;
        long memoryBytes = maxSize + 4;
        long diskBytes = CacheFolder.fileSize("r/00", maxSize);
        CachedObjectStore cache = open(memoryBytes, diskBytes);
        Map<String, byte[]> model = new HashMap<>();
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            keys.add("r/%02d".formatted(i));
        }
        for (int step = 0; step < 2500; step++) {
            String key = keys.get(random.nextInt(keys.size()));
            String where = "seed " + seed + " step " + step + " key " + key;
            int op = random.nextInt(100);
            if (op < 15) {
                byte[] bytes = new byte[random.nextInt(maxSize + 1)];
                random.nextBytes(bytes);
                await(cache.put(key, bytes));
                model.put(key, bytes);
            } else if (op < 20) {
                byte[] bytes = new byte[random.nextInt(maxSize + 1)];
                random.nextBytes(bytes);
                assertEquals(!model.containsKey(key), await(cache.putIfAbsent(key, bytes)), where);
                model.putIfAbsent(key, bytes);
            } else if (op < 25) {
                await(cache.delete(key));
                model.remove(key);
            } else if (op < 28) {
                await(cache.warm(List.of(key, keys.get(random.nextInt(keys.size())))));
            } else if (op < 30) {
                cache = open(memoryBytes, diskBytes);
            } else if (op < 60) {
                int offset = random.nextInt(maxSize + 2);
                int length = random.nextInt(maxSize + 2);
                byte[] expected = model.get(key);
                if (expected == null) {
                    failure(cache.getRange(key, offset, length), ObjectNotFoundException.class);
                } else {
                    byte[] slice = offset >= expected.length ? new byte[0]
                            : Arrays.copyOfRange(expected, offset, Math.min(expected.length, offset + length));
                    assertArrayEquals(slice, await(cache.getRange(key, offset, length)), where);
                }
            } else {
                byte[] expected = model.get(key);
                if (expected == null) {
                    failure(cache.get(key), ObjectNotFoundException.class);
                } else {
                    assertArrayEquals(expected, await(cache.get(key)), where);
                }
            }
            CacheStats stats = cache.stats();
            assertTrue(stats.memoryBytes() <= memoryBytes && stats.diskBytes() <= diskBytes,
                    where + " " + stats);
        }
    }

    /** Counts reads of the wrapped store; a closed gate holds fetched bytes back until it completes. */
    static final class CountingObjectStore extends ForwardingObjectStore {
        final AtomicInteger gets = new AtomicInteger();
        final AtomicInteger fetched = new AtomicInteger();
        final AtomicInteger ranges = new AtomicInteger();
        final AtomicReference<CompletableFuture<Void>> gate =
                new AtomicReference<>(CompletableFuture.completedFuture(null));

        CountingObjectStore(ObjectStore delegate) {
            super(delegate);
        }

        CompletableFuture<Void> closeGate() {
            CompletableFuture<Void> closed = new CompletableFuture<>();
            gate.set(closed);
            return closed;
        }

        @Override
        public CompletionStage<byte[]> get(String key) {
            CompletableFuture<Void> held = gate.get();
            gets.incrementAndGet();
            CompletableFuture<byte[]> read = delegate().get(key).toCompletableFuture();
            // Success or failure, the outcome is passed on only once the gate (as it was at the call) opens.
            return read.handle((bytes, error) -> fetched.incrementAndGet())
                    .thenCompose(ignored -> held)
                    .thenCompose(ignored -> read);
        }

        @Override
        public CompletionStage<byte[]> getRange(String key, long offset, int length) {
            ranges.incrementAndGet();
            return delegate().getRange(key, offset, length);
        }
    }
}
