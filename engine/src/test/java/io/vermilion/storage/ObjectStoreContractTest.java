package io.vermilion.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link ObjectStore} must have, run once per implementation (local folder, S3 over HTTP), so that
 * the rest of the system cannot tell them apart. Subclasses supply a fresh, empty store per test.
 */
abstract class ObjectStoreContractTest {

    private static final long TIMEOUT_SECONDS = 60;

    protected ObjectStore store;

    /** A new store that sees no objects. */
    protected abstract ObjectStore openStore() throws Exception;

    @BeforeEach
    void open() throws Exception {
        store = openStore();
    }

    @AfterEach
    void closeStore() {
        store.close();
    }

    @Test
    void putThenGetReturnsTheExactBytes() {
        byte[] bytes = new byte[100_000];
        new Random(42).nextBytes(bytes);
        for (int i = 0; i < 256; i++) {
            bytes[i] = (byte) i;
        }

        await(store.put("a/b/object.bin", bytes));
        await(store.put("empty", new byte[0]));

        assertArrayEquals(bytes, await(store.get("a/b/object.bin")));
        assertArrayEquals(new byte[0], await(store.get("empty")));
    }

    @Test
    void putFileIfAbsentStoresTheFileOnceAndRefusesAnExistingKey(@org.junit.jupiter.api.io.TempDir java.nio.file.Path temp)
            throws Exception {
        byte[] bytes = new byte[300_000];
        new Random(7).nextBytes(bytes);
        java.nio.file.Path file = java.nio.file.Files.write(temp.resolve("upload.bin"), bytes);
        java.nio.file.Path other = java.nio.file.Files.write(temp.resolve("other.bin"), utf8("other"));

        assertEquals(true, await(store.putFileIfAbsent("f/upload.bin", file)));
        assertEquals(false, await(store.putFileIfAbsent("f/upload.bin", other)));

        assertArrayEquals(bytes, await(store.get("f/upload.bin")));
        assertEquals(List.of(new ObjectInfo("f/upload.bin", bytes.length)), await(store.list("f/")));
    }

    @Test
    void putOverwritesTheExistingObject() {
        await(store.put("k", utf8("first version")));
        await(store.put("k", utf8("second")));

        assertEquals("second", string(await(store.get("k"))));
    }

    @Test
    void getOfMissingKeyFailsWithObjectNotFound() {
        await(store.put("present/other", utf8("x")));

        ObjectNotFoundException failure = failure(store.get("present/missing"), ObjectNotFoundException.class);

        assertEquals("present/missing", failure.key());
        assertEquals("no/such/key", failure(store.get("no/such/key"), ObjectNotFoundException.class).key());
    }

    @Test
    void putIfAbsentWritesOnlyWhenTheKeyIsAbsent() {
        assertEquals(true, await(store.putIfAbsent("log/0-a", utf8("winner"))));
        assertEquals(false, await(store.putIfAbsent("log/0-a", utf8("loser"))));

        assertEquals("winner", string(await(store.get("log/0-a"))));
        assertEquals(List.of(new ObjectInfo("log/0-a", 6)), await(store.list("")));
    }

    @Test
    void putIfAbsentHasExactlyOneWinner() throws Exception {
        int writers = 8;
        ExecutorService threads = Executors.newFixedThreadPool(writers);
        try {
            for (int round = 0; round < 20; round++) {
                String key = "race/" + round;
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Boolean>> results = new ArrayList<>();
                for (int w = 0; w < writers; w++) {
                    byte[] bytes = utf8("writer-" + w);
                    results.add(threads.submit(() -> {
                        go.await();
                        return await(store.putIfAbsent(key, bytes));
                    }));
                }
                go.countDown();
                List<Integer> winners = new ArrayList<>();
                for (int w = 0; w < writers; w++) {
                    if (results.get(w).get(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                        winners.add(w);
                    }
                }

                assertEquals(1, winners.size(), "round " + round + " winners " + winners);
                assertEquals("writer-" + winners.getFirst(), string(await(store.get(key))), "round " + round);
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void listReturnsKeysUnderThePrefixSortedWithSizes() {
        List<String> keys = new ArrayList<>(List.of(
                "log/10-b", "log/1-a", "log/2-c", "log/sub/deep", "logs/x", "lo", "v/1/manifest.json"));
        Collections.shuffle(keys, new Random(7));
        for (String key : keys) {
            await(store.put(key, utf8(key))); // size = key length
        }

        assertEquals(List.of(info("log/1-a"), info("log/10-b"), info("log/2-c"), info("log/sub/deep")),
                await(store.list("log/")));
        assertEquals(List.of(info("log/1-a"), info("log/10-b"), info("log/2-c"), info("log/sub/deep"), info("logs/x")),
                await(store.list("log")));
        assertEquals(List.of(info("log/1-a"), info("log/10-b")), await(store.list("log/1")));
        assertEquals(List.of(info("lo"), info("log/1-a"), info("log/10-b"), info("log/2-c"), info("log/sub/deep"),
                info("logs/x"), info("v/1/manifest.json")), await(store.list("")));
        assertEquals(List.of(), await(store.list("nothing/")));
        assertEquals(List.of(), await(store.list("log/sub/deeper")));
    }

    @Test
    void listSortsKeysInUtf8ByteOrder() {
        // U+FFFD sorts before U+1F600 in UTF-8 (EF.. < F0..) but after it in UTF-16 (FFFD > D83D).
        await(store.put("u/\uFFFD", utf8("a")));
        await(store.put("u/\uD83D\uDE00", utf8("b")));
        await(store.put("u/z", utf8("c")));

        assertEquals(List.of("u/z", "u/\uFFFD", "u/\uD83D\uDE00"), keys(await(store.list("u/"))));
    }

    @Test
    void listReturnsMoreKeysThanOneS3Page() {
        int count = 1005; // S3 pages hold at most 1000 keys
        List<String> expected = new ArrayList<>();
        List<CompletableFuture<Void>> writes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String key = "many/" + "%05d".formatted(i);
            expected.add(key);
            writes.add(store.put(key, new byte[] {(byte) i}).toCompletableFuture());
        }
        await(CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)));
        await(store.put("manz", new byte[1]));

        List<ObjectInfo> listed = await(store.list("many/"));

        assertEquals(expected, keys(listed));
        assertEquals(count, listed.stream().filter(o -> o.size() == 1).count());
    }

    @Test
    void deleteIsIdempotent() {
        await(store.put("d/k", utf8("x")));
        await(store.put("d/other", utf8("y")));

        await(store.delete("d/k"));
        await(store.delete("d/k"));
        await(store.delete("never/existed"));

        assertEquals("d/k", failure(store.get("d/k"), ObjectNotFoundException.class).key());
        assertEquals(List.of(new ObjectInfo("d/other", 1)), await(store.list("d/")));
        assertEquals(true, await(store.putIfAbsent("d/k", utf8("again"))));
    }

    @Test
    void getRangeReturnsTheRequestedSliceClippedAtTheEnd() {
        await(store.put("r", utf8("0123456789")));

        assertEquals("23456", string(await(store.getRange("r", 2, 5))));
        assertEquals("0123456789", string(await(store.getRange("r", 0, 10))));
        assertEquals("89", string(await(store.getRange("r", 8, 5))));
        assertEquals("", string(await(store.getRange("r", 10, 5))));
        assertEquals("", string(await(store.getRange("r", 3, 0))));
        assertEquals("r-missing", failure(store.getRange("r-missing", 0, 5), ObjectNotFoundException.class).key());
        assertEquals("r-missing", failure(store.getRange("r-missing", 0, 0), ObjectNotFoundException.class).key());
    }

    @Test
    void invalidKeysAreRejected() {
        for (String key : List.of("", "/a", "a/", "a//b", "../a", "a/./b", "a/../b", "a\\b", ObjectKeys.RESERVED_PREFIX + "x",
                "a/" + ObjectKeys.RESERVED_PREFIX + "x")) {
            failure(store.put(key, new byte[1]), IllegalArgumentException.class);
            failure(store.putIfAbsent(key, new byte[1]), IllegalArgumentException.class);
            failure(store.get(key), IllegalArgumentException.class);
            failure(store.delete(key), IllegalArgumentException.class);
        }
        failure(store.list("/a"), IllegalArgumentException.class);
        failure(store.list("../"), IllegalArgumentException.class);
        assertEquals(List.of(), await(store.list("")));
    }

    static <T> T await(CompletionStage<T> stage) {
        return stage.toCompletableFuture().orTimeout(TIMEOUT_SECONDS, TimeUnit.SECONDS).join();
    }

    /** The exception {@code stage} failed with, which must be of {@code type}. */
    static <E extends Throwable> E failure(CompletionStage<?> stage, Class<E> type) {
        try {
            Object result = await(stage);
            return fail("expected " + type.getSimpleName() + " but got " + result);
        } catch (CompletionException e) {
            return assertInstanceOf(type, e.getCause());
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String string(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static ObjectInfo info(String keyAndContent) {
        return new ObjectInfo(keyAndContent, utf8(keyAndContent).length);
    }

    private static List<String> keys(List<ObjectInfo> infos) {
        return infos.stream().map(ObjectInfo::key).toList();
    }
}
