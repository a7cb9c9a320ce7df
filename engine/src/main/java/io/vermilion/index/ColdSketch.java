package io.vermilion.index;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.IntPredicate;

import org.apache.lucene.codecs.CodecUtil;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FilterLeafReader;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexFormatTooNewException;
import org.apache.lucene.index.IndexFormatTooOldException;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.SegmentReader;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.store.IndexOutput;

/**
 * A segment's cold-search sketch: for each vector of the segment, in vector-ordinal order, one bit per dimension
 * saying whether the vector lies above the segment's mean vector there. The compactor writes it beside the index as
 * {@code sketch-<segment>.vsk} (a Lucene index header naming the segment's id, dimension, count, mean, the bits, a
 * Lucene footer), so a version that is not local yet can be searched from a file 1/32 the size of its vectors: the
 * Hamming distance to the query's bits picks candidates, which are then scored exactly. Immutable; thread-safe.
 */
public final class ColdSketch {

    static final String CODEC = "VermilionColdSketch";
    private static final int VERSION = 0;
    private static final String PREFIX = "sketch-";
    private static final String EXTENSION = ".vsk";
    /** Longs read per call, so reading a large sketch needs no second copy of it at once. */
    private static final int READ_CHUNK = 1 << 16;

    private final int dimension;
    private final int count;
    private final int words;
    private final float[] mean;
    private final long[] bits;

    private ColdSketch(int dimension, int count, float[] mean, long[] bits) {
        this.dimension = dimension;
        this.count = count;
        this.words = words(dimension);
        this.mean = mean;
        this.bits = bits;
    }

    private static int words(int dimension) {
        return (dimension + 63) >>> 6;
    }

    /** The sketch file of the segment named {@code segment}. */
    static String fileName(String segment) {
        return PREFIX + segment + EXTENSION;
    }

    /** Whether {@code fileName} names a sketch (Lucene's own file deleter leaves such names alone). */
    public static boolean isSketch(String fileName) {
        return fileName.startsWith(PREFIX) && fileName.endsWith(EXTENSION);
    }

    int dimension() {
        return dimension;
    }

    int count() {
        return count;
    }

    /**
     * Writes a sketch for each segment of {@code directory}'s latest commit that has vectors and no sketch of its own
     * yet (a sketch names its segment's id), deletes the sketches of segments no longer in the commit, and returns
     * the file names of the commit's sketches, sorted.
     */
    public static List<String> writeMissing(Directory directory) throws IOException {
        Set<String> wanted = new TreeSet<>();
        try (DirectoryReader reader = DirectoryReader.open(directory)) {
            for (LeafReaderContext leaf : reader.leaves()) {
                FloatVectorValues values = leaf.reader().getFloatVectorValues(IndexFields.VECTOR);
                if (values == null || values.size() == 0) {
                    continue;
                }
                SegmentReader segment = segmentOf(leaf);
                String name = fileName(segment.getSegmentName());
                byte[] id = segment.getSegmentInfo().info.getId();
                wanted.add(name);
                if (matches(directory, name, id)) {
                    continue;
                }
                if (Arrays.asList(directory.listAll()).contains(name)) {
                    directory.deleteFile(name);
                }
                ColdSketch sketch = of(values);
                try (IndexOutput out = directory.createOutput(name, IOContext.DEFAULT)) {
                    sketch.write(out, id);
                }
                directory.sync(List.of(name));
            }
        }
        for (String file : directory.listAll()) {
            if (isSketch(file) && !wanted.contains(file)) {
                directory.deleteFile(file);
            }
        }
        return List.copyOf(wanted);
    }

    /** The segment under {@code leaf}'s reader (a committed index's leaves are segments). */
    static SegmentReader segmentOf(LeafReaderContext leaf) {
        if (FilterLeafReader.unwrap(leaf.reader()) instanceof SegmentReader segment) {
            return segment;
        }
        throw new IllegalStateException("not a segment: " + leaf.reader());
    }

    private static boolean matches(Directory directory, String name, byte[] id) throws IOException {
        try (IndexInput in = directory.openInput(name, IOContext.DEFAULT)) {
            CodecUtil.checkIndexHeader(in, CODEC, VERSION, VERSION, id, "");
            return true;
        } catch (NoSuchFileException | FileNotFoundException | CorruptIndexException | IndexFormatTooOldException
                 | IndexFormatTooNewException e) {
            return false;
        }
    }

    /** The sketch of {@code values}: their mean, then each vector's bits against it (two passes over the vectors). */
    static ColdSketch of(FloatVectorValues values) throws IOException {
        int dimension = values.dimension();
        int count = values.size();
        double[] sum = new double[dimension];
        for (int ord = 0; ord < count; ord++) {
            float[] vector = values.vectorValue(ord);
            for (int d = 0; d < dimension; d++) {
                sum[d] += vector[d];
            }
        }
        float[] mean = new float[dimension];
        for (int d = 0; d < dimension; d++) {
            mean[d] = (float) (sum[d] / Math.max(1, count));
        }
        int words = words(dimension);
        long[] bits = new long[Math.multiplyExact(count, words)];
        for (int ord = 0; ord < count; ord++) {
            encode(values.vectorValue(ord), mean, bits, ord * words);
        }
        return new ColdSketch(dimension, count, mean, bits);
    }

    private static void encode(float[] vector, float[] mean, long[] into, int at) {
        for (int d = 0; d < vector.length; d++) {
            if (vector[d] > mean[d]) {
                into[at + (d >>> 6)] |= 1L << (d & 63);
            }
        }
    }

    private void write(IndexOutput out, byte[] segmentId) throws IOException {
        CodecUtil.writeIndexHeader(out, CODEC, VERSION, segmentId, "");
        out.writeInt(dimension);
        out.writeInt(count);
        for (float m : mean) {
            out.writeInt(Float.floatToIntBits(m));
        }
        for (long word : bits) {
            out.writeLong(word);
        }
        CodecUtil.writeFooter(out);
    }

    /**
     * Reads a whole sketch written for the segment with id {@code segmentId}.
     *
     * @throws CorruptIndexException if it is not one (another segment's, truncated, or not a sketch at all)
     */
    static ColdSketch read(IndexInput in, byte[] segmentId) throws IOException {
        CodecUtil.checkIndexHeader(in, CODEC, VERSION, VERSION, segmentId, "");
        int dimension = in.readInt();
        int count = in.readInt();
        long expected = in.getFilePointer() + 4L * Math.max(0, dimension) + 8L * count * words(Math.max(0, dimension))
                + CodecUtil.footerLength();
        if (dimension <= 0 || count < 0 || expected != in.length()) {
            throw new CorruptIndexException("sketch of " + count + " × " + dimension + " does not fit its "
                    + in.length() + " bytes", in);
        }
        float[] mean = new float[dimension];
        for (int d = 0; d < dimension; d++) {
            mean[d] = Float.intBitsToFloat(in.readInt());
        }
        long[] bits = new long[Math.multiplyExact(count, words(dimension))];
        for (int at = 0; at < bits.length; at += READ_CHUNK) {
            in.readLongs(bits, at, Math.min(READ_CHUNK, bits.length - at));
        }
        CodecUtil.retrieveChecksum(in);
        return new ColdSketch(dimension, count, mean, bits);
    }

    /** {@code vector}'s bits against this segment's mean (a query vector as the index searches it). */
    long[] encode(float[] vector) {
        long[] query = new long[words];
        encode(vector, mean, query, 0);
        return query;
    }

    /**
     * The ordinals of the (at most) {@code k} vectors that {@code accepted} takes (null: all) nearest to {@code query}
     * by Hamming distance, ascending; among those at the cut-off distance the lowest ordinals are taken.
     */
    int[] nearest(long[] query, int k, IntPredicate accepted) {
        int[] distances = new int[count];
        int[] histogram = new int[dimension + 1];
        int acceptedCount = 0;
        for (int ord = 0, at = 0; ord < count; ord++, at += words) {
            if (accepted != null && !accepted.test(ord)) {
                distances[ord] = -1;
                continue;
            }
            int distance = 0;
            for (int w = 0; w < words; w++) {
                distance += Long.bitCount(query[w] ^ bits[at + w]);
            }
            distances[ord] = distance;
            histogram[distance]++;
            acceptedCount++;
        }
        int wanted = Math.min(k, acceptedCount);
        int below = 0; // vectors strictly nearer than the cut-off
        int cut = 0;
        while (cut <= dimension && below + histogram[cut] < wanted) {
            below += histogram[cut];
            cut++;
        }
        int atCut = wanted - below;
        int[] found = new int[wanted];
        int n = 0;
        for (int ord = 0; ord < count && n < wanted; ord++) {
            int distance = distances[ord];
            if (distance >= 0 && distance < cut) {
                found[n++] = ord;
            } else if (distance == cut && atCut > 0) {
                found[n++] = ord;
                atCut--;
            }
        }
        return found;
    }
}
