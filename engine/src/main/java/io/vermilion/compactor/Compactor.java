package io.vermilion.compactor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

import io.vermilion.blockstore.BlockIndex;
import io.vermilion.blockstore.RecordBlockFormat;
import io.vermilion.blockstore.RecordBlockSetWriter;
import io.vermilion.blockstore.RecordBlockWriter;
import io.vermilion.blockstore.SequencedRecord;
import io.vermilion.catalog.CollectionMissingException;
import io.vermilion.catalog.FragmentRef;
import io.vermilion.catalog.LogCatalog;
import io.vermilion.catalog.LogPosition;
import io.vermilion.catalog.VersionCatalog;
import io.vermilion.catalog.VersionRef;
import io.vermilion.index.CollectionIndexWriter;
import io.vermilion.index.IndexSchema;
import io.vermilion.log.LogReader;
import io.vermilion.model.MutableCollectionState;
import io.vermilion.record.LogRecord;
import io.vermilion.record.Record;
import io.vermilion.storage.LocalFolders;
import io.vermilion.storage.ObjectFiles;
import io.vermilion.storage.ObjectStore;
import io.vermilion.version.ManifestWriter;
import io.vermilion.version.VersionFile;
import io.vermilion.version.VersionKeys;
import io.vermilion.version.VersionManifest;

/**
 * Folds a collection's log into its next compacted version: under the collection's lease, reads the current version
 * (or nothing), applies the log from its end to where the log ends now with Chroma's semantics, writes record blocks,
 * a Lucene index and finally the manifest under the next version's prefix (each object put-if-absent, never
 * overwritten), and switches the catalog's version pointer conditionally. If any step fails or another compactor
 * published first, nothing published changes, the objects this attempt created are deleted (best effort) and the lease
 * is released. Thread-safe: one compactor may compact several collections at once.
 *
 * <p>A record's insertion sequence is the log offset of the write that inserted it (an ADD or UPSERT of an absent
 * id), carried from version to version in the blocks' sequence column; sorting by it gives Chroma's insertion order.
 */
public final class Compactor {

    private final ObjectStore store;
    private final LogCatalog logCatalog;
    private final VersionCatalog versionCatalog;
    private final Clock clock;
    private final CompactorOptions options;
    private final Executor executor;
    private final LogReader log;
    private final RecordBlockWriter blockWriter;
    private final CompactedCollectionLoader loader;
    private final ManifestWriter manifestWriter = new ManifestWriter();
    private final ScheduledExecutorService heartbeat;

    /**
     * @param allocator the parent Arrow allocator; it stays the caller's
     * @param executor  runs compactions (CPU work and waiting on the store); must not be the store's own I/O executor
     */
    public Compactor(ObjectStore store, LogCatalog logCatalog, VersionCatalog versionCatalog, BufferAllocator allocator,
                     Clock clock, CompactorOptions options, Executor executor) {
        this(store, logCatalog, versionCatalog, allocator, clock, options, executor, null);
    }

    /**
     * @param heartbeat renews the lease every third of its TTL while a compaction runs, so a long compaction keeps
     *                  it and a short TTL still frees a dead compactor's collections soon; null renews only before
     *                  publishing (then a compaction must finish within one TTL)
     */
    public Compactor(ObjectStore store, LogCatalog logCatalog, VersionCatalog versionCatalog, BufferAllocator allocator,
                     Clock clock, CompactorOptions options, Executor executor, ScheduledExecutorService heartbeat) {
        this.heartbeat = heartbeat;
        this.store = Objects.requireNonNull(store, "store");
        this.logCatalog = Objects.requireNonNull(logCatalog, "logCatalog");
        this.versionCatalog = Objects.requireNonNull(versionCatalog, "versionCatalog");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.options = Objects.requireNonNull(options, "options");
        this.executor = Objects.requireNonNull(executor, "executor");
        Objects.requireNonNull(allocator, "allocator");
        // Fragments and blocks decode on the compaction's work threads when it has them: the attempt waits for them
        // on executor, which may have a single thread.
        Executor work = options.merges().executor() != null ? options.merges().executor() : executor;
        this.log = new LogReader(store, logCatalog, allocator, work);
        this.blockWriter = new RecordBlockWriter(allocator);
        this.loader = new CompactedCollectionLoader(store, allocator, work);
    }

    /**
     * Whether the log tail after {@code current} is worth compacting: {@code tail} are the recorded fragments from the
     * current version's log end offset on, {@code tailAge} how long the oldest of them has waited.
     */
    public static boolean shouldCompact(LogPosition position, Optional<VersionRef> current, List<FragmentRef> tail,
                                        Duration tailAge, CompactionThresholds thresholds) {
        long from = current.map(VersionRef::logEndOffset).orElse(0L);
        long records = position.nextOffset() - from;
        long bytes = 0;
        for (FragmentRef fragment : tail) {
            if (fragment.startOffset() >= from && fragment.startOffset() < position.nextOffset()) {
                bytes += fragment.bytes();
            }
        }
        return thresholds.due(records, bytes, tailAge);
    }

    /**
     * Builds and publishes the collection's next version. Completes with its manifest, or empty if another compactor
     * holds the lease, the log has nothing new, or another version was published first; fails with the cause of any
     * other failure (e.g. {@link CollectionMissingException}), the published version left as it was.
     */
    public CompletionStage<Optional<VersionManifest>> compact(UUID collection) {
        Objects.requireNonNull(collection, "collection");
        String holder = options.holder();
        return versionCatalog.tryAcquireLease(collection, holder, options.leaseTtl()).thenCompose(acquired -> {
            if (!acquired) {
                return CompletableFuture.completedFuture(Optional.<VersionManifest>empty());
            }
            Attempt attempt = new Attempt(collection);
            long period = Math.max(1, options.leaseTtl().toMillis() / 3);
            ScheduledFuture<?> renewals = heartbeat == null ? null : heartbeat.scheduleAtFixedRate(
                    () -> versionCatalog.renewLease(collection, holder, options.leaseTtl()),
                    period, period, TimeUnit.MILLISECONDS);
            return CompletableFuture.supplyAsync(attempt::run, executor)
                    .handle((result, failure) -> {
                        if (renewals != null) {
                            renewals.cancel(false);
                        }
                        CompletableFuture<Void> cleanup = failure != null || result.isEmpty()
                                ? attempt.deleteCreated() : CompletableFuture.completedFuture(null);
                        return cleanup
                                .thenCompose(ignored -> versionCatalog.releaseLease(collection, holder))
                                .handle((ignored, releaseFailure) -> {
                                    if (failure != null) {
                                        throw failure instanceof CompletionException e ? e
                                                : new CompletionException(failure);
                                    }
                                    return result;
                                });
                    })
                    .thenCompose(stage -> stage);
        });
    }

    /** One compaction of one collection; runs on the executor, waiting on the store and catalogs. */
    private final class Attempt {
        private final UUID collection;
        private final List<String> created = new ArrayList<>();
        /** True while publish is called and after it failed: the pointer may have switched, so nothing is deleted. */
        private volatile boolean publishOutcomeUnknown;

        Attempt(UUID collection) {
            this.collection = collection;
        }

        Optional<VersionManifest> run() {
            Optional<VersionRef> current = versionCatalog.currentVersion(collection).toCompletableFuture().join();
            LogPosition position = logCatalog.position(collection).toCompletableFuture().join()
                    .orElseThrow(() -> new CollectionMissingException(collection));
            long from = current.map(VersionRef::logEndOffset).orElse(0L);
            long to = position.nextOffset();
            if (to <= from) {
                return Optional.empty();
            }

            // The base: the current version's records, in insertion order, with their sequences.
            MutableCollectionState state;
            Map<String, Long> sequences = new HashMap<>();
            Set<String> touched = new HashSet<>();
            CompactedCollection base = null;
            if (current.isPresent()) {
                base = loader.load(collection, current.get()).toCompletableFuture().join();
                state = new MutableCollectionState(base.snapshot());
                for (SequencedRecord record : base.records()) {
                    sequences.put(record.id(), record.sequence());
                }
            } else {
                state = new MutableCollectionState();
            }

            // The tail: every recorded fragment in [from, to), applied in log order.
            log.read(collection, from, to, (fragment, decoded) -> {
                for (int i = 0; i < decoded.records().size(); i++) {
                    LogRecord record = decoded.records().get(i);
                    touched.add(record.id());
                    state.apply(record, fragment.startOffset() + i, sequences);
                }
            }).toCompletableFuture().join();

            long version = current.map(VersionRef::version).orElse(VersionCatalog.NO_VERSION) + 1;
            removeLeftovers(version);
            List<Record> inOrder = state.snapshot().records();
            List<VersionFile> files = new ArrayList<>();
            BlockIndex blocks = writeBlocks(version, inOrder, sequences, files);
            IndexSchema schema = options.schemas().schemaFor(collection, inOrder);
            boolean incremental = base != null && base.manifest().recordCount() > 0
                    && touched.size() * 2L <= base.manifest().recordCount()
                    && updateIndex(version, schema, base.manifest(), state, touched, sequences, files);
            if (!incremental) {
                writeIndex(version, schema, inOrder, sequences, files);
            }

            VersionManifest manifest = new VersionManifest(collection, version, to, inOrder.size(),
                    position.dimension(), schema.space(), files, blocks, clock.instant());
            String manifestKey = VersionKeys.manifest(collection, version);
            putNew(manifestKey, manifestWriter.write(manifest));

            // Publish only while still holding the lease, so a compactor whose lease lapsed mid-way gives up.
            if (!versionCatalog.renewLease(collection, options.holder(), options.leaseTtl()).toCompletableFuture().join()) {
                return Optional.empty();
            }
            VersionRef next = new VersionRef(version, manifestKey, to);
            publishOutcomeUnknown = true;
            boolean published = versionCatalog.publish(collection, version - 1, next).toCompletableFuture().join();
            publishOutcomeUnknown = false;
            return published ? Optional.of(manifest) : Optional.empty();
        }

        /**
         * Deletes what an earlier attempt at this unpublished version left behind (a compactor that died mid-way):
         * only the lease holder writes there, and the version is not current, so nothing reads it.
         */
        private void removeLeftovers(long version) {
            for (var leftover : store.list(VersionKeys.versionPrefix(collection, version)).toCompletableFuture().join()) {
                store.delete(leftover.key()).toCompletableFuture().join();
            }
        }

        private BlockIndex writeBlocks(long version, List<Record> records, Map<String, Long> sequences,
                                       List<VersionFile> files) {
            List<Record> byId = new ArrayList<>(records);
            byId.sort(Comparator.comparing(Record::id, RecordBlockFormat.ID_ORDER));
            RecordBlockSetWriter writer = new RecordBlockSetWriter(blockWriter, options.blockLimits(),
                    n -> VersionKeys.block(collection, version, n), (block, bytes) -> {
                        putNew(block.key(), bytes);
                        files.add(VersionFile.of(block.key(), VersionFile.Role.BLOCK, bytes));
                    });
            for (Record record : byId) {
                writer.add(new SequencedRecord(sequences.get(record.id()), record));
            }
            return writer.finish();
        }

        /** Builds the whole index in a local work folder, merged to one segment, then uploads each of its files. */
        private void writeIndex(long version, IndexSchema schema, List<Record> records, Map<String, Long> sequences,
                                List<VersionFile> files) {
            Path work = workFolder();
            try (Directory directory = FSDirectory.open(work)) {
                try (CollectionIndexWriter writer = CollectionIndexWriter.create(directory, schema, options.merges())) {
                    writer.addAll(records, record -> sequences.get(record.id()));
                    writer.forceMerge();
                    writer.commit();
                }
                for (String name : SegmentInfos.readLatestCommit(directory).files(true)) {
                    upload(version, work.resolve(name), files);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("building the index of collection " + collection + " version "
                        + version, e);
            } finally {
                LocalFolders.deleteQuietly(work);
            }
        }

        /**
         * Builds the index by applying the tail to the previous version's index: its files are fetched, the records
         * the tail touched are replaced or deleted, and only the files the new commit adds are uploaded; the
         * previous files it still uses stay where they are and are listed again (Lucene never rewrites a file).
         * False, with nothing uploaded, if the previous index was built with another schema.
         */
        private boolean updateIndex(long version, IndexSchema schema, VersionManifest previous,
                                    MutableCollectionState state, Set<String> touched, Map<String, Long> sequences,
                                    List<VersionFile> files) {
            Path work = workFolder();
            try (Directory directory = FSDirectory.open(work)) {
                Map<String, VersionFile> reusable = new HashMap<>();
                List<CompletableFuture<Void>> downloads = new ArrayList<>();
                for (VersionFile file : previous.files(VersionFile.Role.INDEX)) {
                    String name = file.key().substring(file.key().lastIndexOf('/') + 1);
                    reusable.put(name, file);
                    downloads.add(ObjectFiles.download(store, file.key(), file.size(), file.crc32c(), work.resolve(name),
                            Runnable::run));
                }
                CompletableFuture.allOf(downloads.toArray(CompletableFuture[]::new)).join();
                CollectionIndexWriter appending;
                try {
                    appending = CollectionIndexWriter.append(directory, options.merges());
                } catch (IllegalArgumentException olderFormat) {
                    return false; // written by an earlier index format: rebuild
                }
                try (CollectionIndexWriter writer = appending) {
                    if (!writer.schema().equals(schema)) {
                        return false;
                    }
                    for (String id : touched) {
                        Record record = state.get(id);
                        if (record == null) {
                            writer.delete(id);
                        } else {
                            writer.upsert(record, sequences.get(id));
                        }
                    }
                    writer.commit();
                }
                for (String name : SegmentInfos.readLatestCommit(directory).files(true)) {
                    VersionFile kept = reusable.get(name);
                    if (kept != null && Files.size(work.resolve(name)) == kept.size()) {
                        files.add(kept);
                    } else {
                        upload(version, work.resolve(name), files);
                    }
                }
                return true;
            } catch (IOException e) {
                throw new UncheckedIOException("updating the index of collection " + collection + " to version "
                        + version, e);
            } finally {
                LocalFolders.deleteQuietly(work);
            }
        }

        private Path workFolder() {
            try {
                Files.createDirectories(options.workDir());
                return Files.createTempDirectory(options.workDir(), "compact-" + collection + "-");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create a work folder in " + options.workDir(), e);
            }
        }

        private void upload(long version, Path file, List<VersionFile> files) throws IOException {
            byte[] bytes = Files.readAllBytes(file);
            String key = VersionKeys.indexFile(collection, version, file.getFileName().toString());
            putNew(key, bytes);
            files.add(VersionFile.of(key, VersionFile.Role.INDEX, bytes));
        }

        /** Writes an object that must not exist yet: files of a version are written once. */
        private void putNew(String key, byte[] bytes) {
            if (!store.putIfAbsent(key, bytes).toCompletableFuture().join()) {
                throw new IllegalStateException("object " + key + " already exists: left by an earlier attempt at"
                        + " this version, or written by a compactor whose lease lapsed");
            }
            synchronized (created) {
                created.add(key);
            }
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
    }
}
