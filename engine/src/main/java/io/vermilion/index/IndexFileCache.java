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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import com.github.benmanes.caffeine.cache.AsyncCache;

import io.vermilion.catalog.VersionRef;
import io.vermilion.env.Environment;
import io.vermilion.storage.LocalFolders;
import io.vermilion.storage.ObjectFiles;
import io.vermilion.storage.ObjectStore;
import io.vermilion.storage.BoundedCalls;
import io.vermilion.version.CorruptManifestException;
import io.vermilion.version.ManifestReader;
import io.vermilion.version.VersionFile;
import io.vermilion.version.VersionKeys;
import io.vermilion.version.VersionManifest;

/**
 * The local-disk level for published versions' Lucene index files: a version is fetched once (its files in parallel,
 * large ones in concurrent ranges, each checked against the manifest's size and CRC32C) into
 * {@code <root>/<collection>/<version>/}, made visible by an atomic rename, and opened memory-mapped
 * ({@link LocalIndexDirectory}: an int8 index's float32 vectors are read, not mapped), so the OS page cache is the
 * memory level. A compactor on the same replica hands it each version it publishes ({@link #adopt}, hard links from
 * its build folder) and takes the previous version's files from it ({@link #copyLocal}), so neither fetches what is
 * already here. Folders survive restarts. Bounded by bytes: when over capacity, folders of versions not
 * open here are deleted, least recently opened first. Thread-safe; one process per root.
 *
 * <p>With {@link LazyOpenOptions#enabled() lazy opening}, a version with no local folder yet (and, for the collection,
 * no other local version: moving a warm replica to a new version downloads it while the previous one serves) is
 * served at once from ranged object-storage reads ({@link LazyIndexDirectory}), its pages written into the fetch folder
 * as they arrive, while the rest is fetched in the background; the folder is renamed into place (and later opens
 * memory-map it) only when every file matches the manifest's size and CRC32C. Such a reader is
 * {@linkplain IndexedCollectionReader#paged() paged}; its {@linkplain IndexedCollectionReader#localCopy() localCopy}
 * tells its owner when to reopen the version mapped (as {@code CollectionStateCache} does), and the version's pages
 * leave memory when its last paged reader closes. Integrity while lazy: a page must have
 * exactly the length the manifest implies, and Lucene checks each file's header and footer structure on open; the
 * whole-file CRC32C (and so Lucene's own checksum) is checked once the file is complete, before it is ever opened from
 * local disk. A failed page fetch fails only the read that needed it. Opening fetches what Lucene reads on open (small
 * files, each file's first and last page) in parallel and starts fetching the version's cold-search sketches; until
 * the version is local, kNN queries are answered from those sketches ({@link ColdSearch}): candidates by the sketch's
 * estimate, their vectors fetched at once and scored exactly.
 */
public final class IndexFileCache {

    private static final String TEMP_PREFIX = ".fetch-";
    /** How long the background download of a version with sketches waits for a first query to answer from them. */
    static final java.time.Duration WARM_DELAY = java.time.Duration.ofSeconds(5);

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
    private final LazyOpenOptions lazyOpen;
    /** Pages of lazily served versions, shared by all of them, bounded by bytes. */
    private final AsyncCache<PagedIndexFiles.PageKey, byte[]> pages;
    /** Versions served lazily while their files arrive, by final folder; removed once warmed (or warming failed). */
    private final ConcurrentHashMap<Path, CompletableFuture<LazyVersion>> lazy = new ConcurrentHashMap<>();
    private final AtomicLong lazyOpens = new AtomicLong();
    private final AtomicLong reusedBytes = new AtomicLong();
    private final AtomicLong adoptedVersions = new AtomicLong();
    /** The replica's one bound on background downloads, shared by every version ({@link LazyOpenOptions}). */
    private final BoundedCalls background;
    /** The version folders in place, their bytes and last opening: what bounding the cache goes by. */
    private final LocalVersionLedger ledger;

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
        this(store, root, capacityBytes, executor, environment, LazyOpenOptions.DISABLED);
    }

    /** As above, opening versions not local yet lazily as {@code lazyOpen} says. */
    public IndexFileCache(ObjectStore store, Path root, long capacityBytes, Executor executor,
                          Environment environment, LazyOpenOptions lazyOpen) {
        this.lazyOpen = Objects.requireNonNull(lazyOpen, "lazyOpen");
        this.background = new BoundedCalls(lazyOpen.backgroundFetches());
        this.pages = PagedIndexFiles.memory(lazyOpen.memoryBytes(), executor);
        this.environment = Objects.requireNonNull(environment, "environment");
        this.store = Objects.requireNonNull(store, "store");
        this.root = Objects.requireNonNull(root, "root");
        this.capacityBytes = capacityBytes;
        this.executor = Objects.requireNonNull(executor, "executor");
        this.ledger = new LocalVersionLedger();
        try {
            Files.createDirectories(root);
            try (Stream<Path> collections = Files.list(root)) {
                for (Path collection : collections.toList()) {
                    try (Stream<Path> entries = Files.list(collection)) {
                        for (Path entry : entries.toList()) {
                            if (entry.getFileName().toString().startsWith(TEMP_PREFIX)) {
                                LocalFolders.delete(entry); // a fetch that did not finish before the last stop
                            } else if (Files.isDirectory(entry)) { // a version left by an earlier run
                                ledger.placed(entry, LocalVersionLedger.folderSize(entry),
                                        Files.getLastModifiedTime(entry).toMillis());
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
            if (lazyOpen.enabled() && (lazy.containsKey(folder) || !hasLocalVersion(folder.getParent()))) {
                return CompletableFuture.<Path>completedFuture(null);
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
        }).thenCompose(ready -> ready == null
                ? openLazily(collection, ref, folder, parameters)
                : CompletableFuture.supplyAsync(() -> openLocal(ref, ready, parameters), executor));
    }

    private IndexedCollectionReader openLocal(VersionRef ref, Path ready, SearchParameters parameters) {
        open.merge(ready, 1, Integer::sum); // before opening: makeRoom must not delete what is being opened
        IndexedCollectionReader reader;
        try {
            touch(ready);
            reader = IndexedCollectionReader.open(LocalIndexDirectory.open(ready), parameters);
        } catch (IOException | RuntimeException e) {
            open.computeIfPresent(ready, (k, n) -> n == 1 ? null : n - 1);
            throw e instanceof IOException io
                    ? new UncheckedIOException("cannot open the index of " + ref + " in " + ready, io)
                    : (RuntimeException) e;
        }
        reader.onClose(() -> closed(ready));
        return reader;
    }

    private void closed(Path folder) {
        if (open.computeIfPresent(folder, (k, n) -> n == 1 ? null : n - 1) == null && retired.remove(folder)) {
            deleteVersion(folder);
        }
    }

    /**
     * Serves the version from object-storage pages at once, through the one {@link LazyVersion} of its folder, which
     * fetches every page in the background and makes the folder local when all files check out.
     */
    private CompletableFuture<IndexedCollectionReader> openLazily(UUID collection, VersionRef ref, Path folder,
                                                                  SearchParameters parameters) {
        CompletableFuture<LazyVersion> mine = new CompletableFuture<>();
        CompletableFuture<LazyVersion> running = lazy.putIfAbsent(folder, mine);
        if (running == null) {
            startLazy(collection, ref, folder).whenComplete((version, failure) -> {
                if (failure != null) {
                    lazy.remove(folder, mine);
                    mine.completeExceptionally(failure);
                } else {
                    mine.complete(version);
                    version.warming.whenComplete((done, warmFailure) -> lazy.remove(folder, mine));
                }
            });
            running = mine;
        }
        CompletableFuture<LazyVersion> shared = running;
        return running.thenComposeAsync(version -> {
            if (version.retain()) {
                return CompletableFuture.completedFuture(readLazily(version, ref, folder, parameters));
            }
            if (Files.isDirectory(folder)) { // warmed and closed meanwhile: the folder is local now
                return CompletableFuture.completedFuture(openLocal(ref, folder, parameters));
            }
            lazy.remove(folder, shared); // closed without warming (failed, or none): start over
            return openLazily(collection, ref, folder, parameters);
        }, executor);
    }

    private IndexedCollectionReader readLazily(LazyVersion version, VersionRef ref, Path folder,
                                               SearchParameters parameters) {
        open.merge(folder, 1, Integer::sum);
        IndexedCollectionReader reader;
        LazyIndexDirectory directory = new LazyIndexDirectory(version.files, ref.manifestKey());
        try {
            reader = IndexedCollectionReader.open(directory, parameters);
        } catch (IOException | RuntimeException e) {
            version.release();
            closed(folder);
            throw e instanceof IOException io
                    ? new UncheckedIOException("cannot open the index of " + ref + " lazily", io)
                    : (RuntimeException) e;
        }
        reader.coldSearch(new ColdSearch(directory, lazyOpen.coldCandidates(), () -> !version.local(),
                () -> version.startWarming.complete(null)));
        // The warming completes once the folder is in place (or the download failed and its pages were dropped).
        reader.paged(version.warming.handle((ok, failure) -> failure == null));
        lazyOpens.incrementAndGet();
        reader.onClose(() -> {
            version.release();
            closed(folder);
        });
        return reader;
    }

    private CompletableFuture<LazyVersion> startLazy(UUID collection, VersionRef ref, Path folder) {
        return store.get(ref.manifestKey()).toCompletableFuture().thenApplyAsync(bytes -> {
            List<VersionFile> files = indexFiles(collection, ref, bytes);
            makeRoom(files.stream().mapToLong(VersionFile::size).sum());
            Path temp;
            PagedIndexFiles paged;
            try {
                Files.createDirectories(folder.getParent());
                temp = Files.createTempDirectory(folder.getParent(), TEMP_PREFIX);
                paged = new PagedIndexFiles(store, files, temp, lazyOpen.pageBytes(), pages, executor, fetchedBytes);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            LazyVersion version = new LazyVersion(paged);
            version.onClosed = () -> dropPages(files); // its readers are gone (the version's mapped copy serves)
            // Before the background download queues its reads.
            version.opening = paged.prefetchForOpen(lazyOpen.coldCandidates() > 0);
            if (lazyOpen.warmParallelism() == 0) { // pages only as read; the fetch folder goes with the last reader
                version.warming = new CompletableFuture<>();
                version.onClosed = () -> {
                    dropPages(files);
                    LocalFolders.deleteQuietly(temp);
                };
                version.refs = 0; // closes with its last reader
                return version;
            }
            // With sketches, the download waits for the first query answered from them (or WARM_DELAY): the first
            // answer's few reads do not queue behind the download's.
            CompletableFuture<Void> start = version.startWarming;
            if (lazyOpen.coldCandidates() > 0) {
                CompletableFuture.delayedExecutor(WARM_DELAY.toMillis(), TimeUnit.MILLISECONDS, executor)
                        .execute(() -> start.complete(null));
            } else {
                start.complete(null);
            }
            CompletableFuture<Void> downloaded =
                    start.thenCompose(ignored -> paged.warm(lazyOpen.warmParallelism(), background));
            version.warming = downloaded.thenRunAsync(() -> {
                moveIntoPlace(temp, folder);
                fetchedVersions.incrementAndGet();
            }, executor).whenComplete((done, failure) -> {
                if (failure != null) {
                    paged.abandonDisk();
                    LocalFolders.deleteQuietly(temp);
                }
                version.release(); // the warming's reference
            });
            return version;
        }, executor).thenCompose(version -> version.opening.thenApply(ignored -> version));
    }

    /** Frees the memory of the pages of {@code files} (another version listing one of them fetches it again). */
    private void dropPages(List<VersionFile> files) {
        Set<String> keys = new java.util.HashSet<>();
        files.forEach(file -> keys.add(file.key()));
        pages.synchronous().asMap().keySet().removeIf(page -> keys.contains(page.objectKey()));
    }

    /** Bytes of lazily served versions' pages held in memory. */
    public long pageMemoryBytes() {
        pages.synchronous().cleanUp();
        return pages.synchronous().policy().eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L);
    }

    /** Versions served lazily from object-storage pages (their files were not local). */
    public long lazyOpens() {
        return lazyOpens.get();
    }

    /**
     * Completes when the version's background download (after a lazy open) has ended, successfully or not; at once if
     * none is under way.
     */
    public CompletionStage<Void> warmed(UUID collection, long version) {
        CompletableFuture<LazyVersion> running = lazy.get(folder(collection, version));
        return running == null ? CompletableFuture.completedFuture(null)
                : running.thenCompose(v -> v.warming).handle((ok, failure) -> null);
    }

    /** Whether the collection has any version's files locally (then fetching a new version is no cold start). */
    private static boolean hasLocalVersion(Path collectionFolder) {
        if (!Files.isDirectory(collectionFolder)) {
            return false;
        }
        try (Stream<Path> entries = Files.list(collectionFolder)) {
            return entries.anyMatch(p -> !p.getFileName().toString().startsWith(TEMP_PREFIX));
        } catch (IOException e) {
            return false;
        }
    }

    /** Renames a complete fetch (or build) folder into place, unless another one of the same version got there first. */
    private void moveIntoPlace(Path temp, Path folder) {
        try {
            Files.move(temp, folder, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IllegalStateException("the index file cache needs a file system with atomic renames", e);
        } catch (IOException e) {
            if (!Files.isDirectory(folder)) {
                throw new UncheckedIOException(e);
            }
            LocalFolders.deleteQuietly(temp); // another fetch of the same version finished first
        }
        if (!ledger.holds(folder)) {
            ledger.placed(folder, LocalVersionLedger.folderSize(folder), environment.clock().millis());
        }
    }

    private void deleteVersion(Path folder) {
        LocalFolders.deleteQuietly(folder);
        ledger.removed(folder);
    }

    /** A version served from pages: its files stay open while the warming or any reader uses them. */
    private static final class LazyVersion {
        final PagedIndexFiles files;
        volatile CompletableFuture<Void> warming;
        /** Completed to start the background download. */
        final CompletableFuture<Void> startWarming = new CompletableFuture<>();
        /** What opening a reader reads, fetched in parallel ({@link PagedIndexFiles#prefetchForOpen}). */
        volatile CompletableFuture<Void> opening;
        volatile Runnable onClosed = () -> {};
        private int refs = 1; // the warming's; guarded by this
        private boolean closed; // guarded by this

        LazyVersion(PagedIndexFiles files) {
            this.files = files;
        }

        /** Whether every file has arrived and checked out (the version is in its local folder). */
        boolean local() {
            CompletableFuture<Void> done = warming;
            return done != null && done.isDone() && !done.isCompletedExceptionally();
        }

        synchronized boolean retain() {
            if (closed) {
                return false;
            }
            refs++;
            return true;
        }

        synchronized void release() {
            if (--refs == 0) {
                closed = true;
                files.close();
                onClosed.run();
            }
        }
    }

    /** Deletes the version's local files now if no reader has them open, else once the last reader closes. */
    public void retire(UUID collection, long version) {
        Path folder = folder(collection, version);
        retired.add(folder);
        executor.execute(() -> {
            if (!open.containsKey(folder) && retired.remove(folder)) {
                deleteVersion(folder);
            }
        });
    }

    /** Background reads of index files running now, across all versions (at most the bound). */
    public int backgroundFetchesRunning() {
        return background.running();
    }

    /** Background reads of index files waiting for one of the bound's slots. */
    public int backgroundFetchesWaiting() {
        return background.waiting();
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

    /** Bytes of the version folders held locally, as this cache placed and found them. */
    public long sizeBytes() {
        return ledger.bytes();
    }

    private Path folder(UUID collection, long version) {
        return root.resolve(collection.toString()).resolve("%020d".formatted(version));
    }

    private CompletableFuture<Path> fetch(UUID collection, VersionRef ref, Path folder) {
        return store.get(ref.manifestKey()).toCompletableFuture().thenComposeAsync(bytes -> {
            List<VersionFile> files = indexFiles(collection, ref, bytes);
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
                moveIntoPlace(temp, folder);
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

    /** The index files the manifest {@code bytes} lists, checked to describe {@code ref} of {@code collection}. */
    private List<VersionFile> indexFiles(UUID collection, VersionRef ref, byte[] bytes) {
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
        return files;
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
        // With lazy opening, a version is downloaded whole only when the collection has a local version serving
        // meanwhile: a background download like a lazy version's, bounded with them.
        ObjectStore from = lazyOpen.enabled() ? background.reads(store) : store;
        return ObjectFiles.download(from, file.key(), file.size(), file.crc32c(), target, executor);
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

    /**
     * Puts a published version's index file at {@code target} (which must not exist) from this cache when a local
     * version folder of the collection holds a file of that name: hard-linked (copied where links are not possible),
     * then checked against the manifest's size and CRC32C as a fetch is (a copy that does not match is left where it
     * is: the version is superseded, and retired when its successor is {@linkplain #adopt adopted}). Returns false,
     * leaving nothing at {@code target}, when no local copy matches; the caller then fetches the file.
     */
    public boolean copyLocal(UUID collection, VersionFile file, Path target) {
        String name = fileName(file.key());
        List<Path> versions;
        try (Stream<Path> entries = Files.list(root.resolve(collection.toString()))) {
            versions = entries.filter(p -> !p.getFileName().toString().startsWith(TEMP_PREFIX))
                    .sorted(Comparator.reverseOrder()).toList();
        } catch (IOException e) {
            return false; // nothing local for the collection
        }
        for (Path version : versions) {
            Path candidate = version.resolve(name);
            try {
                if (!Files.isRegularFile(candidate) || Files.size(candidate) != file.size()) {
                    continue;
                }
                linkOrCopy(candidate, target);
                if (ObjectFiles.crc32c(target) == file.crc32c()) {
                    reusedBytes.addAndGet(file.size());
                    return true;
                }
            } catch (IOException e) {
                // evicted meanwhile: try the next one
            }
            try {
                Files.deleteIfExists(target);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return false;
    }

    /**
     * Takes a version this replica just built and published as the version's local folder: its index files, listed
     * in {@code files} (with the CRC32C computed from these very files when they were uploaded), are hard-linked (or
     * copied) from {@code source}, so neither the first query of the version nor the next compaction fetches them.
     * Best effort: returns whether the version is local now (also when it already was).
     */
    public boolean adopt(UUID collection, long version, List<VersionFile> files, Path source) {
        Path folder = folder(collection, version);
        if (Files.isDirectory(folder)) {
            return true;
        }
        Path temp = null;
        try {
            makeRoom(files.stream().mapToLong(VersionFile::size).sum());
            Files.createDirectories(folder.getParent());
            temp = Files.createTempDirectory(folder.getParent(), TEMP_PREFIX);
            for (VersionFile file : files) {
                Path from = source.resolve(fileName(file.key()));
                if (Files.size(from) != file.size()) {
                    throw new IOException(from + " has " + Files.size(from) + " bytes, not " + file.size());
                }
                linkOrCopy(from, temp.resolve(fileName(file.key())));
            }
            moveIntoPlace(temp, folder);
            touch(folder);
            adoptedVersions.incrementAndGet();
            retireOlder(collection, version);
            return true;
        } catch (IOException | RuntimeException e) {
            if (temp != null) {
                LocalFolders.deleteQuietly(temp);
            }
            return Files.isDirectory(folder);
        }
    }

    /** Retires the collection's local versions older than {@code version} (superseded by it). */
    private void retireOlder(UUID collection, long version) {
        try (Stream<Path> entries = Files.list(root.resolve(collection.toString()))) {
            for (Path entry : entries.toList()) {
                String name = entry.getFileName().toString();
                if (!name.startsWith(TEMP_PREFIX) && name.chars().allMatch(Character::isDigit)
                        && Long.parseLong(name) < version) {
                    retire(collection, Long.parseLong(name));
                }
            }
        } catch (IOException e) {
            // nothing to retire
        }
    }

    private static void linkOrCopy(Path from, Path to) throws IOException {
        try {
            Files.createLink(to, from);
        } catch (UnsupportedOperationException | java.nio.file.FileSystemException e) {
            if (e instanceof java.nio.file.NoSuchFileException || e instanceof java.nio.file.FileAlreadyExistsException) {
                throw (IOException) e;
            }
            Files.copy(from, to); // another file system: links are not possible
        }
    }

    /** Bytes of index files a compaction took from here instead of fetching them. */
    public long reusedBytes() {
        return reusedBytes.get();
    }

    /** Versions taken from this replica's compactor as they were published. */
    public long adoptedVersions() {
        return adoptedVersions.get();
    }

    /** Deletes folders of versions not open, least recently opened first, until {@code incoming} more bytes fit. */
    private synchronized void makeRoom(long incoming) {
        if (!Files.isDirectory(root)) {
            ledger.cleared(); // deleted while running: the replica went cold, nothing is held
            try {
                Files.createDirectories(root);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        long held = ledger.bytes();
        if (held + incoming <= capacityBytes) {
            return;
        }
        for (Path version : ledger.leastRecentlyOpenedFirst()) {
            if (held + incoming <= capacityBytes) {
                break;
            }
            if (!open.containsKey(version)) {
                held -= ledger.bytes(version);
                deleteVersion(version);
            }
        }
    }

    private static String fileName(String key) {
        return key.substring(key.lastIndexOf('/') + 1);
    }

    /** Stamps the folder as opened now, on disk (for the next start) and in the ledger. */
    private void touch(Path folder) throws IOException {
        long now = environment.clock().millis();
        Files.setLastModifiedTime(folder, java.nio.file.attribute.FileTime.fromMillis(now));
        if (!ledger.opened(folder, now)) {
            ledger.placed(folder, LocalVersionLedger.folderSize(folder), now);
        }
    }
}
