import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Query throughput through the front of a running `./vermilion cluster`: seeds one collection per client thread
 * (so affinity routing spreads them over the replicas), then queries for a fixed time from C client threads and prints
 * requests per second, the median latency and failures (after a 10 s warm-up that is not counted). Usage: java bench/ClusterBench.java FRONT_URL [CLIENTS] [SECONDS]
 */
public class ClusterBench {
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    static final String BASE = "/api/v2/tenants/default_tenant/databases/default_database/collections";
    static final int DIM = 64;
    static final int RECORDS = 2000;

    public static void main(String[] args) throws Exception {
        URI front = URI.create(args[0]);
        int clients = args.length > 1 ? Integer.parseInt(args[1]) : 8;
        int seconds = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        SplittableRandom random = new SplittableRandom(42);
        List<String> collections = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            String body = post(front, BASE, "{\"name\":\"bench-" + System.nanoTime() + "-" + c + "\"}");
            String id = body.replaceAll("(?s).*\"id\":\"([^\"]+)\".*", "$1");
            collections.add(id);
            for (int b = 0; b < RECORDS; b += 500) {
                StringBuilder ids = new StringBuilder();
                StringBuilder vectors = new StringBuilder();
                for (int i = b; i < b + 500; i++) {
                    ids.append(i == b ? "" : ",").append("\"r").append(i).append('"');
                    vectors.append(i == b ? "" : ",").append(vector(random));
                }
                post(front, BASE + "/" + id + "/add", "{\"ids\":[" + ids + "],\"embeddings\":[" + vectors + "]}");
            }
        }
        // warm-up: the same load for 10 s, not counted (fresh JVMs compile the hot paths, caches fill)
        run(front, collections, random, Duration.ofSeconds(10), new AtomicLong(), new AtomicLong(), new ArrayList<>());
        AtomicLong done = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        List<long[]> latencies = new ArrayList<>();
        run(front, collections, random, Duration.ofSeconds(seconds), done, failed, latencies);
        List<Long> all = new ArrayList<>();
        for (long[] lat : latencies) {
            int n = (int) lat[lat.length - 1];
            for (int i = 0; i < n; i++) {
                all.add(lat[i]);
            }
        }
        all.sort(null);
        System.out.printf("clients %d, %d s: %d queries, %.1f queries/s, median %.1f ms, p99 %.1f ms, failed %d%n",
                clients, seconds, done.get(), done.get() / (double) seconds, all.get(all.size() / 2) / 1e6,
                all.get((int) (all.size() * 0.99)) / 1e6, failed.get());
    }

    static void run(URI front, List<String> collections, SplittableRandom random, Duration time, AtomicLong done,
                    AtomicLong failed, List<long[]> latencies) throws InterruptedException {
        int clients = collections.size();
        long end = System.nanoTime() + time.toNanos();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            String id = collections.get(c);
            long[] lat = new long[1_000_000];
            latencies.add(lat);
            SplittableRandom r = random.split();
            threads.add(Thread.ofPlatform().start(() -> {
                int n = 0;
                while (System.nanoTime() < end) {
                    long t = System.nanoTime();
                    try {
                        post(front, BASE + "/" + id + "/query", "{\"query_embeddings\":[" + vector(r) + "],\"n_results\":10}");
                        done.incrementAndGet();
                    } catch (Exception e) {
                        failed.incrementAndGet();
                    }
                    if (n < lat.length) {
                        lat[n++] = System.nanoTime() - t;
                    }
                }
                lat[lat.length - 1] = n;
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
    }

    static String vector(SplittableRandom r) {
        float[] v = new float[DIM];
        for (int i = 0; i < DIM; i++) {
            v[i] = (float) r.nextDouble(-1, 1);
        }
        return Arrays.toString(v);
    }

    static String post(URI front, String path, String body) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(front.resolve(path))
                .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() / 100 != 2) {
            throw new IllegalStateException(r.statusCode() + " " + r.body());
        }
        return r.body();
    }
}
