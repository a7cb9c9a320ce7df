import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.stream.IntStream;

import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.util.VectorUtil;

import io.vermilion.index.ColdSketch;
import io.vermilion.model.DistanceFunction;
import io.vermilion.storage.S3ObjectStore;

/**
 * The cold-search sketch at a size whose index takes long to build: N vectors of {@link ScaleBench}'s synthetic set
 * (unit length, cosine), the sketch computed as the compactor computes it, then for Q real queries the candidates it
 * picks (K of them) scored exactly in memory — exactly the cold path's answer — against the brute-force top 10
 * (recall@10), with the time {@link ColdSketch#nearest} takes; and the time to fetch a sketch-sized object from
 * S3Proxy in parallel 1 MiB ranged reads, as a cold open does.
 * Usage: {@code ColdSketchBench N DATASET Q S3_ENDPOINT K...} (an S3Proxy with bucket "bench", no auth).
 */
public class ColdSketchBench {

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        float[][] base = IndexBench.readFvecs(java.nio.file.Path.of(args[1]).resolve("base.fvecs"));
        float[][] queries = Arrays.copyOf(IndexBench.readFvecs(java.nio.file.Path.of(args[1]).resolve("query.fvecs")),
                Integer.parseInt(args[2]));
        URI endpoint = URI.create(args[3]);
        int[] ks = Arrays.stream(args, 4, args.length).mapToInt(Integer::parseInt).toArray();
        System.out.printf("java %s, %d CPUs, loadavg %s%n", Runtime.version(),
                Runtime.getRuntime().availableProcessors(), IndexBench.loadavg());
        float[][] all = new float[n][];
        IntStream.range(0, n).parallel().forEach(i -> all[i] = ScaleBench.vector(base, i));
        long t0 = System.nanoTime();
        ColdSketch sketch = ColdSketch.of(FloatVectorValues.fromFloats(Arrays.asList(all), all[0].length),
                DistanceFunction.COSINE);
        System.out.printf("N=%,d: sketch of %.1f MiB computed in %.1f s (load %s)%n", n, sketch.bytes() / 1048576.0,
                (System.nanoTime() - t0) / 1e9, IndexBench.loadavg());
        int[][] truth = new int[queries.length][];
        IntStream.range(0, queries.length).parallel().forEach(q -> truth[q] = ScaleBench.top(all, queries[q], -1));
        for (int k : ks) {
            double recall = 0;
            long[] nanos = new long[queries.length];
            for (int q = 0; q < queries.length; q++) {
                long s0 = System.nanoTime();
                int[] candidates = sketch.nearest(VectorUtil.l2normalize(queries[q].clone()), k, null);
                nanos[q] = System.nanoTime() - s0;
                int[] top = best(all, queries[q], candidates);
                Set<Integer> exact = new HashSet<>();
                for (int id : truth[q]) {
                    exact.add(id);
                }
                recall += Arrays.stream(top).filter(exact::contains).count() / (double) ScaleBench.K;
            }
            Arrays.sort(nanos);
            System.out.printf("K=%d: recall@10 %.3f over %d queries; nearest() p50 %.1f ms (load %s)%n", k,
                    recall / queries.length, queries.length, nanos[nanos.length / 2] / 1e6, IndexBench.loadavg());
        }
        try (software.amazon.awssdk.services.s3.S3AsyncClient client =
                     S3ObjectStore.client(endpoint, "us-east-1", "bench", "bench", true)) {
            S3ObjectStore store = new S3ObjectStore(client, "bench", "sketch");
            byte[] bytes = new byte[(int) sketch.bytes()];
            new Random(1).nextBytes(bytes);
            store.put("sketch.vsk", bytes).toCompletableFuture().join();
            for (int run = 0; run < 5; run++) {
                long s0 = System.nanoTime();
                List<CompletableFuture<byte[]>> parts = new ArrayList<>();
                for (long at = 0; at < bytes.length; at += 1 << 20) {
                    parts.add(store.getRange("sketch.vsk", at, (int) Math.min(1 << 20, bytes.length - at))
                            .toCompletableFuture());
                }
                CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).join();
                System.out.printf("fetch of %.1f MiB in %d parallel ranged reads: %.0f ms (load %s)%n",
                        bytes.length / 1048576.0, parts.size(), (System.nanoTime() - s0) / 1e6, IndexBench.loadavg());
            }
        }
    }

    /** The exact top 10 among {@code candidates} by dot product (unit vectors: cosine order). */
    private static int[] best(float[][] all, float[] query, int[] candidates) {
        int[] ids = new int[ScaleBench.K];
        float[] scores = new float[ScaleBench.K];
        Arrays.fill(scores, Float.NEGATIVE_INFINITY);
        for (int c : candidates) {
            QueryBench.offer(ids, scores, c, VectorUtil.dotProduct(query, all[c]));
        }
        return ids;
    }
}
