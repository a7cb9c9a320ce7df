import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Write throughput and acknowledgement latency over HTTP, as the Chroma clients write (base64 float32
 * embeddings). Usage: java bench/WriteBench.java URL DIM BATCH CLIENTS SECONDS
 * Prints one result line: vectors/s accepted durably, requests, p50 / p99 / max acknowledgement latency.
 */
public class WriteBench {

    public static void main(String[] args) throws Exception {
        String base = args.length > 0 ? args[0] : "http://localhost:8000";
        int dim = args.length > 1 ? Integer.parseInt(args[1]) : 384;
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        int clients = args.length > 3 ? Integer.parseInt(args[3]) : 1;
        int seconds = args.length > 4 ? Integer.parseInt(args[4]) : 20;

        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        String cols = base + "/api/v2/tenants/default_tenant/databases/default_database/collections";
        String name = "bench-" + System.nanoTime();
        String created = send(http, cols, "{\"name\":\"" + name + "\"}", 200);
        String id = created.replaceAll("(?s).*?\"id\":\"([^\"]+)\".*", "$1");
        String addUrl = cols + "/" + id + "/add";

        AtomicLong idSeq = new AtomicLong();
        long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        List<long[]> latencies = new ArrayList<>();
        AtomicLong vectors = new AtomicLong();
        AtomicLong requests = new AtomicLong();
        Thread[] threads = new Thread[clients];
        for (int c = 0; c < clients; c++) {
            long[] lat = new long[1_000_000];
            latencies.add(lat);
            final int client = c;
            threads[c] = Thread.ofPlatform().start(() -> {
                Random r = new Random(42 + client);
                int n = 0;
                while (System.nanoTime() < deadline) {
                    String body = body(r, dim, batch, idSeq);
                    long t0 = System.nanoTime();
                    try {
                        send(http, addUrl, body, 201);
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                    lat[n++] = System.nanoTime() - t0;
                    vectors.addAndGet(batch);
                    requests.incrementAndGet();
                }
                lat[lat.length - 1] = n;
            });
        }
        long start = System.nanoTime();
        for (Thread t : threads) {
            t.join();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        List<Long> all = new ArrayList<>();
        for (long[] lat : latencies) {
            int n = (int) lat[lat.length - 1];
            for (int i = 0; i < n; i++) {
                all.add(lat[i]);
            }
        }
        long[] sorted = all.stream().mapToLong(Long::longValue).sorted().toArray();
        String count = send(http, cols + "/" + id + "/count", null, 200).trim();
        System.out.printf("dim=%d batch=%d clients=%d seconds=%.1f vectors/s=%.0f requests=%d p50=%.1fms p99=%.1fms max=%.1fms count=%s%n",
                dim, batch, clients, elapsed, vectors.get() / elapsed, requests.get(),
                pct(sorted, 0.50), pct(sorted, 0.99), sorted.length == 0 ? 0 : sorted[sorted.length - 1] / 1e6, count);
        if (Long.parseLong(count) != vectors.get()) {
            throw new IllegalStateException("count " + count + " != acknowledged " + vectors.get());
        }
    }

    static double pct(long[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p * sorted.length) - 1)] / 1e6;
    }

    static String body(Random r, int dim, int batch, AtomicLong idSeq) {
        StringBuilder sb = new StringBuilder(batch * (dim * 6 + 64));
        StringBuilder ids = new StringBuilder();
        StringBuilder embs = new StringBuilder();
        StringBuilder metas = new StringBuilder();
        ByteBuffer buf = ByteBuffer.allocate(dim * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < batch; i++) {
            long id = idSeq.getAndIncrement();
            buf.clear();
            for (int d = 0; d < dim; d++) {
                buf.putFloat((float) r.nextGaussian());
            }
            String sep = i == 0 ? "" : ",";
            ids.append(sep).append("\"v").append(id).append('"');
            embs.append(sep).append('"').append(Base64.getEncoder().encodeToString(buf.array())).append('"');
            metas.append(sep).append("{\"n\":").append(id).append(",\"g\":\"g").append(id % 10).append("\"}");
        }
        sb.append("{\"ids\":[").append(ids).append("],\"embeddings\":[").append(embs)
                .append("],\"metadatas\":[").append(metas).append("]}");
        return sb.toString();
    }

    static String send(HttpClient http, String url, String body, int expected) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60));
        if (body == null) {
            b.GET();
        } else {
            b.header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        }
        HttpResponse<String> resp = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (resp.statusCode() != expected) {
            throw new IllegalStateException(url + " -> " + resp.statusCode() + " " + resp.body());
        }
        return resp.body();
    }
}
