import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Many small collections under a memory budget, over HTTP ({@code bench/memory-bench.sh} starts the server).
 * {@code run URL PID N RECORDS DATASET CSV}: creates N cosine collections {@code mem-<c>} of RECORDS records each
 * (vector i of collection c = normalize(base[(c·RECORDS + i) mod 30000] + N(0, 0.03²)) of the real set, a short
 * document, metadata {"bucket": i mod 10}) from 2 clients, waits until every one is compacted, then touches them in
 * turn twice (one query each, n_results 10, include distances and documents), checking every answer against the exact
 * top 10 computed here (ids, documents, distances within 1e-5). Every 2 s it samples the server's VmRSS/VmHWM from
 * /proc, its heap and the state cache's held bytes / collections / evictions from /q/metrics into CSV. Prints the
 * per-phase maxima; exits 1 on any wrong answer. Plain JDK plus QueryBench's helpers.
 */
public class MemoryBench {

    public static void main(String[] args) throws Exception {
        String root = args[1];
        String base = root + "/api/v2/tenants/default_tenant/databases/default_database/collections";
        long pid = Long.parseLong(args[2]);
        int n = Integer.parseInt(args[3]);
        int records = Integer.parseInt(args[4]);
        Path data = Path.of(args[5]);
        float[][] seeds = QueryBench.readFvecs(data.resolve("base.fvecs"));
        float[][] queries = QueryBench.readFvecs(data.resolve("query.fvecs"));
        AtomicReference<String> phase = new AtomicReference<>("load");
        long[] phaseMaxRss = new long[4];
        String[] phases = {"load", "compact", "touch1", "touch2"};
        Sampler sampler = new Sampler(root, pid, Path.of(args[6]), phase, phases, phaseMaxRss);
        Thread sampling = Thread.ofPlatform().daemon().start(sampler);

        String[] ids = new String[n];
        if (args[0].equals("touch")) {
            // The collections an earlier run loaded and compacted, on a restarted server: one touch pass.
            for (int c = 0; c < n; c++) {
                ids[c] = QueryBench.field(QueryBench.get(base + "/mem-" + c), "id");
            }
            // Compactions the earlier run left are finished first (pending seen, or published, then none pending).
            phase.set("compact");
            long w0 = System.nanoTime();
            boolean started = false;
            while (true) {
                String metrics = QueryBench.get(root + "/q/metrics");
                double pending = metric(metrics, "vermilion_compaction_pending_records\\S*");
                double published = metric(metrics, "vermilion_compactions_total\\{result=\"published\"\\S*");
                started |= pending > 0 || published > 0;
                if (pending == 0 && (started || System.nanoTime() - w0 > 30_000_000_000L)) {
                    break;
                }
                Thread.sleep(2000);
            }
            System.out.printf("compactions left by the earlier run: %.0f published in %.0f s after the restart%n",
                    metric(QueryBench.get(root + "/q/metrics"), "vermilion_compactions_total\\{result=\"published\"\\S*"),
                    (System.nanoTime() - w0) / 1e9);
            phase.set("touch1");
            int wrong = touchPass(base, ids, records, seeds, queries, 1);
            sampler.sampleNow();
            sampler.stop = true;
            sampling.join();
            System.out.printf("max VmRSS during compact  %,d MiB%n", phaseMaxRss[1] >> 10);
            System.out.printf("max VmRSS during touch1   %,d MiB%n", phaseMaxRss[2] >> 10);
            String end = QueryBench.get(root + "/q/metrics");
            System.out.printf("end: VmRSS %,d MiB, VmHWM %,d MiB, heap used %,d MiB, held %,d MiB in %,.0f collections,"
                            + " %,.0f evictions%n", Sampler.status(pid, "VmRSS") >> 10, Sampler.status(pid, "VmHWM") >> 10,
                    (long) heap(end) >> 20, (long) metric(end, "vermilion_read_cache_held_bytes\\S*") >> 20,
                    metric(end, "vermilion_read_cache_held_collections\\S*"),
                    metric(end, "vermilion_read_cache_evictions_total\\S*"));
            System.out.println(wrong == 0 ? "every answer exact (" + n + " queries)" : wrong + " WRONG answers");
            System.exit(wrong == 0 ? 0 : 1);
        }
        AtomicInteger next = new AtomicInteger();
        long t0 = System.nanoTime();
        Thread[] clients = new Thread[2];
        for (int t = 0; t < clients.length; t++) {
            clients[t] = Thread.ofPlatform().start(() -> {
                for (int c; (c = next.getAndIncrement()) < n; ) {
                    try {
                        ids[c] = QueryBench.field(QueryBench.send(base, "{\"name\":\"mem-" + c + "\",\"get_or_create\":true,"
                                + "\"configuration\":{\"hnsw\":{\"space\":\"cosine\"}}}", 200), "id");
                        StringBuilder body = new StringBuilder("{\"ids\":[");
                        for (int i = 0; i < records; i++) {
                            body.append(i == 0 ? "" : ",").append("\"r").append(i).append('"');
                        }
                        body.append("],\"embeddings\":[");
                        for (int i = 0; i < records; i++) {
                            body.append(i == 0 ? "" : ",").append('"').append(QueryBench.base64(vector(seeds, c, records, i))).append('"');
                        }
                        body.append("],\"documents\":[");
                        for (int i = 0; i < records; i++) {
                            body.append(i == 0 ? "" : ",").append("\"doc ").append(c).append(' ').append(i).append('"');
                        }
                        body.append("],\"metadatas\":[");
                        for (int i = 0; i < records; i++) {
                            body.append(i == 0 ? "" : ",").append("{\"bucket\":").append(i % 10).append('}');
                        }
                        QueryBench.send(base + "/" + ids[c] + "/add", body.append("]}").toString(), 201);
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                    if (c % 100 == 99) {
                        System.out.printf("loaded %d collections, %.0f s%n", c + 1, (System.nanoTime() - t0) / 1e9);
                    }
                }
            });
        }
        for (Thread c : clients) {
            c.join();
        }
        double loadSeconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("loaded %,d collections × %,d records in %.0f s%n", n, records, loadSeconds);
        phase.set("compact");
        long c0 = System.nanoTime();
        while (true) {
            String metrics = QueryBench.get(root + "/q/metrics");
            double pending = metric(metrics, "vermilion_compaction_pending_records\\S*");
            double published = metric(metrics, "vermilion_compactions_total\\{result=\"published\"\\S*");
            if (pending == 0 && published >= n) {
                break;
            }
            Thread.sleep(2000);
        }
        System.out.printf("all compacted %.0f s after the last add%n", (System.nanoTime() - c0) / 1e9);

        int wrong = 0;
        for (int pass = 1; pass <= 2; pass++) {
            phase.set("touch" + pass);
            wrong += touchPass(base, ids, records, seeds, queries, pass);
        }
        sampler.sampleNow();
        sampler.stop = true;
        sampling.join();
        String metrics = QueryBench.get(root + "/q/metrics");
        for (int i = 0; i < phases.length; i++) {
            System.out.printf("max VmRSS during %-8s %,d MiB%n", phases[i], phaseMaxRss[i] >> 10);
        }
        System.out.printf("end: VmRSS %,d MiB, VmHWM %,d MiB, heap used %,d MiB, held %,d MiB in %,.0f collections,"
                        + " %,.0f evictions%n", Sampler.status(pid, "VmRSS") >> 10, Sampler.status(pid, "VmHWM") >> 10,
                (long) heap(metrics) >> 20, (long) metric(metrics, "vermilion_read_cache_held_bytes\\S*") >> 20,
                metric(metrics, "vermilion_read_cache_held_collections\\S*"),
                metric(metrics, "vermilion_read_cache_evictions_total\\S*"));
        System.out.println(wrong == 0 ? "every answer exact (" + 2 * n + " queries)" : wrong + " WRONG answers");
        System.exit(wrong == 0 ? 0 : 1);
    }

    /** One query per collection in turn, each answer checked exactly; prints the latencies, returns the wrong answers. */
    static int touchPass(String base, String[] ids, int records, float[][] seeds, float[][] queries, int pass)
            throws IOException, InterruptedException {
        int n = ids.length;
        int wrong = 0;
        long p0 = System.nanoTime();
        long[] latencies = new long[n];
        for (int c = 0; c < n; c++) {
            float[] q = queries[c % queries.length];
            long s = System.nanoTime();
            String answer = QueryBench.send(base + "/" + ids[c] + "/query", "{\"query_embeddings\":["
                    + Arrays.toString(q) + "],\"n_results\":10,\"include\":[\"distances\",\"documents\"]}", 200);
            latencies[c] = System.nanoTime() - s;
            String problem = check(answer, seeds, c, records, q);
            if (problem != null) {
                wrong++;
                if (wrong <= 5) {
                    System.out.println("WRONG answer, collection " + c + ": " + problem);
                }
            }
        }
        Arrays.sort(latencies);
        System.out.printf("touch pass %d: %,d queries in %.0f s, p50 %.1f ms, p99 %.1f ms%n", pass, n,
                (System.nanoTime() - p0) / 1e9, QueryBench.pct(latencies, 0.5), QueryBench.pct(latencies, 0.99));
        return wrong;
    }

    /** Vector i of collection c: a noisy copy of a real vector, as QueryBench derives them. */
    static float[] vector(float[][] seeds, int c, int records, int i) {
        return QueryBench.vector(seeds, c * records + i);
    }

    /** Null if {@code answer} holds the exact top 10 of collection c for q (cosine), else what differs. */
    static String check(String answer, float[][] seeds, int c, int records, float[] q) {
        double qn = 0;
        for (float x : q) {
            qn += (double) x * x;
        }
        double[] distances = new double[records];
        Integer[] order = new Integer[records];
        for (int i = 0; i < records; i++) {
            float[] v = vector(seeds, c, records, i);
            double dot = 0;
            for (int d = 0; d < v.length; d++) {
                dot += (double) q[d] * v[d];
            }
            distances[i] = 1 - dot / Math.sqrt(qn); // v has unit norm
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(distances[a], distances[b]));
        Matcher idList = Pattern.compile("\"ids\":\\[\\[([^\\]]*)]]").matcher(answer);
        Matcher distList = Pattern.compile("\"distances\":\\[\\[([^\\]]*)]]").matcher(answer);
        Matcher docList = Pattern.compile("\"documents\":\\[\\[([^\\]]*)]]").matcher(answer);
        if (!idList.find() || !distList.find() || !docList.find()) {
            return "unparsable: " + answer;
        }
        String[] got = idList.group(1).replace("\"", "").split(",");
        String[] gotDistances = distList.group(1).split(",");
        String[] gotDocs = docList.group(1).replace("\"", "").split(",");
        if (got.length != 10) {
            return got.length + " ids";
        }
        for (int k = 0; k < 10; k++) {
            int want = order[k];
            // Another record at (float32-)equal distance is the same answer: the server ranks in float32, this in double.
            int gotIndex = got[k].startsWith("r") ? Integer.parseInt(got[k].substring(1)) : -1;
            boolean tie = gotIndex >= 0 && gotIndex < records && Math.abs(distances[gotIndex] - distances[want]) <= 1e-6;
            if (!(got[k].equals("r" + want) || tie) || !gotDocs[k].equals("doc " + c + " " + gotIndex)
                    || Math.abs(Double.parseDouble(gotDistances[k]) - distances[want]) > 1e-5) {
                return "rank " + k + ": got " + got[k] + " / " + gotDocs[k] + " / " + gotDistances[k] + " (exactly "
                        + (gotIndex >= 0 && gotIndex < records ? distances[gotIndex] : Double.NaN) + "), want r" + want
                        + " / " + distances[want];
            }
        }
        return null;
    }

    static double metric(String metrics, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + " (\\S+)$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    static double heap(String metrics) {
        Matcher m = Pattern.compile("(?m)^jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*} (\\S+)$").matcher(metrics);
        double sum = 0;
        while (m.find()) {
            sum += Double.parseDouble(m.group(1));
        }
        return sum;
    }

    /** Samples the server every 2 s into CSV: seconds, phase, VmRSS KiB, VmHWM KiB, heap bytes, held bytes/collections, evictions. */
    static final class Sampler implements Runnable {
        final String root;
        final long pid;
        final PrintWriter out;
        final AtomicReference<String> phase;
        final String[] phases;
        final long[] maxRss;
        final long t0 = System.nanoTime();
        volatile boolean stop;

        Sampler(String root, long pid, Path csv, AtomicReference<String> phase, String[] phases, long[] maxRss)
                throws IOException {
            this.root = root;
            this.pid = pid;
            this.out = new PrintWriter(Files.newBufferedWriter(csv), true);
            this.phase = phase;
            this.phases = phases;
            this.maxRss = maxRss;
            out.println("seconds,phase,vm_rss_kib,vm_hwm_kib,heap_bytes,held_bytes,held_collections,evictions");
        }

        @Override
        public void run() {
            while (!stop) {
                try {
                    sampleNow();
                    Thread.sleep(2000);
                } catch (Exception e) {
                    System.out.println("sampling: " + e);
                }
            }
        }

        synchronized void sampleNow() throws Exception {
            String metrics = QueryBench.get(root + "/q/metrics");
            String now = phase.get();
            long rss = status(pid, "VmRSS");
            int index = Arrays.asList(phases).indexOf(now);
            maxRss[index] = Math.max(maxRss[index], rss);
            out.printf("%.0f,%s,%d,%d,%.0f,%.0f,%.0f,%.0f%n", (System.nanoTime() - t0) / 1e9, now, rss,
                    status(pid, "VmHWM"), heap(metrics), metric(metrics, "vermilion_read_cache_held_bytes\\S*"),
                    metric(metrics, "vermilion_read_cache_held_collections\\S*"),
                    metric(metrics, "vermilion_read_cache_evictions_total\\S*"));
        }

        /** A field of /proc/PID/status in KiB. */
        static long status(long pid, String field) throws IOException {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
            return -1;
        }
    }
}
