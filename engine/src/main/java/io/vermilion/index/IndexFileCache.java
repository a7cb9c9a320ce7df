package io.vermilion.index;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import org.apache.lucene.store.MMapDirectory;

import io.vermilion.catalog.VersionRef;
import io.vermilion.env.Environment;
import io.vermilion.storage.LocalFolders;
import io.vermilion.storage.ObjectFiles;
import io.vermilion.storage.ObjectStore;
import io.vermilion.version.CorruptManifestException;
import io.vermilion.version.ManifestReader;
import io.vermilion.version.VersionFile;
import io.vermilion.version.VersionKeys;
import io.vermilion.version.VersionManifest;

/**
 * The local-disk level for published versions' Lucene index files: a version is fetched once (its files in parallel,
 * large ones in concurrent ranges, each checked against the manifest's size and CRC32C) into
 * {@code <root>/<collection>/<version>/}, made visible by an atomic rename, and opened memory-mapped, so the OS page
 * cache is the memory level. Folders survive restarts. Bounded by bytes: when over capacity, folders of versions not
 * open here are deleted, least recently opened first. Thread-safe; one process per root.
 */
public final class IndexFileCache {

    private static final String TEMP_PREFIX = ".fetch-";

    private final ObjectStore store;
    private final Path root;
    private final long capacityBytes;
    private final Executor executor;
    private final ManifestReader manifestReader = new ManifestReader();
    /** Folders with open readers, and how many. */
    private final ConcurrentHashMap<Path, Integer> open = new ConcurrentHashMap<>();
    private final Set<Path> retired = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<Path, CompletableFuture<Path>> fetching = new ConcurrentHashMap<>();
    private final AtomicLong fetchedVersions = new AtomicLong();
    private final AtomicLong localVersions = new AtomicLong();
    private final Environment environment;
    private final AtomicLong fetchedBytes = new AtomicLong();
    private final AtomicLong linkedBytes = new AtomicLong();

    /**
     * @param store    where versions live (the object store itself: whole-object caching would only duplicate the
     *                 files kept here)
     * @param executor runs fetches, checks and opening
     */
    public IndexFileCache(ObjectStore store, Path root, long capacityBytes, Executor executor) {
        this(store, root, capacityBytes, executor, Environment.system());
    }

    /** As above, stamping a version's folder with the time of use from {@code environment}. */
    public IndexFileCache(ObjectStore store, Path root, long capacityBytes, Executor executor,
                          Environment environment) {
        this.environment = Objects.requireNonNull(environment, "environment");
        this.store = Objects.requireNonNull(store, "store");
        this.root = Objects.requireNonNull(root, "root");
        this.capacityBytes = capacityBytes;
        this.executor = Objects.requireNonNull(executor, "executor");
        try {
            Files.createDirectories(root);
            try (Stream<Path> collections = Files.list(root)) {
                for (Path collection : collections.toList()) {
                    try (Stream<Path> entries = Files.list(collection)) {
                        for (Path entry : entries.toList()) {
                            if (entry.getFileName().toString().startsWith(TEMP_PREFIX)) {
                                LocalFolders.delete(entry); // a fetch that did not finish before the last stop
                            }
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the index file cache at " + root, e);
        }
    }

    /**
     * Opens the version {@code ref} of {@code collection} for reading, fetching its files first unless they are
     * here already. The reader deletes the version's folder when it closes if {@link #retire} was called for it.
     */
    public CompletionStage<IndexedCollectionReader> open(UUID collection, VersionRef ref, SearchParameters parameters) {
        Path folder = folder(collection, ref.version());
        return CompletableFuture.supplyAsync(() -> Files.isDirectory(folder), executor).thenCompose(present -> {
            if (present) {
                localVersions.incrementAndGet();
                return CompletableFuture.completedFuture(folder);
            }
            // Concurrent opens of one version share one fetch.
            CompletableFuture<Path> mine = new CompletableFuture<>();
            CompletableFuture<Path> running = fetching.putIfAbsent(folder, mine);
            if (running != null) {
                return running;
            }
            fetch(collection, ref, folder).whenComplete((done, failure) -> {
                fetching.remove(folder, mine);
                if (failure != null) {
                    mine.completeExceptionally(failure);
                } else {
                    mine.complete(done);
                }
            });
            return mine;
        }).thenApplyAsync(ready -> {
            open.merge(ready, 1, Integer::sum); // before opening: makeRoom must not delete what is being opened
            IndexedCollectionReader reader;
            try {
                touch(ready);
                reader = IndexedCollectionReader.open(new MMapDirectory(ready), parameters);
            } catch (IOException | RuntimeException e) {
                open.computeIfPresent(ready, (k, n) -> n == 1 ? null : n - 1);
                throw e instanceof IOException io
                        ? new UncheckedIOException("cannot open the index of " + ref + " in " + ready, io)
                        : (RuntimeException) e;
            }
            reader.onClose(() -> {
                if (open.computeIfPresent(ready, (k, n) -> n == 1 ? null : n - 1) == null && retired.remove(ready)) {
                    LocalFolders.deleteQuietly(ready);
                }
            });
            return reader;
        }, executor);
    }

    /** Deletes the version's local files now if no reader has them open, else once the last reader closes. */
    public void retire(UUID collection, long version) {
        Path folder = folder(collection, version);
        retired.add(folder);
        executor.execute(() -> {
            if (!open.containsKey(folder) && retired.remove(folder)) {
                LocalFolders.deleteQuietly(folder);
            }
        });
    }

    /** Versions opened from local files without fetching. */
    public long localOpens() {
        return localVersions.get();
    }

    /** Versions that had to be fetched from the object store. */
    public long fetches() {
        return fetchedVersions.get();
    }

    /** Bytes of index files fetched from the object store. */
    public long fetchedBytes() {
        return fetchedBytes.get() - linkedBytes.get();
    }

    /** Bytes of index files taken from another local version of the same collection instead of fetched. */
    public long linkedBytes() {
        return linkedBytes.get();
    }

    /** Bytes of index files held locally. */
    public long sizeBytes() {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).mapToLong(IndexFileCache::sizeOf).sum();
        } catch (IOException | UncheckedIOException e) {
            return -1;
        }
    }

    private Path folder(UUID collection, long version) {
        return root.resolve(collection.toString()).resolve("%020d".formatted(version));
    }

    private CompletableFuture<Path> fetch(UUID collection, VersionRef ref, Path folder) {
        return store.get(ref.manifestKey()).toCompletableFuture().thenComposeAsync(bytes -> {
            VersionManifest manifest = manifestReader.read(bytes, ref.manifestKey());
            if (!VersionKeys.belongs(manifest, collection, ref.manifestKey()) || manifest.version() != ref.version()) {
                throw new CorruptManifestException(ref.manifestKey(), "describes version " + manifest.version()
                        + " of collection " + manifest.collectionId() + ", not " + ref + " of " + collection);
            }
            List<VersionFile> files = manifest.files(VersionFile.Role.INDEX);
            Set<String> names = new java.util.HashSet<>();
            for (VersionFile file : files) {
                if (!names.add(fileName(file.key()))) {
                    throw new CorruptManifestException(ref.manifestKey(), "two index files named " + fileName(file.key()));
                }
            }
            long total = files.stream().mapToLong(VersionFile::size).sum();
            makeRoom(total);
            Path temp;
            try {
                Files.createDirectories(folder.getParent());
                temp = Files.createTempDirectory(folder.getParent(), TEMP_PREFIX);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            List<CompletableFuture<Void>> downloads = new ArrayList<>();
            for (VersionFile file : files) {
                downloads.add(download(file, temp.resolve(fileName(file.key()))));
            }
            return CompletableFuture.allOf(downloads.toArray(CompletableFuture[]::new)).thenApplyAsync(ignored -> {
                try {
                    Files.move(temp, folder, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    throw new IllegalStateException("the index file cache needs a file system with atomic renames", e);
                } catch (IOException e) {
                    if (!Files.isDirectory(folder)) {
                        throw new UncheckedIOException(e);
                    }
                    LocalFolders.deleteQuietly(temp); // another fetch of the same version (e.g. by an earlier process) finished first
                }
                fetchedVersions.incrementAndGet();
                fetchedBytes.addAndGet(total);
                return folder;
            }, executor).whenComplete((done, failure) -> {
                if (failure != null) {
                    LocalFolders.deleteQuietly(temp);
                }
            });
        }, executor);
    }

    /**
     * Links the file from another local version of the same collection when one holds it (a version built on top of
     * the previous one shares most of its files), else fetches it.
     */
    private CompletableFuture<Void> download(VersionFile file, Path target) {
        Path local = localCopy(target.getParent().getParent(), target.getFileName().toString(), file);
        if (local != null) {
            try {
                Files.createLink(target, local);
                linkedBytes.addAndGet(file.size());
                return CompletableFuture.completedFuture(null);
            } catch (IOException | UnsupportedOperationException e) {
                // fall through to fetching
            }
        }
        return ObjectFiles.download(store, file.key(), file.size(), file.crc32c(), target, executor);
    }

    /** A file named {@code name} with the manifest's size and CRC32C in another version folder of the collection. */
    private static Path localCopy(Path collectionFolder, String name, VersionFile file) {
        try (Stream<Path> versions = Files.list(collectionFolder)) {
            for (Path version : versions.toList()) {
                Path candidate = version.resolve(name);
                if (!version.getFileName().toString().startsWith(TEMP_PREFIX) && Files.isRegularFile(candidate)
                        && Files.size(candidate) == file.size() && ObjectFiles.crc32c(candidate) == file.crc32c()) {
                    return candidate;
                }
            }
        } catch (IOException e) {
            return null;
        }
        return null;
    }

    /** Deletes folders of versions not open, least recently opened first, until {@code incoming} more bytes fit. */
    private synchronized void makeRoom(long incoming) {
        try (Stream<Path> collections = Files.list(root)) {
            List<Path> versions = new ArrayList<>();
            for (Path collection : collections.toList()) {
                try (Stream<Path> entries = Files.list(collection)) {
                    entries.filter(p -> !p.getFileName().toString().startsWith(TEMP_PREFIX)).forEach(versions::add);
                }
            }
            long held = 0;
            for (Path version : versions) {
                held += folderSize(version);
            }
            versions.sort(Comparator.comparingLong(IndexFileCache::lastOpened));
            for (Path version : versions) {
                if (held + incoming <= capacityBytes) {
                    break;
                }
                if (!open.containsKey(version)) {
                    held -= folderSize(version);
                    LocalFolders.deleteQuietly(version);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String fileName(String key) {
        return key.substring(key.lastIndexOf('/') + 1);
    }

    private void touch(Path folder) throws IOException {
        Files.setLastModifiedTime(folder, java.nio.file.attribute.FileTime.fromMillis(environment.clock().millis()));
    }

    private static long lastOpened(Path folder) {
        try {
            return Files.getLastModifiedTime(folder).toMillis();
        } catch (IOException e) {
            return 0;
        }
    }

    private static long folderSize(Path folder) {
        try (Stream<Path> files = Files.list(folder)) {
            return files.mapToLong(IndexFileCache::sizeOf).sum();
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
