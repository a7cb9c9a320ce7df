package io.vermilion.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The disk level on its own: byte-bounded LRU, restart, corruption. */
class CacheFolderTest {

    private static final long SIZE = CacheFolder.fileSize("k/a", 100); // every key here is 3 characters

    @TempDir
    Path root;

    @Test
    void evictsLeastRecentlyUsedByBytes() throws IOException {
        CacheFolder folder = new CacheFolder(root, 3 * SIZE);
        folder.write("k/a", bytes(100, 1));
        folder.write("k/b", bytes(100, 2));
        folder.write("k/c", bytes(100, 3));
        assertArrayEquals(bytes(100, 1), folder.read("k/a")); // a is now the most recent

        folder.write("k/d", bytes(100, 4));

        assertFalse(folder.contains("k/b"));
        assertNull(folder.read("k/b"));
        assertTrue(folder.contains("k/a") && folder.contains("k/c") && folder.contains("k/d"));
        assertEquals(3, folder.fileCount());
        assertEquals(3 * SIZE, folder.sizeBytes());
        assertEquals(3, cacheFiles().size());
    }

    @Test
    void aBiggerObjectEvictsAsManyAsItNeeds() throws IOException {
        CacheFolder folder = new CacheFolder(root, 3 * SIZE);
        folder.write("k/a", bytes(100, 1));
        folder.write("k/b", bytes(100, 2));
        folder.write("k/c", bytes(100, 3));

        folder.write("k/d", bytes(150, 4)); // needs the room of a and b

        assertEquals(List.of(false, false, true, true),
                Stream.of("k/a", "k/b", "k/c", "k/d").map(folder::contains).toList());
        assertEquals(SIZE + CacheFolder.fileSize("k/d", 150), folder.sizeBytes());
        assertEquals(2, cacheFiles().size());
    }

    @Test
    void anObjectLargerThanTheCapacityIsNotKept() throws IOException {
        CacheFolder folder = new CacheFolder(root, SIZE);
        folder.write("k/a", bytes(100, 1));
        folder.write("k/b", bytes(101, 2));

        assertTrue(folder.contains("k/a"));
        assertFalse(folder.contains("k/b"));
        assertEquals(SIZE, folder.sizeBytes());
        assertEquals(1, cacheFiles().size());
    }

    @Test
    void rewritingAKeyReplacesItsFileAndSize() throws IOException {
        CacheFolder folder = new CacheFolder(root, 10 * SIZE);
        folder.write("k/a", bytes(100, 1));
        folder.write("k/a", bytes(10, 2));

        assertArrayEquals(bytes(10, 2), folder.read("k/a"));
        assertEquals(CacheFolder.fileSize("k/a", 10), folder.sizeBytes());
        assertEquals(1, cacheFiles().size());
    }

    @Test
    void reopeningIndexesExistingFilesInRecencyOrder() throws IOException {
        CacheFolder first = new CacheFolder(root, 3 * SIZE);
        first.write("k/a", bytes(100, 1));
        first.write("k/b", bytes(100, 2));
        first.write("k/c", bytes(100, 3));
        // Recency survives through modification times: b oldest, then c, then a.
        Files.setLastModifiedTime(first.fileOf("k/b"), FileTime.fromMillis(1_000_000));
        Files.setLastModifiedTime(first.fileOf("k/c"), FileTime.fromMillis(2_000_000));
        Files.setLastModifiedTime(first.fileOf("k/a"), FileTime.fromMillis(3_000_000));

        CacheFolder reopened = new CacheFolder(root, 3 * SIZE);
        assertEquals(3, reopened.fileCount());
        assertEquals(3 * SIZE, reopened.sizeBytes());
        assertArrayEquals(bytes(100, 3), reopened.read("k/c"));

        CacheFolder smaller = new CacheFolder(root, 2 * SIZE); // must drop the least recent: b
        assertEquals(List.of(true, false, true), Stream.of("k/a", "k/b", "k/c").map(smaller::contains).toList());
        assertEquals(2, cacheFiles().size());
        assertArrayEquals(bytes(100, 1), smaller.read("k/a"));
    }

    @Test
    void openingDeletesLeftoverTempFilesAndIgnoresForeignFiles() throws IOException {
        CacheFolder first = new CacheFolder(root, 3 * SIZE);
        first.write("k/a", bytes(100, 1));
        Path temp = first.fileOf("k/a").resolveSibling(ObjectKeys.RESERVED_PREFIX + "crashed");
        Files.write(temp, bytes(50, 9));
        Files.write(root.resolve("README"), bytes(5, 9));

        CacheFolder reopened = new CacheFolder(root, 3 * SIZE);

        assertFalse(Files.exists(temp));
        assertTrue(Files.exists(root.resolve("README")));
        assertEquals(1, reopened.fileCount());
        assertEquals(SIZE, reopened.sizeBytes());
    }

    @Test
    void corruptFilesAreNeverServedAndAreDeleted() throws IOException {
        List<UnaryOperator<byte[]>> damages = List.of(
                file -> Arrays.copyOf(file, file.length - 1), // truncated trailer
                file -> Arrays.copyOf(file, 60), // truncated payload
                file -> new byte[0], // empty
                file -> Arrays.copyOf(file, file.length + 1), // trailing garbage
                file -> flip(file, 7), // payload bit
                file -> flip(file, 101), // key bit
                file -> flip(file, file.length - 1)); // magic bit
        CacheFolder folder = new CacheFolder(root, 10 * SIZE);
        for (int i = 0; i < damages.size(); i++) {
            folder.write("k/a", bytes(100, i));
            Path file = folder.fileOf("k/a");
            Files.write(file, damages.get(i).apply(Files.readAllBytes(file)));

            assertNull(folder.read("k/a"), "damage " + i);
            assertEquals(i + 1, folder.corruptFiles());
            assertFalse(Files.exists(file));
            assertFalse(folder.contains("k/a"));
            assertEquals(0, folder.sizeBytes());
        }
    }

    @Test
    void aFileStoredUnderAnotherKeysNameIsNotServed() throws IOException {
        CacheFolder folder = new CacheFolder(root, 10 * SIZE);
        folder.write("k/a", bytes(100, 1));
        folder.write("k/b", bytes(100, 2));
        Files.move(folder.fileOf("k/a"), folder.fileOf("k/b"), StandardCopyOption.REPLACE_EXISTING);

        assertNull(folder.read("k/b"));
        assertEquals(1, folder.corruptFiles());
    }

    @Test
    void nonAsciiKeysRoundTrip() {
        CacheFolder folder = new CacheFolder(root, 10 * SIZE);
        String key = "v/\u00e9t\u00e9/\uD83D\uDE00";
        folder.write(key, "x".getBytes(StandardCharsets.UTF_8));
        assertArrayEquals("x".getBytes(StandardCharsets.UTF_8), new CacheFolder(root, 10 * SIZE).read(key));
    }

    static byte[] bytes(int length, int seed) {
        byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++) {
            bytes[i] = (byte) (seed * 31 + i);
        }
        return bytes;
    }

    private static byte[] flip(byte[] file, int index) {
        byte[] copy = file.clone();
        copy[index] ^= 0x10;
        return copy;
    }

    private List<Path> cacheFiles() throws IOException {
        try (Stream<Path> files = Files.find(root, 2, (p, a) -> a.isRegularFile()
                && p.getFileName().toString().length() == 64)) {
            return files.toList();
        }
    }
}
