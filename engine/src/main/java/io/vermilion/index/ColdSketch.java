package io.vermilion.index;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;
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

import io.vermilion.model.DistanceFunction;

/**
 * A segment's cold-search sketch: for each vector {@code v} of the segment, in vector-ordinal order, one bit per
 * dimension, the sign of {@code v' = v − c} ({@code c}: the segment's mean vector), and two floats, a scale
 * {@code |v'|² / Σ|v'ᵢ|} and an offset. For a query {@code s} (as the index searches it) the sketch estimates
 * {@code s'·v'} as {@code scale · Σ s'ᵢ·sign(v'ᵢ)} (the float query against the bits, an asymmetric estimate) and
 * ranks by {@code s·v} ({@code offset = c·v'}) for cosine and inner product, by {@code 2 s·v − |v|²}
 * ({@code offset = −|v'|²}, estimate doubled) for l2. The compactor writes it beside the index as
 * {@code sketch-<segment>.vsk} (a Lucene index header naming the segment's id, dimension, count, doubling, mean,
 * bits, scales, offsets, a Lucene footer): 1/32 of the vectors' size plus 8 bytes per vector, so a version that is
 * not local yet can pick candidates from it and score only those exactly. Immutable; thread-safe.
 */
public final class ColdSketch {

    static final String CODEC = "VermilionColdSketch";
    private static final int VERSION = 0;
    private static final String PREFIX = "sketch-";
    private static final String EXTENSION = ".vsk";
    /** Values read per call, so reading a large sketch needs no second copy of it at once. */
    private static final int READ_CHUNK = 1 << 16;

    private final int dimension;
    private final int count;
    private final int words;
    /** 2 for l2 (the estimate of {@code s'·v'} counts twice), else 1. */
    private final int doubling;
    private final float[] mean;
    private final long[] bits;
    private final float[] scales;
    private final float[] offsets;

    private ColdSketch(int dimension, int count, int doubling, float[] mean, long[] bits, float[] scales,
                       float[] offsets) {
        this.dimension = dimension;
        this.count = count;
        this.words = words(dimension);
        this.doubling = doubling;
        this.mean = mean;
        this.bits = bits;
        this.scales = scales;
        this.offsets = offsets;
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

    public int dimension() {
        return dimension;
    }

    public int count() {
        return count;
    }

    /** Bytes of the sketch file's body (mean, bits, scales, offsets). */
    public long bytes() {
        return 4L * dimension + (8L * words + 8L) * count;
    }

    /**
     * Writes a sketch for each segment of {@code directory}'s latest commit that has vectors and no sketch of its own
     * yet (a sketch names its segment's id), deletes the sketches of segments no longer in the commit, and returns
     * the file names of the commit's sketches, sorted.
     */
    public static List<String> writeMissing(Directory directory) throws IOException {
        Set<String> wanted = new TreeSet<>();
        try (DirectoryReader reader = DirectoryReader.open(directory)) {
            DistanceFunction space = IndexSchema.fromCommitData(reader.getIndexCommit().getUserData(),
                    IndexedCollectionReader.where(directory)).space();
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
                try (IndexOutput out = directory.createOutput(name, IOContext.DEFAULT)) {
                    write(values, space, out, id);
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

    /**
     * Writes the sketch of {@code values} for a collection of {@code space} to {@code out}, streaming: two passes over
     * the vectors, holding only the mean and 8 bytes per vector (not the bits) in memory.
     */
    private static void write(FloatVectorValues values, DistanceFunction space, IndexOutput out, byte[] segmentId)
            throws IOException {
        int dimension = values.dimension();
        int count = values.size();
        float[] mean = mean(values);
        boolean l2 = space == DistanceFunction.L2;
        CodecUtil.writeIndexHeader(out, CODEC, VERSION, segmentId, "");
        out.writeInt(dimension);
        out.writeInt(count);
        out.writeInt(l2 ? 2 : 1);
        for (float m : mean) {
            out.writeInt(Float.floatToIntBits(m));
        }
        long[] bits = new long[words(dimension)];
        float[] scales = new float[count];
        float[] offsets = new float[count];
        for (int ord = 0; ord < count; ord++) {
            Arrays.fill(bits, 0L);
            encode(values.vectorValue(ord), mean, l2, bits, 0, scales, offsets, ord);
            for (long word : bits) {
                out.writeLong(word);
            }
        }
        for (float scale : scales) {
            out.writeInt(Float.floatToIntBits(scale));
        }
        for (float offset : offsets) {
            out.writeInt(Float.floatToIntBits(offset));
        }
        CodecUtil.writeFooter(out);
    }

    private static float[] mean(FloatVectorValues values) throws IOException {
        int dimension = values.dimension();
        double[] sum = new double[dimension];
        for (int ord = 0; ord < values.size(); ord++) {
            float[] vector = values.vectorValue(ord);
            for (int d = 0; d < dimension; d++) {
                sum[d] += vector[d];
            }
        }
        float[] mean = new float[dimension];
        for (int d = 0; d < dimension; d++) {
            mean[d] = (float) (sum[d] / Math.max(1, values.size()));
        }
        return mean;
    }

    /** Sets {@code vector}'s bits from {@code bits[at]} on and its scale and offset at {@code ord}. */
    private static void encode(float[] vector, float[] mean, boolean l2, long[] bits, int at, float[] scales,
                               float[] offsets, int ord) {
        double squares = 0;
        double absolutes = 0;
        double alongMean = 0;
        for (int d = 0; d < vector.length; d++) {
            double centered = (double) vector[d] - mean[d];
            if (centered > 0) {
                bits[at + (d >>> 6)] |= 1L << (d & 63);
            }
            squares += centered * centered;
            absolutes += Math.abs(centered);
            alongMean += centered * mean[d];
        }
        scales[ord] = absolutes == 0 ? 0f : (float) (squares / absolutes);
        offsets[ord] = (float) (l2 ? -squares : alongMean);
    }

    /** The sketch of {@code values} (as the index holds them) for a collection of {@code space}, in memory. */
    public static ColdSketch of(FloatVectorValues values, DistanceFunction space) throws IOException {
        int dimension = values.dimension();
        int count = values.size();
        float[] mean = mean(values);
        int words = words(dimension);
        long[] bits = new long[Math.multiplyExact(count, words)];
        float[] scales = new float[count];
        float[] offsets = new float[count];
        boolean l2 = space == DistanceFunction.L2;
        for (int ord = 0; ord < count; ord++) {
            encode(values.vectorValue(ord), mean, l2, bits, ord * words, scales, offsets, ord);
        }
        return new ColdSketch(dimension, count, l2 ? 2 : 1, mean, bits, scales, offsets);
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
        int doubling = in.readInt();
        long expected = in.getFilePointer() + 4L * Math.max(0, dimension)
                + (8L * words(Math.max(0, dimension)) + 8L) * count + CodecUtil.footerLength();
        if (dimension <= 0 || count < 0 || (doubling != 1 && doubling != 2) || expected != in.length()) {
            throw new CorruptIndexException("sketch of " + count + " × " + dimension + " does not fit its "
                    + in.length() + " bytes", in);
        }
        float[] mean = floats(in, dimension);
        long[] bits = new long[Math.multiplyExact(count, words(dimension))];
        for (int at = 0; at < bits.length; at += READ_CHUNK) {
            in.readLongs(bits, at, Math.min(READ_CHUNK, bits.length - at));
        }
        float[] scales = floats(in, count);
        float[] offsets = floats(in, count);
        CodecUtil.retrieveChecksum(in);
        return new ColdSketch(dimension, count, doubling, mean, bits, scales, offsets);
    }

    private static float[] floats(IndexInput in, int n) throws IOException {
        float[] values = new float[n];
        for (int at = 0; at < n; at += READ_CHUNK) {
            in.readFloats(values, at, Math.min(READ_CHUNK, n - at));
        }
        return values;
    }

    /**
     * The ordinals of the (at most) {@code k} vectors that {@code accepted} takes (null: all) ranked best for
     * {@code query} (as the index searches it) by the sketch's estimate, ascending.
     */
    public int[] nearest(float[] query, int k, IntPredicate accepted) {
        return candidates(query, k, accepted).ords();
    }

    /**
     * The (at most) {@code k} vectors that {@code accepted} takes (null: all) ranked best for {@code query} (as the
     * index searches it), with their estimates on a scale shared by every segment's sketch of one collection (the
     * segment's own mean added back), so candidates of several segments can be ranked together ({@link #best}).
     */
    public Candidates candidates(float[] query, int k, IntPredicate accepted) {
        float[][] table = table(query);
        float total = 0;
        float alongMean = 0;
        float meanSquared = 0;
        for (int d = 0; d < dimension; d++) {
            total += query[d] - mean[d];
            alongMean += query[d] * mean[d];
            meanSquared += mean[d] * mean[d];
        }
        // estimate ≈ s·v − s·c (cosine, inner product) or 2 s·v − |v|² − (2 s·c − |c|²) (l2): add the segment's part
        float shift = doubling * alongMean - (doubling - 1) * meanSquared;
        int wanted = Math.min(k, count);
        if (wanted <= 0) {
            return new Candidates(new int[0], new float[0]);
        }
        float[] best = new float[count];
        PriorityQueue<Integer> heap = new PriorityQueue<>(wanted + 1,
                (a, b) -> Float.compare(best[a], best[b]) != 0 ? Float.compare(best[a], best[b]) : Integer.compare(b, a));
        for (int ord = 0; ord < count; ord++) {
            if (accepted != null && !accepted.test(ord)) {
                continue;
            }
            float estimate = estimate(table, total, ord);
            best[ord] = estimate;
            if (heap.size() < wanted) {
                heap.add(ord);
            } else if (estimate > best[heap.peek()]) {
                heap.poll();
                heap.add(ord);
            }
        }
        int[] found = heap.stream().mapToInt(Integer::intValue).toArray();
        Arrays.sort(found);
        float[] estimates = new float[found.length];
        for (int i = 0; i < found.length; i++) {
            estimates[i] = best[found[i]] + shift;
        }
        return new Candidates(found, estimates);
    }

    /**
     * Of the candidates of several segments ({@code perSegment}, null where a segment has none), the {@code k} with
     * the highest estimates in all (ties: lower segment, then lower ordinal), as each segment's ordinals, ascending.
     */
    public static int[][] best(Candidates[] perSegment, int k) {
        int all = 0;
        for (Candidates candidates : perSegment) {
            all += candidates == null ? 0 : candidates.ords().length;
        }
        long[] ranked = new long[all]; // segment << 32 | index, sorted by estimate
        int at = 0;
        for (int segment = 0; segment < perSegment.length; segment++) {
            for (int i = 0; perSegment[segment] != null && i < perSegment[segment].ords().length; i++) {
                ranked[at++] = (long) segment << 32 | i;
            }
        }
        Long[] order = Arrays.stream(ranked).boxed().toArray(Long[]::new);
        Arrays.sort(order, (a, b) -> {
            float ea = perSegment[(int) (a >>> 32)].estimates()[(int) (long) a];
            float eb = perSegment[(int) (b >>> 32)].estimates()[(int) (long) b];
            return ea != eb ? Float.compare(eb, ea) : Long.compare(a, b);
        });
        int[] counts = new int[perSegment.length];
        int kept = Math.min(k, order.length);
        for (int i = 0; i < kept; i++) {
            counts[(int) (order[i] >>> 32)]++;
        }
        int[][] out = new int[perSegment.length][];
        for (int segment = 0; segment < out.length; segment++) {
            out[segment] = perSegment[segment] == null ? null : new int[counts[segment]];
        }
        int[] filled = new int[perSegment.length];
        for (int i = 0; i < kept; i++) {
            int segment = (int) (order[i] >>> 32);
            out[segment][filled[segment]++] = perSegment[segment].ords()[(int) (long) order[i]];
        }
        for (int[] ords : out) {
            if (ords != null) {
                Arrays.sort(ords);
            }
        }
        return out;
    }

    /**
     * A segment's candidates: ordinals ascending, each with its estimate (higher is nearer) on the collection's scale.
     */
    public record Candidates(int[] ords, float[] estimates) {}

    /** The sketch's estimate for {@code ord} (higher is nearer), as {@link #nearest} ranks by it. */
    float estimate(float[] query, int ord) {
        float total = 0;
        for (int d = 0; d < dimension; d++) {
            total += query[d] - mean[d];
        }
        return estimate(table(query), total, ord);
    }

    private float estimate(float[][] table, float total, int ord) {
        float set = 0; // Σ s'ᵢ over the dimensions whose bit is set
        int at = ord * words;
        for (int w = 0, b = 0; w < words; w++) {
            long word = bits[at + w];
            for (int shift = 0; shift < 64 && b < table.length; shift += 8, b++) {
                set += table[b][(int) (word >>> shift) & 0xFF];
            }
        }
        return doubling * scales[ord] * (2 * set - total) + offsets[ord];
    }

    /** For each byte of a vector's bits, the sum of the centered query's components over each pattern's set bits. */
    private float[][] table(float[] query) {
        float[][] table = new float[(dimension + 7) >>> 3][256];
        for (int b = 0; b < table.length; b++) {
            for (int pattern = 1; pattern < 256; pattern++) {
                int low = Integer.numberOfTrailingZeros(pattern);
                int d = (b << 3) + low;
                table[b][pattern] = table[b][pattern & (pattern - 1)] + (d < dimension ? query[d] - mean[d] : 0f);
            }
        }
        return table;
    }
}
