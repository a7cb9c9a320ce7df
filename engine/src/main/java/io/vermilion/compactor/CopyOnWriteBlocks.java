package io.vermilion.compactor;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;

import io.vermilion.blockstore.BlockIndex;
import io.vermilion.blockstore.BlockRef;
import io.vermilion.blockstore.RecordBlock;
import io.vermilion.blockstore.RecordBlockFormat;
import io.vermilion.blockstore.RecordBlockSetWriter;
import io.vermilion.blockstore.SequencedRecord;
import io.vermilion.model.MutableCollectionState;
import io.vermilion.record.LogRecord;
import io.vermilion.record.Record;
import io.vermilion.version.VersionFile;
import io.vermilion.version.VersionManifest;

/**
 * Writes a version's record blocks copy-on-write from the previous one: the tail is split by the block each id lands
 * in ({@link BlockIndex#home}); only those blocks are read, one at a time (the next one fetched meanwhile), their part
 * of the tail applied in log order (an id's writes all land in one block, so blocks are independent) and rewritten;
 * every other block is kept by reference (same key, same manifest entry, wherever it lies). A run of adjacent
 * rewritten blocks is re-packed as one, and a run that ends in a block under a quarter of the limits folds the next
 * block in too (read and rewritten) when both fit in one, so deletes do not leave a trail of small blocks. Memory: the tail, one or two
 * decoded blocks and the writer's open block, whatever the collection's size. Not thread-safe: one per compaction.
 */
final class CopyOnWriteBlocks {

    /** A write of the tail and its log offset. */
    record TailRecord(LogRecord record, long offset) {}

    private static final int NO_BLOCK = -1;

    private final VersionManifest base;
    /** Block position in the previous version (or NO_BLOCK without blocks) → its part of the tail, in log order. */
    private final SortedMap<Integer, List<TailRecord>> byBlock = new TreeMap<>();
    private final Map<String, SequencedRecord> changed = new HashMap<>();

    /**
     * @param base the previous version's manifest, or null for a collection's first version
     * @param tail every write since it, in log order
     */
    CopyOnWriteBlocks(VersionManifest base, List<TailRecord> tail) {
        this.base = base;
        for (TailRecord write : tail) {
            int home = base == null ? NO_BLOCK : base.blocks().home(write.record().id());
            byBlock.computeIfAbsent(home, ignored -> new ArrayList<>()).add(write);
        }
    }

    /** How many blocks of the previous version are rewritten. */
    int rewrittenBlocks() {
        return (int) byBlock.keySet().stream().filter(position -> position != NO_BLOCK).count();
    }

    /** After {@link #write}: every id the tail wrote that exists afterwards, with its record and sequence. */
    Map<String, SequencedRecord> changed() {
        return changed;
    }

    /**
     * Writes the new version's blocks and returns its block index: the kept blocks by reference, in between the
     * rewritten runs.
     *
     * @param loader    fetches and checks the blocks of the previous version
     * @param newWriter a block set writer for one run; its sink adds each written block to {@code files}
     * @param files     receives the manifest entries of the kept blocks
     */
    BlockIndex write(CompactedCollectionLoader loader, Supplier<RecordBlockSetWriter> newWriter,
                     List<VersionFile> files) {
        List<BlockRef> blocks = new ArrayList<>();
        if (base == null || base.blocks().size() == 0) {
            RecordBlockSetWriter writer = newWriter.get();
            apply(null, byBlock.getOrDefault(NO_BLOCK, List.of())).forEach(writer::add);
            return writer.finish();
        }
        List<BlockRef> previous = base.blocks().blocks();
        Function<Integer, CompletableFuture<RecordBlock>> read = position -> {
            BlockRef block = previous.get(position);
            return loader.block(block, base.file(block.key()));
        };
        Iterator<Integer> touched = byBlock.keySet().iterator();
        CompletableFuture<RecordBlock> next = touched.hasNext() ? read.apply(byBlock.firstKey()) : null;
        RecordBlockSetWriter run = null;
        for (int position = 0; position < previous.size(); position++) {
            BlockRef block = previous.get(position);
            List<TailRecord> writes = byBlock.get(position);
            if (writes == null && run != null
                    && run.openBlockCanTake(block.recordCount(), base.file(block.key()).size())) {
                // The rewrite left a small block: fold this one into it instead of keeping both.
                RecordBlock absorbed = read.apply(position).join();
                for (int i = 0; i < absorbed.size(); i++) {
                    run.add(new SequencedRecord(absorbed.sequence(i), absorbed.record(i)));
                }
                continue;
            }
            if (writes == null) {
                if (run != null) {
                    blocks.addAll(run.finish().blocks());
                    run = null;
                }
                blocks.add(block);
                files.add(Objects.requireNonNull(base.file(block.key()), block.key()));
                continue;
            }
            RecordBlock current = next.join();
            touched.next();
            next = touched.hasNext() ? read.apply(peek(position)) : null;
            if (run == null) {
                run = newWriter.get();
            }
            apply(current, writes).forEach(run::add);
        }
        if (run != null) {
            blocks.addAll(run.finish().blocks());
        }
        return new BlockIndex(blocks);
    }

    /** The next touched position after {@code position}. */
    private int peek(int position) {
        return byBlock.tailMap(position + 1).firstKey();
    }

    /** The block's records (none for null) after its part of the tail, sorted by id. */
    private List<SequencedRecord> apply(RecordBlock block, List<TailRecord> writes) {
        MutableCollectionState state = new MutableCollectionState();
        Map<String, Long> sequences = new HashMap<>();
        if (block != null) {
            for (int i = 0; i < block.size(); i++) {
                state.put(block.record(i));
                sequences.put(block.id(i), block.sequence(i));
            }
        }
        for (TailRecord write : writes) {
            state.apply(write.record(), write.offset(), sequences);
        }
        List<SequencedRecord> byId = new ArrayList<>(state.size());
        for (Record record : state.snapshot().records()) {
            byId.add(new SequencedRecord(sequences.get(record.id()), record));
        }
        byId.sort(Comparator.comparing(SequencedRecord::id, RecordBlockFormat.ID_ORDER));
        for (TailRecord write : writes) {
            String id = write.record().id();
            Record now = state.get(id);
            if (now == null) {
                changed.remove(id);
            } else {
                changed.put(id, new SequencedRecord(sequences.get(id), now));
            }
        }
        return byId;
    }
}
