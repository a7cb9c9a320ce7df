package io.vermilion.index;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.vermilion.catalog.VersionRef;
import io.vermilion.env.Environment;
import io.vermilion.model.DistanceFunction;
import io.vermilion.record.Record;
import io.vermilion.storage.LocalFolders;
import io.vermilion.storage.LocalObjectStore;
import io.vermilion.testing.MutableClock;
import io.vermilion.version.VersionFile;

/**
 * The local index cache's byte bound: over it, the folders of versions not open are deleted least recently opened
 * first, by what the cache knows of its folders (placed, opened, deleted here, or found on disk at start), also after
 * a restart and after its folder was deleted while it ran.
 */
class IndexFileCacheBoundTest {

    private static final IndexSchema SCHEMA = IndexSchema.defaults(DistanceFunction.L2, List.of());

    @TempDir
    Path dir;
    private ExecutorService work;
    private LocalObjectStore store;
    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-07T00:00:00Z"));
    private Path built;
    private List<VersionFile> files;
    private long versionBytes;

    @BeforeEach
    void buildOneVersion() throws IOException {
        work = Executors.newFixedThreadPool(2);
        store = new LocalObjectStore(dir.resolve("objects"), work);
        built = dir.resolve("built");
        try (FSDirectory directory = FSDirectory.open(built);
             CollectionIndexWriter writer = CollectionIndexWriter.create(directory, SCHEMA)) {
            for (int i = 0; i < 50; i++) {
                writer.add(new Record("r" + i, new float[] {i, i % 7, 1}, null, null, null), i);
            }
            writer.commit();
        }
        files = new ArrayList<>();
        try (Stream<Path> listed = Files.list(built)) {
            for (Path file : listed.sorted().toList()) {
                if (!file.getFileName().toString().equals("write.lock")) {
                    files.add(new VersionFile("any/index/" + file.getFileName(), VersionFile.Role.INDEX,
                            Files.size(file), 0));
                }
            }
        }
        versionBytes = files.stream().mapToLong(VersionFile::size).sum();
    }

    @AfterEach
    void stop() {
        work.shutdownNow();
    }

    private IndexFileCache cache(double versionsOfCapacity) {
        return new IndexFileCache(store, dir.resolve("index"), (long) (versionsOfCapacity * versionBytes), work,
                Environment.deterministic(clock, 1));
    }

    /** Adopts a version of {@code collection} built here, then moves the clock on a second. */
    private void adopt(IndexFileCache cache, UUID collection) {
        assertEquals(true, cache.adopt(collection, 1, files, built));
        clock.advance(Duration.ofSeconds(1));
    }

    /** Which of {@code collections} have their version 1 on local disk, by name. */
    private Map<String, Boolean> local(Map<String, UUID> collections) {
        Map<String, Boolean> local = new TreeMap<>();
        collections.forEach((name, id) -> local.put(name,
                Files.isDirectory(dir.resolve("index").resolve(id.toString()).resolve("%020d".formatted(1)))));
        return local;
    }

    private static Map<String, UUID> collections(String... names) {
        Map<String, UUID> ids = new TreeMap<>();
        for (int i = 0; i < names.length; i++) {
            ids.put(names[i], new UUID(0, i + 1));
        }
        return ids;
    }

    @Test
    void overCapacityTheLeastRecentlyOpenedVersionNotOpenIsDeleted() throws Exception {
        Map<String, UUID> c = collections("a", "b", "c", "d", "e");
        IndexFileCache cache = cache(2.5);
        adopt(cache, c.get("a"));
        adopt(cache, c.get("b"));
        IndexedCollectionReader reader = cache.open(c.get("a"), new VersionRef(1, "any/manifest", 50),
                SearchParameters.DEFAULTS).toCompletableFuture().get();
        assertEquals(50, reader.count());
        clock.advance(Duration.ofSeconds(1));

        adopt(cache, c.get("c")); // b was opened (placed) before a was opened
        assertEquals(Map.of("a", true, "b", false, "c", true, "d", false, "e", false), local(c));
        assertEquals(2 * versionBytes, cache.sizeBytes());

        adopt(cache, c.get("d")); // a is older than c, but open
        assertEquals(Map.of("a", true, "b", false, "c", false, "d", true, "e", false), local(c));

        reader.close();
        adopt(cache, c.get("e"));
        assertEquals(Map.of("a", false, "b", false, "c", false, "d", true, "e", true), local(c));
        assertEquals(2 * versionBytes, cache.sizeBytes());
    }

    @Test
    void aRestartedCacheBoundsTheVersionsAnEarlierProcessLeftByWhenTheyWereOpened() {
        Map<String, UUID> c = collections("a", "b", "c", "d");
        IndexFileCache before = cache(10);
        adopt(before, c.get("b"));
        adopt(before, c.get("a"));
        adopt(before, c.get("c"));

        IndexFileCache restarted = cache(3.5);
        assertEquals(3 * versionBytes, restarted.sizeBytes());
        adopt(restarted, c.get("d"));
        assertEquals(Map.of("a", true, "b", false, "c", true, "d", true), local(c));
        assertEquals(3 * versionBytes, restarted.sizeBytes());
    }

    @Test
    void aCacheFolderDeletedWhileRunningCountsAsEmpty() throws IOException {
        Map<String, UUID> c = collections("a", "b", "c");
        IndexFileCache cache = cache(2.5);
        adopt(cache, c.get("a"));
        adopt(cache, c.get("b"));
        LocalFolders.delete(dir.resolve("index"));

        adopt(cache, c.get("c"));
        assertEquals(Map.of("a", false, "b", false, "c", true), local(c));
        assertEquals(versionBytes, cache.sizeBytes());
    }
}
