package io.vermilion.index;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * What the {@link IndexFileCache} holds on local disk, in memory: each version folder in place, its bytes and when it
 * was last opened. Filled from the disk once when the cache starts, then kept by the cache as it places, opens and
 * deletes folders, so bounding the cache costs no directory walk over every collection. Thread-safe.
 */
final class LocalVersionLedger {

    private record Held(long bytes, long lastOpened) {}

    private final Map<Path, Held> folders = new HashMap<>(); // guarded by this
    private long bytes; // guarded by this

    /** A version folder is in place with {@code size} bytes, opened (or placed) at {@code millis}. */
    synchronized void placed(Path folder, long size, long millis) {
        Held previous = folders.put(folder, new Held(size, millis));
        bytes += size - (previous == null ? 0 : previous.bytes());
    }

    /** The folder was opened at {@code millis}; false if it is not known (placed by something else). */
    synchronized boolean opened(Path folder, long millis) {
        Held held = folders.get(folder);
        if (held == null) {
            return false;
        }
        folders.put(folder, new Held(held.bytes(), millis));
        return true;
    }

    /** The folder was deleted (or found missing). */
    synchronized void removed(Path folder) {
        Held previous = folders.remove(folder);
        if (previous != null) {
            bytes -= previous.bytes();
        }
    }

    /** Everything under the root went (its folder was deleted while the replica ran: it is cold now). */
    synchronized void cleared() {
        folders.clear();
        bytes = 0;
    }

    synchronized long bytes() {
        return bytes;
    }

    synchronized long bytes(Path folder) {
        Held held = folders.get(folder);
        return held == null ? 0 : held.bytes();
    }

    synchronized boolean holds(Path folder) {
        return folders.containsKey(folder);
    }

    /** The folders held, least recently opened first. */
    synchronized List<Path> leastRecentlyOpenedFirst() {
        List<Map.Entry<Path, Held>> entries = new ArrayList<>(folders.entrySet());
        entries.sort(Comparator.comparingLong(e -> e.getValue().lastOpened()));
        List<Path> ordered = new ArrayList<>(entries.size());
        entries.forEach(e -> ordered.add(e.getKey()));
        return ordered;
    }

    /** The bytes of the files directly in {@code folder} (0 if it is gone). */
    static long folderSize(Path folder) {
        try (Stream<Path> files = Files.list(folder)) {
            return files.mapToLong(LocalVersionLedger::sizeOf).sum();
        } catch (IOException e) {
            return 0;
        }
    }

    private static long sizeOf(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return 0;
        }
    }
}
