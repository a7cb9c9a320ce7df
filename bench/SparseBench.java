import io.vermilion.executor.CollectionTail;
import io.vermilion.executor.CollectionView;
import io.vermilion.executor.SearchExecutor;
import io.vermilion.index.CollectionIndexWriter;
import io.vermilion.index.IndexSchema;
import io.vermilion.index.IndexedCollectionReader;
import io.vermilion.index.MergeThreads;
import io.vermilion.index.SearchParameters;
import io.vermilion.model.DistanceFunction;
import io.vermilion.model.RankExpr;
import io.vermilion.model.RecordParts;
import io.vermilion.model.SearchHit;
import io.vermilion.model.SearchRequest;
import io.vermilion.model.SequencedHit;
import io.vermilion.record.MetadataValue;
import io.vermilion.record.Record;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.lucene.store.FSDirectory;

/**
 * In-process sparse {@code $knn} benchmark: N synthetic documents, each with a sparse vector of {@code NNZ} distinct
 * dimensions drawn zipfian (s = 1) from a {@code VOCAB} vocabulary, values uniform in (0, 1], written as the compactor
 * writes a version (add in order, forceMerge(1), commit). Queries of {@code QTERMS} zipfian dimensions ask for the
 * top 10 through {@link IndexedCollectionReader#sparseQuery} (WAND over impacts, exact re-scoring, 10 records
 * hydrated); p50/p99 after a warm-up, over a first and a repeat pass of the same queries, of wall-clock time and of
 * the querying thread's CPU time (what a query costs when the machine is shared: wall time then includes waiting
 * for a core). The first 20 queries are checked against brute force over all N vectors
 * (regenerated from their seeds), ids and scores.
 *
 * <p>{@code build N DIR} then {@code query N DIR QUERIES QTERMS}; document {@code i} is generated from seed {@code i}.
 */
public class SparseBench {

    static final int VOCAB = 30_000;
    static final int NNZ = 100;
    static final int K = 10;
    static final String KEY = "sparse";
    static final double[] CDF = zipfCdf(VOCAB, 1.0);
    /** Rank → dimension: a fixed shuffle, so frequent dimensions are spread over the index space. */
    static final int[] DIMENSION = shuffle(VOCAB, 42);

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[1]);
        Path dir = Path.of(args[2]);
        if (args[0].equals("build")) {
            build(n, dir);
        } else if (args[0].equals("hybrid-build")) {
            hybridBuild(n, dir, Path.of(args[3]), args.length > 4 ? Integer.parseInt(args[4]) : IndexSchema.DEFAULT_EF_CONSTRUCTION);
        } else if (args[0].equals("hybrid-query")) {
            hybridQuery(n, dir, Path.of(args[3]), Integer.parseInt(args[4]), args.length > 5 ? args[5] : "");
        } else {
            query(n, dir, Integer.parseInt(args[3]), Integer.parseInt(args[4]), args.length > 5 && args[5].equals("idf"));
        }
    }

    static void build(int n, Path dir) throws Exception {
        Files.createDirectories(dir);
        long start = System.nanoTime();
        try (FSDirectory directory = FSDirectory.open(dir);
             CollectionIndexWriter writer = CollectionIndexWriter.create(directory,
                     IndexSchema.defaults(DistanceFunction.IP, List.of()),
                     MergeThreads.pool(Runtime.getRuntime().availableProcessors()))) {
            List<Record> batch = new ArrayList<>(10_000);
            for (int i = 0; i < n; i++) {
                batch.add(new Record("doc" + i, null, Map.of(KEY, document(i)), null, null));
                if (batch.size() == 10_000 || i == n - 1) {
                    int first = i + 1 - batch.size();
                    writer.addAll(batch, r -> Long.parseLong(r.id().substring(3)));
                    batch.clear();
                    if ((i + 1) % 200_000 == 0) {
                        System.out.printf("  %,d added (%.0f s)%n", i + 1, (System.nanoTime() - start) / 1e9);
                    }
                    assert first >= 0;
                }
            }
            writer.forceMerge();
            writer.commit();
        }
        long bytes;
        try (var files = Files.list(dir)) {
            bytes = files.mapToLong(p -> p.toFile().length()).sum();
        }
        System.out.printf("build: %,d docs × %d nonzeros in %.1f s, index %.2f GB%n", n, NNZ,
                (System.nanoTime() - start) / 1e9, bytes / 1e9);
    }

    static void query(int n, Path dir, int queries, int qterms, boolean idf) throws Exception {
        try (FSDirectory directory = FSDirectory.open(dir);
             IndexedCollectionReader reader = IndexedCollectionReader.open(directory, SearchParameters.DEFAULTS)) {
            List<MetadataValue.Sparse> qs = new ArrayList<>();
            Random random = new Random(7);
            for (int q = 0; q < queries + 200; q++) {
                MetadataValue.Sparse v = vector(random, qterms);
                qs.add(idf ? idfWeighted(v, n) : v);
            }
            int checked = Math.min(20, queries);
            List<List<SequencedHit>> answers = new ArrayList<>();
            for (int q = 0; q < checked; q++) {
                answers.add(reader.sparseQuery(KEY, qs.get(q), K, null, Set.of(), false));
            }
            verify(n, qs.subList(0, checked), answers);
            for (int q = 0; q < 200; q++) { // warm-up
                reader.sparseQuery(KEY, qs.get(queries + q), K, null, Set.of(), false);
            }
            // Two passes over the same queries: the first reads the hit records' stored fields from disk (cold page
            // cache for them), the second finds them cached, as a serving process does for repeated traffic.
            for (String pass : List.of("first pass", "repeat pass")) {
                long[] nanos = new long[queries];
                long[] cpu = new long[queries];
                var threads = java.lang.management.ManagementFactory.getThreadMXBean();
                for (int q = 0; q < queries; q++) {
                    long c = threads.getCurrentThreadCpuTime();
                    long t = System.nanoTime();
                    List<SequencedHit> hits = reader.sparseQuery(KEY, qs.get(q), K, null, Set.of(), false);
                    nanos[q] = System.nanoTime() - t;
                    cpu[q] = threads.getCurrentThreadCpuTime() - c;
                    if (hits.size() != K) {
                        throw new AssertionError("query " + q + " found " + hits.size());
                    }
                }
                Arrays.sort(nanos);
                Arrays.sort(cpu);
                System.out.printf("query (%s, %s weights): N=%,d, %d-term zipfian queries, top-%d, %d queries: p50 %.2f ms, "
                        + "p99 %.2f ms, max %.2f ms; thread CPU time p50 %.2f ms, p99 %.2f ms%n", pass, idf ? "idf" : "uniform",
                        n, qterms, K, queries, nanos[queries / 2] / 1e6, nanos[p99(queries)] / 1e6,
                        nanos[queries - 1] / 1e6, cpu[queries / 2] / 1e6, cpu[p99(queries)] / 1e6);
            }
        }
    }

    /**
     * The hybrid set: document {@code i} has the sparse vector {@link #document} in {@code KEY} and the dense
     * 384-dimensional vector {@code i} of ScaleBench's synthetic set ({@code normalize(base[i mod 30000] + noise)}),
     * cosine, float32 HNSW with Chroma's defaults (ef_construction {@code efConstruction}: 100 is the default; a
     * smaller one builds faster, for a latency run on a busy machine); added from as many threads as processors, as
     * the compactor adds.
     */
    static void hybridBuild(int n, Path dir, Path data, int efConstruction) throws Exception {
        float[][] base = QueryBench.readFvecs(data.resolve("base.fvecs"));
        Files.createDirectories(dir);
        long start = System.nanoTime();
        IndexSchema schema = new IndexSchema(DistanceFunction.COSINE,
                org.apache.lucene.index.VectorSimilarityFunction.DOT_PRODUCT, io.vermilion.model.VectorQuantization.FLOAT32,
                IndexSchema.DEFAULT_MAX_NEIGHBORS, efConstruction);
        int threads = Runtime.getRuntime().availableProcessors();
        long merged;
        try (FSDirectory directory = FSDirectory.open(dir);
             CollectionIndexWriter writer = CollectionIndexWriter.create(directory, schema, MergeThreads.pool(threads))) {
            List<Record> batch = new ArrayList<>(20_000);
            for (int i = 0; i < n; i++) {
                batch.add(new Record("doc" + i, QueryBench.vector(base, i), Map.of(KEY, document(i)), null, null));
                if (batch.size() == 20_000 || i == n - 1) {
                    writer.addAll(batch, r -> Long.parseLong(r.id().substring(3)), threads);
                    batch.clear();
                    if ((i + 1) % 100_000 == 0) {
                        System.out.printf("  %,d added (%.0f s, load %s)%n", i + 1, (System.nanoTime() - start) / 1e9,
                                loadavg());
                    }
                }
            }
            long added = System.nanoTime();
            writer.forceMerge();
            merged = System.nanoTime();
            System.out.printf("  forceMerge %.0f s%n", (merged - added) / 1e9);
            writer.commit();
        }
        long bytes;
        try (var files = Files.list(dir)) {
            bytes = files.mapToLong(p -> p.toFile().length()).sum();
        }
        System.out.printf("hybrid build: %,d docs × (384 dims + %d sparse nonzeros) in %.1f s, index %.2f GB, "
                + "ef_construction %d, load %s%n",
                n, NNZ, (System.nanoTime() - start) / 1e9, bytes / 1e9, efConstruction, loadavg());
    }

    /**
     * Sparse, dense and hybrid searches through {@link SearchExecutor} over the hybrid set as one compacted version
     * (no log tail), page limit 10, nothing selected but ids and scores (the clients' default; one case selects
     * #metadata and #document): dense {@code $knn}
     * with the dataset's real query vectors, sparse {@code $knn} with 10-term zipfian queries (IDF weights), hybrid
     * the RRF of the two as the clients compile it ({@code -(1/(60 + rank_dense) + 1/(60 + rank_sparse))}, both legs
     * with {@code return_rank}, {@code default} 1000) with legs of the clients' default limit 16 and of limit 100.
     * {@code only}: run just the cases whose name contains it (empty: all).
     */
    static void hybridQuery(int n, Path dir, Path data, int queries, String only) throws Exception {
        float[][] dense = QueryBench.readFvecs(data.resolve("query.fvecs"));
        List<MetadataValue.Sparse> sparse = new ArrayList<>();
        Random random = new Random(7);
        for (int q = 0; q < queries + 200; q++) {
            sparse.add(idfWeighted(vector(random, 10), n));
        }
        System.out.printf("java %s, %d CPUs, N=%,d, %d queries after 200 warm-up, load %s%n", Runtime.version(),
                Runtime.getRuntime().availableProcessors(), n, queries, loadavg());
        try (FSDirectory directory = FSDirectory.open(dir);
             IndexedCollectionReader reader = IndexedCollectionReader.open(directory, SearchParameters.DEFAULTS)) {
            reader.tryRetain();
            try (CollectionView view = new CollectionView(reader, 1, new CollectionTail(reader).view())) {
                Map<String, java.util.function.IntFunction<List<SearchHit>>> cases = new java.util.LinkedHashMap<>();
                cases.put("sparse $knn limit 10", q -> search(view, sparseKnn(sparse.get(q), 10, false)));
                cases.put("dense $knn limit 10", q -> search(view, denseKnn(dense[q % dense.length], 10, false)));
                cases.put("hybrid RRF, legs limit 16", q -> search(view, rrf(dense[q % dense.length], sparse.get(q), 16)));
                cases.put("hybrid RRF, legs limit 100", q -> search(view, rrf(dense[q % dense.length], sparse.get(q), 100)));
                cases.put("hybrid RRF, legs limit 100, select metadata", q -> search(view,
                        rrf(dense[q % dense.length], sparse.get(q), 100), new RecordParts(true, true, false)));
                var threads = java.lang.management.ManagementFactory.getThreadMXBean();
                for (var c : cases.entrySet()) {
                    if (!c.getKey().contains(only)) {
                        continue;
                    }
                    for (int q = 0; q < 200; q++) {
                        c.getValue().apply(queries + q); // warm-up, on queries not timed
                    }
                    long[] nanos = new long[queries];
                    long[] cpu = new long[queries];
                    for (int q = 0; q < queries; q++) {
                        long t0 = threads.getCurrentThreadCpuTime();
                        long t = System.nanoTime();
                        List<SearchHit> hits = c.getValue().apply(q);
                        nanos[q] = System.nanoTime() - t;
                        cpu[q] = threads.getCurrentThreadCpuTime() - t0;
                        if (hits.size() != K) {
                            throw new AssertionError(c.getKey() + ": query " + q + " found " + hits.size());
                        }
                    }
                    Arrays.sort(nanos);
                    Arrays.sort(cpu);
                    System.out.printf("%-28s wall p50 %6.2f ms p99 %6.2f ms; thread CPU p50 %6.2f ms p99 %6.2f ms; "
                            + "load %s%n", c.getKey(), nanos[queries / 2] / 1e6, nanos[p99(queries)] / 1e6,
                            cpu[queries / 2] / 1e6, cpu[p99(queries)] / 1e6, loadavg());
                }
            }
        }
    }

    static RankExpr.Knn sparseKnn(MetadataValue.Sparse q, int limit, boolean rank) {
        return new RankExpr.Knn(null, q, KEY, limit, rank ? 1000f : null, rank);
    }

    static RankExpr.Knn denseKnn(float[] q, int limit, boolean rank) {
        return new RankExpr.Knn(q, null, null, limit, rank ? 1000f : null, rank);
    }

    /** RRF as Chroma's clients compile it: -(1/(k + rank_dense) + 1/(k + rank_sparse)), k 60. */
    static RankExpr rrf(float[] dense, MetadataValue.Sparse sparse, int limit) {
        return new RankExpr.Mul(List.of(new RankExpr.Value(-1), new RankExpr.Sum(List.of(
                leg(denseKnn(dense, limit, true)), leg(sparseKnn(sparse, limit, true))))));
    }

    static RankExpr leg(RankExpr knn) {
        return new RankExpr.Div(new RankExpr.Value(1), new RankExpr.Sum(List.of(new RankExpr.Value(60), knn)));
    }

    static List<SearchHit> search(CollectionView view, RankExpr rank) {
        return search(view, rank, new RecordParts(false, false, false));
    }

    static List<SearchHit> search(CollectionView view, RankExpr rank, RecordParts parts) {
        return SearchExecutor.search(view, new SearchRequest(null, rank, null, 0, K, DistanceFunction.COSINE, 0, parts));
    }

    static String loadavg() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim().split(" ")[0];
        } catch (java.io.IOException e) {
            return "?";
        }
    }

    static int p99(int n) {
        return (int) Math.min(n - 1, Math.ceil(n * 0.99) - 1);
    }

    /** Brute force over every document (regenerated), all checked queries in one pass; ids and scores must match. */
    static void verify(int n, List<MetadataValue.Sparse> qs, List<List<SequencedHit>> answers) {
        long start = System.nanoTime();
        List<java.util.PriorityQueue<float[]>> heaps = new ArrayList<>();
        for (int q = 0; q < qs.size(); q++) {
            // [score, doc] max-heap by score then doc: the head is the worst kept.
            heaps.add(new java.util.PriorityQueue<>((a, b) -> a[0] != b[0] ? Float.compare(b[0], a[0])
                    : Float.compare(b[1], a[1])));
        }
        for (int i = 0; i < n; i++) {
            MetadataValue.Sparse v = document(i);
            for (int q = 0; q < qs.size(); q++) {
                if (!qs.get(q).overlaps(v)) {
                    continue;
                }
                float[] entry = {1.0f - qs.get(q).dot(v), i};
                var heap = heaps.get(q);
                if (heap.size() < K) {
                    heap.add(entry);
                } else {
                    float[] worst = heap.peek();
                    if (entry[0] < worst[0] || (entry[0] == worst[0] && entry[1] < worst[1])) {
                        heap.poll();
                        heap.add(entry);
                    }
                }
            }
        }
        int exact = 0;
        for (int q = 0; q < qs.size(); q++) {
            List<float[]> best = new ArrayList<>(heaps.get(q));
            best.sort((a, b) -> a[0] != b[0] ? Float.compare(a[0], b[0]) : Float.compare(a[1], b[1]));
            List<String> ids = best.stream().map(e -> "doc" + (int) e[1]).toList();
            List<Float> scores = best.stream().map(e -> e[0]).toList();
            List<String> gotIds = answers.get(q).stream().map(h -> h.hit().record().id()).toList();
            List<Float> gotScores = answers.get(q).stream().map(h -> h.hit().distance()).toList();
            if (ids.equals(gotIds) && scores.equals(gotScores)) {
                exact++;
            } else {
                System.out.println("  MISMATCH query " + q + ": expected " + ids + " " + scores + ", got " + gotIds
                        + " " + gotScores);
            }
        }
        System.out.printf("exactness: %d/%d queries equal brute force (ids and scores), checked in %.0f s%n", exact,
                qs.size(), (System.nanoTime() - start) / 1e9);
    }

    /**
     * {@code v} with each value multiplied by its dimension's BM25 IDF in the synthetic corpus, the document frequency
     * estimated as {@code n·(1 − (1 − p_r)^NNZ)} for the dimension's zipf probability {@code p_r}: frequent dimensions
     * weigh little, as in BM25 or SPLADE queries.
     */
    static MetadataValue.Sparse idfWeighted(MetadataValue.Sparse v, int n) {
        int[] rankOf = new int[VOCAB];
        for (int r = 0; r < VOCAB; r++) {
            rankOf[DIMENSION[r]] = r;
        }
        float[] values = v.values().clone();
        for (int i = 0; i < values.length; i++) {
            int r = rankOf[v.indices()[i]];
            double p = CDF[r] - (r == 0 ? 0 : CDF[r - 1]);
            double df = n * (1 - Math.pow(1 - p, NNZ));
            values[i] *= (float) Math.log1p((n - df + 0.5) / (df + 0.5));
        }
        return new MetadataValue.Sparse(v.indices(), values, null);
    }

    static MetadataValue.Sparse document(int i) {
        return vector(new Random(i), NNZ);
    }

    static MetadataValue.Sparse vector(Random random, int nnz) {
        Map<Integer, Float> chosen = new HashMap<>();
        while (chosen.size() < nnz) {
            int rank = Arrays.binarySearch(CDF, random.nextDouble());
            rank = rank < 0 ? -rank - 1 : rank;
            chosen.putIfAbsent(DIMENSION[Math.min(VOCAB - 1, rank)], 1.0f - random.nextFloat());
        }
        int[] indices = chosen.keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
        float[] values = new float[indices.length];
        for (int j = 0; j < indices.length; j++) {
            values[j] = chosen.get(indices[j]);
        }
        return new MetadataValue.Sparse(indices, values, null);
    }

    static double[] zipfCdf(int n, double s) {
        double[] cdf = new double[n];
        double sum = 0;
        for (int r = 0; r < n; r++) {
            sum += 1.0 / Math.pow(r + 1, s);
            cdf[r] = sum;
        }
        for (int r = 0; r < n; r++) {
            cdf[r] /= sum;
        }
        return cdf;
    }

    static int[] shuffle(int n, long seed) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        Random random = new Random(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }
}
