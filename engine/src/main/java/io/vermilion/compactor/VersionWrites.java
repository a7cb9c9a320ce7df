package io.vermilion.compactor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.store.Directory;

import io.vermilion.catalog.VersionCatalog;
import io.vermilion.catalog.VersionRef;
import io.vermilion.index.ColdSketch;
import io.vermilion.index.OpenPack;
import io.vermilion.storage.ObjectFiles;
import io.vermilion.storage.ObjectStore;
import io.vermilion.version.ManifestWriter;
import io.vermilion.version.VersionFile;
import io.vermilion.version.VersionKeys;
import io.vermilion.version.VersionManifest;

/**
 * The objects one attempt at a collection's next version writes, and its publication: every object is written
 * put-if-absent under the version's prefix and remembered, the manifest last, and the catalog's pointer switched
 * conditionally while the lease is still held. Until then nothing published changes; {@link #deleteCreated} removes
 * what the attempt wrote unless the outcome of the publish call is unknown. Thread-safe for concurrent uploads.
 */
final class VersionWrites {

    private final ObjectStore store;
    private final VersionCatalog versionCatalog;
    private final CompactorOptions options;
    private final UUID collection;
    private final java.time.Clock clock;
    private final ManifestWriter manifestWriter = new ManifestWriter();
    private final List<String> created = new ArrayList<>();
    /** True while publish is called and after it failed: the pointer may have switched, so nothing is deleted. */
    private volatile boolean publishOutcomeUnknown;
    private final java.util.concurrent.atomic.AtomicLong uploadMillisTotal = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong uploadedBytes = new java.util.concurrent.atomic.AtomicLong();

    VersionWrites(ObjectStore store, VersionCatalog versionCatalog, CompactorOptions options, UUID collection,
                  java.time.Clock clock) {
        this.clock = clock;
        this.store = store;
        this.versionCatalog = versionCatalog;
        this.options = options;
        this.collection = collection;
    }

    /**
     * Deletes what an earlier attempt at this unpublished version left behind (a compactor that died mid-way):
     * only the lease holder writes there, and the version is not current, so nothing reads it.
     */
    void removeLeftovers(long version) {
        for (var leftover : store.list(VersionKeys.versionPrefix(collection, version)).toCompletableFuture().join()) {
            store.delete(leftover.key()).toCompletableFuture().join();
        }
    }

    /** Streams one index file to the store (no size limit, never whole in memory), listed with its CRC32C. */
    void upload(long version, Path file, List<VersionFile> files) throws IOException {
        long start = clock.millis();
        String key = VersionKeys.indexFile(collection, version, file.getFileName().toString());
        VersionFile listed = new VersionFile(key, VersionFile.Role.INDEX, Files.size(file), ObjectFiles.crc32c(file));
        if (!store.putFileIfAbsent(key, file).toCompletableFuture().join()) {
            throw alreadyExists(key);
        }
        remember(key);
        files.add(listed);
        uploadMillisTotal.addAndGet(clock.millis() - start);
        uploadedBytes.addAndGet(listed.size());
    }


    /**
     * Lists the files of {@code directory}'s latest commit (plus the cold-search sketches it lacks, written now) in
     * {@code files}: a file the previous version had with the same name and size by reference, any other uploaded;
     * then writes and uploads the commit's {@link OpenPack}, which is the version's own.
     */
    void listCommit(long version, Directory directory, Path work, Map<String, VersionFile> previous,
                    List<VersionFile> files) throws IOException {
        List<String> names = new ArrayList<>(SegmentInfos.readLatestCommit(directory).files(true));
        names.addAll(ColdSketch.writeMissing(directory)); // the new segments' (and, from older versions, all)
        for (String name : names) {
            VersionFile kept = previous.get(name);
            if (kept != null && Files.size(work.resolve(name)) == kept.size()) {
                files.add(kept);
            } else {
                upload(version, work.resolve(name), files);
            }
        }
        upload(version, work.resolve(OpenPack.write(directory)), files);
    }

    /** Uploads every file of {@code directory}'s latest commit, the segments' sketches and the commit's pack. */
    void uploadCommit(long version, Directory directory, Path work, List<VersionFile> files) throws IOException {
        listCommit(version, directory, work, Map.of(), files);
    }
    /** Time spent checksumming and uploading index files so far, in milliseconds. */
    long uploadMillis() {
        return uploadMillisTotal.get();
    }

    /** Bytes of index files uploaded so far. */
    long uploadedBytes() {
        return uploadedBytes.get();
    }

    /** Writes an object that must not exist yet: files of a version are written once. */
    void putNew(String key, byte[] bytes) {
        if (!store.putIfAbsent(key, bytes).toCompletableFuture().join()) {
            throw alreadyExists(key);
        }
        remember(key);
    }

    /**
     * Writes {@code manifest} and publishes it over version {@code manifest.version() - 1} if the lease is still
     * held; hands the index files in {@code built} (or nothing, if null) to the replica's local index cache once
     * published. Empty if the lease lapsed or another version was published first.
     */
    Optional<VersionManifest> publish(VersionManifest manifest, Path built) {
        String manifestKey = VersionKeys.manifest(collection, manifest.version());
        putNew(manifestKey, manifestWriter.write(manifest));
        // Publish only while still holding the lease, so a compactor whose lease lapsed mid-way gives up.
        if (!versionCatalog.renewLease(collection, options.holder(), options.leaseTtl()).toCompletableFuture().join()) {
            return Optional.empty();
        }
        VersionRef next = new VersionRef(manifest.version(), manifestKey, manifest.logEndOffset());
        publishOutcomeUnknown = true;
        boolean published = versionCatalog.publish(collection, manifest.version() - 1, next)
                .toCompletableFuture().join();
        publishOutcomeUnknown = false;
        if (published && options.localIndex() != null && built != null) {
            // The next compaction and the first query of this version take its files from here.
            options.localIndex().adopt(collection, manifest.version(), manifest.files(VersionFile.Role.INDEX), built);
        }
        return published ? Optional.of(manifest) : Optional.empty();
    }

    /**
     * Deletes what this attempt wrote, unless the publish call failed (it may have switched the pointer anyway).
     * Best effort: an object left behind is unreferenced and only costs space until garbage collection.
     */
    CompletableFuture<Void> deleteCreated() {
        List<String> keys;
        synchronized (created) {
            keys = List.copyOf(created);
        }
        if (publishOutcomeUnknown) {
            return CompletableFuture.completedFuture(null);
        }
        List<CompletableFuture<Void>> deletes = new ArrayList<>();
        for (String key : keys) {
            deletes.add(store.delete(key).toCompletableFuture().exceptionally(ignored -> null));
        }
        return CompletableFuture.allOf(deletes.toArray(CompletableFuture[]::new));
    }

    private void remember(String key) {
        synchronized (created) {
            created.add(key);
        }
    }

    private static IllegalStateException alreadyExists(String key) {
        return new IllegalStateException("object " + key + " already exists: left by an earlier attempt at"
                + " this version, or written by a compactor whose lease lapsed");
    }
}
