package io.vermilion.index;

import java.io.IOException;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.search.ConstantScoreScorerSupplier;
import org.apache.lucene.search.ConstantScoreWeight;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.QueryVisitor;
import org.apache.lucene.search.ScoreMode;
import org.apache.lucene.search.ScorerSupplier;
import org.apache.lucene.search.Weight;
import org.apache.lucene.util.BitSetIterator;
import org.apache.lucene.util.FixedBitSet;

/**
 * Documents already chosen per segment of one reader: a request's filter evaluated once and shared by the kNN
 * searches of all its query vectors. Only valid on the reader it was computed for. Equality is identity.
 */
final class LeafBitSetQuery extends Query {

    private final IndexReader reader;
    private final FixedBitSet[] bitsPerLeaf;
    private final int[] cardinalities;

    LeafBitSetQuery(IndexReader reader, FixedBitSet[] bitsPerLeaf, int[] cardinalities) {
        this.reader = reader;
        this.bitsPerLeaf = bitsPerLeaf;
        this.cardinalities = cardinalities;
    }

    @Override
    public Weight createWeight(IndexSearcher searcher, ScoreMode scoreMode, float boost) {
        return new ConstantScoreWeight(this, boost) {
            @Override
            public ScorerSupplier scorerSupplier(LeafReaderContext context) throws IOException {
                if (ReaderUtil.getTopLevelContext(context).reader() != reader) {
                    throw new IllegalStateException("a filter computed for another reader");
                }
                FixedBitSet bits = bitsPerLeaf[context.ord];
                if (bits == null || cardinalities[context.ord] == 0) {
                    return null;
                }
                return ConstantScoreScorerSupplier.fromIterator(
                        new BitSetIterator(bits, cardinalities[context.ord]), score(), scoreMode, context.reader().maxDoc());
            }

            @Override
            public int count(LeafReaderContext context) {
                return cardinalities[context.ord];
            }

            @Override
            public boolean isCacheable(LeafReaderContext context) {
                return false;
            }
        };
    }

    @Override
    public void visit(QueryVisitor visitor) {
        visitor.visitLeaf(this);
    }

    @Override
    public String toString(String field) {
        return "LeafBitSet";
    }

    @Override
    public boolean equals(Object other) {
        return this == other;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }
}
