package io.vermilion.index;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

import com.github.benmanes.caffeine.cache.AsyncCache;

import io.vermilion.storage.CorruptObjectException;
import io.vermilion.storage.ObjectFiles;
import io.vermilion.storage.ObjectStore;
import io.vermilion.storage.BoundedCalls;
import io.vermilion.version.VersionFile;

/**
 * One version's index files read in fixed-size pages: a page comes from the shared memory cache, else from the local
 * file (if it arrived already), else from the object store by a ranged read, which also writes it at its offset into
 * the local file. An int8 index's float32 vectors (see {@link LocalIndexDirectory}) and the cold-search sketches skip
 * the memory cache. {@link #prefetchForOpen} reads what opening a reader needs, from the version's {@link OpenPack} if
 * it has one. {@link #warm} fetches every missing page in the background (search structures first) and then checks
 * each whole file against the manifest's size and CRC32C. A page fetch is length-checked; concurrent reads of one page
 * share one fetch; a failed fetch is not remembered, so a later read tries again. Thread-safe.
 */
final class PagedIndexFiles implements AutoCloseable {

    /** Pages in the shared memory cache are keyed by object key (contents of a key never change) and page number. */
    record PageKey(String objectKey, long page) {}

    /** A memory tier for pages: at most {@code bytes} of them, least recently used first out. */
    static AsyncCache<PageKey, byte[]> memory(long bytes, Executor executor) {
        return com.github.benmanes.caffeine.cache.Caffeine.newBuilder()
                .maximumWeight(bytes)
                .weigher((PageKey key, byte[] page) -> page.length)
                .executor(executor)
                .buildAsync();
    }

    private final ObjectStore store;
    private final Executor executor;
    private final AsyncCache<PageKey, byte[]> memory;
    private final int pageBytes;
    private final Map<String, PagedFile> files = new LinkedHashMap<>();
    private final AtomicLong fetchedBytes;
    private volatile boolean diskBroken;

    /**
     * @param folder       where the local copies are written, each file at its first page (a fetch folder that is
     *                     renamed once every file is complete and checked: open channels follow the rename)
     * @param fetchedBytes counts bytes read from the object store
     */
    PagedIndexFiles(ObjectStore store, List<VersionFile> indexFiles, Path folder, int pageBytes,
                    AsyncCache<PageKey, byte[]> memory, Executor executor, AtomicLong fetchedBytes) {
        this.store = store;
        this.executor = executor;
        this.memory = memory;
        this.pageBytes = pageBytes;
        this.fetchedBytes = fetchedBytes;
        String[] names = indexFiles.stream().map(f -> f.key().substring(f.key().lastIndexOf('/') + 1))
                .toArray(String[]::new);
        java.util.Set<String> rescoreOnly = LocalIndexDirectory.rescoreOnlyFiles(names);
        for (VersionFile file : indexFiles) {
            String name = file.key().substring(file.key().lastIndexOf('/') + 1);
            // Sketches are read once per reader, which keeps them decoded; their pages would only push others out.
            boolean outsideMemory = ColdSketch.isSketch(name)
                    || rescoreOnly.contains(name) && file.size() >= LocalIndexDirectory.MAPPED_BELOW;
            files.put(name, new PagedFile(file, folder.resolve(name), outsideMemory));
        }
    }

    String[] names() {
        return files.keySet().toArray(String[]::new);
    }

    PagedFile file(String name) {
        return files.get(name);
    }

    int pageBytes() {
        return pageBytes;
    }

    long totalBytes() {
        return files.values().stream().mapToLong(f -> f.meta.size()).sum();
    }

    /**
     * Fetches every page not local yet, {@code parallelism} at a time and each fetch through the replica's bound on
     * {@code background} fetches, small and search files first, then checks each file against the manifest. Completes
     * exceptionally with the store's error or {@link CorruptObjectException}. A chunk's pages count as in flight only
     * once its fetch has a slot, so a query's read of a page never waits for one.
     */
    CompletableFuture<Void> warm(int parallelism, BoundedCalls background) {
        List<PagedFile> order = new ArrayList<>(files.values());
        order.sort(Comparator.comparingInt((PagedFile f) -> rank(f.meta.key())).thenComparingLong(f -> f.meta.size()));
        List<long[]> pages = new ArrayList<>(); // [file index, first page of a chunk]
        for (int i = 0; i < order.size(); i++) {
            for (long p = 0; p < order.get(i).pages(); p += pagesPerChunk()) {
                pages.add(new long[] {i, p});
            }
        }
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        List<CompletableFuture<Void>> lanes = new ArrayList<>();
        for (int lane = 0; lane < parallelism; lane++) {
            lanes.add(lane(order, pages, next, background));
        }
        return CompletableFuture.allOf(lanes.toArray(CompletableFuture[]::new)).thenRunAsync(() -> {
            if (diskBroken) {
                throw new UncheckedIOException(new IOException("pages could not be written to the local cache"));
            }
            for (PagedFile file : order) {
                file.check();
            }
        }, executor);
    }

    private CompletableFuture<Void> lane(List<PagedFile> order, List<long[]> pages,
                                         java.util.concurrent.atomic.AtomicInteger next, BoundedCalls background) {
        int i = next.getAndIncrement();
        if (i >= pages.size()) {
            return CompletableFuture.completedFuture(null);
        }
        PagedFile file = order.get((int) pages.get(i)[0]);
        long page = pages.get(i)[1];
        return background.run(() -> file.fetchChunk(page)).thenCompose(ignored -> lane(order, pages, next, background));
    }

    /**
     * Fetches at once what opening a Lucene reader reads one page at a time: the version's {@link OpenPack} in one
     * read if it has one (its pages written into the files they belong to), and the pages it does not cover (all of
     * them for a version without a pack, or if the pack cannot be read): small files whole, the first and last page
     * of the others (their header and footer) in parallel. If {@code sketches}, starts fetching the cold-search
     * sketches ({@link ColdSketch}) whole meanwhile. Completes, never exceptionally, when the former have arrived or
     * failed (a read of a page whose fetch failed fetches it again and reports the error).
     */
    CompletableFuture<Void> prefetchForOpen(boolean sketches) {
        PagedFile pack = files.get(OpenPack.NAME);
        CompletableFuture<Void> packed = pack == null ? CompletableFuture.completedFuture(null)
                : pack.whole().thenAccept(bytes -> unpack(OpenPack.read(bytes, pack.meta.key())));
        for (Map.Entry<String, PagedFile> entry : files.entrySet()) {
            if (sketches && ColdSketch.isSketch(entry.getKey())) {
                entry.getValue().prefetch(0, entry.getValue().length());
            }
        }
        return packed.handle((ok, failure) -> null).thenCompose(ignored -> {
            List<CompletableFuture<?>> opening = new ArrayList<>();
            for (Map.Entry<String, PagedFile> entry : files.entrySet()) {
                PagedFile file = entry.getValue();
                if (ColdSketch.isSketch(entry.getKey()) || OpenPack.isPack(entry.getKey())) {
                    continue;
                }
                if (file.pages() <= 4) {
                    opening.add(file.fetchUnlessHeld(0, file.pages()));
                } else {
                    opening.add(file.fetchUnlessHeld(0, 1));
                    opening.add(file.fetchUnlessHeld(file.pages() - 1, file.pages()));
                }
            }
            return CompletableFuture.allOf(opening.toArray(CompletableFuture[]::new)).handle((ok, failure) -> null);
        });
    }

    /** Pages read by {@link OpenPack#read}: each page a range covers whole, of a file of the length it names. */
    private void unpack(OpenPack pack) {
        for (OpenPack.Range range : pack.ranges()) {
            PagedFile file = files.get(range.name());
            if (file == null || file.length() != range.fileLength()) {
                continue;
            }
            long first = (range.offset() + pageBytes - 1) / pageBytes;
            for (long p = first; p < file.pages() && p * pageBytes + file.pageLength(p) <= range.end(); p++) {
                int at = (int) (p * pageBytes - range.offset());
                file.arrived(p, java.util.Arrays.copyOfRange(range.bytes(), at, at + file.pageLength(p)));
            }
        }
    }

    /** A prefetch of a long range reads at most this many bytes per ranged read, all reads at once. */
    static final int PREFETCH_BYTES = 1 << 20;

    /** The background download reads this many pages at once (4 MiB, or one page if pages are larger). */
    private int pagesPerChunk() {
        return Math.max(1, (4 << 20) / pageBytes);
    }

    /** Search structures first: metadata and commit files, sketches, HNSW graph, quantized then raw vectors, the rest. */
    private static int rank(String key) {
        String ext = key.substring(key.lastIndexOf('.') + 1);
        if (key.contains("segments_") || ext.equals("si") || ext.equals("fnm") || ext.endsWith("m")) {
            return 0; // .vem, .vemf, .vemq, .fdm, .tmd, .dvm, .kdm, .nvm, .psm: small metadata read on open
        }
        return switch (ext) {
            case "vsk" -> 1; // cold-search sketches: what a query reads before the version is local
            case "vex" -> 2;
            case "veq", "veb" -> 3;
            case "vec" -> 4;
            default -> 5;
        };
    }

    /** The local copy is being deleted: pages not in memory come from the store from now on. */
    void abandonDisk() {
        diskBroken = true;
    }

    @Override
    public void close() {
        for (PagedFile file : files.values()) {
            file.closeChannel();
        }
    }

    /** One file's pages and its local copy. */
    final class PagedFile {
        final VersionFile meta;
        private final Path path;
        /** The local file, created at its first write or check (creating a version's files costs ~0.3 ms each). */
        private FileChannel channel; // guarded by this
        private final AtomicIntegerArray local; // 1 once the page is written to the local file
        private final ConcurrentHashMap<Long, CompletableFuture<byte[]>> inFlight = new ConcurrentHashMap<>();
        /**
         * An int8 index's float32 vectors, read only to re-score candidates ({@link LocalIndexDirectory}), and the
         * cold-search sketches, decoded once per reader: their pages come from the local file (SSD tier) or the store
         * and never take room in the shared memory cache.
         */
        private final boolean outsideMemory;

        PagedFile(VersionFile meta, Path path, boolean outsideMemory) {
            this.meta = meta;
            this.path = path;
            this.outsideMemory = outsideMemory;
            this.local = new AtomicIntegerArray(Math.toIntExact(pages()));
        }

        long length() {
            return meta.size();
        }

        private synchronized FileChannel channel() throws IOException {
            if (channel == null) {
                channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                        StandardOpenOption.WRITE);
            }
            return channel;
        }

        synchronized void closeChannel() {
            try {
                if (channel != null) {
                    channel.close();
                }
            } catch (IOException e) {
                // nothing to do: the file is read-only from here on
            }
        }

        long pages() {
            return (meta.size() + pageBytes - 1) / pageBytes;
        }

        int pageLength(long page) {
            return (int) Math.min(pageBytes, meta.size() - page * pageBytes);
        }

        boolean isLocal(long page) {
            return local.get((int) page) == 1 && !diskBroken;
        }

        /**
         * The page's bytes, waiting for them; a failed fetch throws the store's error (unchecked) or an IOException.
         * A failed read is tried once more before it fails: it may have waited for a longer fetch holding the page (a
         * background chunk, a prefetch) that failed over other pages.
         */
        byte[] page(long page) throws IOException {
            try {
                if (outsideMemory) {
                    return load(page).join();
                }
                return memory.get(new PageKey(meta.key(), page), (key, ignored) -> load(page)).join();
            } catch (CompletionException shared) {
                return retried(page);
            }
        }

        private byte[] retried(long page) throws IOException {
            try {
                return load(page).join();
            } catch (CompletionException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                if (cause instanceof UncheckedIOException io) {
                    throw io.getCause();
                }
                if (cause instanceof RuntimeException runtime) {
                    throw runtime;
                }
                throw new IOException("cannot read page " + page + " of " + meta.key(), cause);
            }
        }

        /**
         * Runs on the reading thread (a local page is read right there) or on the store's completion thread, never
         * queued on {@code executor}: readers block on pages, and a pool whose threads all wait for work queued
         * behind them would never finish it.
         */
        private CompletableFuture<byte[]> load(long page) {
            if (isLocal(page)) {
                try {
                    return CompletableFuture.completedFuture(read(page));
                } catch (IOException e) {
                    return CompletableFuture.failedFuture(e);
                }
            }
            return fetch(page);
        }

        private byte[] read(long page) throws IOException {
            ByteBuffer buffer = ByteBuffer.allocate(pageLength(page));
            long at = page * pageBytes;
            while (buffer.hasRemaining()) {
                int n = channel().read(buffer, at);
                if (n < 0) {
                    throw new IOException("local copy of " + meta.key() + " ends before page " + page);
                }
                at += n;
            }
            return buffer.array();
        }

        /** Fetches the page from the store (one fetch per page at a time) and writes it to the local file. */
        CompletableFuture<byte[]> fetch(long page) {
            CompletableFuture<byte[]> mine = new CompletableFuture<>();
            CompletableFuture<byte[]> running = inFlight.putIfAbsent(page, mine);
            if (running != null) {
                return running;
            }
            int length = pageLength(page);
            long offset = page * pageBytes;
            store.getRange(meta.key(), offset, length).toCompletableFuture().thenApply(bytes -> {
                fetchedBytes.addAndGet(bytes.length);
                if (bytes.length != length) {
                    throw new CorruptObjectException("index file", meta.key(), "range at " + offset + " returned "
                            + bytes.length + " bytes, expected " + length, null);
                }
                write(page, bytes);
                return bytes;
            }).whenComplete((bytes, failure) -> {
                inFlight.remove(page, mine);
                if (failure != null) {
                    mine.completeExceptionally(failure instanceof CompletionException && failure.getCause() != null
                            ? failure.getCause() : failure);
                } else {
                    mine.complete(bytes);
                }
            });
            return mine;
        }

        /**
         * The whole file in one ranged read, checked against the manifest's size and CRC32C, and written to the local
         * file; completes exceptionally with the store's error or {@link CorruptObjectException}.
         */
        CompletableFuture<byte[]> whole() {
            return store.getRange(meta.key(), 0, Math.toIntExact(meta.size())).toCompletableFuture().thenApply(bytes -> {
                fetchedBytes.addAndGet(bytes.length);
                if (!meta.matches(bytes)) {
                    throw new CorruptObjectException("index file", meta.key(),
                            "size or CRC32C differs from what the manifest lists", null);
                }
                writeAt(0, bytes);
                if (!diskBroken) {
                    for (long p = 0; p < pages(); p++) {
                        local.set((int) p, 1);
                    }
                }
                return bytes;
            });
        }

        /**
         * A page's bytes that came with another read: kept in memory, as a read would keep them; written to the local
         * file only for a file whose pages skip memory (the background download fetches the others' pages anyway, and
         * creating each file at open would cost more than the ranged reads saved).
         */
        void arrived(long page, byte[] bytes) {
            if (!outsideMemory) {
                memory.synchronous().put(new PageKey(meta.key(), page), bytes);
            } else if (!isLocal(page)) {
                write(page, bytes);
            }
        }

        /**
         * Fetches the pages from {@code first} up to a chunk's worth that are not local, in one ranged read, and writes
         * them to the local file; readers of those pages meanwhile wait for it rather than fetch them again.
         */
        CompletableFuture<Void> fetchChunk(long first) {
            return fetchPages(first, Math.min(pages(), first + pagesPerChunk()));
        }

        /**
         * Starts fetching the pages holding bytes {@code [offset, offset + length)} that are neither local, nor in
         * memory, nor in flight: one page alone, longer runs of missing pages in ranged reads of at most
         * {@link #PREFETCH_BYTES}, all at once. Does not wait; a failure is not remembered (a later read of a page
         * fetches it again and reports the error).
         */
        void prefetch(long offset, long length) {
            if (length <= 0 || offset < 0 || offset >= meta.size()) {
                return;
            }
            long first = offset / pageBytes;
            long last = Math.min(pages() - 1, (offset + length - 1) / pageBytes);
            int perRead = Math.max(1, PREFETCH_BYTES / pageBytes);
            long run = -1; // first page of the current run of missing pages
            for (long p = first; p <= last + 1; p++) {
                boolean missing = p <= last && !isLocal(p) && !inFlight.containsKey(p)
                        && (outsideMemory || memory.getIfPresent(new PageKey(meta.key(), p)) == null);
                if (missing && run < 0) {
                    run = p;
                }
                if (run >= 0 && (!missing || p - run == perRead)) {
                    if (p - run == 1) {
                        fetch(run);
                    } else {
                        fetchPages(run, p);
                    }
                    run = missing ? p : -1;
                }
            }
        }

        /** Pages {@code [first, end)} as {@link #fetchPages} fetches them, unless every one is in memory or local. */
        CompletableFuture<Void> fetchUnlessHeld(long first, long end) {
            for (long p = first; p < end; p++) {
                if (!isLocal(p) && (outsideMemory || memory.getIfPresent(new PageKey(meta.key(), p)) == null)) {
                    return fetchPages(first, end);
                }
            }
            return CompletableFuture.completedFuture(null);
        }

        /** Pages {@code [first, end)} not local yet, fetched as {@link #fetchChunk} does. */
        private CompletableFuture<Void> fetchPages(long first, long end) {
            while (first < end && isLocal(first)) {
                first++;
            }
            if (first >= end) {
                return CompletableFuture.completedFuture(null);
            }
            long from = first;
            CompletableFuture<byte[]> chunk = new CompletableFuture<>();
            List<Long> mine = new ArrayList<>();
            for (long p = from; p < end; p++) {
                CompletableFuture<byte[]> page = new CompletableFuture<>();
                if (inFlight.putIfAbsent(p, page) == null) {
                    mine.add(p);
                    long n = p;
                    chunk.whenComplete((bytes, failure) -> {
                        inFlight.remove(n, page);
                        if (failure != null) {
                            page.completeExceptionally(failure);
                        } else {
                            int at = (int) ((n - from) * pageBytes);
                            page.complete(java.util.Arrays.copyOfRange(bytes, at, at + pageLength(n)));
                        }
                    });
                }
            }
            long offset = from * pageBytes;
            int length = (int) (Math.min(meta.size(), end * pageBytes) - offset);
            store.getRange(meta.key(), offset, length).toCompletableFuture().thenApply(bytes -> {
                fetchedBytes.addAndGet(bytes.length);
                if (bytes.length != length) {
                    throw new CorruptObjectException("index file", meta.key(), "range at " + offset + " returned "
                            + bytes.length + " bytes, expected " + length, null);
                }
                writeAt(offset, bytes);
                for (long p : mine) {
                    local.set((int) p, 1);
                }
                return bytes;
            }).whenComplete((bytes, failure) -> {
                if (failure != null) {
                    chunk.completeExceptionally(failure instanceof CompletionException && failure.getCause() != null
                            ? failure.getCause() : failure);
                } else {
                    chunk.complete(bytes);
                }
            });
            // Pages another fetch had in flight are the other fetch's to finish; the chunk waits for them too.
            List<CompletableFuture<?>> all = new ArrayList<>();
            all.add(chunk);
            for (long p = from; p < end; p++) {
                CompletableFuture<byte[]> other = inFlight.get(p);
                if (other != null && !mine.contains(p)) {
                    all.add(other);
                }
            }
            return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
        }

        private void writeAt(long offset, byte[] bytes) {
            if (diskBroken) {
                return;
            }
            try {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                long at = offset;
                while (buffer.hasRemaining()) {
                    at += channel().write(buffer, at);
                }
            } catch (IOException e) {
                diskBroken = true;
            }
        }

        private void write(long page, byte[] bytes) {
            if (diskBroken) {
                return;
            }
            try {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                long at = page * pageBytes;
                while (buffer.hasRemaining()) {
                    at += channel().write(buffer, at);
                }
                local.set((int) page, 1);
            } catch (IOException e) {
                diskBroken = true; // served from the store from now on; warming fails and is retried by a later open
            }
        }

        void check() {
            try {
                if (channel().size() != meta.size() || ObjectFiles.crc32c(channel()) != meta.crc32c()) {
                    throw new CorruptObjectException("index file", meta.key(),
                            "size or CRC32C differs from what the manifest lists", null);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
