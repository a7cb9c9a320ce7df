package io.vermilion.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.vermilion.env.Environment;
import io.vermilion.testing.MutableClock;

/** The object-store contract on a local folder, plus what only a folder can show (temp files). */
class LocalObjectStoreTest extends ObjectStoreContractTest {

    private static ExecutorService io;

    @TempDir
    Path root;

    @BeforeAll
    static void startIo() {
        io = Executors.newFixedThreadPool(8);
    }

    @AfterAll
    static void stopIo() {
        io.shutdownNow();
    }

    @Override
    protected ObjectStore openStore() {
        return new LocalObjectStore(root.resolve("store"), io);
    }

    @Test
    void leftoverTempFilesAreNeverListed() throws Exception {
        await(store.put("log/1-a", utf8("a")));
        // What a crash between writing and renaming leaves behind.
        Files.write(root.resolve("store/log/" + ObjectKeys.RESERVED_PREFIX + "0b5c"), utf8("partial"));
        Files.write(root.resolve("store/" + ObjectKeys.RESERVED_PREFIX + "77aa"), utf8("partial"));

        assertEquals(List.of(new ObjectInfo("log/1-a", 1)), await(store.list("")));
        assertEquals(List.of(new ObjectInfo("log/1-a", 1)), await(store.list("log/")));
    }

    @Test
    void writesLeaveNoTempFilesBehind() throws Exception {
        await(store.put("a/k", utf8("1")));
        await(store.put("a/k", utf8("2")));
        await(store.putIfAbsent("a/k", utf8("3")));
        await(store.putIfAbsent("a/j", utf8("4")));

        try (Stream<Path> files = Files.walk(root.resolve("store"))) {
            assertEquals(List.of("a/j", "a/k"), files.filter(Files::isRegularFile)
                    .map(p -> root.resolve("store").relativize(p).toString().replace('\\', '/'))
                    .sorted()
                    .toList());
        }
    }

    @Test
    void staleTempFilesOfInterruptedWritesAreDeleted() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2030-01-01T00:00:00Z"));
        LocalObjectStore timed = new LocalObjectStore(root.resolve("timed"), io, Environment.deterministic(clock, 1));
        await(timed.put("log/1-a", utf8("a")));
        Path stale = root.resolve("timed/log/" + ObjectKeys.RESERVED_PREFIX + "old");
        Path fresh = root.resolve("timed/log/" + ObjectKeys.RESERVED_PREFIX + "new");
        Files.write(stale, utf8("partial"));
        Files.write(fresh, utf8("partial"));
        Files.setLastModifiedTime(stale, FileTime.from(clock.instant().minus(Duration.ofMinutes(11))));
        Files.setLastModifiedTime(fresh, FileTime.from(clock.instant().minus(Duration.ofMinutes(9))));

        assertEquals(1, await(timed.deleteStaleTemporaryFiles(Duration.ofMinutes(10))));
        assertEquals(false, Files.exists(stale));
        assertEquals(true, Files.exists(fresh));

        clock.advance(Duration.ofMinutes(2));
        assertEquals(1, await(timed.deleteStaleTemporaryFiles(Duration.ofMinutes(10))));
        assertEquals(false, Files.exists(fresh));
        assertEquals(List.of(new ObjectInfo("log/1-a", 1)), await(timed.list("")));
    }
}
