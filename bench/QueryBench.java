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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * HTTP query benchmark, as the Chroma clients query: one phase per invocation.
 * <ul>
 *   <li>{@code load URL N DATASET} — creates collection {@code qbench} (cosine) and adds the synthetic set of
 *   {@code ScaleBench} (vector i = normalize(base[i mod 30000] + N(0, 0.03²)), metadata {"bucket": i mod 10}) in
 *   batches of 1,000 from 4 clients; then waits until the server reports no pending compaction; prints both rates.</li>
 *   <li>{@code query URL N DATASET Q CLIENTS SECONDS} — sends the dataset's first Q real query vectors (n_results 10,
 *   include distances) from CLIENTS threads for SECONDS; prints queries/s, p50/p99 latency and recall@10 against
 *   the exact top 10 computed here by brute force.</li>
 *   <li>{@code truth - N DATASET Q FILE} — computes the exact top 10 of {@code query} into FILE (beside a run).</li>
 *   <li>{@code first URL DATASET} — times one query (the first after a server start) and prints its latency.</li>
 *   <li>{@code cold URL DATASET T0} — started beside a server process started at epoch millisecond T0: waits until
 *   the server reports ready ({@code /q/health/ready}), as a front would, then sends one query and prints the times
 *   from T0 to ready and to that answer (the serverless cold start).</li>
 * </ul>
 * Plain JDK, no dependencies: run with {@code java bench/QueryBench.java ...}.
 */
public class QueryBench {

    static final int K = 10;
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        String base = args[1] + "/api/v2/tenants/default_tenant/databases/default_database/collections";
        switch (mode) {
            case "load" -> load(base, args[1], Integer.parseInt(args[2]), Path.of(args[3]));
            case "query" -> query(base, Integer.parseInt(args[2]), Path.of(args[3]), Integer.parseInt(args[4]),
                    Integer.parseInt(args[5]), Integer.parseInt(args[6]), args.length > 7 ? Integer.parseInt(args[7]) : 0,
                    args.length > 8 ? args[8] : "none", args.length > 9 ? Path.of(args[9]) : null);
            case "first" -> first(base, Path.of(args[2]));
            case "truth" -> truths(Integer.parseInt(args[2]), readFvecs(Path.of(args[3]).resolve("base.fvecs")),
                    Arrays.copyOf(readFvecs(Path.of(args[3]).resolve("query.fvecs")), Integer.parseInt(args[4])),
                    Path.of(args[5]));
            case "cold" -> cold(args[1], base, Path.of(args[2]), Long.parseLong(args[3]));
            default -> throw new IllegalArgumentException(mode);
        }
    }

    static void load(String base, String root, int n, Path data) throws Exception {
        float[][] seeds = readFvecs(data.resolve("base.fvecs"));
        String created = send(base, "{\"name\":\"qbench\",\"get_or_create\":true,"
                + "\"configuration\":{\"hnsw\":{\"space\":\"cosine\"}}}", 200);
        String id = field(created, "id");
        AtomicInteger next = new AtomicInteger();
        AtomicInteger retries = new AtomicInteger();
        Thread.setDefaultUncaughtExceptionHandler((thread, failure) -> { // a lost batch makes the run void
            failure.printStackTrace();
            System.exit(1);
        });
        long t0 = System.nanoTime();
        Thread[] clients = new Thread[4];
        for (int c = 0; c < clients.length; c++) {
            clients[c] = Thread.ofPlatform().start(() -> {
                int start;
                while ((start = next.getAndAdd(1000)) < n) {
                    int end = Math.min(n, start + 1000);
                    StringBuilder ids = new StringBuilder("[");
                    StringBuilder embeddings = new StringBuilder("[");
                    StringBuilder metadatas = new StringBuilder("[");
                    for (int i = start; i < end; i++) {
                        String sep = i == start ? "" : ",";
                        ids.append(sep).append('"').append(i).append('"');
                        embeddings.append(sep).append('"').append(base64(vector(seeds, i))).append('"');
                        metadatas.append(sep).append("{\"bucket\":").append(i % 10).append(",\"shard\":")
                                .append(i % 100).append('}');
                    }
                    String body = "{\"ids\":" + ids + "],\"embeddings\":" + embeddings + "],\"metadatas\":" + metadatas + "]}";
                    for (int attempt = 1; ; attempt++) {
                        try {
                            send(base + "/" + id + "/add", body, 201);
                            break;
                        } catch (Exception e) {
                            // 503 says "retry the request" (a dependency timed out on the loaded machine): retry
                            // as a client with retries would, a few times, and count it.
                            if (attempt == 10 || !String.valueOf(e.getMessage()).contains("→ 503")) {
                                throw new RuntimeException(e);
                            }
                            retries.incrementAndGet();
                            try {
                                Thread.sleep(1000L * attempt);
                            } catch (InterruptedException interrupted) {
                                throw new RuntimeException(interrupted);
                            }
                        }
                    }
                }
            });
        }
        for (Thread c : clients) {
            c.join();
        }
        double loadSeconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("loaded %,d vectors in %.1f s → %.0f vectors/s acknowledged (%d requests retried after a 503)%n", n, loadSeconds,
                n / loadSeconds, retries.get());
        long c0 = System.nanoTime();
        // The scheduler updates the gauge after each pass, and writes that arrived during a compaction show in the next
        // pass: done = nothing pending in three polls in a row, a second apart (longer than the bench's 1 s interval).
        int quiet = 0;
        while (true) {
            String metrics = get(root + "/q/metrics");
            Matcher m = Pattern.compile("(?m)^vermilion_compaction_pending_records\\S* (\\S+)$").matcher(metrics);
            Matcher published = Pattern.compile("(?m)^vermilion_compactions_total\\{result=\"published\"\\S* (\\S+)$").matcher(metrics);
            if (m.find() && Double.parseDouble(m.group(1)) == 0 && published.find() && Double.parseDouble(published.group(1)) > 0) {
                if (++quiet == 3) {
                    break;
                }
            } else {
                quiet = 0;
            }
            Thread.sleep(1000);
        }
        double compactSeconds = (System.nanoTime() - c0) / 1e9 - 2; // less the two confirming polls
        System.out.printf("compacted (index built and published) %.1f s after the last acknowledgement;"
                + " load + index → %.0f vectors/s end to end%n", compactSeconds, n / (loadSeconds + compactSeconds));
        System.out.println("count = " + get(base + "/" + id + "/count"));
    }

    /** Filters the benchmark measures: none, {@code bucket = 3} (10 % of records), {@code shard = 7} (1 %). */
    static final String[] FILTERS = {"none", "bucket", "shard"};
    static final String[] WHERE = {null, "{\"bucket\":3}", "{\"shard\":7}"};

    static void query(String base, int n, Path data, int q, int clients, int seconds, int ef, String filterName,
                      Path truthFile) throws Exception {
        float[][] seeds = readFvecs(data.resolve("base.fvecs"));
        float[][] queries = Arrays.copyOf(readFvecs(data.resolve("query.fvecs")), q);
        String id = field(send(base, "{\"name\":\"qbench\",\"get_or_create\":true}", 200), "id");
        int filter = Arrays.asList(FILTERS).indexOf(filterName);
        if (filter < 0) {
            throw new IllegalArgumentException("filter " + filterName + " is not one of " + Arrays.toString(FILTERS));
        }
        int[][] truth = truths(n, seeds, queries, truthFile)[filter];
        if (ef > 0) {
            put(base + "/" + id, "{\"new_configuration\":{\"hnsw\":{\"ef_search\":" + ef + "}}}");
        }
        String[] bodies = new String[q];
        for (int i = 0; i < q; i++) {
            bodies[i] = "{\"query_embeddings\":[" + Arrays.toString(queries[i]) + "],\"n_results\":" + K
                    + (WHERE[filter] == null ? "" : ",\"where\":" + WHERE[filter])
                    + ",\"include\":[\"distances\"]}";
        }
        String url = base + "/" + id + "/query";
        // warm up: every query once
        for (String body : bodies) {
            send(url, body, 200);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        List<long[]> latencies = new ArrayList<>();
        AtomicLong done = new AtomicLong();
        AtomicLong hits = new AtomicLong();
        AtomicLong wanted = new AtomicLong();
        Thread[] threads = new Thread[clients];
        long t0 = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            long[] lat = new long[2_000_000];
            latencies.add(lat);
            int client = c;
            threads[c] = Thread.ofPlatform().start(() -> {
                int i = client;
                int k = 0;
                while (System.nanoTime() < deadline) {
                    int qi = i++ % q;
                    long s = System.nanoTime();
                    String answer;
                    try {
                        answer = send(url, bodies[qi], 200);
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                    lat[k++] = System.nanoTime() - s;
                    done.incrementAndGet();
                    Set<Integer> expected = new HashSet<>();
                    for (int t : truth[qi]) {
                        expected.add(t);
                    }
                    Matcher ids = Pattern.compile("\"ids\":\\[\\[(.*?)\\]\\]").matcher(answer);
                    if (ids.find()) {
                        for (String s2 : ids.group(1).split(",")) {
                            if (!s2.isEmpty() && expected.contains(Integer.parseInt(s2.replace("\"", "")))) {
                                hits.incrementAndGet();
                            }
                        }
                    }
                    wanted.addAndGet(K);
                }
                lat[k] = -1;
            });
        }
        for (Thread t : threads) {
            t.join();
        }
        double elapsed = (System.nanoTime() - t0) / 1e9;
        List<Long> all2 = new ArrayList<>();
        for (long[] lat : latencies) {
            for (long l : lat) {
                if (l <= 0) {
                    break;
                }
                all2.add(l);
            }
        }
        long[] sorted = all2.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf("N=%,d clients=%d ef=%s filter=%s: %.0f queries/s, p50 %.2f ms, p99 %.2f ms, recall@10 %.3f"
                + " (%d queries)%n", n, clients, ef > 0 ? Integer.toString(ef) : "default", filterName, done.get() / elapsed, pct(sorted, 0.5), pct(sorted, 0.99), hits.get() / (double) wanted.get(),
                done.get());
    }

    /**
     * The exact top 10 of every query for each of {@link #FILTERS}, by brute force over the N synthetic vectors (one
     * pass for all three), read from {@code file} when it holds them and written there otherwise (null: not kept).
     */
    static int[][][] truths(int n, float[][] seeds, float[][] queries, Path file) throws IOException {
        int q = queries.length;
        int[][][] truth = new int[FILTERS.length][q][K];
        if (file != null && Files.exists(file)) {
            try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(file)))) {
                if (in.readInt() == n && in.readInt() >= q) {
                    for (int f = 0; f < FILTERS.length; f++) {
                        for (int qi = 0; qi < q; qi++) {
                            for (int j = 0; j < K; j++) {
                                truth[f][qi][j] = in.readInt();
                            }
                        }
                    }
                    return truth;
                }
            }
        }
        long t0 = System.nanoTime();
        float[][] all = new float[n][];
        IntStream.range(0, n).parallel().forEach(i -> all[i] = vector(seeds, i));
        IntStream.range(0, q).parallel().forEach(qi -> {
            float[][] scores = new float[FILTERS.length][K];
            for (float[] s : scores) {
                Arrays.fill(s, Float.NEGATIVE_INFINITY);
            }
            float[] query = queries[qi];
            for (int i = 0; i < n; i++) {
                float s = dot(query, all[i]);
                offer(truth[0][qi], scores[0], i, s);
                if (i % 10 == 3) {
                    offer(truth[1][qi], scores[1], i, s);
                }
                if (i % 100 == 7) {
                    offer(truth[2][qi], scores[2], i, s);
                }
            }
        });
        System.out.printf("exact top 10 of %d queries over %,d vectors in %.1f s%n", q, n, (System.nanoTime() - t0) / 1e9);
        if (file != null) {
            // filtered by FILTERS order; n and q first
            try (var out = new java.io.DataOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(file)))) {
                out.writeInt(n);
                out.writeInt(q);
                for (int[][] byQuery : truth) {
                    for (int[] ids : byQuery) {
                        for (int id : ids) {
                            out.writeInt(id);
                        }
                    }
                }
            }
        }
        return truth;
    }

    /** Dot product with four accumulators (the JIT does not vectorize a single float sum). */
    static float dot(float[] a, float[] b) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int d = 0;
        for (; d + 3 < a.length; d += 4) {
            s0 += a[d] * b[d];
            s1 += a[d + 1] * b[d + 1];
            s2 += a[d + 2] * b[d + 2];
            s3 += a[d + 3] * b[d + 3];
        }
        for (; d < a.length; d++) {
            s0 += a[d] * b[d];
        }
        return s0 + s1 + s2 + s3;
    }

    static String put(String url, String body) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(1))
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
            throw new IllegalStateException(url + " → " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    static void first(String base, Path data) throws Exception {
        float[][] queries = readFvecs(data.resolve("query.fvecs"));
        String id = field(send(base, "{\"name\":\"qbench\",\"get_or_create\":true}", 200), "id");
        String body = "{\"query_embeddings\":[" + Arrays.toString(queries[0]) + "],\"n_results\":10,\"include\":[\"distances\"]}";
        long t0 = System.nanoTime();
        send(base + "/" + id + "/query", body, 200);
        double first = (System.nanoTime() - t0) / 1e6;
        long t1 = System.nanoTime();
        send(base + "/" + id + "/query", "{\"query_embeddings\":[" + Arrays.toString(queries[1])
                + "],\"n_results\":10,\"include\":[\"distances\"]}", 200);
        System.out.printf("first query after start %.0f ms; second %.1f ms%n", first, (System.nanoTime() - t1) / 1e6);
    }

    static void cold(String root, String base, Path data, long startedAtMillis) throws Exception {
        float[][] queries = readFvecs(data.resolve("query.fvecs"));
        String body = "{\"query_embeddings\":[" + Arrays.toString(queries[0]) + "],\"n_results\":10,\"include\":[\"distances\"]}";
        while (!ready(root)) { // a front sends requests to a replica once it reports ready
            Thread.sleep(20);
        }
        long ready = System.currentTimeMillis();
        while (true) {
            try {
                String id = field(send(base, "{\"name\":\"qbench\",\"get_or_create\":true}", 200), "id");
                send(base + "/" + id + "/query", body, 200);
                break;
            } catch (IOException | IllegalStateException notYet) {
                Thread.sleep(20); // not listening, or not ready (503) yet
            }
        }
        long now = System.currentTimeMillis();
        System.out.printf("serverless cold start, empty cache: process start -> first answer %d ms (ready after %d ms,"
                + " first query %d ms)%n", now - startedAtMillis, ready - startedAtMillis, now - ready);
    }

    /** Whether the server at {@code root} answers its readiness check with 200. */
    static boolean ready(String root) throws InterruptedException {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(root + "/q/health/ready")).GET().build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException notListening) {
            return false;
        }
    }

    static int[] top(float[][] all, float[] query) {
        int[] ids = new int[K];
        float[] scores = new float[K];
        Arrays.fill(scores, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < all.length; i++) {
            float s = 0;
            float[] v = all[i];
            for (int d = 0; d < v.length; d++) {
                s += query[d] * v[d];
            }
            offer(ids, scores, i, s);
        }
        return ids;
    }

    /** Keeps the best K (ids, scores), best first: inserts {@code i} with score {@code s} if it is among them. */
    static void offer(int[] ids, float[] scores, int i, float s) {
        if (s > scores[K - 1]) {
            int j = K - 1;
            while (j > 0 && scores[j - 1] < s) {
                scores[j] = scores[j - 1];
                ids[j] = ids[j - 1];
                j--;
            }
            scores[j] = s;
            ids[j] = i;
        }
    }

    static float[] vector(float[][] seeds, int i) {
        float[] b = seeds[i % seeds.length];
        float[] v = new float[b.length];
        SplittableRandom random = new SplittableRandom(i);
        double norm = 0;
        for (int d = 0; d < v.length; d++) {
            double u = random.nextDouble(), w = random.nextDouble();
            v[d] = b[d] + (float) (Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * w) * 0.03f);
            norm += (double) v[d] * v[d];
        }
        float inv = (float) (1 / Math.sqrt(norm));
        for (int d = 0; d < v.length; d++) {
            v[d] *= inv;
        }
        return v;
    }

    static String base64(float[] v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) {
            b.putFloat(f);
        }
        return Base64.getEncoder().encodeToString(b.array());
    }

    static String send(String url, String body, int expected) throws IOException, InterruptedException {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMinutes(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != expected) {
            throw new IllegalStateException(url + " → " + r.statusCode() + ": " + r.body());
        }
        return r.body();
    }

    static String get(String url) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":\"([^\"]+)\"").matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("no " + name + " in " + json);
        }
        return m.group(1);
    }

    static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.max(0, Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1))] / 1e6;
    }

    static float[][] readFvecs(Path path) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(path)).order(ByteOrder.LITTLE_ENDIAN);
        List<float[]> out = new ArrayList<>();
        while (b.hasRemaining()) {
            int dim = b.getInt();
            float[] v = new float[dim];
            for (int d = 0; d < dim; d++) {
                v[d] = b.getFloat();
            }
            out.add(v);
        }
        return out.toArray(float[][]::new);
    }
}
