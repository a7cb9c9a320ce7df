import java.io.DataInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The first query after ingest (issue 12), over plain HTTP as a new user's loop runs it: creates a fresh cosine
 * collection, adds the first N real vectors of the dataset in batches of 100 from one client (ids, base64 float32
 * embeddings, the dataset's documents and metadata, as chromadb-client 1.x sends them), then, from the instant the
 * last add is acknowledged, sends the very first query and QUERIES more (n_results 10, include metadatas, documents,
 * distances) and prints each one's latency. Repeats ROUNDS times, each round in a new collection, so the first round
 * shows a fresh server and the later ones a warm JVM.
 * Usage: {@code java bench/FirstQueryBench.java URL DATASET_DIR [N=10000] [QUERIES=20] [ROUNDS=3] [PAUSE_S=0]
 * [FOLLOW_S=0]} (PAUSE_S: seconds to wait between rounds; FOLLOW_S: then keep querying that long and print p50 and
 * max per 5 s window, where a compaction and the switch to its version show). Plain JDK, no dependencies.
 */
public class FirstQueryBench {

    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    static final String COLLECTIONS = "/api/v2/tenants/default_tenant/databases/default_database/collections";
    static final int BATCH = 100;

    public static void main(String[] args) throws Exception {
        String url = args[0];
        Path data = Path.of(args[1]);
        int n = args.length > 2 ? Integer.parseInt(args[2]) : 10_000;
        int queries = args.length > 3 ? Integer.parseInt(args[3]) : 20;
        int rounds = args.length > 4 ? Integer.parseInt(args[4]) : 3;
        int pause = args.length > 5 ? Integer.parseInt(args[5]) : 0;
        int follow = args.length > 6 ? Integer.parseInt(args[6]) : 0;
        float[][] base = readVecs(data.resolve("base.fvecs"), n);
        float[][] query = readVecs(data.resolve("query.fvecs"), queries + 1);
        List<String> docs = readDocs(data.resolve("docs.jsonl"), n);
        for (int round = 0; round < rounds; round++) {
            String name = "first_query_" + System.nanoTime();
            String created = call("POST", url + COLLECTIONS,
                    "{\"name\":\"" + name + "\",\"configuration\":{\"hnsw\":{\"space\":\"cosine\"}}}");
            Matcher id = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"").matcher(created);
            if (!id.find()) {
                throw new IllegalStateException("no id in " + created);
            }
            String collection = url + COLLECTIONS + "/" + id.group(1);
            long t0 = System.nanoTime();
            for (int lo = 0; lo < n; lo += BATCH) {
                call("POST", collection + "/add", addBody(base, docs, lo, Math.min(n, lo + BATCH)));
            }
            long acknowledged = System.nanoTime();
            double[] ms = new double[queries + 1];
            for (int q = 0; q <= queries; q++) {
                long t = System.nanoTime();
                String answer = call("POST", collection + "/query", queryBody(query[q]));
                ms[q] = (System.nanoTime() - t) / 1e6;
                if (!answer.contains("\"ids\"")) {
                    throw new IllegalStateException("unexpected answer " + answer);
                }
            }
            double sinceAck = (System.nanoTime() - acknowledged) / 1e6;
            String count = call("GET", collection + "/count", null).trim();
            double[] rest = Arrays.copyOfRange(ms, 1, ms.length);
            Arrays.sort(rest);
            StringBuilder each = new StringBuilder();
            for (int q = 1; q < ms.length; q++) {
                each.append(q == 1 ? "" : " ").append(String.format("%.1f", ms[q]));
            }
            System.out.printf("round %d: ingest %d records in %.1f s (%.0f rec/s, count %s); first query %.1f ms; "
                            + "next %d: p50 %.1f ms, max %.1f ms; all %d answered %.0f ms after the last ack%n",
                    round + 1, n, (acknowledged - t0) / 1e9, n / ((acknowledged - t0) / 1e9), count, ms[0],
                    rest.length, rest.length == 0 ? 0 : rest[rest.length / 2],
                    rest.length == 0 ? 0 : rest[rest.length - 1], ms.length, sinceAck);
            System.out.println("  next queries, ms: " + each);
            if (follow > 0) {
                follow(collection, query, acknowledged, follow);
            }
            if (pause > 0 && round + 1 < rounds) {
                Thread.sleep(pause * 1000L);
            }
        }
    }

    /** Queries for {@code seconds} more; prints count, p50 and max per 5 s window since the last add's ack. */
    static void follow(String collection, float[][] query, long acknowledged, int seconds) throws Exception {
        List<List<Double>> windows = new ArrayList<>();
        long end = acknowledged + seconds * 1_000_000_000L;
        int q = 0;
        while (System.nanoTime() < end) {
            long t = System.nanoTime();
            call("POST", collection + "/query", queryBody(query[q++ % query.length]));
            double ms = (System.nanoTime() - t) / 1e6;
            int window = (int) ((t - acknowledged) / 5_000_000_000L);
            while (windows.size() <= window) {
                windows.add(new ArrayList<>());
            }
            windows.get(window).add(ms);
        }
        for (int w = 0; w < windows.size(); w++) {
            List<Double> ms = windows.get(w);
            if (ms.isEmpty()) {
                continue;
            }
            ms.sort(null);
            System.out.printf("  %3d-%3d s after the ack: %4d queries, p50 %.1f ms, max %.1f ms%n", 5 * w, 5 * w + 5,
                    ms.size(), ms.get(ms.size() / 2), ms.getLast());
        }
    }

    static String addBody(float[][] base, List<String> docs, int lo, int hi) {
        StringBuilder ids = new StringBuilder();
        StringBuilder embeddings = new StringBuilder();
        StringBuilder metadatas = new StringBuilder();
        StringBuilder documents = new StringBuilder();
        for (int i = lo; i < hi; i++) {
            String sep = i == lo ? "" : ",";
            ids.append(sep).append('"').append(i).append('"');
            ByteBuffer bytes = ByteBuffer.allocate(4 * base[i].length).order(ByteOrder.LITTLE_ENDIAN);
            for (float f : base[i]) {
                bytes.putFloat(f);
            }
            embeddings.append(sep).append('"').append(Base64.getEncoder().encodeToString(bytes.array())).append('"');
            String[] doc = docs.get(i).split("\u0000", 2);
            metadatas.append(sep).append(doc[0]);
            documents.append(sep).append(doc[1]);
        }
        return "{\"ids\":[" + ids + "],\"embeddings\":[" + embeddings + "],\"metadatas\":[" + metadatas
                + "],\"documents\":[" + documents + "],\"uris\":null}";
    }

    static String queryBody(float[] q) {
        StringBuilder v = new StringBuilder();
        for (int i = 0; i < q.length; i++) {
            v.append(i == 0 ? "" : ",").append(q[i]);
        }
        return "{\"ids\":null,\"query_embeddings\":[[" + v + "]],\"n_results\":10,\"where\":null,"
                + "\"where_document\":null,\"include\":[\"metadatas\",\"documents\",\"distances\"]}";
    }

    static String call(String method, String url, String body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(120))
                .header("content-type", "application/json");
        request = body == null ? request.GET() : request.method(method, HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 400) {
            throw new IllegalStateException(method + " " + url + ": " + response.statusCode() + " " + response.body());
        }
        return response.body();
    }

    static float[][] readVecs(Path file, int max) throws IOException {
        List<float[]> out = new ArrayList<>();
        try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(file)))) {
            byte[] four = new byte[4];
            while (out.size() < max && in.read(four) == 4) {
                int dim = ByteBuffer.wrap(four).order(ByteOrder.LITTLE_ENDIAN).getInt();
                byte[] raw = new byte[4 * dim];
                in.readFully(raw);
                float[] v = new float[dim];
                ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
                out.add(v);
            }
        }
        return out.toArray(float[][]::new);
    }

    static final Pattern STRING_FIELD = Pattern.compile("\"(text|package|section|architecture|priority)\"\\s*:\\s*(\"(?:[^\"\\\\]++|\\\\.)*+\")");
    static final Pattern SIZE_FIELD = Pattern.compile("\"installed_size_kb\"\\s*:\\s*(-?[0-9]+)");

    /** Per record "metadata JSON \0 document JSON string", the JSON copied from the dataset's line as it is. */
    static List<String> readDocs(Path file, int max) throws IOException {
        List<String> out = new ArrayList<>();
        try (var lines = Files.lines(file)) {
            for (String line : (Iterable<String>) lines.limit(max)::iterator) {
                java.util.Map<String, String> fields = new java.util.HashMap<>();
                Matcher m = STRING_FIELD.matcher(line);
                while (m.find()) {
                    fields.putIfAbsent(m.group(1), m.group(2));
                }
                Matcher size = SIZE_FIELD.matcher(line);
                String text = fields.getOrDefault("text", "\"\"");
                if (text.length() > 15_000) { // the server refuses documents over 16 KiB; 3 of the 30k are longer
                    text = "\"(long description left out)\"";
                }
                String metadata = "{\"package\":" + fields.get("package") + ",\"section\":" + fields.get("section")
                        + ",\"architecture\":" + fields.get("architecture") + ",\"priority\":" + fields.get("priority")
                        + ",\"installed_size_kb\":" + (size.find() ? size.group(1) : "0") + "}";
                out.add(metadata + "\u0000" + text);
            }
        }
        return out;
    }
}
