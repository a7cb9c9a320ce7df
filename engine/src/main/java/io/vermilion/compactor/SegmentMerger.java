package io.vermilion.compactor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

import io.vermilion.catalog.VersionCatalog;
import io.vermilion.catalog.VersionRef;
import io.vermilion.index.CollectionIndexWriter;
import io.vermilion.storage.LocalFolders;
import io.vermilion.storage.ObjectStore;
import io.vermilion.version.VersionFile;
import io.vermilion.version.VersionManifest;

/**
 * The merge policy of the segments successive compactions append: when a collection's current version has more than
 * {@code maxSegments} index segments, folds its smallest ones into one so that {@code maxSegments} remain (the largest
 * kept as they are) and publishes the result as the next version, with the same blocks, records and log end offset.
 * Runs under the compaction lease like a compaction, uploads only the new segment's files (the others stay listed by
 * reference), and publishes conditionally: a failure or crash before the publish leaves the previous version serving
 * and deletes (best effort) what it wrote.
 */
public final class SegmentMerger {

    private final ObjectStore store;
    private final VersionCatalog versionCatalog;
    private final Clock clock;
    private final CompactorOptions options;
    private final int maxSegments;
    private final CompactedCollectionLoader loader;
    private final LeaseRunner leases;

    /**
     * @param maxSegments the most segments a version keeps before its smallest are folded (at least 1)
     * @param executor    runs merges (the compactions' executor, so merges and compactions take turns)
     * @param heartbeat   renews the lease while a merge runs, or null (see {@link Compactor})
     */
    public SegmentMerger(ObjectStore store, VersionCatalog versionCatalog, BufferAllocator allocator, Clock clock,
                         CompactorOptions options, int maxSegments, Executor executor,
                         ScheduledExecutorService heartbeat) {
        if (maxSegments < 1) {
            throw new IllegalArgumentException("a version keeps at least one segment: " + maxSegments);
        }
        this.store = Objects.requireNonNull(store, "store");
        this.versionCatalog = Objects.requireNonNull(versionCatalog, "versionCatalog");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.options = Objects.requireNonNull(options, "options");
        this.maxSegments = maxSegments;
        this.loader = new CompactedCollectionLoader(store, allocator,
                options.merges().executor() != null ? options.merges().executor() : executor);
        this.leases = new LeaseRunner(versionCatalog, options, executor, heartbeat);
    }

    /** Index segments of a version, counted from its manifest (one Lucene {@code .si} file each). */
    public static int segments(VersionManifest manifest) {
        return (int) manifest.files(VersionFile.Role.INDEX).stream().filter(file -> file.key().endsWith(".si")).count();
    }

    /** Whether {@code manifest}'s version has more segments than this policy keeps. */
    public boolean due(VersionManifest manifest) {
        return segments(manifest) > maxSegments;
    }

    /**
     * Whether to fold {@code manifest}'s segments now: once the compactions caught up with the log ({@code caughtUp})
     * if it has more than the policy keeps, and during a long ingest (compactions appending segments one after the
     * other) only past {@value #OVERDUE} times as many: a fold competes with those compactions for the same cores
     * (a 1M ingest on 2 cores appends ~30 segments), so it waits for the ingest unless queries would pay too much.
     */
    public boolean due(VersionManifest manifest, boolean caughtUp) {
        return segments(manifest) > (caughtUp ? maxSegments : (long) OVERDUE * maxSegments);
    }

    /** How many times the policy's segments a version may have while compactions have not caught up. */
    static final int OVERDUE = 4;

    /**
     * Folds the current version's smallest segments if it has too many. Completes with the new version's manifest,
     * or empty if there was nothing to fold, the lease is held elsewhere, or another version was published first.
     */
    public CompletionStage<Optional<VersionManifest>> merge(UUID collection) {
        Objects.requireNonNull(collection, "collection");
        return leases.run(collection, Attempt::new);
    }

    /** One merge of one collection's current version. */
    private final class Attempt implements LeaseRunner.Attempt {
        private final UUID collection;
        private final VersionWrites writes;

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
            Optional<VersionRef> current = versionCatalog.currentVersion(collection).toCompletableFuture().join();
            if (current.isEmpty()) {
                return Optional.empty();
            }
            VersionManifest base = loader.manifest(collection, current.get()).join();
            if (!due(base)) {
                return Optional.empty();
            }
            long version = base.version() + 1;
            writes.removeLeftovers(version);
            Path work = workFolder();
            try {
                List<VersionFile> files = new ArrayList<>(base.files(VersionFile.Role.BLOCK));
                if (!fold(base, version, work, files)) {
                    return Optional.empty();
                }
                VersionManifest merged = new VersionManifest(collection, version, base.logEndOffset(),
                        base.recordCount(), base.dimension(), base.space(), files, base.blocks(), clock.instant());
                return writes.publish(merged, work); // the local index cache links the files it keeps
            } finally {
                LocalFolders.deleteQuietly(work);
            }
        }

        /**
         * Folds the base's smallest segments in {@code work} and lists the new commit's files in {@code files}:
         * those of the base by reference, the new segment's (and its sketch) uploaded. False, with nothing uploaded,
         * if the base index is of an older format this build does not append to.
         */
        private boolean fold(VersionManifest base, long version, Path work, List<VersionFile> files) {
            try (Directory directory = FSDirectory.open(work)) {
                Map<String, VersionFile> reusable = PreviousIndex.fetch(store, options.localIndex(), collection, base,
                        work);
                CollectionIndexWriter appending;
                try {
                    appending = CollectionIndexWriter.append(directory, options.merges());
                } catch (IllegalArgumentException olderFormat) {
                    return false;
                }
                try (CollectionIndexWriter writer = appending) {
                    writer.foldSmallest(maxSegments);
                    writer.commit();
                }
                writes.listCommit(version, directory, work, reusable, files);
                return true;
            } catch (IOException e) {
                throw new UncheckedIOException("merging the segments of collection " + collection + " into version "
                        + version, e);
            }
        }

        private Path workFolder() {
            try {
                Files.createDirectories(options.workDir());
                return Files.createTempDirectory(options.workDir(), "merge-" + collection + "-");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create a work folder in " + options.workDir(), e);
            }
        }
    }
}
