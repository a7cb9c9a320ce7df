import io.vermilion.executor.CollectionTail;
import io.vermilion.executor.CollectionView;
import io.vermilion.executor.SearchExecutor;
import io.vermilion.index.CollectionIndexWriter;
import io.vermilion.index.IndexSchema;
import io.vermilion.index.IndexedCollectionReader;
import io.vermilion.index.SearchParameters;
import io.vermilion.model.DistanceFunction;
import io.vermilion.model.QueryRequest;
import io.vermilion.model.RankExpr;
import io.vermilion.model.SearchGroupBy;
import io.vermilion.model.SearchHit;
import io.vermilion.model.SearchRequest;
import io.vermilion.record.MetadataValue;
import io.vermilion.record.Record;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.lucene.store.FSDirectory;

/**
 * In-process Search API benchmark on the real debian-packages-minilm-l6-v2 set (30,000 × 384, cosine), over a
 * compacted version: per-query latency (p50/p99) and MRR@10 / recall@10 against the known-item qrels for a plain
 * query, a dense {@code $knn} search, an RRF of two {@code $knn} legs (the query and, as pseudo-relevance feedback,
 * the vector of the query's nearest document: dense-only, since sparse/BM25 is not built) and a knn grouped by
 * section. Usage: bench/search-bench.sh [DATASET_DIR [MAX_QUERIES]].
 */
public class SearchBench {

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args.length > 0 ? args[0] : "../shared/datasets/debian-packages-minilm-l6-v2");
        int max = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        float[][] base = readFvecs(data.resolve("base.fvecs"));
        float[][] queries = readFvecs(data.resolve("query.fvecs"));
        queries = Arrays.copyOf(queries, Math.min(max, queries.length));
        Map<Integer, String> relevant = new HashMap<>();
        for (String line : Files.readAllLines(data.resolve("qrels.tsv")).stream().skip(1).toList()) {
            String[] f = line.split("\t");
            relevant.putIfAbsent(Integer.parseInt(f[0]), f[1]);
        }
        List<Record> records = new ArrayList<>(base.length);
        for (int i = 0; i < base.length; i++) {
            records.add(new Record(Integer.toString(i), base[i],
                    Map.of("bucket", new MetadataValue.Int(i % 10)), null, null));
        }
        Path dir = Files.createTempDirectory("search-bench");
        long t0 = System.nanoTime();
        try (FSDirectory directory = FSDirectory.open(dir)) {
            CollectionIndexWriter.write(directory, IndexSchema.defaults(DistanceFunction.COSINE, records), records);
            System.out.printf("index built: %d records in %.1f s%n", records.size(), (System.nanoTime() - t0) / 1e9);
            try (IndexedCollectionReader reader = IndexedCollectionReader.open(directory, SearchParameters.DEFAULTS)) {
                reader.tryRetain();
                try (CollectionView view = new CollectionView(reader, 1, new CollectionTail(reader).view())) {
                    float[][] qs = queries;
                    run("query n_results=10", qs, relevant, q -> view.query(new QueryRequest(List.of(q), 10, null, null,
                            null, DistanceFunction.COSINE, 0, false)).get(0).stream().map(h -> h.record().id()).toList());
                    run("search $knn limit=10", qs, relevant, q -> ids(SearchExecutor.search(view, request(
                            new RankExpr.Knn(q, 10, null, false), null))));
                    run("search rrf(knn q, knn top-1 doc) limit=50 each", qs, relevant, q -> {
                        String top = view.query(new QueryRequest(List.of(q), 1, null, null, null, DistanceFunction.COSINE,
                                0, false)).get(0).get(0).record().id();
                        float[] feedback = base[Integer.parseInt(top)];
                        RankExpr rrf = new RankExpr.Mul(List.of(new RankExpr.Value(-1), new RankExpr.Sum(List.of(
                                leg(q), leg(feedback)))));
                        return ids(SearchExecutor.search(view, request(rrf, null)));
                    });
                    run("search $knn limit=50 group_by bucket $min_k 2", qs, relevant, q -> ids(SearchExecutor.search(view,
                            request(new RankExpr.Knn(q, 50, null, false),
                                    new SearchGroupBy(List.of("bucket"), List.of("#score"), 2, false)))));
                }
            }
        }
    }

    static RankExpr leg(float[] q) {
        return new RankExpr.Div(new RankExpr.Value(1), new RankExpr.Sum(List.of(new RankExpr.Value(60),
                new RankExpr.Knn(q, 50, 1000f, true))));
    }

    static SearchRequest request(RankExpr rank, SearchGroupBy groupBy) {
        return new SearchRequest(null, rank, groupBy, 0, 10, DistanceFunction.COSINE, 0, false);
    }

    static List<String> ids(List<SearchHit> hits) {
        return hits.stream().map(h -> h.record().id()).toList();
    }

    static void run(String name, float[][] queries, Map<Integer, String> relevant, Function<float[], List<String>> f) {
        for (int i = 0; i < Math.min(200, queries.length); i++) {
            f.apply(queries[i]); // warm-up
        }
        long[] nanos = new long[queries.length];
        double mrr = 0;
        int found = 0;
        for (int i = 0; i < queries.length; i++) {
            long start = System.nanoTime();
            List<String> top = f.apply(queries[i]);
            nanos[i] = System.nanoTime() - start;
            int rank = top.subList(0, Math.min(10, top.size())).indexOf(relevant.get(i));
            if (rank >= 0) {
                mrr += 1.0 / (rank + 1);
                found++;
            }
        }
        Arrays.sort(nanos);
        System.out.printf("%-48s p50 %.2f ms  p99 %.2f ms  MRR@10 %.4f  recall@10 %.4f  (%d queries)%n", name,
                nanos[nanos.length / 2] / 1e6, nanos[(int) (nanos.length * 0.99)] / 1e6, mrr / queries.length,
                (double) found / queries.length, queries.length);
    }

    static float[][] readFvecs(Path path) throws Exception {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(path)).order(ByteOrder.LITTLE_ENDIAN);
        int dim = b.getInt(0), n = b.capacity() / (4 + 4 * dim);
        float[][] v = new float[n][dim];
        for (int i = 0; i < n; i++) {
            b.position(i * (4 + 4 * dim) + 4);
            b.asFloatBuffer().get(v[i]);
        }
        return v;
    }
}
