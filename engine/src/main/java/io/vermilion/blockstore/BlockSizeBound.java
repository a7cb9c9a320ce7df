package io.vermilion.blockstore;

/**
 * An upper bound on the encoded size of a block as rows are added, valid for whichever embedding layout the block
 * gets: {@link RecordBlockFormat#FIXED_OVERHEAD}, plus per row its UTF-8 bytes, an offset per variable-width column,
 * the sequence, validity bits (rounded up to bytes) and its floats, plus, for rows without an embedding, the zero
 * floats a fixed-size layout puts behind them. Not thread-safe.
 */
final class BlockSizeBound {

    private long rowBytes;
    private long nullEmbeddings;
    private int maxDimension;

    /** The bound for the rows added so far (the fixed overhead alone if none). */
    long bytes() {
        return bound(rowBytes, nullEmbeddings, maxDimension);
    }

    /** The bound if {@code row} were added too. */
    long bytesWith(EncodedRow row) {
        float[] embedding = row.embedding();
        return bound(rowBytes + rowBytes(row), nullEmbeddings + (embedding == null ? 1 : 0),
                embedding == null ? maxDimension : Math.max(maxDimension, embedding.length));
    }

    void add(EncodedRow row) {
        rowBytes += rowBytes(row);
        if (row.embedding() == null) {
            nullEmbeddings++;
        } else {
            maxDimension = Math.max(maxDimension, row.embedding().length);
        }
    }

    void clear() {
        rowBytes = 0;
        nullEmbeddings = 0;
        maxDimension = 0;
    }

    private static long bound(long rowBytes, long nullEmbeddings, int maxDimension) {
        return RecordBlockFormat.FIXED_OVERHEAD + rowBytes + nullEmbeddings * floatBytes(maxDimension);
    }

    private static long rowBytes(EncodedRow row) {
        int floats = row.embedding() == null ? 0 : row.embedding().length;
        return 4L + row.id().length
                + 8
                + 4 + floatBytes(floats)
                + 4 + length(row.metadata())
                + 4 + length(row.document())
                + 4 + length(row.uri())
                + 1; // six validity bits
    }

    /** Floats and their validity bits. */
    private static long floatBytes(int floats) {
        return 4L * floats + (floats + 7) / 8;
    }

    private static int length(byte[] bytes) {
        return bytes == null ? 0 : bytes.length;
    }
}
