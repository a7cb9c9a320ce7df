import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vermilion.executor.CollectionTail;
import io.vermilion.executor.CollectionView;
import io.vermilion.executor.SearchExecutor;
import io.vermilion.index.CollectionIndexWriter;
import io.vermilion.index.IndexSchema;
import io.vermilion.index.IndexedCollectionReader;
import io.vermilion.index.SearchParameters;
import io.vermilion.model.DistanceFunction;
import io.vermilion.model.RankExpr;
import io.vermilion.model.SearchHit;
import io.vermilion.model.SearchRequest;
import io.vermilion.record.LogRecord;
import io.vermilion.record.Operation;
import io.vermilion.record.Record;
import java.io.BufferedReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntFunction;
import org.apache.lucene.store.FSDirectory;

/**
 * In-process hybrid retrieval benchmark on debian-packages-minilm-l6-v2 (30,000 package descriptions, 1,000
 * known-item queries): MRR@10, recall@10 and p50/p99 latency through {@link SearchExecutor} over a compacted
 * version for dense ({@code $knn} on the given query vectors), BM25 (text {@code $knn} on {@code #document} with the
 * query texts) and hybrid RRF compiled as the clients compile it ({@code -(1/(60+r_dense) + 1/(60+r_bm25))}, both
 * legs limit 100, return_rank, default 1000); then BM25 with 10% of the records still in the log tail
 * (read-your-writes path). With a second argument {@code N} > 30000 it also measures BM25 latency over N synthetic
 * records (documents of runs of 5-60 words of the real documents, no vectors: an HNSW graph of 1M × 384 does not build
 * in reasonable time on the benchmark machine).
 * Usage: bench/hybrid-quality.sh [DATASET_DIR [SYNTHETIC_N]].
 */
public class HybridQualityBench {

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args.length > 0 ? args[0] : "../shared/datasets/debian-packages-minilm-l6-v2");
        int synthetic = args.length > 1 ? Integer.parseInt(args[1]) : 0;
        float[][] base = readFvecs(data.resolve("base.fvecs"));
        float[][] queryVectors = readFvecs(data.resolve("query.fvecs"));
        ObjectMapper json = new ObjectMapper();
        List<String> docs = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(data.resolve("docs.jsonl"))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                docs.add(json.readTree(line).get("text").asText());
            }
        }
        List<String> queryTexts = new ArrayList<>();
        Map<Integer, String> relevant = new HashMap<>();
        try (BufferedReader in = Files.newBufferedReader(data.resolve("queries.jsonl"))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                JsonNode q = json.readTree(line);
                queryTexts.add(q.get("text").asText());
                relevant.put(q.get("qid").asInt(), q.get("relevant_doc_ids").get(0).asText());
            }
        }
        List<Record> records = new ArrayList<>(base.length);
        for (int i = 0; i < base.length; i++) {
            records.add(new Record(Integer.toString(i), base[i], null, docs.get(i), null));
        }
        int n = queryTexts.size();
        System.out.printf("dataset: %d documents, %d queries (known-item, one relevant document each)%n",
                records.size(), n);
        try (Compacted c = Compacted.of(records, records.size())) {
            CollectionView view = c.view;
            run("dense  $knn(query vector) limit 10", n, relevant, q -> search(view, dense(queryVectors[q], 10, false)));
            run("bm25   $knn(query text, #document) limit 10", n, relevant,
                    q -> search(view, RankExpr.Knn.text(queryTexts.get(q), 10, null, false)));
            run("hybrid rrf(k 60; dense 100, bm25 100) limit 10", n, relevant,
                    q -> search(view, rrf(queryVectors[q], queryTexts.get(q))));
            interleaved(n, List.of("(leg) dense $knn limit 100", "(leg) bm25 $knn limit 100", "hybrid (same run)"),
                    List.of(q -> search(view, dense(queryVectors[q], 100, false)),
                            q -> search(view, RankExpr.Knn.text(queryTexts.get(q), 100, null, false)),
                            q -> search(view, rrf(queryVectors[q], queryTexts.get(q)))));
        }
        int compacted = records.size() * 9 / 10;
        try (Compacted c = Compacted.of(records, compacted)) {
            CollectionView view = c.view;
            System.out.printf("%d compacted + %d in the log tail:%n", compacted, records.size() - compacted);
            run("bm25   (90% index, 10% tail) limit 10", n, relevant,
                    q -> search(view, RankExpr.Knn.text(queryTexts.get(q), 10, null, false)));
            run("hybrid (90% index, 10% tail) limit 10", n, relevant,
                    q -> search(view, rrf(queryVectors[q], queryTexts.get(q))));
        }
        if (synthetic > records.size()) {
            syntheticRun(synthetic, docs, queryTexts);
        }
    }

    /** N records without vectors: documents of runs of 5-60 words of the real documents. */
    static void syntheticRun(int count, List<String> docs, List<String> queryTexts)
            throws Exception {
        List<String> words = new ArrayList<>();
        for (String doc : docs) {
            words.addAll(Arrays.asList(doc.split("\\s+")));
        }
        Random random = new Random(20251207);
        List<Record> records = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            StringBuilder text = new StringBuilder();
            int length = 5 + random.nextInt(56);
            int at = random.nextInt(words.size() - length); // runs of real text keep its term co-occurrence
            for (int w = 0; w < length; w++) {
                text.append(words.get(at + w)).append(' ');
            }
            records.add(new Record(Integer.toString(i), null, null, text.toString(), null));
        }
        long t0 = System.nanoTime();
        try (Compacted c = Compacted.of(records, records.size())) {
            System.out.printf("synthetic: %d records indexed in %.0f s%n", count, (System.nanoTime() - t0) / 1e9);
            CollectionView view = c.view;
            int n = queryTexts.size();
            run("synthetic bm25 limit 10", n, null, q -> search(view, RankExpr.Knn.text(queryTexts.get(q), 10, null, false)));
            run("synthetic bm25 limit 100", n, null,
                    q -> search(view, RankExpr.Knn.text(queryTexts.get(q), 100, null, false)));
        }
    }

    /** A version of the first {@code compacted} records and a log tail of the rest, read through one view. */
    record Compacted(Path dir, FSDirectory directory, IndexedCollectionReader reader, CollectionView view)
            implements AutoCloseable {
        static Compacted of(List<Record> records, int compacted) throws Exception {
            Path dir = Files.createTempDirectory("hybrid-bench");
            FSDirectory directory = FSDirectory.open(dir);
            List<Record> version = records.subList(0, compacted);
            CollectionIndexWriter.write(directory, IndexSchema.defaults(DistanceFunction.COSINE, version), version);
            IndexedCollectionReader reader = IndexedCollectionReader.open(directory, SearchParameters.DEFAULTS);
            CollectionTail tail = new CollectionTail(reader);
            List<LogRecord> rest = new ArrayList<>();
            for (Record r : records.subList(compacted, records.size())) {
                rest.add(new LogRecord(Operation.ADD, r.id(), r.embedding(), r.metadata(), r.document(), null));
            }
            tail.apply(rest, compacted);
            reader.tryRetain();
            return new Compacted(dir, directory, reader, new CollectionView(reader, 1, tail.view()));
        }

        @Override
        public void close() throws Exception {
            view.close();
            reader.close();
            directory.close();
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(dir);
        }
    }

    static RankExpr.Knn dense(float[] q, int limit, boolean rank) {
        return new RankExpr.Knn(q, limit, rank ? 1000f : null, rank);
    }

    /** RRF as Chroma's clients compile it: -(1/(k + rank_dense) + 1/(k + rank_bm25)), k 60. */
    static RankExpr rrf(float[] q, String text) {
        return new RankExpr.Mul(List.of(new RankExpr.Value(-1), new RankExpr.Sum(List.of(
                leg(dense(q, 100, true)), leg(RankExpr.Knn.text(text, 100, 1000f, true))))));
    }

    static RankExpr leg(RankExpr knn) {
        return new RankExpr.Div(new RankExpr.Value(1), new RankExpr.Sum(List.of(new RankExpr.Value(60), knn)));
    }

    static List<String> search(CollectionView view, RankExpr rank) {
        List<SearchHit> hits = SearchExecutor.search(view, new SearchRequest(null, rank, null, 0, 10,
                DistanceFunction.COSINE, 0, false));
        return hits.stream().map(h -> h.record().id()).toList();
    }

    static void run(String name, int queries, Map<Integer, String> relevant, IntFunction<List<String>> f) {
        for (int i = 0; i < Math.min(200, queries); i++) {
            f.apply(i); // warm-up
        }
        long[] nanos = new long[queries];
        double mrr = 0;
        int found = 0;
        for (int i = 0; i < queries; i++) {
            long start = System.nanoTime();
            List<String> top = f.apply(i);
            nanos[i] = System.nanoTime() - start;
            int rank = relevant == null ? -1 : top.subList(0, Math.min(10, top.size())).indexOf(relevant.get(i));
            if (rank >= 0) {
                mrr += 1.0 / (rank + 1);
                found++;
            }
        }
        Arrays.sort(nanos);
        System.out.printf("%-48s p50 %6.2f ms  p99 %6.2f ms%s%n", name, nanos[queries / 2] / 1e6,
                nanos[(int) (queries * 0.99)] / 1e6, relevant == null ? ""
                        : String.format("  MRR@10 %.4f  recall@10 %.4f", mrr / queries, (double) found / queries));
    }

    /** Each query through every function in turn, so a noisy machine weighs them alike; p50/p99 of each. */
    static void interleaved(int queries, List<String> names, List<IntFunction<List<String>>> fs) {
        long[][] nanos = new long[fs.size()][queries];
        for (int i = 0; i < queries; i++) {
            for (int f = 0; f < fs.size(); f++) {
                long start = System.nanoTime();
                fs.get(f).apply(i);
                nanos[f][i] = System.nanoTime() - start;
            }
        }
        for (int f = 0; f < fs.size(); f++) {
            Arrays.sort(nanos[f]);
            System.out.printf("%-48s p50 %6.2f ms  p99 %6.2f ms (interleaved)%n", names.get(f),
                    nanos[f][queries / 2] / 1e6, nanos[f][(int) (queries * 0.99)] / 1e6);
        }
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
