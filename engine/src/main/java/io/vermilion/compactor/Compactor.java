package io.vermilion.compactor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

import io.vermilion.blockstore.BlockIndex;
import io.vermilion.blockstore.BlockRef;
import io.vermilion.blockstore.RecordBlock;
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
import io.vermilion.index.ColdSketch;
import io.vermilion.index.OpenPack;
import io.vermilion.index.IndexSchema;
import io.vermilion.log.LogReader;
import io.vermilion.record.Record;
import io.vermilion.storage.LocalFolders;
import io.vermilion.storage.ObjectStore;
import io.vermilion.version.VersionFile;
import io.vermilion.version.VersionKeys;
import io.vermilion.version.VersionManifest;

/**
 * Folds a collection's log into its next compacted version: under the collection's lease, reads the current version's
 * manifest (or nothing) and the log from its end to where the log ends now, reads only the record blocks the tail's
 * ids land in, applies the tail to them with Chroma's semantics and rewrites just those blocks, keeping every other
 * block and every unchanged Lucene file by reference ({@link CopyOnWriteBlocks}; an update appends the tail to the
 * previous index as new segments whatever its size, merging nothing ({@link SegmentMerger} folds them later); the
 * index is rebuilt only for a first version or a changed schema); a full index
 * rebuild streams the version's blocks one at a time into segments of bounded size (no final merge into one graph);
 * an update takes the previous version's index files from the replica's local index cache when it holds them. A
 * compaction folds at most {@link CompactorOptions#maxTailBytes} of the log; the rest waits for the next one. Memory
 * follows that bounded tail, not the collection. Writes the new
 * blocks, index files and finally the manifest under the next version's prefix (each object put-if-absent, never
 * overwritten), and switches the catalog's version pointer conditionally. If any step fails or another compactor
 * published first, nothing published changes, the objects this attempt created are deleted (best effort) and the lease
 * is released. Thread-safe: one compactor may compact several collections at once.
 *
 * <p>A record's insertion sequence is the log offset of the write that inserted it (an ADD or UPSERT of an absent
 * id), carried from version to version in the blocks' sequence column; sorting by it gives Chroma's insertion order.
 */
public final class Compactor {

    private static final System.Logger LOG = System.getLogger(Compactor.class.getName());

    private final ObjectStore store;
    private final LogCatalog logCatalog;
    private final VersionCatalog versionCatalog;
    private final Clock clock;
    private final CompactorOptions options;
    private final Executor executor;
    private final LogReader log;
    private final RecordBlockWriter blockWriter;
    private final CompactedCollectionLoader loader;
    private final LeaseRunner leases;

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
        this.leases = new LeaseRunner(versionCatalog, options, executor, heartbeat);
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
        return leases.run(collection, Attempt::new);
    }

    /** One compaction of one collection; runs on the executor, waiting on the store and catalogs. */
    private final class Attempt implements LeaseRunner.Attempt {
        private final UUID collection;
        private final VersionWrites writes;
        /** Local folders this attempt built indexes in; deleted when it ends. */
        private final List<Path> workFolders = new ArrayList<>();
        /** The folder holding the index files the new manifest lists. */
        private Path built;

        Attempt(UUID collection) {
            this.collection = collection;
            this.writes = new VersionWrites(store, versionCatalog, options, collection, clock);
        }

        @Override
        public CompletableFuture<Void> deleteCreated() {
            return writes.deleteCreated();
        }

        @Override
        public Optional<VersionManifest> run() {
            try {
                return build();
            } finally {
                for (Path work : workFolders) {
                    LocalFolders.deleteQuietly(work);
                }
            }
        }

        private Optional<VersionManifest> build() {
            Optional<VersionRef> current = versionCatalog.currentVersion(collection).toCompletableFuture().join();
            LogPosition position = logCatalog.position(collection).toCompletableFuture().join()
                    .orElseThrow(() -> new CollectionMissingException(collection));
            long from = current.map(VersionRef::logEndOffset).orElse(0L);
            long to = tailEnd(from, position.nextOffset());
            if (to <= from) {
                return Optional.empty();
            }

            // The base: only the current version's manifest; its blocks are read where the tail lands.
            VersionManifest base = current.isPresent()
                    ? loader.manifest(collection, current.get()).join() : null;

            long started = clock.millis();
            // The tail: every recorded fragment in [from, to), in log order (bounded by the compaction thresholds,
            // not by the collection).
            List<CopyOnWriteBlocks.TailRecord> tail = new ArrayList<>();
            log.read(collection, from, to, (fragment, decoded) -> {
                for (int i = 0; i < decoded.records().size(); i++) {
                    tail.add(new CopyOnWriteBlocks.TailRecord(decoded.records().get(i), fragment.startOffset() + i));
                }
            }).toCompletableFuture().join();
            Set<String> touched = new LinkedHashSet<>();
            tail.forEach(write -> touched.add(write.record().id()));

            long tailRead = clock.millis();
            long version = current.map(VersionRef::version).orElse(VersionCatalog.NO_VERSION) + 1;
            writes.removeLeftovers(version);
            List<VersionFile> files = new ArrayList<>();
            CopyOnWriteBlocks cow = new CopyOnWriteBlocks(base, tail);
            BlockIndex blocks = writeBlocks(version, cow, files);
            long blocksWritten = clock.millis();
            String prefix = VersionKeys.versionPrefix(collection, version);
            long blockFilesWritten = files.stream().filter(file -> file.key().startsWith(prefix)).count();
            IndexSchema schema = null;
            // Whatever the tail's size, an update appends it to the previous index (new segments; the kept ones stay
            // by reference): rebuilding re-adds every record to a new graph, which made the full builds of the first
            // few hundred thousand records of a 1M ingest cost as much as all its updates (bench/RESULTS.md). A fork
            // whose index still lies under its source's prefix rebuilds once the tail touches over half its records,
            // so it stops holding the source's objects (a deleted source's prefix can then empty).
            if (base != null && base.recordCount() > 0
                    && (ownsIndex(base) || touched.size() * 2L <= base.recordCount())) {
                List<Record> changed = cow.changed().values().stream().map(SequencedRecord::record).toList();
                schema = updateIndex(version, options.schemas().schemaFor(collection, changed), base, cow.changed(),
                        touched, files);
            }
            boolean updated = schema != null;
            if (schema == null) {
                Map<String, VersionFile> blockFiles = new HashMap<>();
                files.forEach(file -> blockFiles.put(file.key(), file));
                schema = options.schemas().schemaFor(collection,
                        new BlockRecords(blocks, block -> loader.block(block, blockFiles.get(block.key())).join()));
                writeIndex(version, schema, blocks, blockFiles, files);
            }

            long indexed = clock.millis();
            VersionManifest manifest = new VersionManifest(collection, version, to, blocks.recordCount(),
                    position.dimension(), schema.space(), files, blocks, clock.instant());
            Optional<VersionManifest> published = writes.publish(manifest, built);
            // Where a compaction's time goes (bench/RESULTS.md reads these lines).
            LOG.log(System.Logger.Level.INFO, () -> ("Compaction of %s to version %d: tail of %d writes read in %d ms;"
                    + " %d blocks written in %d ms; index %s %d records in %d ms, of which %d ms uploading"
                    + " %d MiB; publish %d ms").formatted(collection, version, tail.size(),
                    (tailRead - started), blockFilesWritten, (blocksWritten - tailRead),
                    updated ? "appended" : "built", updated ? cow.changed().size() : blocks.recordCount(),
                    (indexed - blocksWritten), writes.uploadMillis(), writes.uploadedBytes() >> 20,
                    (clock.millis() - indexed)));
            return published;
        }

        /** Writes the rewritten blocks under the version's prefix and keeps the others by reference. */
        private BlockIndex writeBlocks(long version, CopyOnWriteBlocks cow, List<VersionFile> files) {
            AtomicInteger numbers = new AtomicInteger();
            return cow.write(loader, () -> new RecordBlockSetWriter(blockWriter,
                    options.blockLimits(), n -> VersionKeys.block(collection, version, numbers.getAndIncrement()),
                    (block, bytes) -> {
                        writes.putNew(block.key(), bytes);
                        files.add(VersionFile.of(block.key(), VersionFile.Role.BLOCK, bytes));
                    }), files);
        }

        /**
         * Where this compaction's tail ends: at {@code end} (the log's end now), or earlier, at a fragment boundary,
         * so that the tail holds at most {@link CompactorOptions#maxTailBytes} of fragments (at least one fragment):
         * the tail is held in memory, and the rest is left to the next compaction.
         */
        private long tailEnd(long from, long end) {
            if (end <= from) {
                return end;
            }
            long bytes = 0;
            long to = from;
            for (FragmentRef fragment : logCatalog.fragments(collection, from).toCompletableFuture().join()) {
                if (fragment.startOffset() < from) {
                    continue;
                }
                if (fragment.startOffset() >= end || (to > from && bytes + fragment.bytes() > options.maxTailBytes())) {
                    break;
                }
                bytes += fragment.bytes();
                to = fragment.endOffset();
            }
            return to > from ? Math.min(to, end) : end;
        }

        /**
         * Builds the whole index in a local work folder from the version's blocks, read one at a time (the next
         * fetched while one is added), cutting a segment every {@link CompactorOptions#segmentRecords} records and
         * merging only down to {@code ceil(records / segmentRecords)} segments (so a large build is bound by its adds,
         * not by folding every graph into one), then uploads each of its files, each segment's cold-search sketch
         * ({@link ColdSketch}) and the version's {@link OpenPack}.
         */
        private void writeIndex(long version, IndexSchema schema, BlockIndex blocks, Map<String, VersionFile> blockFiles,
                                List<VersionFile> files) {
            Path work = workFolder();
            try (Directory directory = FSDirectory.open(work)) {
                try (CollectionIndexWriter writer = CollectionIndexWriter.create(directory, schema, options.merges())) {
                    List<BlockRef> refs = blocks.blocks();
                    CompletableFuture<RecordBlock> next = refs.isEmpty() ? null
                            : loader.block(refs.getFirst(), blockFiles.get(refs.getFirst().key()));
                    long sinceCut = 0;
                    for (int b = 0; b < refs.size(); b++) {
                        RecordBlock block = next.join();
                        next = b + 1 < refs.size()
                                ? loader.block(refs.get(b + 1), blockFiles.get(refs.get(b + 1).key())) : null;
                        Map<String, Long> blockSequences = new HashMap<>();
                        for (int i = 0; i < block.size(); i++) {
                            blockSequences.put(block.id(i), block.sequence(i));
                        }
                        writer.addAll(block.records(), record -> blockSequences.get(record.id()));
                        sinceCut += block.size();
                        if (sinceCut >= options.segmentRecords() && b + 1 < refs.size()) {
                            writer.flush();
                            sinceCut = 0;
                        }
                    }
                    writer.mergeTo(segmentsFor(blocks.recordCount()));
                    writer.commit();
                }
                writes.uploadCommit(version, directory, work, files);
                built = work;
            } catch (IOException e) {
                throw new UncheckedIOException("building the index of collection " + collection + " version "
                        + version, e);
            }
        }

        /** The fewest segments a full build of {@code records} merges down to. */
        private int segmentsFor(long records) {
            long segments = records / options.segmentRecords() + (records % options.segmentRecords() == 0 ? 0 : 1);
            return (int) Math.max(1, Math.min(Integer.MAX_VALUE, segments));
        }

        /** Whether every index file of {@code manifest} lies under this collection's own versions (not a fork source's). */
        private boolean ownsIndex(VersionManifest manifest) {
            String own = VersionKeys.versionsPrefix(collection);
            return manifest.files(VersionFile.Role.INDEX).stream().allMatch(file -> file.key().startsWith(own));
        }

        /**
         * Builds the index by applying the tail to the previous version's index: its files are taken from the local
         * index cache when it holds them (checked against the manifest's size and CRC32C) and fetched otherwise, the
         * records the tail touched are replaced or deleted, and only the files the new commit adds are uploaded; the
         * previous files it still uses stay where they are and are listed again (Lucene never rewrites a file); so do
         * the sketches of kept segments, and new segments get their own.
         * {@code candidate} is the schema the changed records alone call for; the previous index's schema is kept if
         * it equals it, or if it is the wider {@code MAXIMUM_INNER_PRODUCT} where the changed records alone would
         * allow {@code DOT_PRODUCT}. Returns the schema used, or null, with nothing uploaded, if the previous index
         * was built with another schema or format (then the index is rebuilt).
         */
        private IndexSchema updateIndex(long version, IndexSchema candidate, VersionManifest previous,
                                    Map<String, SequencedRecord> changed, Set<String> touched,
                                    List<VersionFile> files) {
            Path work = workFolder();
            try (Directory directory = FSDirectory.open(work)) {
                Map<String, VersionFile> reusable = PreviousIndex.fetch(store, options.localIndex(), collection,
                        previous, work);
                CollectionIndexWriter appending;
                try {
                    appending = CollectionIndexWriter.append(directory, options.merges());
                } catch (IllegalArgumentException olderFormat) {
                    return null; // written by an earlier index format: rebuild
                }
                IndexSchema schema;
                try (CollectionIndexWriter writer = appending) {
                    schema = writer.schema();
                    if (!keepsSchema(schema, candidate)) {
                        return null;
                    }
                    // No merge inside a compaction: it would re-insert vectors while the tail waits to be indexed;
                    // the segment merge policy folds the appended segments once the log is caught up (SegmentMerger).
                    writer.deferMerges();
                    // Each id once: deletes, then the replaced and new records split over the merge threads.
                    List<Record> upserts = new ArrayList<>();
                    Map<String, Long> sequences = new HashMap<>();
                    for (String id : touched) {
                        SequencedRecord record = changed.get(id);
                        if (record == null) {
                            writer.delete(id);
                        } else {
                            upserts.add(record.record());
                            sequences.put(id, record.sequence());
                        }
                    }
                    writer.upsertAll(upserts, record -> sequences.get(record.id()));
                    writer.commit();
                }
                writes.listCommit(version, directory, work, reusable, files);
                built = work;
                return schema;
            } catch (IOException e) {
                throw new UncheckedIOException("updating the index of collection " + collection + " to version "
                        + version, e);
            } finally {
                if (built != work) {
                    LocalFolders.deleteQuietly(work); // rebuilt instead, or failed
                }
            }
        }

        private static boolean keepsSchema(IndexSchema previous, IndexSchema candidate) {
            return previous.equals(candidate)
                    || previous.similarity() == VectorSimilarityFunction.MAXIMUM_INNER_PRODUCT
                    && candidate.similarity() == VectorSimilarityFunction.DOT_PRODUCT
                    && previous.equals(new IndexSchema(candidate.space(), previous.similarity(),
                            candidate.quantization(), candidate.maxNeighbors(), candidate.efConstruction()));
        }

        private Path workFolder() {
            try {
                Files.createDirectories(options.workDir());
                Path work = Files.createTempDirectory(options.workDir(), "compact-" + collection + "-");
                workFolders.add(work);
                return work;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create a work folder in " + options.workDir(), e);
            }
        }
    }
}
