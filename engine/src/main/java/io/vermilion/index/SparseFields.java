package io.vermilion.index;

import io.vermilion.record.MetadataValue;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.apache.lucene.document.BinaryDocValuesField;
import org.apache.lucene.document.FeatureField;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.util.BytesRef;

/**
 * How a sparse vector held in metadata key {@code key} is laid out in the collection index, so its top-k by dot
 * product runs over impacts: each dimension is a {@link FeatureField} term (the unsigned index in decimal) of
 * {@code sp:key} for a positive value, of {@code sn:key} (holding |value|) for a negative one, and a plain term of
 * {@code sz:key} for a zero; the exact vector is kept in binary doc values {@code sv:key} (count, then indices, then
 * float32 values, little-endian) for re-scoring, since impacts are quantized (FeatureField keeps 8 mantissa bits and
 * rounds toward zero). Stateless.
 */
final class SparseFields {

    /** Commit user data key marking an index whose documents carry these fields (indexes written before do not). */
    static final String COMMIT_KEY = "vermilion.index.sparse";

    private SparseFields() {}

    static String positiveField(String key) {
        return "sp:" + key;
    }

    static String negativeField(String key) {
        return "sn:" + key;
    }

    static String zeroField(String key) {
        return "sz:" + key;
    }

    static String valuesField(String key) {
        return "sv:" + key;
    }

    static String term(int index) {
        return Integer.toUnsignedString(index);
    }

    /**
     * The impact FeatureField stores for |value|: at least the smallest normal float (FeatureField refuses smaller),
     * at most the largest finite one; rounding up keeps every impact an upper bound of what it stands for.
     */
    static float impact(float magnitude) {
        if (Float.isNaN(magnitude)) {
            return Float.MIN_NORMAL;
        }
        return Math.min(Float.MAX_VALUE, Math.max(Float.MIN_NORMAL, magnitude));
    }

    /** Adds the fields of {@code vector}, held in metadata key {@code key}, to a document being built. */
    static void addTo(List<Field> doc, String key, MetadataValue.Sparse vector) {
        int[] indices = vector.indices();
        float[] values = vector.values();
        for (int i = 0; i < indices.length; i++) {
            float v = values[i];
            String term = term(indices[i]);
            if (v > 0f) {
                doc.add(new FeatureField(positiveField(key), term, impact(v)));
            } else if (v < 0f) {
                doc.add(new FeatureField(negativeField(key), term, impact(-v)));
            } else {
                doc.add(new StringField(zeroField(key), term, Field.Store.NO));
            }
        }
        doc.add(new BinaryDocValuesField(valuesField(key), encode(vector)));
    }

    static BytesRef encode(MetadataValue.Sparse vector) {
        int n = vector.indices().length;
        ByteBuffer buffer = ByteBuffer.allocate(Integer.BYTES * (1 + 2 * n)).order(ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(n);
        for (int index : vector.indices()) {
            buffer.putInt(index);
        }
        for (float value : vector.values()) {
            buffer.putFloat(value);
        }
        return new BytesRef(buffer.array());
    }

    /** The dot product of {@code query} with the vector {@link #encode} wrote, as {@link MetadataValue.Sparse#dot}. */
    static float dot(int[] queryIndices, float[] queryValues, BytesRef encoded) {
        ByteBuffer buffer = ByteBuffer.wrap(encoded.bytes, encoded.offset, encoded.length).order(ByteOrder.LITTLE_ENDIAN);
        int n = buffer.getInt(0);
        int valuesAt = Integer.BYTES * (1 + n);
        float sum = 0.0f;
        int i = 0;
        int j = 0;
        while (i < queryIndices.length && j < n) {
            int c = Integer.compareUnsigned(queryIndices[i], buffer.getInt(Integer.BYTES * (1 + j)));
            if (c == 0) {
                sum += queryValues[i++] * buffer.getFloat(valuesAt + Float.BYTES * j++);
            } else if (c < 0) {
                i++;
            } else {
                j++;
            }
        }
        return sum;
    }
}
