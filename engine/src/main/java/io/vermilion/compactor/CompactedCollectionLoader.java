package io.vermilion.compactor;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

import org.apache.arrow.memory.BufferAllocator;

import io.vermilion.blockstore.BlockRef;
import io.vermilion.blockstore.CorruptBlockException;
import io.vermilion.blockstore.RecordBlock;
import io.vermilion.blockstore.RecordBlockReader;
import io.vermilion.blockstore.SequencedRecord;
import io.vermilion.catalog.VersionCatalog;
import io.vermilion.catalog.VersionRef;
import io.vermilion.model.CollectionSnapshot;
import io.vermilion.record.Record;
import io.vermilion.storage.ObjectStore;
import io.vermilion.version.CorruptManifestException;
import io.vermilion.version.ManifestReader;
import io.vermilion.version.VersionFile;
import io.vermilion.version.VersionKeys;
import io.vermilion.version.VersionManifest;

/**
 * Reads a published version back into memory: the manifest, then every record block (fetched in parallel, each
 * checked against the manifest's size and CRC32C, decoded on the executor), ordered by insertion sequence. Fails with
 * {@link CorruptManifestException} / {@link CorruptBlockException} naming the object key when a file is not what the
 * manifest or catalog promised. Stateless and thread-safe.
 */
public final class CompactedCollectionLoader {

    private final ObjectStore store;
    private final RecordBlockReader blockReader;
    private final ManifestReader manifestReader = new ManifestReader();
    private final Executor executor;

    /**
     * @param allocator the parent Arrow allocator for decoding; it stays the caller's
     * @param executor  decodes blocks
     */
    public CompactedCollectionLoader(ObjectStore store, BufferAllocator allocator, Executor executor) {
        this.store = Objects.requireNonNull(store, "store");
        this.blockReader = new RecordBlockReader(Objects.requireNonNull(allocator, "allocator"));
        this.executor = Objects.requireNonNull(executor, "executor");
    }

    /** The collection's current version read back, or empty while none is published. */
    public CompletionStage<Optional<CompactedCollection>> loadCurrent(UUID collection, VersionCatalog catalog) {
        return catalog.currentVersion(collection).thenCompose(current -> current.isEmpty()
                ? CompletableFuture.completedFuture(Optional.<CompactedCollection>empty())
                : load(collection, current.get()).thenApply(Optional::of));
    }

    /** The version {@code ref} points to. */
    public CompletionStage<CompactedCollection> load(UUID collection, VersionRef ref) {
        return manifest(collection, ref).thenCompose(this::readBlocks);
    }

    /** Only the manifest of the version {@code ref} points to, checked against the catalog's pointer. */
    public CompletableFuture<VersionManifest> manifest(UUID collection, VersionRef ref) {
        return store.get(ref.manifestKey()).toCompletableFuture().thenApplyAsync(bytes -> {
            VersionManifest manifest = manifestReader.read(bytes, ref.manifestKey());
            if (!VersionKeys.belongs(manifest, collection, ref.manifestKey()) || manifest.version() != ref.version()
                    || manifest.logEndOffset() != ref.logEndOffset()) {
                throw new CorruptManifestException(ref.manifestKey(), "describes version " + manifest.version()
                        + " of collection " + manifest.collectionId() + " up to log offset " + manifest.logEndOffset()
                        + ", but the catalog points to it as " + ref + " of collection " + collection);
            }
            return manifest;
        }, executor);
    }

    /**
     * One record block, fetched, checked against {@code file} (size, CRC32C) and {@code block} (count, id range)
     * and decoded on the executor.
     */
    public CompletableFuture<RecordBlock> block(BlockRef block, VersionFile file) {
        return store.get(block.key()).toCompletableFuture().thenApplyAsync(bytes -> {
            if (file == null || !file.matches(bytes)) {
                throw new CorruptBlockException(block.key(), "size or CRC32C differs from the manifest's");
            }
            RecordBlock read = blockReader.read(bytes, block.key());
            if (read.size() != block.recordCount() || !read.firstId().equals(block.firstId())
                    || !read.lastId().equals(block.lastId())) {
                throw new CorruptBlockException(block.key(), "holds " + read.size() + " records ["
                        + read.firstId() + ", " + read.lastId() + "], the manifest lists " + block);
            }
            return read;
        }, executor);
    }

    private CompletableFuture<CompactedCollection> readBlocks(VersionManifest manifest) {
        List<CompletableFuture<RecordBlock>> reads = new ArrayList<>();
        for (BlockRef block : manifest.blocks().blocks()) {
            reads.add(block(block, manifest.file(block.key())));
        }
        return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenApplyAsync(ignored -> {
            List<SequencedRecord> records = new ArrayList<>((int) manifest.recordCount());
            for (CompletableFuture<RecordBlock> read : reads) {
                RecordBlock block = read.join();
                for (int i = 0; i < block.size(); i++) {
                    records.add(new SequencedRecord(block.sequence(i), block.record(i)));
                }
            }
            records.sort(Comparator.comparingLong(SequencedRecord::sequence));
            List<Record> inOrder = new ArrayList<>(records.size());
            for (int i = 0; i < records.size(); i++) {
                if (i > 0 && records.get(i - 1).sequence() == records.get(i).sequence()) {
                    throw new CorruptManifestException(VersionKeys.manifest(manifest.collectionId(), manifest.version()),
                            "two records share insertion sequence " + records.get(i).sequence());
                }
                inOrder.add(records.get(i).record());
            }
            return new CompactedCollection(manifest, records, CollectionSnapshot.of(inOrder));
        }, executor);
    }
}
