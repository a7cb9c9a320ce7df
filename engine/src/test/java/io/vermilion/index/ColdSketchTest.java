package io.vermilion.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;

import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.SegmentReader;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexInput;
import org.junit.jupiter.api.Test;

import io.vermilion.model.DistanceFunction;
import io.vermilion.record.Record;

class ColdSketchTest {

    private final long seed = Long.getLong("tests.seed", new Random().nextLong());
    private final Random random = new Random(seed);

    private List<float[]> vectors(int n, int dimension) {
        List<float[]> vectors = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            float[] v = new float[dimension];
            for (int d = 0; d < dimension; d++) {
                v[d] = (float) random.nextGaussian();
            }
            vectors.add(v);
        }
        return vectors;
    }

    @Test
    void nearestTakesTheKBestEstimatesAmongAcceptedOrdinals() throws Exception {
        System.out.println("ColdSketchTest seed=" + seed);
        int dimension = 70; // two words of bits, the second partly used
        List<float[]> vectors = vectors(500, dimension);
        for (DistanceFunction space : List.of(DistanceFunction.L2, DistanceFunction.IP)) {
            ColdSketch sketch = ColdSketch.of(FloatVectorValues.fromFloats(vectors, dimension), space);
            for (int trial = 0; trial < 20; trial++) {
                float[] query = vectors(1, dimension).getFirst();
                int k = 1 + random.nextInt(60);
                int modulus = 1 + random.nextInt(4);
                IntPredicate accepted = trial % 2 == 0 ? null : ord -> ord % modulus == 0;
                float[] estimates = new float[vectors.size()];
                for (int ord = 0; ord < vectors.size(); ord++) {
                    estimates[ord] = sketch.estimate(query, ord);
                }
                int[] expected = IntStream.range(0, vectors.size()).filter(o -> accepted == null || accepted.test(o))
                        .boxed().sorted(Comparator.<Integer>comparingDouble(o -> -estimates[o]).thenComparingInt(o -> o))
                        .limit(k).mapToInt(Integer::intValue).sorted().toArray();
                assertArrayEquals(expected, sketch.nearest(query, k, accepted), space + " trial " + trial + ", k " + k);
            }
            assertEquals(vectors.size(), sketch.nearest(vectors.getFirst(), 10_000, null).length);
            assertEquals(0, sketch.nearest(vectors.getFirst(), 10, ord -> false).length);
        }
    }

    @Test
    void aVectorAtItsSegmentsMeanIsEstimatedExactlyOnTheCollectionsScale() throws Exception {
        // A segment {c + d, c − d, c} has mean c; the sketch sees c itself as the zero vector, so its shifted estimate
        // is exact: s·c for inner product and cosine, 2 s·c − |c|² for l2 — the same scale as any other segment's.
        float[] c = {0.5f, -1.25f, 2f, 0.75f};
        float[] d = {1f, 0.5f, -0.25f, 2f};
        float[] plus = new float[4];
        float[] minus = new float[4];
        for (int i = 0; i < 4; i++) {
            plus[i] = c[i] + d[i];
            minus[i] = c[i] - d[i];
        }
        float[] query = {2f, 1f, -0.5f, 0.25f};
        float along = 0;
        float squared = 0;
        for (int i = 0; i < 4; i++) {
            along += query[i] * c[i];
            squared += c[i] * c[i];
        }
        for (DistanceFunction space : List.of(DistanceFunction.L2, DistanceFunction.IP)) {
            ColdSketch sketch = ColdSketch.of(FloatVectorValues.fromFloats(List.of(plus, minus, c), 4), space);
            ColdSketch.Candidates all = sketch.candidates(query, 3, null);
            assertArrayEquals(new int[] {0, 1, 2}, all.ords());
            float expected = space == DistanceFunction.L2 ? 2 * along - squared : along;
            assertEquals(expected, all.estimates()[2], 1e-5f, space.toString());
        }
    }

    @Test
    void bestKeepsTheKHighestEstimatesOfAllSegmentsTogether() {
        ColdSketch.Candidates first = new ColdSketch.Candidates(new int[] {3, 7, 9}, new float[] {0.9f, 0.1f, 0.5f});
        ColdSketch.Candidates third = new ColdSketch.Candidates(new int[] {0, 4}, new float[] {0.7f, 0.5f});
        ColdSketch.Candidates[] perSegment = {first, null, third};
        int[][] best = ColdSketch.best(perSegment, 3);
        assertArrayEquals(new int[] {3, 9}, best[0]); // 0.9, 0.7 (third segment), then the tie at 0.5: lower segment
        assertEquals(null, best[1]);
        assertArrayEquals(new int[] {0}, best[2]);
        best = ColdSketch.best(perSegment, 4);
        assertArrayEquals(new int[] {3, 9}, best[0]);
        assertArrayEquals(new int[] {0, 4}, best[2]);
        best = ColdSketch.best(perSegment, 10); // more than there are: all of them, each segment's ordinals ascending
        assertArrayEquals(new int[] {3, 7, 9}, best[0]);
        assertArrayEquals(new int[] {0, 4}, best[2]);
        assertArrayEquals(new int[0], ColdSketch.best(perSegment, 0)[0]);
    }

    @Test
    void candidatesOfTwoSegmentsRankedTogetherFindTheNearestOfBoth() throws Exception {
        // Two segments whose vectors lie around different means: ranked on one scale, the k best of both together
        // hold each segment's share of the true nearest; without the shift the segment nearer the query's side would
        // not be told apart from the other.
        int dimension = 64;
        List<float[]> left = vectors(400, dimension);
        List<float[]> right = vectors(400, dimension);
        for (float[] v : right) {
            for (int i = 0; i < dimension; i++) {
                v[i] += 3f;
            }
        }
        ColdSketch a = ColdSketch.of(FloatVectorValues.fromFloats(left, dimension), DistanceFunction.L2);
        ColdSketch b = ColdSketch.of(FloatVectorValues.fromFloats(right, dimension), DistanceFunction.L2);
        float[] query = right.get(17).clone();
        int[][] best = ColdSketch.best(new ColdSketch.Candidates[] {a.candidates(query, 40, null),
                b.candidates(query, 40, null)}, 40);
        assertEquals(0, best[0].length); // every vector of the far segment is farther than the near segment's 40 best
        assertEquals(40, best[1].length);
        assertTrue(Arrays.stream(best[1]).anyMatch(ord -> ord == 17));
    }

    @Test
    void theEstimateRanksAVectorsOwnQueryNearTheTop() throws Exception {
        int dimension = 64;
        List<float[]> vectors = vectors(1000, dimension);
        for (DistanceFunction space : List.of(DistanceFunction.L2, DistanceFunction.IP)) {
            ColdSketch sketch = ColdSketch.of(FloatVectorValues.fromFloats(vectors, dimension), space);
            int within = 0;
            for (int ord = 0; ord < 100; ord++) {
                int own = ord;
                if (Arrays.stream(sketch.nearest(vectors.get(ord), 20, null)).anyMatch(o -> o == own)) {
                    within++;
                }
            }
            // Random Gaussian vectors: a vector's own bits and its norm single it out among 1,000.
            assertTrue(within >= 95, space + ": " + within + " of 100 vectors among their own 20 best estimates");
        }
    }

    @Test
    void aSketchIsWrittenOncePerSegmentAndReadOnlyForItsOwnSegment() throws Exception {
        List<Record> records = new ArrayList<>();
        List<float[]> vectors = vectors(300, 16);
        for (int i = 0; i < vectors.size(); i++) {
            records.add(new Record("r" + i, vectors.get(i), null, null, null));
        }
        try (Directory directory = new ByteBuffersDirectory()) {
            CollectionIndexWriter.write(directory, IndexSchema.defaults(DistanceFunction.L2, records), records);
            List<String> names = ColdSketch.writeMissing(directory);
            assertEquals(1, names.size());
            byte[] written = bytes(directory, names.getFirst());
            assertEquals(names, ColdSketch.writeMissing(directory), "kept, not written again");
            assertArrayEquals(written, bytes(directory, names.getFirst()));
            try (DirectoryReader reader = DirectoryReader.open(directory)) {
                SegmentReader segment = ColdSketch.segmentOf(reader.leaves().getFirst());
                FloatVectorValues values = reader.leaves().getFirst().reader().getFloatVectorValues(IndexFields.VECTOR);
                ColdSketch read;
                try (IndexInput in = directory.openInput(names.getFirst(), IOContext.DEFAULT)) {
                    read = ColdSketch.read(in, segment.getSegmentInfo().info.getId());
                }
                ColdSketch computed = ColdSketch.of(values, DistanceFunction.L2);
                assertEquals(300, read.count());
                assertEquals(16, read.dimension());
                for (int ord = 0; ord < values.size(); ord++) {
                    float[] v = values.vectorValue(ord);
                    assertArrayEquals(computed.nearest(v, 7, null), read.nearest(v, 7, null));
                }
                byte[] otherId = Arrays.copyOf(segment.getSegmentInfo().info.getId(), 16);
                otherId[0] ^= 1;
                try (IndexInput in = directory.openInput(names.getFirst(), IOContext.DEFAULT)) {
                    assertThrows(CorruptIndexException.class, () -> ColdSketch.read(in, otherId));
                }
            }
        }
    }

    private static byte[] bytes(Directory directory, String name) throws Exception {
        try (IndexInput in = directory.openInput(name, IOContext.DEFAULT)) {
            byte[] b = new byte[(int) in.length()];
            in.readBytes(b, 0, b.length);
            return b;
        }
    }
}
