import io.vermilion.embedding.MiniLmEmbedder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Server-side embedding benchmark (in process, the service's MiniLmEmbedder): documents embedded per second with
 * N threads (batches of 32, as the service's pool runs them), latency of embedding one query text (p50/p99), and
 * retrieval quality of the dataset's 1,000 text queries embedded this way, searched exactly (brute force, cosine)
 * against base.fvecs: MRR@10 and recall@10 on the qrels.
 *
 * <p>Usage: java ... EmbeddingBench [DATASET_DIR [DOCS [THREADS]]] (DATASET_DIR defaults to
 * ../shared/datasets/debian-packages-minilm-l6-v2, relative to the repository root; DOCS 1000; THREADS cores - 1).
 */
public class EmbeddingBench {

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args.length > 0 ? args[0] : "../shared/datasets/debian-packages-minilm-l6-v2");
        int docs = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        int threads = args.length > 2 ? Integer.parseInt(args[2])
                : Math.max(1, Runtime.getRuntime().availableProcessors() - 1);
        ObjectMapper json = new ObjectMapper();
        List<String> texts = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(data.resolve("docs.jsonl"))) {
            String line;
            while (texts.size() < docs && (line = r.readLine()) != null) {
                texts.add(json.readTree(line).get("text").asText().trim().replaceAll("\\s+", " "));
            }
        }
        List<String> queries = new ArrayList<>();
        List<Integer> relevant = new ArrayList<>();
        for (String line : Files.readAllLines(data.resolve("queries.jsonl"))) {
            JsonNode q = json.readTree(line);
            queries.add(q.get("text").asText());
            relevant.add(q.get("relevant_doc_ids").get(0).asInt());
        }
        try (MiniLmEmbedder model = new MiniLmEmbedder(256, 1)) {
            model.embed(texts.subList(0, 32)); // warm-up
            // Documents per second: batches of 32 by length, on `threads` threads.
            List<String> sorted = new ArrayList<>(texts);
            sorted.sort((a, b) -> Integer.compare(a.length(), b.length()));
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            long t0 = System.nanoTime();
            List<Future<float[][]>> parts = new ArrayList<>();
            for (int s = 0; s < sorted.size(); s += 32) {
                List<String> batch = sorted.subList(s, Math.min(sorted.size(), s + 32));
                parts.add(pool.submit(() -> model.embed(batch)));
            }
            for (Future<float[][]> f : parts) {
                f.get();
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            pool.shutdown();
            System.out.printf(Locale.ROOT, "documents: %d in %.1f s = %.1f docs/s (%d threads, batch 32, max 256 tokens)%n",
                    texts.size(), secs, texts.size() / secs, threads);

            // One query text at a time: embedding latency.
            long[] nanos = new long[queries.size()];
            float[][] qv = new float[queries.size()][];
            for (int i = 0; i < queries.size(); i++) {
                long s = System.nanoTime();
                qv[i] = model.embed(List.of(queries.get(i)))[0];
                nanos[i] = System.nanoTime() - s;
            }
            long[] sortedNanos = nanos.clone();
            Arrays.sort(sortedNanos);
            System.out.printf(Locale.ROOT, "query text embedding: p50 %.1f ms, p99 %.1f ms (%d queries, one at a time)%n",
                    sortedNanos[sortedNanos.length / 2] / 1e6, sortedNanos[sortedNanos.length * 99 / 100] / 1e6,
                    queries.size());

            // Retrieval quality: exact cosine search over base.fvecs.
            float[][] base = fvecs(data.resolve("base.fvecs"));
            double mrr = 0;
            int hits = 0;
            for (int i = 0; i < qv.length; i++) {
                int[] top = top10(base, qv[i]);
                for (int k = 0; k < top.length; k++) {
                    if (top[k] == relevant.get(i)) {
                        mrr += 1.0 / (k + 1);
                        hits++;
                        break;
                    }
                }
            }
            System.out.printf(Locale.ROOT, "text queries embedded on the server vs base.fvecs (exact): MRR@10 %.3f, recall@10 %.3f (%d queries)%n",
                    mrr / qv.length, hits / (double) qv.length, qv.length);
        }
    }

    private static int[] top10(float[][] base, float[] q) {
        int[] ids = new int[10];
        double[] scores = new double[10];
        Arrays.fill(scores, Double.NEGATIVE_INFINITY);
        for (int d = 0; d < base.length; d++) {
            double s = 0;
            for (int j = 0; j < q.length; j++) {
                s += base[d][j] * q[j];
            }
            if (s > scores[9]) {
                int k = 9;
                while (k > 0 && scores[k - 1] < s) {
                    scores[k] = scores[k - 1];
                    ids[k] = ids[k - 1];
                    k--;
                }
                scores[k] = s;
                ids[k] = d;
            }
        }
        return ids;
    }

    private static float[][] fvecs(Path p) throws Exception {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
        int dim = b.getInt(0);
        int n = b.capacity() / (4 + 4 * dim);
        float[][] v = new float[n][dim];
        for (int i = 0; i < n; i++) {
            b.position(i * (4 + 4 * dim) + 4);
            b.asFloatBuffer().get(v[i]);
        }
        return v;
    }
}
