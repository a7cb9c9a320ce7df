package io.vermilion.catalog;

/** A recorded log fragment: the offsets it covers, {@code [startOffset, endOffset)}, and its object key. */
public record FragmentRef(long startOffset, long endOffset, String key, long bytes) {

    public long recordCount() {
        return endOffset - startOffset;
    }
}
