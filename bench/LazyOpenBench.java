import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

import io.vermilion.blockstore.BlockIndex;
import io.vermilion.catalog.VersionRef;
import io.vermilion.env.Environment;
import io.vermilion.index.IndexFileCache;
import io.vermilion.index.IndexedCollectionReader;
import io.vermilion.index.LazyOpenOptions;
import io.vermilion.index.SearchParameters;
import io.vermilion.model.DistanceFunction;
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
 * {@link ScaleBench} builds it (same synthetic set), uploaded as version 1 of a collection, then opened RUNS times
 * into a fresh cache folder each with lazy open off (whole download first), on (pages, background download) and on
 * without the background download (only with a 6th argument {@code unwarmed}: minutes at 100k); each run times open +
 * the first query, then a second query.
 * Usage: {@code LazyOpenBench N WORK DATASET RUNS S3_ENDPOINT [unwarmed]} (an S3Proxy with bucket "bench", no auth).
 */
public class LazyOpenBench {

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
                    store.put(key, Files.readAllBytes(file)).toCompletableFuture().join();
                    files.add(new VersionFile(key, VersionFile.Role.INDEX, Files.size(file), ObjectFiles.crc32c(file)));
                    total += Files.size(file);
                }
            }
            String manifestKey = VersionKeys.manifest(collection, 1);
            store.put(manifestKey, new ManifestWriter().write(new VersionManifest(collection, 1, 0, 0, 384,
                    DistanceFunction.COSINE, files, BlockIndex.empty(), Instant.now()))).toCompletableFuture().join();
            VersionRef ref = new VersionRef(1, manifestKey, 0);
            System.out.printf("version: %d files, %.1f MiB on S3Proxy%n", files.size(), total / 1048576.0);

            int pageKiB = Integer.getInteger("lazy.page.kib", 64);
            LazyOpenOptions lazy = new LazyOpenOptions(true, pageKiB << 10, 256L << 20, 8);
            System.out.printf("lazy pages of %d KiB%n", pageKiB);
            String[] modes = {"full download", "lazy + background download", "lazy, no background download"};
            LazyOpenOptions[] options = {LazyOpenOptions.DISABLED, lazy, lazy.withWarmParallelism(0)};
            long[][] first = new long[modes.length][runs];
            long[][] second = new long[modes.length][runs];
            long[][] bytes = new long[modes.length][runs];
            for (int r = 0; r < runs; r++) {
                for (int m = 0; m < modes.length; m++) {
                    if (m == 2 && !unwarmed) { // slow: one round trip per page missed, minutes at 100k
                        continue;
                    }
                    Path root = work.resolve("cold-cache");
                    LocalFolders.delete(root);
                    IndexFileCache cache = new IndexFileCache(store, root, 1L << 40, pool, Environment.system(),
                            options[m]);
                    QueryRequest q1 = new QueryRequest(List.of(queries[(2 * r) % queries.length]), 10, null, null,
                            null, DistanceFunction.COSINE, 0, false);
                    QueryRequest q2 = new QueryRequest(List.of(queries[(2 * r + 1) % queries.length]), 10, null, null,
                            null, DistanceFunction.COSINE, 0, false);
                    long t0 = System.nanoTime();
                    try (IndexedCollectionReader reader = cache.open(collection, ref, SearchParameters.DEFAULTS)
                            .toCompletableFuture().join()) {
                        reader.query(q1);
                        long t1 = System.nanoTime();
                        bytes[m][r] = cache.fetchedBytes();
                        reader.query(q2);
                        long t2 = System.nanoTime();
                        first[m][r] = (t1 - t0) / 1_000_000;
                        second[m][r] = (t2 - t1) / 1_000;
                        cache.warmed(collection, 1).toCompletableFuture().join();
                    }
                    System.out.printf("run %d %-30s first query %6d ms, second %8.1f ms, fetched before first answer %.1f MiB%n",
                            r + 1, modes[m], first[m][r], second[m][r] / 1000.0, bytes[m][r] / 1048576.0);
                }
            }
            for (int m = 0; m < (unwarmed ? modes.length : 2); m++) {
                long[] sorted = first[m].clone();
                Arrays.sort(sorted);
                System.out.printf("%-30s cold first query p50 %d ms (runs: %s)%n", modes[m], sorted[runs / 2],
                        Arrays.toString(first[m]));
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
