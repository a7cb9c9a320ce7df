package io.vermilion.blockstore;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.IntFunction;

/**
 * Splits a stream of records sorted by id into record blocks within {@link BlockLimits}, hands each block to a
 * {@link BlockSink} as soon as it is full, and returns the {@link BlockIndex} of them all. Holds at most one block's
 * records in memory. Not thread-safe: one caller adds records, then calls {@link #finish()} once. If encoding or the
 * sink fails, the exception propagates and the writer refuses further calls.
 */
public final class RecordBlockSetWriter {

    private final RecordBlockWriter writer;
    private final BlockLimits limits;
    private final IntFunction<String> blockKey;
    private final BlockSink sink;

    private final List<BlockRef> written = new ArrayList<>();
    private final List<EncodedRow> pending = new ArrayList<>();
    private final BlockSizeBound pendingSize = new BlockSizeBound();
    private EncodedRow last;
    private boolean closed;

    /**
     * @param blockKey the object key of block {@code n} (0, 1, 2, ... in id order)
     * @param sink     receives each block's bytes
     */
    public RecordBlockSetWriter(RecordBlockWriter writer, BlockLimits limits, IntFunction<String> blockKey, BlockSink sink) {
        this.writer = Objects.requireNonNull(writer, "writer");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.blockKey = Objects.requireNonNull(blockKey, "blockKey");
        this.sink = Objects.requireNonNull(sink, "sink");
    }

    /** Adds the next record; its id must come after every id added before ({@link RecordBlockFormat#ID_ORDER}). */
    public void add(SequencedRecord record) {
        if (closed) {
            throw new IllegalStateException("the block set writer is finished or failed");
        }
        EncodedRow row = EncodedRow.of(record);
        if (last != null && last.compareId(row) >= 0) {
            throw new IllegalArgumentException("record ids must be distinct and sorted in UTF-8 byte order: '"
                    + last.idString() + "' comes before '" + row.idString() + "'");
        }
        if (!pending.isEmpty()
                && (pending.size() >= limits.maxRecords() || pendingSize.bytesWith(row) > limits.maxBytes())) {
            flush();
        }
        pending.add(row);
        pendingSize.add(row);
        last = row;
    }

    /**
     * Whether the block still open is small (at least one record, under a quarter of both limits) and would take
     * {@code records} more records of about {@code bytes} encoded bytes within the limits: a caller rewriting blocks
     * copy-on-write then folds that next block into it rather than leave a small block behind.
     */
    public boolean openBlockCanTake(int records, long bytes) {
        return !closed && !pending.isEmpty() && pending.size() < limits.maxRecords() / 4.0
                && pendingSize.bytes() < limits.maxBytes() / 4.0
                && (long) pending.size() + records <= limits.maxRecords() && pendingSize.bytes() + bytes <= limits.maxBytes();
    }

    /** Writes the last, partly filled block and returns the index of every block written, in id order. */
    public BlockIndex finish() {
        if (closed) {
            throw new IllegalStateException("the block set writer is finished or failed");
        }
        if (!pending.isEmpty()) {
            flush();
        }
        closed = true;
        return new BlockIndex(written);
    }

    private void flush() {
        closed = true; // stays closed if encoding or the sink throws
        byte[] bytes = writer.writeRows(pending);
        BlockRef block = new BlockRef(blockKey.apply(written.size()), pending.getFirst().idString(),
                pending.getLast().idString(), pending.size());
        sink.accept(block, bytes);
        written.add(block);
        pending.clear();
        pendingSize.clear();
        closed = false;
    }
}
