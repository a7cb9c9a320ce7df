package io.vermilion.index;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import org.apache.lucene.store.FSDirectory;

import com.github.benmanes.caffeine.cache.AsyncCache;

import io.vermilion.blockstore.BlockIndex;
import io.vermilion.blockstore.BlockRef;
import io.vermilion.model.DistanceFunction;
import io.vermilion.model.QueryRequest;
import io.vermilion.record.MetadataValue;
import io.vermilion.record.Record;
import io.vermilion.storage.LocalFolders;
import io.vermilion.storage.ObjectStore;
import io.vermilion.version.ManifestReader;
import io.vermilion.version.ManifestWriter;
import io.vermilion.version.VersionFile;
import io.vermilion.version.VersionManifest;

/**
 * Runs a cold query's path on a small synthetic version of its own in object storage: its manifest (listing as many
 * blocks as a million-record version's) fetched and parsed, a lazy open over fresh pages (its {@link OpenPack} first),
 * the reader's open, a search from sketches, the candidates' ranged reads and the hits' records. A fresh process that
 * runs it before taking traffic has loaded and compiled that path (and its object-store client) before its first real
 * cold query, which otherwise takes about twice as long as the same query later. Writes only under {@code prefix}
 * and {@code scratch}, and deletes both.
 */
public final class ColdPathWarmUp {

    static final int RECORDS = 1_000;
    static final int DIMENSION = 384;
    static final int QUERIES_PER_ROUND = 8;
    static final int MANIFEST_BLOCKS = 1_000;
    private static final int PAGE_BYTES = 16 << 10;

    private ColdPathWarmUp() {
    }

    /**
     * Writes the synthetic version under {@code prefix} (its files, as a compactor would write them), then opens it
     * lazily {@code rounds} times, each time into empty pages (so every round reads from the store), and queries it.
     * Returns the hits found in all (each query finds 10).
     *
     * @param scratch a folder of its own, created and deleted here
     */
    public static long run(ObjectStore store, String prefix, Path scratch, int rounds, Executor executor)
            throws IOException {
        List<Record> records = new ArrayList<>(RECORDS);
        for (int i = 0; i < RECORDS; i++) {
            records.add(new Record("warm-" + i, vector(i), Map.of("bucket", new MetadataValue.Int(i % 10)),
                    "warm-up document " + i, null));
        }
        Path written = scratch.resolve("index");
        Files.createDirectories(written);
        List<String> keys = new ArrayList<>();
        try {
            try (FSDirectory directory = FSDirectory.open(written)) {
                CollectionIndexWriter.write(directory, IndexSchema.defaults(DistanceFunction.COSINE, records), records);
                ColdSketch.writeMissing(directory);
                OpenPack.write(directory);
            }
            List<VersionFile> files = upload(store, prefix, written, keys);
            String manifestKey = prefix + "manifest.json";
            keys.add(manifestKey);
            store.put(manifestKey, new ManifestWriter().write(manifest(prefix, files))).toCompletableFuture().join();
            long hits = 0;
            for (int round = 0; round < rounds; round++) {
                // As a lazy open does: the manifest fetched whole and parsed, then the index files it lists.
                VersionManifest manifest = new ManifestReader().read(store.get(manifestKey).toCompletableFuture().join(),
                        manifestKey);
                hits += round(store, manifest.files(VersionFile.Role.INDEX), scratch.resolve("round-" + round),
                        executor, RECORDS + round * QUERIES_PER_ROUND);
            }
            return hits;
        } finally {
            for (String key : keys) {
                store.delete(key).toCompletableFuture().exceptionally(failure -> null).join();
            }
            LocalFolders.deleteQuietly(scratch);
        }
    }

    private static List<VersionFile> upload(ObjectStore store, String prefix, Path folder, List<String> keys)
            throws IOException {
        List<VersionFile> files = new ArrayList<>();
        try (Stream<Path> listed = Files.list(folder)) {
            for (Path file : listed.sorted().toList()) {
                String name = file.getFileName().toString();
                if (name.equals("write.lock")) {
                    continue;
                }
                byte[] bytes = Files.readAllBytes(file);
                CRC32C crc = new CRC32C();
                crc.update(bytes);
                String key = prefix + name;
                keys.add(key);
                store.put(key, bytes).toCompletableFuture().join();
                files.add(new VersionFile(key, VersionFile.Role.INDEX, bytes.length, (int) crc.getValue()));
            }
        }
        return files;
    }

    /**
     * A manifest listing {@code indexFiles} and {@link #MANIFEST_BLOCKS} blocks (not written: only the manifest is
     * read), about the size of a million-record version's, so parsing it warms what parsing a real one runs.
     */
    private static VersionManifest manifest(String prefix, List<VersionFile> indexFiles) {
        List<VersionFile> files = new ArrayList<>(indexFiles);
        List<BlockRef> blocks = new ArrayList<>(MANIFEST_BLOCKS);
        for (int b = 0; b < MANIFEST_BLOCKS; b++) {
            String key = prefix + "block-%05d.arrow".formatted(b);
            files.add(new VersionFile(key, VersionFile.Role.BLOCK, 1, 0));
            blocks.add(new BlockRef(key, "warm-%05d-first".formatted(b), "warm-%05d-last".formatted(b), RECORDS));
        }
        return new VersionManifest(new UUID(0, 0), 1, 0, (long) RECORDS * MANIFEST_BLOCKS, DIMENSION,
                DistanceFunction.COSINE, files, new BlockIndex(blocks), Instant.EPOCH);
    }

    /** One lazy open into fresh pages and {@link #QUERIES_PER_ROUND} queries, synthetic vectors from {@code first} on. */
    private static long round(ObjectStore store, List<VersionFile> files, Path folder, Executor executor,
                              int first) throws IOException {
        Files.createDirectories(folder);
        AsyncCache<PagedIndexFiles.PageKey, byte[]> pages = PagedIndexFiles.memory(64L << 20, executor);
        long hits = 0;
        try (PagedIndexFiles paged = new PagedIndexFiles(store, files, folder, PAGE_BYTES, pages, executor,
                new AtomicLong())) {
            paged.prefetchForOpen(true).join();
            LazyIndexDirectory directory = new LazyIndexDirectory(paged, "cold-path warm-up");
            try (IndexedCollectionReader reader = IndexedCollectionReader.open(directory, SearchParameters.DEFAULTS)) {
                reader.coldSearch(new ColdSearch(directory, LazyOpenOptions.DEFAULT_COLD_CANDIDATES, () -> true,
                        () -> { }));
                for (int q = 0; q < QUERIES_PER_ROUND; q++) {
                    QueryRequest request = new QueryRequest(List.of(vector(first + q)), 10, null, null, null,
                            DistanceFunction.COSINE);
                    hits += reader.query(request).getFirst().size();
                }
            }
        }
        return hits;
    }

    /** The {@code k}-th synthetic vector: deterministic, spread over the sphere well enough for a warm-up. */
    private static float[] vector(int k) {
        float[] v = new float[DIMENSION];
        for (int d = 0; d < DIMENSION; d++) {
            v[d] = (float) Math.sin(k * 12.9898 + d * 78.233);
        }
        return v;
    }
}
