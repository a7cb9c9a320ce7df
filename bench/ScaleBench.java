import io.vermilion.index.CollectionIndexWriter;
import io.vermilion.index.IndexSchema;
import io.vermilion.index.MergeThreads;
import io.vermilion.index.IndexedCollectionReader;
import io.vermilion.index.LocalIndexDirectory;
import io.vermilion.index.SearchParameters;
import io.vermilion.model.VectorQuantization;
import io.vermilion.model.DistanceFunction;
import io.vermilion.model.QueryHit;
import io.vermilion.model.QueryRequest;
import io.vermilion.filter.Where;
import io.vermilion.filter.WhereParser;
import io.vermilion.record.MetadataValue;
import io.vermilion.record.Record;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.VectorUtil;

/**
 * In-process index benchmark at scale (100k and 1M × 384) on a synthetic set derived from the real 30k
 * all-MiniLM-L6-v2 vectors: vector {@code i} is {@code normalize(base[i mod 30000] + N(0, 0.03²)^384)} drawn from a
 * generator seeded with {@code i}, so every run builds the same set; each record carries metadata
 * {@code {"bucket": i mod 10, "section": <section of its base vector>}}. Queries are the dataset's real held-out
 * query vectors; the exact top-10 is computed by brute force (float32 dot product) over all N vectors.
 *
 * <p>Two phases, so build and query run in separate JVMs (the query JVM's memory then says what serving costs):
 * <ul>
 *   <li>{@code build N QUANT DIR DATASET Q} — builds the index as the compactor does (add in order, forceMerge(1),
 *   commit) into DIR (FSDirectory), prints build throughput and size, writes the ground truth of the first Q
 *   queries (unfiltered and with {@code bucket = 3}) to DIR/../QUANT-N.gt.</li>
 *   <li>{@code query N QUANT DIR DATASET Q} — opens DIR, warms, measures recall@10 and p50/p99 per ef_search and
 *   for the filtered query, then reports heap after GC and the resident set of the mapped index files.</li>
 * </ul>
 */
public class ScaleBench {

    /** As the service: HNSW graph merges on one thread per processor. */
    static final MergeThreads MERGES = MergeThreads.pool(Runtime.getRuntime().availableProcessors());

    static final int K = 10;
    static final int FILTER_BUCKET = 3;

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        int n = Integer.parseInt(args[1]);
        VectorQuantization quantization = VectorQuantization.valueOf(args[2]);
        Path dir = Path.of(args[3]);
        Path data = Path.of(args[4]);
        int q = Integer.parseInt(args[5]);
        float[][] base = IndexBench.readFvecs(data.resolve("base.fvecs"));
        float[][] queries = Arrays.copyOf(IndexBench.readFvecs(data.resolve("query.fvecs")), q);
        Path gtFile = dir.resolveSibling(quantization.name().toLowerCase() + "-" + n + ".gt");
        System.out.printf("java %s, %d CPUs, max heap %d MiB, loadavg %s%n", Runtime.version(),
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20, IndexBench.loadavg());
        if (mode.equals("build")) {
            build(n, quantization, dir, base, queries, gtFile);
        } else if (mode.equals("gt")) {
            groundTruth(n, base, queries, gtFile);
        } else if (mode.equals("merge")) {
            merge(dir);
        } else {
            query(n, dir, base, queries, gtFile);
        }
    }

    /** The synthetic set's vector {@code i}, generated exactly as the HTTP benchmark generates it. */
    static float[] vector(float[][] base, int i) {
        return QueryBench.vector(base, i);
    }

    static Record record(float[][] base, int i) {
        Map<String, MetadataValue> meta = new LinkedHashMap<>();
        meta.put("bucket", new MetadataValue.Int(i % 10));
        return new Record(Integer.toString(i), vector(base, i), meta, null, null);
    }

    static void build(int n, VectorQuantization quantization, Path dir, float[][] base, float[][] queries, Path gtFile)
            throws Exception {
        IndexSchema schema = new IndexSchema(DistanceFunction.COSINE,
                org.apache.lucene.index.VectorSimilarityFunction.DOT_PRODUCT, quantization,
                IndexSchema.DEFAULT_MAX_NEIGHBORS,
                Integer.getInteger("scale.ef.construction", IndexSchema.DEFAULT_EF_CONSTRUCTION)); // lower: a faster build
        long t0 = System.nanoTime(), tAdd, tMerge, tCommit;
        try (Directory directory = FSDirectory.open(dir);
             CollectionIndexWriter writer = CollectionIndexWriter.create(directory, schema, MERGES)) {
            List<Record> records = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                records.add(record(base, i));
            }
            t0 = System.nanoTime(); // generating the vectors is not indexing
            // As the compactor adds: from as many threads as there are processors.
            writer.addAll(records, r -> Long.parseLong(r.id()), Runtime.getRuntime().availableProcessors());
            tAdd = System.nanoTime();
            writer.forceMerge();
            tMerge = System.nanoTime();
            writer.commit();
            tCommit = System.nanoTime();
        }
        double total = (tCommit - t0) / 1e9;
        System.out.printf("build %s N=%,d: add %.1f s, forceMerge %.1f s, commit %.1f s, total %.1f s → %.0f vectors/s"
                        + " (add phase alone %.0f vectors/s)%n", quantization, n, (tAdd - t0) / 1e9, (tMerge - tAdd) / 1e9,
                (tCommit - tMerge) / 1e9, total, n / total, n / ((tAdd - t0) / 1e9));
        long size = 0;
        StringBuilder byExt = new StringBuilder();
        try (var files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                size += Files.size(f);
                String name = f.getFileName().toString();
                if (name.endsWith(".vec") || name.endsWith(".veq") || name.endsWith(".vex")) {
                    byExt.append(String.format(" %s=%.1f MiB", name, Files.size(f) / 1048576.0));
                }
            }
        }
        System.out.printf("index on disk %.1f MiB;%s%n", size / 1048576.0, byExt);
        groundTruth(n, base, queries, gtFile);
    }

    /**
     * Merges the index in {@code dir} (built elsewhere, e.g. a version the service built in several segments) down to
     * one segment, as the compactor used to, and prints how long it took.
     */
    static void merge(Path dir) throws Exception {
        try (Directory directory = FSDirectory.open(dir);
             CollectionIndexWriter writer = CollectionIndexWriter.append(directory, MERGES)) {
            int before = org.apache.lucene.index.SegmentInfos.readLatestCommit(directory).size();
            long t0 = System.nanoTime();
            writer.forceMerge();
            writer.commit();
            System.out.printf("forceMerge(1) of %d segments: %.1f s (2 HNSW merge workers)%n", before,
                    (System.nanoTime() - t0) / 1e9);
        }
    }

    /** Writes the exact top 10 (unfiltered and with bucket = 3) of every query to {@code gtFile} unless it exists. */
    static void groundTruth(int n, float[][] base, float[][] queries, Path gtFile) throws Exception {
        if (!Files.exists(gtFile)) {
            long g0 = System.nanoTime();
            float[][] all = new float[n][];
            IntStream.range(0, n).parallel().forEach(i -> all[i] = vector(base, i));
            int[][] gt = new int[queries.length][];
            int[][] gtFiltered = new int[queries.length][];
            IntStream.range(0, queries.length).parallel().forEach(qi -> {
                gt[qi] = top(all, queries[qi], -1);
                gtFiltered[qi] = top(all, queries[qi], FILTER_BUCKET);
            });
            try (DataOutputStream out = new DataOutputStream(Files.newOutputStream(gtFile))) {
                out.writeInt(queries.length);
                for (int qi = 0; qi < queries.length; qi++) {
                    for (int j = 0; j < K; j++) {
                        out.writeInt(gt[qi][j]);
                    }
                    for (int j = 0; j < K; j++) {
                        out.writeInt(gtFiltered[qi][j]);
                    }
                }
            }
            System.out.printf("ground truth for %d queries in %.1f s%n", queries.length, (System.nanoTime() - g0) / 1e9);
        }
    }

    /** Exact top-K by dot product (vectors are unit length, so this is cosine order); bucket < 0 = unfiltered. */
    static int[] top(float[][] all, float[] query, int bucket) {
        int[] ids = new int[K];
        float[] scores = new float[K];
        Arrays.fill(scores, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < all.length; i++) {
            if (bucket >= 0 && i % 10 != bucket) {
                continue;
            }
            QueryBench.offer(ids, scores, i, VectorUtil.dotProduct(query, all[i]));
        }
        return ids;
    }

    static void query(int n, Path dir, float[][] base, float[][] queries, Path gtFile) throws Exception {
        int[][] gt = new int[queries.length][K];
        int[][] gtFiltered = new int[queries.length][K];
        try (DataInputStream in = new DataInputStream(Files.newInputStream(gtFile))) {
            int count = in.readInt();
            if (count < queries.length) {
                throw new IllegalStateException("ground truth holds " + count + " queries");
            }
            for (int qi = 0; qi < queries.length; qi++) {
                for (int j = 0; j < K; j++) {
                    gt[qi][j] = in.readInt();
                }
                for (int j = 0; j < K; j++) {
                    gtFiltered[qi][j] = in.readInt();
                }
            }
        }
        long heapBefore = IndexBench.heapAfterGc();
        long o0 = System.nanoTime();
        try (Directory directory = open(dir);
             IndexedCollectionReader ignored = IndexedCollectionReader.open(directory, SearchParameters.DEFAULTS)) {
            System.out.printf("open: %.0f ms; %d segments%n", (System.nanoTime() - o0) / 1e6,
                    org.apache.lucene.index.SegmentInfos.readLatestCommit(directory).size());
        }
        Where filter = WhereParser.parse(new com.fasterxml.jackson.databind.ObjectMapper().readTree("{\"bucket\": " + FILTER_BUCKET + "}"));
        for (int ef : new int[] {50, 100, 200, 400}) {
            try (Directory directory = open(dir);
                 IndexedCollectionReader reader = IndexedCollectionReader.open(directory, SearchParameters.withEfSearch(ef))) {
                run(reader, queries, null, gt, 1); // warm
                double[] r = run(reader, queries, null, gt, 1);
                System.out.printf("N=%,d ef=%d unfiltered: recall@10 %.3f, p50 %.2f ms, p99 %.2f ms%n", n, ef, r[0], r[1], r[2]);
                if (ef == 100 || ef == 200) {
                    run(reader, queries, filter, gtFiltered, 1);
                    double[] f = run(reader, queries, filter, gtFiltered, 1);
                    System.out.printf("N=%,d ef=%d bucket=%d (10%%): recall@10 %.3f, p50 %.2f ms, p99 %.2f ms%n", n, ef,
                            FILTER_BUCKET, f[0], f[1], f[2]);
                }
                if (ef == 100) {
                    long heap = IndexBench.heapAfterGc();
                    System.out.printf("memory with the index open after %d queries: heap over baseline %.1f MiB;"
                                    + " index files resident %s; process %s%n", queries.length * 4,
                            (heap - heapBefore) / 1048576.0, mappedResident(dir), IndexBench.rss());
                }
            }
        }
        // Throughput with two query threads at ef 100.
        try (Directory directory = open(dir);
             IndexedCollectionReader reader = IndexedCollectionReader.open(directory, SearchParameters.DEFAULTS)) {
            long t0 = System.nanoTime();
            int rounds = 3;
            IntStream.range(0, 2).parallel().forEach(t -> {
                for (int round = 0; round < rounds; round++) {
                    run(reader, queries, null, gt, 1);
                }
            });
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("N=%,d ef=100 two threads: %.0f queries/s%n", n, 2 * rounds * queries.length / seconds);
        }
    }

    /**
     * The index folder as the service opens it ({@link LocalIndexDirectory}: an int8 index's float32 vectors read,
     * not mapped), or wholly memory-mapped with {@code -Dbench.mmap=true} (as before issue 13).
     */
    static Directory open(Path dir) throws IOException {
        return Boolean.getBoolean("bench.mmap") ? FSDirectory.open(dir) : LocalIndexDirectory.open(dir);
    }

    /** recall@10, p50 ms, p99 ms over all queries, one request per query. */
    static double[] run(IndexedCollectionReader reader, float[][] queries, Where where, int[][] gt, int ignored) {
        long[] nanos = new long[queries.length];
        long hits = 0;
        for (int qi = 0; qi < queries.length; qi++) {
            long t0 = System.nanoTime();
            // As Chroma's default query include (documents, metadatas, distances): hits without their embeddings.
            List<List<QueryHit>> result = reader.query(new QueryRequest(List.of(queries[qi]), K, null, where, null,
                    DistanceFunction.COSINE, 0, false));
            nanos[qi] = System.nanoTime() - t0;
            List<Integer> truth = new ArrayList<>();
            for (int id : gt[qi]) {
                truth.add(id);
            }
            for (QueryHit hit : result.get(0)) {
                if (truth.contains(Integer.parseInt(hit.record().id()))) {
                    hits++;
                }
            }
        }
        Arrays.sort(nanos);
        return new double[] {hits / (double) (K * queries.length), IndexBench.pct(nanos, 0.50),
                IndexBench.pct(nanos, 0.99)};
    }

    /** Rss of this process's mappings of files in {@code dir}, in total and by file extension, from /proc/self/smaps. */
    static String mappedResident(Path dir) throws IOException {
        String prefix = dir.toRealPath().toString();
        java.util.TreeMap<String, Long> byExtension = new java.util.TreeMap<>();
        String current = null;
        for (String line : Files.readAllLines(Path.of("/proc/self/smaps"))) {
            if (line.matches("^[0-9a-f]+-[0-9a-f]+ .*")) {
                int at = line.indexOf(prefix);
                current = null;
                if (at >= 0) {
                    String name = line.substring(at + prefix.length());
                    current = name.contains(".") ? name.substring(name.lastIndexOf('.')) : name;
                }
            } else if (current != null && line.startsWith("Rss:")) {
                byExtension.merge(current, Long.parseLong(line.replaceAll("[^0-9]", "")), Long::sum);
            }
        }
        long total = byExtension.values().stream().mapToLong(Long::longValue).sum();
        StringBuilder out = new StringBuilder(String.format("%.1f MiB (", total / 1024.0));
        byExtension.forEach((ext, kb) -> {
            if (kb >= 1024) {
                out.append(String.format("%s %.1f, ", ext, kb / 1024.0));
            }
        });
        return out.append("MiB)").toString();
    }
}
