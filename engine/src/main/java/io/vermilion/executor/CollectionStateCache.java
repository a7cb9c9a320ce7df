package io.vermilion.executor;

import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.arrow.memory.BufferAllocator;

import io.vermilion.catalog.CollectionMissingException;
import io.vermilion.catalog.LogCatalog;
import io.vermilion.catalog.LogPosition;
import io.vermilion.catalog.VersionCatalog;
import io.vermilion.catalog.VersionRef;
import io.vermilion.env.Environment;
import io.vermilion.index.IndexFileCache;
import io.vermilion.index.SearchParameters;
import io.vermilion.catalog.FragmentRef;
import io.vermilion.log.CorruptFragmentException;
import io.vermilion.log.FragmentReader;
import io.vermilion.log.LogFragment;
import io.vermilion.log.LogGapException;
import io.vermilion.log.LogReader;
import io.vermilion.model.CollectionSnapshot;
import io.vermilion.model.GetRequest;
import io.vermilion.model.VersionReader;
import io.vermilion.storage.ObjectStore;

/**
 * The query executor's state: per collection, its published version opened from {@link IndexFileCache} plus the log
 * tail after it ({@link CollectionTail}), kept caught up. Every {@link #view} asks the catalog where the log ends, so a
 * write acknowledged before the call (by any replica) is in the view it returns. Fragments are read ({@link LogReader})
 * only once the catalog recorded them, in parallel, and applied in log order exactly once: catching up is serialized
 * per collection. When a newer version is published (a read notices it, or {@link #prepare} is told), views keep
 * coming from the previous version and its (longer) tail while the new version is opened and its tail replayed beside
 * them, then switch; reads never wait for the opening. A version opened lazily (read through object-storage pages
 * while it downloads) is reopened from its local, memory-mapped copy once the download checks out, and swapped in the
 * same way. This replica's own writes can be applied as they are recorded
 * ({@link #committed}, write-through), so the first read after an ingest finds them applied. The previous version's reader closes when its last view does. A state
 * left behind while the log it needs was collected (a newer version covers it) reloads from the newest version.
 * Without a version catalog every collection is served from its whole log. Thread-safe; views are immutable.
 */
public final class CollectionStateCache {

    private final LogCatalog catalog;
    private final VersionCatalog versions;
    private final IndexFileCache indexFiles;
    private final SearchParameters parameters;
    private final LogReader log;
    private final FragmentReader fragments;
    private final Executor executor;
    private final AtomicLong ownFragmentsApplied = new AtomicLong();
    private final AtomicLong versionsWarmed = new AtomicLong();
    private final ConcurrentHashMap<UUID, CachedCollection> collections = new ConcurrentHashMap<>();
    private final AtomicLong snapshotsCached = new AtomicLong();
    private final Environment environment;
    private final AtomicLong snapshotsCaughtUp = new AtomicLong();
    private final AtomicLong versionSwitches = new AtomicLong();
    private final AtomicLong versionsOpenedAhead = new AtomicLong();
    private final long memoryBudget;
    /**
     * Log fragment bytes a collection's state takes from this replica's own writes (by default a sixteenth of the
     * heap). Past it the state is dropped (reads catch up from the log), so an ingest that outruns compaction does not
     * hold its whole backlog in the heap.
     */
    private final long writeThroughLimit;
    private final AtomicLong writeThroughsDropped = new AtomicLong();
    /** Sum of the held collections' estimates. */
    private final AtomicLong heldBytes = new AtomicLong();
    /** Orders reads, for least-recently-read eviction. */
    private final AtomicLong readTicks = new AtomicLong();
    private final AtomicLong evictions = new AtomicLong();
    private final AtomicLong boundedViewsKept = new AtomicLong();
    private final AtomicLong versionsMapped = new AtomicLong();

    /** Serves every collection from its whole log (no compacted versions). */
    public CollectionStateCache(ObjectStore store, LogCatalog catalog, BufferAllocator allocator, Executor executor) {
        this(store, catalog, null, null, SearchParameters.DEFAULTS, allocator, executor);
    }

    /**
     * @param versions   the version pointers, or null to serve from the log alone
     * @param indexFiles opens published versions; null only with {@code versions} null
     * @param allocator  the parent Arrow allocator for decoding; it stays the caller's
     * @param executor   decodes and applies fragments, opens versions
     */
    public CollectionStateCache(ObjectStore store, LogCatalog catalog, VersionCatalog versions, IndexFileCache indexFiles,
                                SearchParameters parameters, BufferAllocator allocator, Executor executor) {
        this(store, catalog, versions, indexFiles, parameters, allocator, executor, Environment.system());
    }

    /** As above, timing version-switch retries with {@code environment}; no memory budget. */
    public CollectionStateCache(ObjectStore store, LogCatalog catalog, VersionCatalog versions, IndexFileCache indexFiles,
                                SearchParameters parameters, BufferAllocator allocator, Executor executor,
                                Environment environment) {
        this(store, catalog, versions, indexFiles, parameters, allocator, executor, environment, Long.MAX_VALUE);
    }

    /**
     * As above, holding at most about {@code memoryBudget} bytes of collection state (see {@link #heldBytes}): past
     * it, the least recently read collections not in use are evicted.
     */
    public CollectionStateCache(ObjectStore store, LogCatalog catalog, VersionCatalog versions, IndexFileCache indexFiles,
                                SearchParameters parameters, BufferAllocator allocator, Executor executor,
                                Environment environment, long memoryBudget) {
        this(store, catalog, versions, indexFiles, parameters, allocator, executor, environment, memoryBudget,
                Runtime.getRuntime().maxMemory() / 16);
    }

    /**
     * As above, holding at most {@code writeThroughLimit} bytes of log fragments a collection's own writes add to its
     * state (see {@link #committed}) before the state is dropped.
     */
    public CollectionStateCache(ObjectStore store, LogCatalog catalog, VersionCatalog versions, IndexFileCache indexFiles,
                                SearchParameters parameters, BufferAllocator allocator, Executor executor,
                                Environment environment, long memoryBudget, long writeThroughLimit) {
        this.writeThroughLimit = writeThroughLimit;
        if (memoryBudget < 0) {
            throw new IllegalArgumentException("negative memory budget: " + memoryBudget);
        }
        this.memoryBudget = memoryBudget;
        this.environment = Objects.requireNonNull(environment, "environment");
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        if ((versions == null) != (indexFiles == null)) {
            throw new IllegalArgumentException("a version catalog needs an index file cache and vice versa");
        }
        this.versions = versions;
        this.indexFiles = indexFiles;
        this.parameters = Objects.requireNonNull(parameters, "parameters");
        this.log = new LogReader(store, catalog, allocator, executor);
        this.fragments = new FragmentReader(allocator);
        this.executor = Objects.requireNonNull(executor, "executor");
    }

    /**
     * A view of the collection as of (at least) the log position the catalog reports now; the caller closes it.
     * Fails with {@link CollectionMissingException} if the collection does not exist, or with the store's error, a
     * {@link CorruptFragmentException} or a corrupt-version error if what it must read cannot be read (a later call
     * tries again).
     */
    public CompletionStage<CollectionView> view(UUID collection) {
        Objects.requireNonNull(collection, "collection");
        CompletableFuture<Optional<LogPosition>> position = catalog.position(collection).toCompletableFuture();
        CompletableFuture<Optional<VersionRef>> current = versions == null
                ? CompletableFuture.completedFuture(Optional.empty())
                : versions.currentVersion(collection).toCompletableFuture();
        return position.thenCombine(current, Target::new).thenCompose(target -> {
            if (target.position.isEmpty()) {
                forget(collection);
                return CompletableFuture.failedFuture(new CollectionMissingException(collection));
            }
            return view(collection, target.position.get(), target.version.orElse(null));
        });
    }

    /**
     * A view of the collection as of (at least) {@code position}, on {@code version} or a newer one, both as the
     * caller read them from the catalog (or a cache of it that is as new) after the read arrived; the caller closes
     * it. The catalog is not asked again. Fails as {@link #view(UUID)} does, except that a missing collection is the
     * caller's to notice.
     *
     * @param version the collection's current version, null if none is published (ignored without a version catalog)
     */
    public CompletionStage<CollectionView> view(UUID collection, LogPosition position, VersionRef version) {
        Objects.requireNonNull(collection, "collection");
        Objects.requireNonNull(position, "position");
        long offset = position.nextOffset();
        VersionRef ref = versions == null ? null : version;
        CachedCollection cached = collections.computeIfAbsent(collection, CachedCollection::new);
        cached.lastRead = readTicks.incrementAndGet();
        for (int attempt = 0; attempt < 3; attempt++) {
            Published published = cached.published;
            if (published == null || published.nextOffset < offset) {
                break;
            }
            CollectionView view = published.open();
            if (view != null) {
                snapshotsCached.incrementAndGet();
                if (newer(ref, published.ref)) {
                    cached.switchInBackground(ref, offset); // this view is complete already
                }
                return CompletableFuture.completedFuture(view);
            }
        }
        snapshotsCaughtUp.incrementAndGet();
        return cached.catchUp(offset, ref).whenComplete((view, failure) -> evictOverBudget(cached));
    }

    /**
     * A view of the collection's compacted version alone (Chroma's {@code index_only}), on {@code version} or a newer
     * one. A held state still on an older version (its move to the new one runs in the background, see
     * {@link #view(UUID, LogPosition, VersionRef)}) does not answer for it: the version is opened for this read, so a
     * caller that saw a version published (e.g. through {@code indexing_status}) reads it. The caller closes the view.
     */
    public CompletionStage<CollectionView> indexOnlyView(UUID collection, LogPosition position, VersionRef version) {
        return view(collection, position, version).thenCompose(view -> {
            try (view) {
                if (version == null || versions == null || view.versionNumber() >= version.version()) {
                    return CompletableFuture.completedFuture(view.indexOnly());
                }
            }
            return indexFiles.open(collection, version, parameters).toCompletableFuture()
                    .thenApply(reader -> CollectionView.ofVersion(reader, version.version()));
        });
    }

    /**
     * A view of the compacted version {@code version} plus at most {@code maxEntries} log operations after it
     * (Chroma's {@code index_and_bounded_wal}): the oldest operations compaction has not folded in yet, a consistent
     * prefix of the log, so what the read costs stays bounded however far compaction lags. When the whole tail up to
     * {@code position} fits, this is {@link #view(UUID, LogPosition, VersionRef)}. Otherwise the prefix is read from the
     * log (the held state is neither used for the tail nor caught up), on the held version's reader when it is
     * {@code version}, else on {@code version} opened for it. That prefix never changes for a version and bound, so the
     * collection keeps the last one read (with a reference to its version, given up when the collection moves to a
     * newer version, is dropped or evicted) and later bounded reads take views of it. The caller closes the view.
     */
    public CompletionStage<CollectionView> boundedView(UUID collection, LogPosition position, VersionRef version,
                                                       long maxEntries) {
        Objects.requireNonNull(collection, "collection");
        Objects.requireNonNull(position, "position");
        if (maxEntries < 0) {
            throw new IllegalArgumentException("negative bound on log entries: " + maxEntries);
        }
        VersionRef ref = versions == null ? null : version;
        long frontier = ref == null ? 0 : ref.logEndOffset();
        long bound = maxEntries >= Long.MAX_VALUE - frontier ? Long.MAX_VALUE : frontier + maxEntries;
        if (bound >= position.nextOffset()) {
            return view(collection, position, version);
        }
        long versionNumber = ref == null ? 0 : ref.version();
        CachedCollection cached = collections.computeIfAbsent(collection, CachedCollection::new);
        CollectionView kept = cached.openBounded(versionNumber, bound);
        if (kept != null) {
            boundedViewsKept.incrementAndGet();
            return CompletableFuture.completedFuture(kept);
        }
        CompletableFuture<VersionReader> base;
        if (ref == null) {
            base = CompletableFuture.completedFuture(null);
        } else {
            Published held = cached.published;
            base = held != null && held.base != null && sameVersion(held.ref, ref) && held.base.tryRetain()
                    ? CompletableFuture.completedFuture(held.base)
                    : indexFiles.open(collection, ref, parameters).toCompletableFuture().thenApply(r -> r);
        }
        return base.thenCompose(reader -> logPrefix(collection, reader, frontier, bound).thenApply(tail -> {
            if (reader == null || reader.tryRetain()) { // the kept prefix's own reference
                cached.keepBounded(new BoundedPrefix(versionNumber, bound, reader, tail));
            }
            return new CollectionView(reader, versionNumber, tail);
        }));
    }

    /** Bounded views served from a kept log prefix, without reading the log. */
    public long boundedViewsKept() {
        return boundedViewsKept.get();
    }

    /**
     * The log operations at offsets {@code [from, to)} applied on top of {@code base}, whose one reference (the
     * view's) is given back if reading fails.
     */
    private CompletableFuture<CollectionTail.View> logPrefix(UUID collection, VersionReader base, long from, long to) {
        CollectionTail tail = new CollectionTail(base);
        return log.read(collection, from, to, (fragment, decoded) -> {
            long start = fragment.startOffset();
            java.util.List<io.vermilion.record.LogRecord> records = decoded.records();
            int first = (int) Math.max(0, from - start);
            int end = (int) Math.min(records.size(), to - start); // the last fragment may reach past the bound
            if (first < end) {
                tail.apply(records.subList(first, end), start + first);
            }
        }).toCompletableFuture().handle((ignored, failure) -> {
            if (failure != null) {
                if (base != null) {
                    base.release();
                }
                throw failure instanceof java.util.concurrent.CompletionException c ? c
                        : new java.util.concurrent.CompletionException(failure);
            }
            return tail.view();
        });
    }

    /**
     * Write-through ({@link io.vermilion.log.CommittedFragments}): this replica's log writer recorded {@code fragment},
     * whose stored bytes are {@code bytes}. If the collection's state here ends exactly where the fragment starts (or
     * the fragment opens the log of a collection not held yet), the fragment is decoded and applied to that state in
     * the background, in log order with catch-ups, so the next read finds it applied instead of reading it back from
     * the object store. Otherwise nothing happens and reads catch up from the log as before (another replica's writes,
     * a state not held). Either way a read still waits for the log position the catalog reports, behind this step in
     * the collection's queue, so every acknowledged write stays visible to the next read. Quick; never blocks.
     */
    public void committed(UUID collection, FragmentRef fragment, byte[] bytes) {
        Objects.requireNonNull(fragment, "fragment");
        Objects.requireNonNull(bytes, "bytes");
        CachedCollection cached = fragment.startOffset() == 0
                ? collections.computeIfAbsent(collection, CachedCollection::new)
                : collections.get(collection);
        if (cached != null) {
            cached.enqueue(() -> CompletableFuture.runAsync(() -> cached.takeOwn(fragment, bytes), executor));
        }
    }

    /**
     * Versions a state read through object-storage pages (opened lazily) and then switched to reading from their
     * local, memory-mapped copy once downloaded.
     */
    public long versionsMapped() {
        return versionsMapped.get();
    }

    /**
     * Completes once the collection's held version, if read through object-storage pages (opened lazily), has been
     * switched to its local, memory-mapped copy, or will not be (its download failed: the paged reader serves on); at
     * once when no such switch is pending. Never completes for a paged version that has no background download.
     */
    public CompletionStage<Void> mapped(UUID collection) {
        CachedCollection cached = collections.get(collection);
        return cached == null ? CompletableFuture.completedFuture(null) : cached.mapping;
    }

    /** Versions queried once in the background before a state switched to them. */
    public long versionsWarmed() {
        return versionsWarmed.get();
    }

    /** States dropped because this replica's own writes grew their tail past their limit. */
    public long writeThroughsDropped() {
        return writeThroughsDropped.get();
    }

    /** Fragments of this replica's own writes applied at write time ({@link #committed}). */
    public long ownFragmentsApplied() {
        return ownFragmentsApplied.get();
    }

    /**
     * Bytes of collection state held, estimated: per tail record its embedding, strings and metadata plus a fixed
     * overhead ({@link #TAIL_RECORD_OVERHEAD}); per open version {@link #VERSION_OVERHEAD} plus
     * {@link #VERSION_BYTES_PER_RECORD} per record (Lucene's on-heap structures) plus the memory-mapped bytes a search
     * of it keeps resident ({@link VersionReader#searchBytes}: vectors scored and graph), which leave the process
     * when an evicted version is unmapped.
     */
    public long heldBytes() {
        return heldBytes.get();
    }

    /** Collections whose state is held. */
    public int heldCollections() {
        return collections.size();
    }

    /** Collections evicted to stay within the memory budget. */
    public long evictions() {
        return evictions.get();
    }

    static final long TAIL_RECORD_OVERHEAD = 160;
    static final long VERSION_OVERHEAD = 64 << 10;
    static final long VERSION_BYTES_PER_RECORD = 16;

    /** Estimated bytes of one published state (see {@link #heldBytes}). */
    static long estimate(Published published) {
        if (published == null) {
            return 0;
        }
        long[] sum = {0}; // the tail's records unordered: ordering them (records()) would cost more than this
        published.tail.forEachLive(record -> sum[0] += TAIL_RECORD_OVERHEAD
                + embeddingBytes(record.embedding())
                + 2L * (record.id().length() + length(record.document()) + length(record.uri()))
                + 64L * (record.metadata() == null ? 0 : record.metadata().size()));
        long bytes = sum[0];
        if (published.base != null) {
            bytes += VERSION_OVERHEAD + VERSION_BYTES_PER_RECORD * published.base.count() + published.base.searchBytes();
        }
        return bytes;
    }

    /** The record's floats, plus the int8 code the tail keeps beside its copy from 32 dimensions on. */
    private static long embeddingBytes(float[] embedding) {
        if (embedding == null) {
            return 0;
        }
        return 4L * embedding.length + (embedding.length >= TailRows.CODED_MIN_DIMENSION ? embedding.length : 0);
    }

    private static int length(String s) {
        return s == null ? 0 : s.length();
    }

    /**
     * While over the memory budget, evicts the least recently read collection other than {@code reading} whose
     * version no view holds (its local index files stay), until within it or none is left to evict.
     */
    private void evictOverBudget(CachedCollection reading) {
        while (heldBytes.get() > memoryBudget) {
            CachedCollection oldest = null;
            for (CachedCollection candidate : collections.values()) {
                if (candidate != reading && !candidate.inUse()
                        && (oldest == null || candidate.lastRead < oldest.lastRead)) {
                    oldest = candidate;
                }
            }
            if (oldest == null) {
                return;
            }
            if (collections.remove(oldest.collection, oldest)) {
                evictions.incrementAndGet();
                dropRemoved(oldest, false);
            }
        }
    }

    /** The whole collection materialized in insertion order (through {@link #view}); for small collections and tests. */
    public CompletionStage<CollectionSnapshot> snapshot(UUID collection) {
        return view(collection).thenApply(view -> {
            try (view) {
                return CollectionSnapshot.of(view.get(GetRequest.all()));
            }
        });
    }

    /** Views served as they were (the cache's hits): nothing had to be read. */
    public long snapshotsCached() {
        return snapshotsCached.get();
    }

    /** Views that first had to read new fragments or open a version (the cache's misses). */
    public long snapshotsCaughtUp() {
        return snapshotsCaughtUp.get();
    }

    /** Times a collection moved to a newer published version. */
    public long versionSwitches() {
        return versionSwitches.get();
    }

    /** Versions opened, and their tails replayed, before any read needed them (see {@link #prepare}). */
    public long versionsOpenedAhead() {
        return versionsOpenedAhead.get();
    }

    /**
     * A version of the collection was published (by this replica, or a reader saw it): opens it and replays the log
     * after it up to where the catalog ends it now, in the background, then switches to it, so no read waits for it. Reads meanwhile are served from the
     * state held, as complete as ever. Completes when the switch is done, skipped (nothing newer, a move already under
     * way) or failed (a later read tries again); never fails. The collection counts as just read for eviction, and
     * the version opened counts against the memory budget (others are evicted if it no longer fits).
     */
    public CompletionStage<Void> prepare(UUID collection, VersionRef version) {
        Objects.requireNonNull(version, "version");
        if (versions == null) {
            return CompletableFuture.completedFuture(null);
        }
        return catalog.position(collection).toCompletableFuture()
                .thenCompose(end -> {
                    if (end.isEmpty()) {
                        return CompletableFuture.<Void>completedFuture(null);
                    }
                    CachedCollection cached = collections.computeIfAbsent(collection, CachedCollection::new);
                    // A collection just written and compacted is likely read next: it counts as recently read, so
                    // the budget evicts idle collections before the version opened here.
                    cached.lastRead = readTicks.incrementAndGet();
                    return cached.switchInBackground(version, end.get().nextOffset());
                })
                .exceptionally(failure -> null);
    }

    /**
     * Forgets the collection's state in memory; the next view rebuilds it (its version's local index files stay and
     * are reused).
     */
    public void evict(UUID collection) {
        drop(collection, false);
    }

    /** The collection was deleted: forgets its state and deletes its local index files once no view reads them. */
    public void forget(UUID collection) {
        drop(collection, true);
    }

    private void drop(UUID collection, boolean deleteFiles) {
        CachedCollection removed = collections.remove(collection);
        if (removed != null) {
            dropRemoved(removed, deleteFiles);
        }
    }

    private void dropRemoved(CachedCollection removed, boolean deleteFiles) {
        removed.account(null, true);
        removed.releaseBounded(-1);
        removed.enqueue(() -> {
            removed.dropBuilding(deleteFiles);
            return CompletableFuture.completedFuture(null);
        });
    }

    private static final long SWITCH_RETRY_NANOS = 1_000_000_000L;

    private static boolean sameVersion(VersionRef a, VersionRef b) {
        return a == null ? b == null : b != null && a.version() == b.version();
    }

    /** Whether {@code candidate} is a later version than {@code held} (versions only move forward). */
    private static boolean newer(VersionRef candidate, VersionRef held) {
        return candidate != null && (held == null || candidate.version() > held.version());
    }

    private record Target(Optional<LogPosition> position, Optional<VersionRef> version) {}

    /** The log no longer records the fragments a cached state needs next. */
    private static final class LogTruncatedException extends IllegalStateException {
        LogTruncatedException(String message) {
            super(message);
        }
    }

    /** An immutable state readers take views of; {@code base} holds one reference for as long as it is published. */
    private record Published(VersionRef ref, VersionReader base, long nextOffset, CollectionTail.View tail) {

        /** A view holding its own reference to the base, or null if the base closed meanwhile (it was replaced). */
        CollectionView open() {
            if (base == null) {
                return new CollectionView(null, 0, tail);
            }
            return base.tryRetain() ? new CollectionView(base, ref.version(), tail) : null;
        }
    }

    /**
     * A log prefix read for a bounded view: the operations from {@code version}'s end up to {@code bound} on top of it;
     * {@code base} (null without a version) holds one reference for as long as the prefix is kept.
     */
    private record BoundedPrefix(long version, long bound, VersionReader base, CollectionTail.View tail) {}

    /** A state being caught up: touched only by the collection's serialized catch-ups. */
    private static final class Building {
        final VersionRef ref;
        /** Replaced at most by the same version reopened from its local copy ({@link CachedCollection#mapWhenLocal}). */
        VersionReader base;
        final CollectionTail tail;
        long offset;
        /** Fragment bytes this replica's own writes added to this state's tail ({@link #committed}). */
        long ownBytes;

        Building(VersionRef ref, VersionReader base) {
            this.ref = ref;
            this.base = base;
            this.tail = new CollectionTail(base);
            this.offset = ref == null ? 0 : ref.logEndOffset();
        }
    }

    /**
     * One collection. {@link #building} is touched only by catch-ups, which run one after another (each starts when
     * the previous ended); {@link #published} is read by anyone.
     */
    private final class CachedCollection {
        private final UUID collection;
        private Building building;
        volatile Published published;
        private CompletableFuture<Void> queue = CompletableFuture.completedFuture(null); // guarded by this
        private final java.util.concurrent.atomic.AtomicBoolean switching = new java.util.concurrent.atomic.AtomicBoolean();
        private volatile long lastSwitchFailure = environment.nanoTime() - SWITCH_RETRY_NANOS;
        volatile long lastRead;
        private long accounted; // this collection's share of heldBytes; guarded by this
        private boolean dropped; // guarded by this
        private volatile BoundedPrefix bounded; // written under this
        /** The pending switch of a paged version to its local copy ({@link #mapWhenLocal}); done if none. */
        volatile CompletableFuture<Void> mapping = CompletableFuture.completedFuture(null);

        CachedCollection(UUID collection) {
            this.collection = collection;
        }

        /** Counts {@code now} as this collection's held state; once {@code drop}ped, nothing more is counted. */
        synchronized void account(Published now, boolean drop) {
            if (dropped) {
                return;
            }
            long estimate = drop ? 0 : estimate(now);
            heldBytes.addAndGet(estimate - accounted);
            accounted = estimate;
            dropped = drop;
        }

        /**
         * Whether a view holds the published version (a tail-only state is never in use: views own their tail); a
         * kept bounded prefix on the same reader holds a reference of its own, which does not count.
         */
        boolean inUse() {
            Published now = published;
            BoundedPrefix prefix = bounded;
            int own = now != null && prefix != null && prefix.base() != null && prefix.base() == now.base ? 2 : 1;
            return now != null && now.base instanceof io.vermilion.index.IndexedCollectionReader reader
                    && reader.references() > own;
        }

        /** A view of the kept bounded prefix for this version and bound, or null if none is kept (or it closed). */
        synchronized CollectionView openBounded(long version, long bound) {
            BoundedPrefix prefix = bounded;
            if (prefix == null || prefix.version() != version || prefix.bound() != bound
                    || (prefix.base() != null && !prefix.base().tryRetain())) {
                return null;
            }
            return new CollectionView(prefix.base(), version, prefix.tail());
        }

        /**
         * Keeps {@code next} (and its reference) in place of the kept prefix; released at once instead when the
         * collection was dropped or evicted, or is held (or kept) on a newer version.
         */
        synchronized void keepBounded(BoundedPrefix next) {
            Published now = published;
            BoundedPrefix old = bounded;
            if (dropped || collections.get(collection) != this
                    || (now != null && now.ref != null && now.ref.version() > next.version())
                    || (old != null && old.version() > next.version())) {
                releaseQuietly(next.base()); // gone, or an older version than one kept or held: not worth keeping
                return;
            }
            bounded = next;
            if (old != null) {
                releaseQuietly(old.base());
            }
        }

        /** Gives up the kept prefix if it reads {@code base}. */
        synchronized void releaseBoundedOn(VersionReader base) {
            BoundedPrefix old = bounded;
            if (old != null && old.base() == base) {
                bounded = null;
                releaseQuietly(old.base());
            }
        }

        /** Gives up the kept prefix unless it is for {@code keepVersion} (-1: whatever it is for). */
        synchronized void releaseBounded(long keepVersion) {
            BoundedPrefix old = bounded;
            if (old != null && old.version() != keepVersion) {
                bounded = null;
                releaseQuietly(old.base());
            }
        }

        <T> CompletableFuture<T> enqueue(java.util.function.Supplier<CompletableFuture<T>> step) {
            CompletableFuture<Void> done = new CompletableFuture<>();
            CompletableFuture<Void> previous;
            synchronized (this) {
                previous = queue;
                queue = done;
            }
            return previous.thenCompose(ignored -> step.get()).whenComplete((result, failure) -> done.complete(null));
        }

        /**
         * Applies this replica's own fragment if the state ends where it starts, or starts the state of a collection
         * whose log it opens (see {@link #committed}); a failure gives the state up (the tail may hold part of the
         * fragment), so the next read reloads it from the log. Runs in the queue.
         */
        void takeOwn(FragmentRef fragment, byte[] bytes) {
            if (collections.get(collection) != this) {
                return; // dropped or evicted meanwhile
            }
            if (building == null) {
                if (fragment.startOffset() != 0) {
                    return;
                }
                building = new Building(null, null);
            }
            Building state = building;
            if (state.offset != fragment.startOffset()) {
                return; // another writer's fragments come between: a read catches up from the log
            }
            if (state.ownBytes + bytes.length > writeThroughLimit) {
                // Writes outrun compaction and nobody reads: holding the tail would fill the heap. Let it go; the
                // next read catches up from the log.
                release(state, false);
                building = null;
                published = null;
                account(null, false);
                writeThroughsDropped.incrementAndGet();
                return;
            }
            try {
                LogFragment decoded = fragments.read(bytes, fragment);
                state.tail.apply(decoded.records(), fragment.startOffset());
                state.ownBytes += bytes.length;
                state.offset = fragment.endOffset();
                ownFragmentsApplied.incrementAndGet();
                publish(); // O(1) but for the size estimate: the next read takes a view without queueing
            } catch (RuntimeException e) {
                release(state, false);
                building = null;
                published = null;
                account(null, false);
            }
        }

        CompletableFuture<CollectionView> catchUp(long target, VersionRef ref) {
            return enqueue(() -> load(target, ref).thenApply(view -> {
                // A read that took this collection just before it was evicted built its state here after the drop:
                // the view keeps its own reference, and nothing else may keep the version open or uncounted.
                if (isDropped()) {
                    dropBuilding(false);
                }
                return view;
            }));
        }

        synchronized boolean isDropped() {
            return dropped;
        }

        /**
         * Brings the state to {@code target} and answers from it. A state on an older version is caught up as it is
         * (its tail is longer, but complete), and the move to {@code ref} follows in the background, so readers never
         * wait for a version to open; only a collection seen for the first time opens its version first.
         */
        private CompletableFuture<CollectionView> load(long target, VersionRef ref) {
            VersionRef held = building == null ? ref : building.ref;
            CompletableFuture<CollectionView> loaded;
            if (building == null) {
                loaded = switchTo(ref, target).thenApply(Published::open);
            } else {
                boolean stale = newer(ref, building.ref);
                loaded = advance(building, target).thenApply(ignored -> {
                    CollectionView view = publish().open();
                    if (stale) {
                        switchInBackground(ref, target);
                    }
                    return view;
                });
            }
            return loaded.exceptionallyCompose(failure -> reloadIfTruncated(failure, held, target));
        }

        /**
         * The log no longer holds what the state on {@code held} needs next (a newer version covers it and the
         * fragments were collected): loads the newest version and its tail instead. Any other failure, or a log
         * truncated with no newer version to explain it, fails as it was.
         */
        private CompletableFuture<CollectionView> reloadIfTruncated(Throwable failure, VersionRef held, long target) {
            Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                    ? failure.getCause() : failure;
            if (!(cause instanceof LogTruncatedException) || versions == null) {
                return CompletableFuture.failedFuture(cause);
            }
            return versions.currentVersion(collection).toCompletableFuture().thenCompose(newest -> {
                if (newest.isEmpty() || !newer(newest.get(), held)) {
                    return CompletableFuture.failedFuture(cause);
                }
                return switchTo(newest.get(), target).thenApply(Published::open);
            });
        }

        /**
         * Moves to {@code ref} without holding up reads, unless a move is under way or the last one failed under a
         * second ago: the version is opened and the tail after it replayed up to {@code target} (or what is published,
         * if more), off the queue
         * (the new state is nobody else's yet); then, in the queue, the few fragments since are applied and the state
         * switches. Completes when the move is done, skipped or failed.
         */
        CompletableFuture<Void> switchInBackground(VersionRef ref, long target) {
            if (environment.nanoTime() - lastSwitchFailure < SWITCH_RETRY_NANOS || !switching.compareAndSet(false, true)) {
                return CompletableFuture.completedFuture(null);
            }
            Published seen = published;
            if (seen != null && !newer(ref, seen.ref)) {
                switching.set(false);
                return CompletableFuture.completedFuture(null);
            }
            return opening(ref)
                    .thenCompose(base -> {
                        Building next = new Building(ref, base);
                        Published now = published;
                        return advance(next, Math.max(target, now == null ? 0 : now.nextOffset))
                                .handle((ignored, failure) -> {
                                    if (failure != null) {
                                        releaseQuietly(base);
                                        throw failure instanceof RuntimeException e ? e
                                                : new java.util.concurrent.CompletionException(failure);
                                    }
                                    return next;
                                });
                    })
                    .thenApply(next -> {
                        warm(next.base);
                        return next;
                    })
                    .thenCompose(next -> enqueue(() -> {
                        if (collections.get(collection) != this || (building != null && !newer(ref, building.ref))) {
                            releaseQuietly(next.base); // dropped meanwhile, or a read moved there first
                            return CompletableFuture.<Published>completedFuture(null);
                        }
                        return install(next, 0).thenApply(published -> {
                            versionsOpenedAhead.incrementAndGet();
                            return published;
                        });
                    }))
                    .handle((done, failure) -> {
                        if (failure != null) {
                            lastSwitchFailure = environment.nanoTime();
                        }
                        switching.set(false);
                        return null;
                    });
        }

        /**
         * Runs one query, with an embedding of the state held now, on a version about to replace it, so the first
         * read after the switch does not pay for cold code and unread index pages. Best effort: a failure is ignored
         * (the read that follows reports its own).
         */
        private void warm(VersionReader base) {
            Published now = published;
            float[] probe = now == null ? null : now.tail.anyEmbedding();
            if (!(base instanceof io.vermilion.index.IndexedCollectionReader reader) || probe == null) {
                return;
            }
            try {
                reader.query(new io.vermilion.model.QueryRequest(java.util.List.of(probe), 10, null, null, null,
                        reader.schema().space()), java.util.Set.of());
                versionsWarmed.incrementAndGet();
            } catch (RuntimeException e) {
                // a warm-up only
            }
        }

        private CompletableFuture<VersionReader> opening(VersionRef ref) {
            return ref == null
                    ? CompletableFuture.completedFuture(null)
                    : indexFiles.open(collection, ref, parameters).toCompletableFuture().thenApply(r -> r);
        }

        private static void releaseQuietly(VersionReader base) {
            if (base != null) {
                base.release();
            }
        }

        /** Opens {@code ref} (if any), replays the tail after it up to at least {@code target}, publishes it. */
        private CompletableFuture<Published> switchTo(VersionRef ref, long target) {
            if (building != null && sameVersion(building.ref, ref)) {
                return advance(building, target).thenApply(ignored -> publish());
            }
            return opening(ref).thenCompose(base -> install(new Building(ref, base), target));
        }

        /**
         * Replays {@code next}'s tail up to at least {@code target} and what the current state holds, then makes it
         * the collection's state and publishes it; on failure {@code next}'s version is released.
         */
        private CompletableFuture<Published> install(Building next, long target) {
            long goal = Math.max(target, building == null ? 0 : building.offset);
            return advance(next, goal).handle((ignored, failure) -> {
                if (failure != null) {
                    releaseQuietly(next.base);
                    throw failure instanceof RuntimeException e ? e : new java.util.concurrent.CompletionException(failure);
                }
                Building previous = building;
                building = next;
                releaseBounded(next.ref == null ? 0 : next.ref.version()); // a prefix of an older version goes
                Published published = publish();
                if (previous != null) {
                    versionSwitches.incrementAndGet();
                    release(previous, previous.ref != null && !sameVersion(previous.ref, next.ref));
                }
                mapWhenLocal(next);
                return published;
            });
        }

        /**
         * Once the version {@code state} reads through object-storage pages is local (its background download checked
         * out), reopens it from the local, memory-mapped copy and makes that the state's reader, off the queue but for
         * the swap itself: new views read the mapped reader, views taken before keep the paged one, which closes with
         * the last of them. Same version, same files: answers, sequences and lookups are unchanged. A failed download
         * (or reopening) leaves the paged reader serving; a state replaced, dropped or evicted meanwhile is left alone.
         */
        private void mapWhenLocal(Building state) {
            VersionReader paged = state.base;
            if (paged == null || !paged.paged()) {
                return;
            }
            mapping = paged.localCopy().toCompletableFuture().thenCompose(local -> !local
                    ? CompletableFuture.<Void>completedFuture(null)
                    : enqueue(() -> CompletableFuture.completedFuture(current(state, paged)))
                            .thenCompose(still -> still ? opening(state.ref) : CompletableFuture.completedFuture(null))
                            .thenCompose(mapped -> mapped == null ? CompletableFuture.<Void>completedFuture(null)
                                    : enqueue(() -> CompletableFuture.completedFuture(swap(state, paged, mapped)))))
                    .exceptionally(failure -> null);
        }

        /** Whether {@code state} is still this collection's, on {@code base}. Runs in the queue. */
        private boolean current(Building state, VersionReader base) {
            return building == state && state.base == base && collections.get(collection) == this && !isDropped();
        }

        /** Makes {@code mapped} (the same version reopened) the reader of {@code state}, if still current. In the queue. */
        private Void swap(Building state, VersionReader paged, VersionReader mapped) {
            if (!current(state, paged)) {
                releaseQuietly(mapped);
                return null;
            }
            state.base = mapped;
            state.tail.rebase(mapped);
            releaseBoundedOn(paged);
            publish();
            paged.release(); // the state's reference; views on it keep theirs
            versionsMapped.incrementAndGet();
            mapWhenLocal(state); // the reopened reader is paged again if the local copy was deleted meanwhile
            return null;
        }

        void dropBuilding(boolean deleteFiles) {
            if (building != null) {
                release(building, deleteFiles);
                building = null;
            }
            published = null;
        }

        /** Gives up the state's reference to its version; with {@code deleteFiles}, its local files go too. */
        private void release(Building old, boolean deleteFiles) {
            if (old.base != null) {
                old.base.release(); // the published reference; open views keep the reader alive until they close
                if (deleteFiles) {
                    indexFiles.retire(collection, old.ref.version());
                }
            }
        }

        /** Replays the log from the state's offset to {@code target} into its tail. */
        private CompletableFuture<Void> advance(Building state, long target) {
            if (state.offset >= target) {
                return CompletableFuture.completedFuture(null);
            }
            long from = state.offset;
            return log.read(collection, from, target, (fragment, decoded) -> {
                        state.tail.apply(decoded.records(), fragment.startOffset());
                        state.offset = fragment.endOffset();
                    }).toCompletableFuture()
                    .exceptionallyCompose(failure -> {
                        Throwable cause = failure instanceof java.util.concurrent.CompletionException
                                && failure.getCause() != null ? failure.getCause() : failure;
                        // A gap where the state resumes, or at the end: the fragments it needs are not recorded.
                        return cause instanceof LogGapException gap && (gap.expected() == from || gap.found() < 0)
                                ? fragmentsMissing(gap.expected(), target, gap.found())
                                : CompletableFuture.failedFuture(cause);
                    });
        }

        /**
         * The catalog no longer records the fragments from {@code offset} on: the collection was dropped meanwhile, or
         * a newer version covers them and they were collected ({@link LogTruncatedException}).
         *
         * @param firstRecorded the first recorded fragment's start past {@code offset}, or -1 if none is
         */
        private CompletableFuture<Void> fragmentsMissing(long offset, long target, long firstRecorded) {
            return catalog.position(collection).toCompletableFuture().thenApply(found -> {
                if (found.isEmpty()) {
                    throw new CollectionMissingException(collection);
                }
                throw new LogTruncatedException(firstRecorded < 0
                        ? "the catalog puts the end of the log of collection " + collection + " at offset " + target
                                + " but records fragments up to " + offset + " only"
                        : "the catalog's log of collection " + collection + " resumes at offset " + firstRecorded
                                + ", after the offset " + offset + " the cached state needs next");
            });
        }

        /** Publishes the building state unless what is published already reflects it. */
        private Published publish() {
            Published current = published;
            if (current == null || current.nextOffset < building.offset || current.base != building.base) {
                current = new Published(building.ref, building.base, building.offset, building.tail.view());
                published = current;
                account(current, false);
                // Also when no read asked for it (a version opened ahead by prepare): evict others if now over budget.
                evictOverBudget(this);
            }
            return current;
        }
    }
}
