package io.vermilion.index;

import java.io.IOException;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.lucene.index.FreqAndNormBuffer;
import org.apache.lucene.index.Impacts;
import org.apache.lucene.index.ImpactsEnum;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.util.BytesRef;

/**
 * The largest impact of each sparse-vector term ({@link SparseFields}: a FeatureField term) over one index reader:
 * the maximum, over the term's postings, of the value FeatureField keeps (8 mantissa bits, truncated), read from the
 * postings' skip-level impacts rather than the postings, and memoized per (field, term) for the reader's lifetime.
 * A true value is below {@code (1 + 2⁻⁸)} × its impact; an impact that is not recorded reads as +∞. Thread-safe.
 */
final class SparseTermMaxima {

    /** FeatureField's largest meaningful frequency: the encoding of Float.MAX_VALUE. */
    private static final int MAX_FREQ = Float.floatToIntBits(Float.MAX_VALUE) >>> 15;

    private final IndexReader reader;
    private final ConcurrentHashMap<String, Float> maxima = new ConcurrentHashMap<>();

    SparseTermMaxima(IndexReader reader) {
        this.reader = reader;
    }

    /** The largest impact of {@code term} in {@code field} (0 when no document has it). */
    float max(String field, String term) throws IOException {
        String key = field + '\u0000' + term;
        Float known = maxima.get(key);
        if (known != null) {
            return known;
        }
        float max = compute(field, new BytesRef(term));
        maxima.putIfAbsent(key, max);
        return max;
    }

    private float compute(String field, BytesRef term) throws IOException {
        float max = 0f;
        for (LeafReaderContext leaf : reader.leaves()) {
            Terms terms = leaf.reader().terms(field);
            if (terms == null) {
                continue;
            }
            TermsEnum iterator = terms.iterator();
            if (!iterator.seekExact(term)) {
                continue;
            }
            ImpactsEnum impacts = iterator.impacts(PostingsEnum.FREQS);
            int target = 0;
            while (true) {
                impacts.advanceShallow(target);
                Impacts levels = impacts.getImpacts();
                int level = levels.numLevels() - 1;
                while (level >= 0 && levels.getDocIdUpTo(level) >= DocIdSetIterator.NO_MORE_DOCS) {
                    level--;
                }
                if (level < 0 || levels.getDocIdUpTo(level) < target) {
                    // No skip data from here on (a short postings list or its last block): read the postings.
                    PostingsEnum postings = iterator.postings(null, PostingsEnum.FREQS);
                    for (int doc = postings.advance(target); doc != DocIdSetIterator.NO_MORE_DOCS;
                            doc = postings.nextDoc()) {
                        max = Math.max(max, decode(postings.freq()));
                    }
                    break;
                }
                FreqAndNormBuffer pairs = levels.getImpacts(level);
                for (int i = 0; i < pairs.size; i++) {
                    max = Math.max(max, decode(pairs.freqs[i]));
                }
                target = levels.getDocIdUpTo(level) + 1;
            }
        }
        return max;
    }

    /** FeatureField's decoding of a frequency: the value's top 17 bits; beyond the largest float, +∞. */
    static float decode(int freq) {
        if (freq > MAX_FREQ || freq < 0) {
            return Float.POSITIVE_INFINITY;
        }
        return Float.intBitsToFloat(freq << 15);
    }
}
