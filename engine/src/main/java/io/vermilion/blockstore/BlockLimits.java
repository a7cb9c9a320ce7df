package io.vermilion.blockstore;

/**
 * How large a {@link RecordBlockSetWriter} lets a block grow. A block is closed before the record that would take it
 * past either limit; a single record larger than {@code maxBytes} still gets a block of its own (records are never
 * split), so every block of two or more records is at most {@code maxBytes} long.
 *
 * @param maxRecords records per block, at least 1
 * @param maxBytes   encoded bytes per block, at least 1
 */
public record BlockLimits(int maxRecords, long maxBytes) {

    public static final int DEFAULT_MAX_RECORDS = Integer.MAX_VALUE;
    public static final long DEFAULT_MAX_BYTES = 4L << 20;

    public BlockLimits {
        if (maxRecords < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("block limits must be positive: " + maxRecords + " records, "
                    + maxBytes + " bytes");
        }
    }

    /** At most 4 MiB per block, any number of records. */
    public static BlockLimits defaults() {
        return new BlockLimits(DEFAULT_MAX_RECORDS, DEFAULT_MAX_BYTES);
    }

    public BlockLimits withMaxRecords(int records) {
        return new BlockLimits(records, maxBytes);
    }

    public BlockLimits withMaxBytes(long bytes) {
        return new BlockLimits(maxRecords, bytes);
    }
}
