package io.vermilion.compactor;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import io.vermilion.blockstore.BlockIndex;
import io.vermilion.blockstore.BlockRef;
import io.vermilion.blockstore.RecordBlock;
import io.vermilion.blockstore.RecordBlockFormat;
import io.vermilion.blockstore.RecordBlockSetWriter;
import io.vermilion.blockstore.SequencedRecord;
import io.vermilion.version.VersionFile;
import io.vermilion.version.VersionManifest;

/**
 * Plans and writes the record blocks of a version copy-on-write from the previous one: only the blocks the tail's ids
 * land in ({@link BlockIndex#home}) are read and rewritten; every other block is kept by reference (same key, same
 * manifest entry, wherever it lies). A run of adjacent rewritten blocks is re-packed as one, so deletes do not leave
 * a trail of small blocks. Memory: the rewritten blocks' records only. Not thread-safe: one per compaction.
 */
final class CopyOnWriteBlocks {

    private final VersionManifest base;
    private final SortedSet<Integer> rewritten = new TreeSet<>();

    /**
     * @param base the previous version's manifest, or null for a collection's first version
     * @param ids  every id the tail writes or deletes
     */
    CopyOnWriteBlocks(VersionManifest base, Collection<String> ids) {
        this.base = base;
        if (base != null) {
            for (String id : ids) {
                int home = base.blocks().home(id);
                if (home >= 0) {
                    rewritten.add(home);
                }
            }
        }
    }

    /** The positions (in the previous block index) of the blocks that are rewritten. */
    SortedSet<Integer> rewritten() {
        return rewritten;
    }

    /** Reads the blocks to rewrite (in parallel, each checked against the previous manifest). */
    CompletableFuture<List<RecordBlock>> read(CompactedCollectionLoader loader) {
        List<CompletableFuture<RecordBlock>> reads = new ArrayList<>();
        for (int position : rewritten) {
            BlockRef block = base.blocks().blocks().get(position);
            reads.add(loader.block(block, base.file(block.key())));
        }
        return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new))
                .thenApply(done -> reads.stream().map(CompletableFuture::join).toList());
    }

    /**
     * Writes the new version's blocks and returns its block index: the kept blocks by reference, in between the
     * rewritten runs holding {@code byId}.
     *
     * @param byId      the rewritten blocks' records after the tail (and the tail's new ids), sorted by id
     * @param newWriter a block set writer for one run; its sink adds each written block to {@code files}
     * @param files     receives the manifest entries of the kept blocks
     */
    BlockIndex write(List<SequencedRecord> byId, Supplier<RecordBlockSetWriter> newWriter, List<VersionFile> files) {
        List<BlockRef> blocks = new ArrayList<>();
        if (base == null || base.blocks().size() == 0) {
            RecordBlockSetWriter writer = newWriter.get();
            byId.forEach(writer::add);
            blocks.addAll(writer.finish().blocks());
            return new BlockIndex(blocks);
        }
        List<BlockRef> previous = base.blocks().blocks();
        int next = 0; // the next record of byId to write
        RecordBlockSetWriter run = null;
        for (int position = 0; position < previous.size(); position++) {
            BlockRef block = previous.get(position);
            if (!rewritten.contains(position)) {
                if (run != null) {
                    blocks.addAll(run.finish().blocks());
                    run = null;
                }
                blocks.add(block);
                files.add(Objects.requireNonNull(base.file(block.key()), block.key()));
                continue;
            }
            if (run == null) {
                run = newWriter.get();
            }
            String nextFirst = position + 1 < previous.size() ? previous.get(position + 1).firstId() : null;
            while (next < byId.size()
                    && (nextFirst == null || RecordBlockFormat.ID_ORDER.compare(byId.get(next).id(), nextFirst) < 0)) {
                run.add(byId.get(next++));
            }
        }
        if (run != null) {
            blocks.addAll(run.finish().blocks());
        }
        if (next != byId.size()) {
            throw new IllegalStateException("record " + byId.get(next).id() + " falls in no rewritten block");
        }
        return new BlockIndex(blocks);
    }
}
