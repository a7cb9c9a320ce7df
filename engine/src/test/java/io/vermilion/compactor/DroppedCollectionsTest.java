package io.vermilion.compactor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.vermilion.blockstore.BlockIndex;
import io.vermilion.blockstore.BlockRef;
import io.vermilion.catalog.ForkLineage;
import io.vermilion.catalog.VersionRef;
import io.vermilion.model.DistanceFunction;
import io.vermilion.storage.LocalObjectStore;
import io.vermilion.storage.ObjectInfo;
import io.vermilion.version.ManifestWriter;
import io.vermilion.version.VersionFile;
import io.vermilion.version.VersionKeys;
import io.vermilion.version.VersionManifest;

/**
 * A dropped collection loses only the objects no live fork reads (its manifest, the files the manifest lists and the
 * log fragments a fork records stay), is forgotten once nothing of it is read, and a collection outside any fork
 * tree loses everything at once.
 */
class DroppedCollectionsTest {

    @TempDir
    Path dir;

    private final ExecutorService io = Executors.newFixedThreadPool(2);

    @AfterEach
    void close() {
        io.shutdownNow();
    }

    /** A lineage whose answers the test sets. */
    private static final class FakeLineage implements ForkLineage {
        final Set<UUID> inTree = new HashSet<>();
        final List<String> sharedManifests = new ArrayList<>();
        final Set<String> sharedFragments = new HashSet<>();
        final List<UUID> forgotten = new ArrayList<>();

        @Override
        public CompletionStage<List<String>> sharedManifests(UUID collection) {
            return CompletableFuture.completedFuture(List.copyOf(sharedManifests));
        }

        @Override
        public CompletionStage<Set<String>> sharedFragments(UUID collection) {
            return CompletableFuture.completedFuture(Set.copyOf(sharedFragments));
        }

        @Override
        public CompletionStage<List<VersionRef>> expireVersions(UUID collection, long current, Instant before) {
            return CompletableFuture.completedFuture(List.of());
        }

        @Override
        public CompletionStage<List<UUID>> dropped() {
            return CompletableFuture.completedFuture(List.copyOf(inTree));
        }

        @Override
        public CompletionStage<Boolean> isDroppedFork(UUID collection) {
            return CompletableFuture.completedFuture(inTree.contains(collection));
        }

        @Override
        public CompletionStage<Void> forgetDropped(UUID collection) {
            forgotten.add(collection);
            inTree.remove(collection);
            return CompletableFuture.completedFuture(null);
        }
    }

    @Test
    void aDroppedSourceKeepsExactlyWhatItsForksRead() {
        LocalObjectStore store = new LocalObjectStore(dir, io);
        UUID source = UUID.randomUUID();
        String block = VersionKeys.block(source, 1, 0);
        String index = VersionKeys.indexFile(source, 1, "_0.cfs");
        String oldBlock = VersionKeys.block(source, 0, 0);
        String readFragment = source + "/log/00000000000000000003-" + UUID.randomUUID() + ".arrow";
        String oldFragment = source + "/log/00000000000000000000-" + UUID.randomUUID() + ".arrow";
        VersionManifest manifest = new VersionManifest(source, 1, 3, 1, 2, DistanceFunction.L2,
                List.of(VersionFile.of(block, VersionFile.Role.BLOCK, bytes("block")),
                        VersionFile.of(index, VersionFile.Role.INDEX, bytes("index"))),
                new BlockIndex(List.of(new BlockRef(block, "a", "a", 1))), Instant.parse("2026-01-01T00:00:00Z"));
        String manifestKey = VersionKeys.manifest(source, 1);
        put(store, manifestKey, new ManifestWriter().write(manifest));
        for (String key : List.of(block, index, oldBlock, readFragment, oldFragment)) {
            put(store, key, bytes(key));
        }

        FakeLineage lineage = new FakeLineage();
        lineage.inTree.add(source);
        lineage.sharedManifests.add(manifestKey); // a fork's current version is the source's version 1
        lineage.sharedFragments.add(readFragment); // ... and it records one of the source's fragments
        DroppedCollections dropped = new DroppedCollections(store, lineage);

        assertEquals(2, dropped.purge(source).toCompletableFuture().join());
        assertEquals(new TreeSet<>(List.of(manifestKey, block, index, readFragment)), keys(store, source));
        assertEquals(List.of(), lineage.forgotten, "still read: not forgotten");

        // The fork moved on to versions of its own: the rest goes, and the source is forgotten.
        lineage.sharedManifests.clear();
        lineage.sharedFragments.clear();
        assertEquals(4, dropped.purgeAll().toCompletableFuture().join());
        assertEquals(Set.of(), keys(store, source));
        assertEquals(List.of(source), lineage.forgotten);
    }

    @Test
    void aCollectionOutsideAnyForkTreeLosesEverything() {
        LocalObjectStore store = new LocalObjectStore(dir, io);
        UUID lone = UUID.randomUUID();
        put(store, VersionKeys.block(lone, 1, 0), bytes("x"));
        put(store, lone + "/log/00000000000000000000-" + UUID.randomUUID() + ".arrow", bytes("y"));
        FakeLineage lineage = new FakeLineage();
        assertEquals(2, new DroppedCollections(store, lineage).purge(lone).toCompletableFuture().join());
        assertTrue(keys(store, lone).isEmpty());
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static void put(LocalObjectStore store, String key, byte[] bytes) {
        store.put(key, bytes).toCompletableFuture().join();
    }

    private static Set<String> keys(LocalObjectStore store, UUID collection) {
        Set<String> keys = new TreeSet<>();
        for (ObjectInfo object : store.list(collection + "/").toCompletableFuture().join()) {
            keys.add(object.key());
        }
        return keys;
    }
}
