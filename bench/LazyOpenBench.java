import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

import io.vermilion.blockstore.BlockIndex;
import io.vermilion.catalog.VersionRef;
import io.vermilion.env.Environment;
import io.vermilion.index.ColdSketch;
import io.vermilion.index.IndexFileCache;
import io.vermilion.index.IndexedCollectionReader;
import io.vermilion.index.LazyOpenOptions;
import io.vermilion.index.SearchParameters;
import io.vermilion.model.DistanceFunction;
import io.vermilion.model.QueryHit;
import io.vermilion.model.QueryRequest;
import io.vermilion.model.VectorQuantization;
import io.vermilion.storage.LocalFolders;
import io.vermilion.storage.ObjectFiles;
import io.vermilion.storage.S3ObjectStore;
import io.vermilion.version.ManifestWriter;
import io.vermilion.version.VersionFile;
import io.vermilion.version.VersionKeys;
import io.vermilion.version.VersionManifest;

/**
 * Cold first query of a version on S3Proxy over HTTP with an empty local cache: the index is built as
 * {@link ScaleBench} builds it (same synthetic set), its cold-search sketch written as the compactor writes it,
 * uploaded as version 1 of a collection, then opened RUNS times into a fresh cache folder each: lazy open off (whole
 * download first); lazy with the sketch path (the first queries answered from the sketch), with and without the
 * background download; lazy searching the graph over pages (cold candidates 0) with the background download; and,
 * only with a 6th argument {@code unwarmed}, the graph over pages without the background download (minutes at 100k). Each run times
 * open + the first query, then a second query, and scores the first query's answer against the exact top 10
 * (recall@10, brute force over all N vectors, cached in WORK). Once a background download has completed, 20 more
 * queries are timed on the paged reader and on the version reopened from its local copy (memory-mapped: what
 * CollectionStateCache swaps in), and on the fully downloaded version's reader for comparison. RUNS 0 only builds the
 * index, its sketch and the ground truth.
 * Usage: {@code LazyOpenBench N WORK DATASET RUNS S3_ENDPOINT [unwarmed]} (an S3Proxy with bucket "bench", no auth);
 * {@code -Dlazy.page.kib} (16), {@code -Dlazy.cold.candidates} (200).
 */
public class LazyOpenBench {

    /** Queries the recall of the sketch path is measured over. */
    private static final int RECALL_QUERIES = 50;

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        Path work = Path.of(args[1]);
        Path data = Path.of(args[2]);
        int runs = Integer.parseInt(args[3]);
        java.net.URI endpoint = java.net.URI.create(args[4]);
        boolean unwarmed = args.length > 5 && args[5].equals("unwarmed");
        float[][] base = IndexBench.readFvecs(data.resolve("base.fvecs"));
        float[][] queries = IndexBench.readFvecs(data.resolve("query.fvecs"));
        Path index = work.resolve("float32-" + n);
        if (!Files.exists(index.resolve(".built"))) {
            LocalFolders.delete(index);
            ScaleBench.build(n, VectorQuantization.FLOAT32, index, base, Arrays.copyOf(queries, 5),
                    work.resolve("float32-" + n + ".gt"));
            Files.createFile(index.resolve(".built"));
        }
        try (Directory directory = FSDirectory.open(index)) {
            long s0 = System.nanoTime();
            List<String> sketches = ColdSketch.writeMissing(directory);
            System.out.printf("cold-search sketches %s: %.1f MiB, written (or checked) in %.1f s%n", sketches,
                    sketches.stream().mapToLong(s -> size(index.resolve(s))).sum() / 1048576.0,
                    (System.nanoTime() - s0) / 1e9);
        }
        int recallQueries = Math.max(2 * runs, RECALL_QUERIES);
        int[][] truth = groundTruth(n, base, queries, recallQueries, work.resolve("float32-" + n + ".cold.gt"));
        if (runs == 0) {
            System.out.println("built only (RUNS 0)");
            return;
        }
        System.out.printf("java %s, %d CPUs, loadavg %s%n", Runtime.version(),
                Runtime.getRuntime().availableProcessors(), IndexBench.loadavg());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (software.amazon.awssdk.services.s3.S3AsyncClient client =
                     S3ObjectStore.client(endpoint, "us-east-1", "bench", "bench", true)) {
            S3ObjectStore store = new S3ObjectStore(client, "bench", "replicas");
            UUID collection = UUID.randomUUID();
            List<VersionFile> files = new ArrayList<>();
            long total = 0;
            try (Stream<Path> listed = Files.list(index)) {
                for (Path file : listed.sorted().toList()) {
                    String name = file.getFileName().toString();
                    if (name.startsWith(".") || name.equals("write.lock")) {
                        continue;
                    }
                    String key = VersionKeys.indexFile(collection, 1, name);
                    store.putFileIfAbsent(key, file).toCompletableFuture().join();
                    files.add(new VersionFile(key, VersionFile.Role.INDEX, Files.size(file), ObjectFiles.crc32c(file)));
                    total += Files.size(file);
                }
            }
            String manifestKey = VersionKeys.manifest(collection, 1);
            store.put(manifestKey, new ManifestWriter().write(new VersionManifest(collection, 1, 0, 0, 384,
                    DistanceFunction.COSINE, files, BlockIndex.empty(), Instant.now()))).toCompletableFuture().join();
            VersionRef ref = new VersionRef(1, manifestKey, 0);
            System.out.printf("version: %d files, %.1f MiB on S3Proxy%n", files.size(), total / 1048576.0);

            int pageKiB = Integer.getInteger("lazy.page.kib", 16);
            int candidates = Integer.getInteger("lazy.cold.candidates", LazyOpenOptions.DEFAULT_COLD_CANDIDATES);
            LazyOpenOptions lazy = new LazyOpenOptions(true, pageKiB << 10, 256L << 20, 8, candidates);
            System.out.printf("lazy pages of %d KiB, cold candidates %d%n", pageKiB, candidates);
            String[] modes = {"full download", "lazy, sketch + background", "lazy, sketch, no background",
                    "lazy, graph + background", "lazy, graph, no background"};
            LazyOpenOptions[] options = {LazyOpenOptions.DISABLED, lazy, lazy.withWarmParallelism(0),
                    lazy.withColdCandidates(0), lazy.withColdCandidates(0).withWarmParallelism(0)};
            int shown = unwarmed ? modes.length : modes.length - 1;
            // After the background download: AFTER queries on the paged reader, then on the version reopened from the
            // local copy (memory-mapped, as CollectionStateCache swaps it in); for the full download, on its reader.
            long[][] afterPaged = new long[modes.length][runs];
            long[][] afterMapped = new long[modes.length][runs];
            long[][] firstMapped = new long[modes.length][runs];
            long[][] localAt = new long[modes.length][runs]; // ms from the start of open to the download checked
            long[][] first = new long[modes.length][runs];
            long[][] second = new long[modes.length][runs];
            double[][] recall = new double[modes.length][runs];
            for (int r = 0; r < runs; r++) {
                for (int m = 0; m < shown; m++) {
                    Path root = work.resolve("cold-cache");
                    LocalFolders.delete(root);
                    IndexFileCache cache = new IndexFileCache(store, root, 1L << 40, pool, Environment.system(),
                            options[m]);
                    QueryRequest q1 = new QueryRequest(List.of(queries[2 * r]), 10, null, null, null,
                            DistanceFunction.COSINE, 0, false);
                    QueryRequest q2 = new QueryRequest(List.of(queries[2 * r + 1]), 10, null, null, null,
                            DistanceFunction.COSINE, 0, false);
                    long t0 = System.nanoTime();
                    long bytes;
                    long opened;
                    try (IndexedCollectionReader reader = cache.open(collection, ref, SearchParameters.DEFAULTS)
                            .toCompletableFuture().join()) {
                        opened = (System.nanoTime() - t0) / 1_000_000;
                        List<QueryHit> answer = reader.query(q1).getFirst();
                        long t1 = System.nanoTime();
                        bytes = cache.fetchedBytes();
                        reader.query(q2);
                        long t2 = System.nanoTime();
                        first[m][r] = (t1 - t0) / 1_000_000;
                        second[m][r] = (t2 - t1) / 1_000;
                        recall[m][r] = recall(answer, truth[2 * r]);
                        if (options[m].warmParallelism() > 0 && options[m].enabled()) { // else never local
                            cache.warmed(collection, 1).toCompletableFuture().join();
                            localAt[m][r] = (System.nanoTime() - t0) / 1_000_000;
                            if (!reader.localCopy().toCompletableFuture().join()) {
                                throw new IllegalStateException("the background download failed");
                            }
                            afterPaged[m][r] = median(timeQueries(reader, queries));
                            try (IndexedCollectionReader mapped = cache.open(collection, ref, SearchParameters.DEFAULTS)
                                    .toCompletableFuture().join()) {
                                if (mapped.paged()) {
                                    throw new IllegalStateException("reopened over pages, not the local copy");
                                }
                                long[] times = timeQueries(mapped, queries);
                                firstMapped[m][r] = times[0];
                                afterMapped[m][r] = median(times);
                            }
                        } else if (!options[m].enabled()) {
                            long[] times = timeQueries(reader, queries);
                            firstMapped[m][r] = times[0];
                            afterMapped[m][r] = median(times);
                        }
                    }
                    System.out.printf("run %d %-28s open %5d ms, first query %6d ms, second %8.1f ms, recall@10 %.1f,"
                                    + " fetched before first answer %.1f MiB (load %s)%n", r + 1, modes[m], opened,
                            first[m][r], second[m][r] / 1000.0, recall[m][r], bytes / 1048576.0, IndexBench.loadavg());
                    if (afterMapped[m][r] > 0) {
                        System.out.printf("run %d %-28s after the download: %d queries p50 %.2f ms on the paged reader,"
                                        + " %.2f ms mapped (first on the mapped reader %.2f ms); local %d ms after the open began%n", r + 1,
                                modes[m], AFTER, afterPaged[m][r] / 1000.0, afterMapped[m][r] / 1000.0,
                                firstMapped[m][r] / 1000.0, localAt[m][r]);
                    }
                }
            }
            for (int m = 0; m < shown; m++) {
                System.out.printf("%-28s cold first query p50 %d ms (runs: %s), second query p50 %.1f ms,"
                                + " recall@10 of first answers %.3f%n", modes[m], median(first[m]), Arrays.toString(first[m]),
                        median(second[m]) / 1000.0, Arrays.stream(recall[m]).average().orElse(0));
                if (afterMapped[m][0] > 0) {
                    System.out.printf("%-28s after the download, median over runs of each run's p50 of %d queries:"
                                    + " paged %.2f ms, mapped %.2f ms (first mapped query %.2f ms)%n", modes[m], AFTER,
                            median(afterPaged[m]) / 1000.0, median(afterMapped[m]) / 1000.0,
                            median(firstMapped[m]) / 1000.0);
                }
            }
            // Recall@10 of the sketch path (a cold reader, never local) and of the graph (the version downloaded)
            // over more queries than the runs ask.
            double[] sketchRecall = new double[2];
            for (int m : new int[] {2, 0}) {
                Path root = work.resolve("cold-cache");
                LocalFolders.delete(root);
                IndexFileCache cache = new IndexFileCache(store, root, 1L << 40, pool, Environment.system(), options[m]);
                double sum = 0;
                try (IndexedCollectionReader reader = cache.open(collection, ref, SearchParameters.DEFAULTS)
                        .toCompletableFuture().join()) {
                    for (int q = 0; q < recallQueries; q++) {
                        sum += recall(reader.query(new QueryRequest(List.of(queries[q]), 10, null, null, null,
                                DistanceFunction.COSINE, 0, false)).getFirst(), truth[q]);
                    }
                    if (m == 2 && reader.coldQueries() != recallQueries) {
                        throw new IllegalStateException("not every query was answered from the sketch");
                    }
                }
                sketchRecall[m == 2 ? 0 : 1] = sum / recallQueries;
            }
            System.out.printf("recall@10 over %d queries: sketch path (cold candidates %d) %.3f, graph (ef 100) %.3f%n",
                    recallQueries, candidates, sketchRecall[0], sketchRecall[1]);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Queries timed after the download, per reader. */
    private static final int AFTER = 20;

    /** Microseconds of each of {@link #AFTER} queries (n_results 10, queries 100 on) on {@code reader}. */
    private static long[] timeQueries(IndexedCollectionReader reader, float[][] queries) {
        long[] times = new long[AFTER];
        for (int i = 0; i < AFTER; i++) {
            QueryRequest q = new QueryRequest(List.of(queries[100 + i]), 10, null, null, null, DistanceFunction.COSINE,
                    0, false);
            long t0 = System.nanoTime();
            reader.query(q);
            times[i] = (System.nanoTime() - t0) / 1_000;
        }
        return times;
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (java.io.IOException e) {
            return 0;
        }
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static double recall(List<QueryHit> answer, int[] truth) {
        Set<Integer> exact = new HashSet<>();
        for (int id : truth) {
            exact.add(id);
        }
        long found = answer.stream().filter(h -> exact.contains(Integer.parseInt(h.record().id()))).count();
        return found / (double) truth.length;
    }

    /** The exact top 10 (by dot product: unit vectors) of the first {@code q} queries over all N vectors, cached. */
    private static int[][] groundTruth(int n, float[][] base, float[][] queries, int q, Path file) throws Exception {
        if (Files.exists(file)) {
            try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
                int count = in.readInt();
                if (count >= q) {
                    int[][] truth = new int[count][ScaleBench.K];
                    for (int[] row : truth) {
                        for (int j = 0; j < row.length; j++) {
                            row[j] = in.readInt();
                        }
                    }
                    return truth;
                }
            }
        }
        long t0 = System.nanoTime();
        float[][] all = new float[n][];
        IntStream.range(0, n).parallel().forEach(i -> all[i] = ScaleBench.vector(base, i));
        int[][] truth = new int[q][];
        IntStream.range(0, q).parallel().forEach(i -> truth[i] = ScaleBench.top(all, queries[i], -1));
        try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(file))) {
            out.writeInt(q);
            for (int[] row : truth) {
                for (int id : row) {
                    out.writeInt(id);
                }
            }
        }
        System.out.printf("ground truth of %d queries in %.1f s%n", q, (System.nanoTime() - t0) / 1e9);
        return truth;
    }
}
