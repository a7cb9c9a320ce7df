import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vermilion.index.CollectionIndexWriter;
import io.vermilion.index.IndexSchema;
import io.vermilion.index.MergeThreads;
import io.vermilion.index.IndexedCollectionReader;
import io.vermilion.index.SearchParameters;
import io.vermilion.model.VectorQuantization;
import io.vermilion.model.DistanceFunction;
import io.vermilion.model.QueryHit;
import io.vermilion.model.QueryRequest;
import io.vermilion.filter.Where;
import io.vermilion.filter.WhereParser;
import io.vermilion.record.MetadataValue;
import io.vermilion.record.Record;
import java.io.BufferedReader;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;

/**
 * In-process index benchmark on the real debian-packages-minilm-l6-v2 set (30,000 × 384, unit vectors, cosine):
 * build time and size of the HNSW index (float32 and int8), recall@10 and per-query latency at several ef_search
 * values, filtered recall/latency (section = libs / a mid-size section / zope) against a brute-force filtered ground
 * truth, and heap after GC with the index open.
 *
 * <p>The index is built as the compactor builds it (single {@link CollectionIndexWriter}: add all records in
 * order, forceMerge(1), commit), but into a local temporary folder (FSDirectory, i.e. mmap) so its size on disk can
 * be read and queries run against mmapped files. Every query goes through {@link IndexedCollectionReader#query},
 * i.e. HNSW candidates, exact float32 re-scoring and record hydration (metadata + document), one query vector per
 * request, n_results = 10, single thread.
 *
 * <p>Usage: java ... IndexBench [DATASET_DIR] (default ../shared/datasets/debian-packages-minilm-l6-v2, relative to
 * the working directory, which the script sets to the repository root).
 */
public class IndexBench {

    /** As the service: HNSW graph merges on one thread per processor. */
    static final MergeThreads MERGES = MergeThreads.pool(Runtime.getRuntime().availableProcessors());

    static final int K = 10;
    static final int[] EF = {10, 20, 50, 100, 200};
    static final double TOL = 1e-6;

    static float[][] base;
    static float[][] queries;
    static int[][] gt;
    static float[][] gtScores;
    static String[] section;

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args.length > 0 ? args[0] : "../shared/datasets/debian-packages-minilm-l6-v2");
        int queryLimit = args.length > 1 ? Integer.parseInt(args[1]) : Integer.MAX_VALUE;
        base = readFvecs(data.resolve("base.fvecs"));
        queries = readFvecs(data.resolve("query.fvecs"));
        if (queries.length > queryLimit) {
            queries = Arrays.copyOf(queries, queryLimit);
        }
        gt = readIvecs(data.resolve("groundtruth.ivecs"));
        gtScores = readFvecs(data.resolve("groundtruth.scores.fvecs"));
        ObjectMapper json = new ObjectMapper();
        List<Record> records = new ArrayList<>(base.length);
        section = new String[base.length];
        Map<String, Integer> sectionCounts = new TreeMap<>();
        try (BufferedReader in = Files.newBufferedReader(data.resolve("docs.jsonl"))) {
            String line;
            int i = 0;
            while ((line = in.readLine()) != null) {
                JsonNode doc = json.readTree(line);
                if (doc.get("id").asInt() != i) {
                    throw new IllegalStateException("docs.jsonl not in id order at " + i);
                }
                section[i] = doc.get("section").asText();
                sectionCounts.merge(section[i], 1, Integer::sum);
                Map<String, MetadataValue> meta = new LinkedHashMap<>();
                meta.put("package", new MetadataValue.Str(doc.get("package").asText()));
                meta.put("section", new MetadataValue.Str(section[i]));
                meta.put("architecture", new MetadataValue.Str(doc.get("architecture").asText()));
                if (doc.hasNonNull("priority")) {
                    meta.put("priority", new MetadataValue.Str(doc.get("priority").asText()));
                }
                meta.put("installed_size_kb", new MetadataValue.Int(doc.get("installed_size_kb").asLong()));
                records.add(new Record(Integer.toString(i), base[i], meta, doc.get("text").asText(), null));
                i++;
            }
            if (i != base.length) {
                throw new IllegalStateException("docs.jsonl has " + i + " rows, base.fvecs " + base.length);
            }
        }
        // A mid-size section: the one closest to 600 documents (between zope's 8 and libs' 3,130).
        String mid = sectionCounts.entrySet().stream()
                .min(Comparator.comparingInt(e -> Math.abs(e.getValue() - 600))).orElseThrow().getKey();
        String[] filterSections = {"libs", mid, "zope"};
        System.out.printf("dataset: %d base × %d, %d queries; sections libs=%d %s=%d zope=%d%n", base.length,
                base[0].length, queries.length, sectionCounts.get("libs"), mid, sectionCounts.get(mid),
                sectionCounts.get("zope"));
        System.out.printf("java %s, %d CPUs, max heap %d MiB, loadavg at start %s%n", Runtime.version(),
                Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20, loadavg());

        // Filtered ground truth by brute force (double precision) over the matching rows.
        Map<String, int[][]> fgt = new LinkedHashMap<>();
        Map<String, double[][]> fgtScores = new LinkedHashMap<>();
        for (String s : filterSections) {
            int[][] ids = new int[queries.length][];
            double[][] scores = new double[queries.length][];
            for (int q = 0; q < queries.length; q++) {
                bruteForce(queries[q], s, ids, scores, q);
            }
            fgt.put(s, ids);
            fgtScores.put(s, scores);
        }

        Path work = Files.createTempDirectory("vermilion-index-bench");
        long heapBaseline = heapAfterGc();
        System.out.printf("heap after GC with the dataset loaded (baseline): %.1f MiB%n", heapBaseline / 1048576.0);
        try {
            for (VectorQuantization quantization : VectorQuantization.values()) {
                Path dir = work.resolve(quantization.name().toLowerCase());
                IndexSchema schema = IndexSchema.forCollection(DistanceFunction.COSINE, quantization,
                        IndexSchema.DEFAULT_MAX_NEIGHBORS, IndexSchema.DEFAULT_EF_CONSTRUCTION, records);
                long t0, tAdd, tMerge, tCommit;
                try (Directory directory = FSDirectory.open(dir);
                     CollectionIndexWriter writer = CollectionIndexWriter.create(directory, schema, MERGES)) {
                    t0 = System.nanoTime();
                    // As the compactor adds: from as many threads as there are processors; sequence = position.
                    writer.addAll(records, r -> Long.parseLong(r.id()), Runtime.getRuntime().availableProcessors());
                    tAdd = System.nanoTime();
                    writer.forceMerge();
                    tMerge = System.nanoTime();
                    writer.commit();
                    tCommit = System.nanoTime();
                }
                double total = (tCommit - t0) / 1e9;
                System.out.printf("%n== %s (cosine → %s, M=%d, ef_construction=%d)%n", quantization, schema.similarity(),
                        schema.maxNeighbors(), schema.efConstruction());
                System.out.printf("build: add %.1f s, forceMerge %.1f s, commit %.1f s, total %.1f s → %.0f vectors/s (add phase alone %.0f vectors/s)%n",
                        (tAdd - t0) / 1e9, (tMerge - tAdd) / 1e9, (tCommit - tMerge) / 1e9, total,
                        records.size() / total, records.size() / ((tAdd - t0) / 1e9));
                Map<String, Long> byExt = new TreeMap<>();
                long size = 0;
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path f : files.toList()) {
                        long len = Files.size(f);
                        size += len;
                        String name = f.getFileName().toString();
                        int dot = name.lastIndexOf('.');
                        byExt.merge(dot < 0 ? name : name.substring(dot + 1), len, Long::sum);
                    }
                }
                StringBuilder ext = new StringBuilder();
                byExt.forEach((e, len) -> ext.append(String.format(" %s=%.1f", e, len / 1048576.0)));
                System.out.printf("index size on disk: %.1f MiB (MiB by extension:%s)%n", size / 1048576.0, ext);

                try (Directory directory = FSDirectory.open(dir)) {
                    // Warm-up: two passes at ef=100 (JIT, page cache), then one pass at each other setting.
                    try (IndexedCollectionReader reader = IndexedCollectionReader.open(directory, SearchParameters.DEFAULTS)) {
                        for (int pass = 0; pass < 2; pass++) {
                            run(reader, null, null, null);
                        }
                        for (String s : filterSections) {
                            run(reader, where(json, s), fgt.get(s), fgtScores.get(s));
                        }
                        long heap = heapAfterGc();
                        System.out.printf("heap after GC with this index open (reader, after queries): %.1f MiB over baseline; RSS %s%n",
                                (heap - heapBaseline) / 1048576.0, rss());
                    }
                    System.out.println("unfiltered, n_results=10:");
                    for (int ef : EF) {
                        try (IndexedCollectionReader reader = IndexedCollectionReader.open(directory, SearchParameters.withEfSearch(ef))) {
                            run(reader, null, null, null); // warm this setting
                            Result r = run(reader, null, null, null);
                            System.out.printf("  RESULT %s unfiltered ef=%d recall@10=%.4f p50=%.3fms p99=%.3fms mean=%.3fms qps(1 thread)=%.0f%n",
                                    quantization, ef, r.recall, r.p50, r.p99, r.mean, 1000.0 / r.mean);
                        }
                    }
                    System.out.println("filtered (where section = X), n_results=10:");
                    for (String s : filterSections) {
                        for (int threshold : new int[] {SearchParameters.DEFAULTS.exactSearchThreshold(), 0}) {
                            for (int ef : s.equals("libs") ? EF : new int[] {100}) {
                                SearchParameters p = new SearchParameters(ef, threshold, SearchParameters.DEFAULTS.quantizedOversample());
                                try (IndexedCollectionReader reader = IndexedCollectionReader.open(directory, p)) {
                                    Where w = where(json, s);
                                    run(reader, w, fgt.get(s), fgtScores.get(s));
                                    Result r = run(reader, w, fgt.get(s), fgtScores.get(s));
                                    System.out.printf("  RESULT %s section=%s(n=%d) ef=%d exactThreshold=%d recall@10=%.4f p50=%.3fms p99=%.3fms mean=%.3fms%n",
                                            quantization, s, sectionCounts.get(s), ef, threshold, r.recall, r.p50, r.p99, r.mean);
                                }
                            }
                        }
                    }
                }
            }
        } finally {
            try (Stream<Path> walk = Files.walk(work)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
        System.out.printf("%nloadavg at end %s%n", loadavg());
    }

    record Result(double recall, double p50, double p99, double mean) {}

    static Where where(ObjectMapper json, String section) throws IOException {
        return WhereParser.parse(json.readTree("{\"section\": \"" + section + "\"}"));
    }

    /**
     * Runs every query as its own request. Unfiltered (fgt == null): recall against groundtruth.ivecs, where a hit
     * counts if its true cosine ≥ the 10th ground-truth score − 1e-6 (ties). Filtered: the same against the
     * brute-force filtered ground truth, over min(10, matching rows).
     */
    static Result run(IndexedCollectionReader reader, Where where, int[][] fgt, double[][] fgtScores) {
        long[] lat = new long[queries.length];
        double hits = 0, wanted = 0;
        for (int q = 0; q < queries.length; q++) {
            QueryRequest request = new QueryRequest(List.of(queries[q]), K, null, where, null, DistanceFunction.COSINE);
            long t0 = System.nanoTime();
            List<QueryHit> result = reader.query(request).get(0);
            lat[q] = System.nanoTime() - t0;
            double kth;
            int expected;
            if (fgt == null) {
                kth = gtScores[q][K - 1];
                expected = K;
            } else {
                expected = fgt[q].length;
                kth = expected == 0 ? Double.NEGATIVE_INFINITY : fgtScores[q][expected - 1];
            }
            int found = 0;
            for (QueryHit hit : result) {
                int id = Integer.parseInt(hit.record().id());
                if (where != null && !section[id].equals(sectionOf.get(fgt))) {
                    continue; // a hit outside the filter never counts (filters are exact, so this should not happen)
                }
                if (cosine(queries[q], base[id]) >= kth - TOL) {
                    found++;
                }
            }
            hits += Math.min(found, expected);
            wanted += expected;
        }
        long[] sorted = lat.clone();
        Arrays.sort(sorted);
        double mean = Arrays.stream(lat).average().orElse(0) / 1e6;
        return new Result(wanted == 0 ? 1 : hits / wanted, pct(sorted, 0.50), pct(sorted, 0.99), mean);
    }

    /** Which section each filtered ground-truth table belongs to (by identity). */
    static final Map<int[][], String> sectionOf = new java.util.IdentityHashMap<>();

    static void bruteForce(float[] query, String s, int[][] ids, double[][] scores, int q) {
        List<double[]> all = new ArrayList<>();
        for (int i = 0; i < base.length; i++) {
            if (section[i].equals(s)) {
                all.add(new double[] {cosine(query, base[i]), i});
            }
        }
        all.sort((a, b) -> a[0] != b[0] ? Double.compare(b[0], a[0]) : Double.compare(a[1], b[1]));
        int n = Math.min(K, all.size());
        ids[q] = new int[n];
        scores[q] = new double[n];
        for (int j = 0; j < n; j++) {
            ids[q][j] = (int) all.get(j)[1];
            scores[q][j] = all.get(j)[0];
        }
        sectionOf.put(ids, s);
    }

    /** Cosine in double precision (vectors are unit length, as the dataset's ground truth assumes, but normalize anyway). */
    static double cosine(float[] a, float[] b) {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }

    static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    static String rss() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return line.substring(6).trim();
                }
            }
        } catch (IOException ignored) {
            // not Linux
        }
        return "n/a";
    }

    static String loadavg() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "n/a";
        }
    }

    static float[][] readFvecs(Path path) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(path)).order(ByteOrder.LITTLE_ENDIAN);
        int dim = b.getInt(0), n = b.capacity() / (4 + 4 * dim);
        float[][] v = new float[n][dim];
        for (int i = 0; i < n; i++) {
            b.position(i * (4 + 4 * dim) + 4);
            b.asFloatBuffer().get(v[i]);
        }
        return v;
    }

    static int[][] readIvecs(Path path) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(path)).order(ByteOrder.LITTLE_ENDIAN);
        int dim = b.getInt(0), n = b.capacity() / (4 + 4 * dim);
        int[][] v = new int[n][dim];
        for (int i = 0; i < n; i++) {
            b.position(i * (4 + 4 * dim) + 4);
            b.asIntBuffer().get(v[i]);
        }
        return v;
    }
}
