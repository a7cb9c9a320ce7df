package io.vermilion.compactor;

import java.util.AbstractList;
import java.util.Objects;
import java.util.function.Function;

import io.vermilion.blockstore.BlockIndex;
import io.vermilion.blockstore.BlockRef;
import io.vermilion.blockstore.RecordBlock;
import io.vermilion.record.Record;

/**
 * A version's records as a read-only list in id order, read block by block from the store: only the block last
 * touched is held, so iterating holds one block whatever the collection's size. For callers that want a
 * {@code List} of every record (an index schema decision); random access re-reads blocks. Not thread-safe.
 */
final class BlockRecords extends AbstractList<Record> {

    private final BlockIndex index;
    private final Function<BlockRef, RecordBlock> read;
    private final long[] starts;
    private RecordBlock held;
    private int heldPosition = -1;

    /** @param read fetches and decodes one block of {@code index} */
    BlockRecords(BlockIndex index, Function<BlockRef, RecordBlock> read) {
        this.index = Objects.requireNonNull(index, "index");
        this.read = Objects.requireNonNull(read, "read");
        if (index.recordCount() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a list holds at most " + Integer.MAX_VALUE + " records: "
                    + index.recordCount());
        }
        this.starts = new long[index.size()];
        long at = 0;
        for (int i = 0; i < index.size(); i++) {
            starts[i] = at;
            at += index.blocks().get(i).recordCount();
        }
    }

    @Override
    public Record get(int i) {
        Objects.checkIndex(i, size());
        if (heldPosition < 0 || i < starts[heldPosition] || i >= starts[heldPosition] + held.size()) {
            int low = 0;
            int high = starts.length - 1;
            while (low < high) { // the last block starting at or before i
                int mid = (low + high + 1) >>> 1;
                if (starts[mid] <= i) {
                    low = mid;
                } else {
                    high = mid - 1;
                }
            }
            held = read.apply(index.blocks().get(low));
            heldPosition = low;
        }
        return held.record((int) (i - starts[heldPosition]));
    }

    @Override
    public int size() {
        return (int) index.recordCount();
    }
}
