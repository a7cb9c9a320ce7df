package io.vermilion.blockstore;

import java.util.List;
import java.util.Objects;

/**
 * The record blocks of one version in id order, with disjoint id ranges, so a reader finds the one block that may
 * hold an id without opening any. Immutable.
 */
public final class BlockIndex {

    private static final BlockIndex EMPTY = new BlockIndex(List.of());

    private final List<BlockRef> blocks;
    private final long recordCount;

    /** @param blocks in id order: each block's first id after the previous block's last id */
    public BlockIndex(List<BlockRef> blocks) {
        this.blocks = List.copyOf(blocks);
        long count = 0;
        for (int i = 0; i < this.blocks.size(); i++) {
            BlockRef block = this.blocks.get(i);
            if (i > 0 && RecordBlockFormat.ID_ORDER.compare(this.blocks.get(i - 1).lastId(), block.firstId()) >= 0) {
                throw new IllegalArgumentException("block " + i + " (" + block.key()
                        + ") does not start after the previous block's last id");
            }
            count += block.recordCount();
        }
        this.recordCount = count;
    }

    public static BlockIndex empty() {
        return EMPTY;
    }

    /** The blocks in id order (unmodifiable). */
    public List<BlockRef> blocks() {
        return blocks;
    }

    /** The number of blocks. */
    public int size() {
        return blocks.size();
    }

    /** The number of records over all blocks. */
    public long recordCount() {
        return recordCount;
    }

    /** The position of the only block whose id range covers {@code id}, or -1 if no block can hold it. */
    public int find(String id) {
        Objects.requireNonNull(id, "id");
        int low = 0;
        int high = blocks.size() - 1;
        while (low <= high) { // the last block whose first id is <= id
            int mid = (low + high) >>> 1;
            if (RecordBlockFormat.ID_ORDER.compare(blocks.get(mid).firstId(), id) <= 0) {
                low = mid + 1;
            } else {
                high = mid - 1;
            }
        }
        return high >= 0 && blocks.get(high).covers(id) ? high : -1;
    }

    /**
     * The position of the block {@code id} belongs to when blocks are rewritten copy-on-write: the block whose range
     * covers it, else the last block starting before it, else the first block; -1 when there are no blocks. Monotone
     * in id order, so rewriting a block with the ids homed in it keeps the blocks' ranges disjoint and in order.
     */
    public int home(String id) {
        Objects.requireNonNull(id, "id");
        if (blocks.isEmpty()) {
            return -1;
        }
        int low = 0;
        int high = blocks.size() - 1;
        while (low <= high) { // the last block whose first id is <= id
            int mid = (low + high) >>> 1;
            if (RecordBlockFormat.ID_ORDER.compare(blocks.get(mid).firstId(), id) <= 0) {
                low = mid + 1;
            } else {
                high = mid - 1;
            }
        }
        return Math.max(high, 0);
    }

    /** The only block that may hold {@code id}, or null. */
    public BlockRef blockFor(String id) {
        int i = find(id);
        return i < 0 ? null : blocks.get(i);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BlockIndex other && blocks.equals(other.blocks);
    }

    @Override
    public int hashCode() {
        return blocks.hashCode();
    }

    @Override
    public String toString() {
        return "BlockIndex" + blocks;
    }
}
