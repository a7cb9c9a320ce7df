package io.vermilion.index;

import java.io.IOException;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.KnnVectorsReader;
import org.apache.lucene.codecs.KnnVectorsWriter;
import org.apache.lucene.index.SegmentReadState;
import org.apache.lucene.index.SegmentWriteState;

/**
 * A vector format that writes and reads exactly as its delegate, under the delegate's name (so segments open with
 * the stock format through SPI), but admits more dimensions than Lucene's default of 1024. The limit is checked
 * only when indexing; nothing in the HNSW formats depends on it.
 */
final class UncappedVectorsFormat extends KnnVectorsFormat {

    private final KnnVectorsFormat delegate;
    private final int maxDimensions;

    UncappedVectorsFormat(KnnVectorsFormat delegate, int maxDimensions) {
        super(delegate.getName());
        this.delegate = delegate;
        this.maxDimensions = maxDimensions;
    }

    @Override
    public KnnVectorsWriter fieldsWriter(SegmentWriteState state) throws IOException {
        return delegate.fieldsWriter(state);
    }

    @Override
    public KnnVectorsReader fieldsReader(SegmentReadState state) throws IOException {
        return delegate.fieldsReader(state);
    }

    @Override
    public int getMaxDimensions(String fieldName) {
        return maxDimensions;
    }

    @Override
    public String toString() {
        return delegate + "(maxDimensions=" + maxDimensions + ")";
    }
}
