import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Per-request breakdown of a JFR recording of the Vermilion server (bench/side-by-side.sh --profile): every
 * execution sample (a thread on CPU in Java code) and native-method sample (a thread in native code, e.g. blocked on
 * a socket) is put in one bucket by its thread and the first matching rule over its whole stack, then divided by
 * the number of requests the client made during the recording. Usage: java JfrBreakdown.java FILE.jfr REQUESTS
 */
public class JfrBreakdown {

    record Rule(String bucket, Predicate<String> frame) {}

    /** First rule that matches any frame of the stack wins; order = most specific purpose first. */
    static final List<Rule> RULES = List.of(
            new Rule("catalog: PostgreSQL round trip (JDBC, sysdb)", f -> f.startsWith("org.postgresql.")
                    || f.startsWith("io.vermilion.sysdb.") || f.startsWith("io.agroal.")
                    || f.startsWith("io.vermilion.resilience.ResilientLogCatalog")),
            new Rule("collection configuration / schema parse", f -> f.startsWith("io.vermilion.api.CollectionConfigs")
                    || f.startsWith("io.vermilion.api.CollectionSchemas") || f.startsWith("io.vermilion.config.IndexSchemas")
                    || f.startsWith("io.vermilion.index.IndexSchema")),
            new Rule("log tail: read fragments + exact scan", f -> f.startsWith("io.vermilion.executor.ExactCollectionReader")
                    || f.startsWith("io.vermilion.executor.CollectionTail") || f.startsWith("io.vermilion.log.")),
            new Rule("index: Lucene search + record load", f -> f.startsWith("org.apache.lucene.")
                    || f.startsWith("io.vermilion.index.")),
            new Rule("version/state cache, object store", f -> f.startsWith("io.vermilion.executor.")
                    || f.startsWith("io.vermilion.storage.") || f.startsWith("io.vermilion.blockstore.")
                    || f.startsWith("io.vermilion.version.") || f.startsWith("io.vermilion.compactor.CompactedCollectionLoader")),
            new Rule("JSON encode (response)", f -> f.startsWith("io.vermilion.api.RecordJson")
                    || f.contains("jackson.core.json.UTF8JsonGenerator") || f.contains("jackson.databind.ser.")
                    || f.contains("ObjectMapper.write") || f.contains("ObjectWriter.")),
            new Rule("JSON decode (request: tree, floats, base64)", f -> f.contains("com.fasterxml.jackson.")
                    || f.startsWith("io.vermilion.api.JsonBody") || f.startsWith("io.vermilion.api.RecordWrites")
                    || f.startsWith("java.util.Base64")),
            new Rule("auth, quotas, rate limits", f -> f.startsWith("io.vermilion.gateway.")),
            new Rule("request handling (resource code)", f -> f.startsWith("io.vermilion.api.")),
            new Rule("HTTP framework (Vert.x, Netty, RESTEasy, Mutiny)", f -> f.startsWith("io.netty.")
                    || f.startsWith("io.vertx.") || f.startsWith("org.jboss.resteasy.") || f.startsWith("io.quarkus.")
                    || f.startsWith("io.smallrye.")));

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        int requests = Integer.parseInt(args[1]);
        Map<String, long[]> buckets = new TreeMap<>(); // bucket -> {cpu samples, native samples}
        long periodJava = 0, periodNative = 0;
        Map<Long, String> typeNames = new TreeMap<>();
        List<RecordedEvent> settings = new ArrayList<>();
        long cpu = 0, nat = 0;
        double userSum = 0, systemSum = 0;
        int loads = 0;
        Duration gcPauses = Duration.ZERO, compiling = Duration.ZERO;
        for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
            String type = e.getEventType().getName();
            if (type.equals("jdk.ActiveSetting")) {
                settings.add(e);
                continue;
            }
            if (type.equals("jdk.CPULoad")) {
                userSum += e.getFloat("jvmUser");
                systemSum += e.getFloat("jvmSystem");
                loads++;
                continue;
            }
            if (type.equals("jdk.Compilation")) {
                compiling = compiling.plus(e.getDuration());
                continue;
            }
            if (type.equals("jdk.GarbageCollection")) {
                gcPauses = gcPauses.plus(e.getDuration("sumOfPauses"));
                continue;
            }
            boolean isCpu = type.equals("jdk.ExecutionSample");
            if (!isCpu && !type.equals("jdk.NativeMethodSample")) {
                continue;
            }
            String thread = e.getThread("sampledThread") == null ? "?" : e.getThread("sampledThread").getJavaName();
            String bucket = bucket(thread, e.getStackTrace());
            buckets.computeIfAbsent(bucket, k -> new long[2])[isCpu ? 0 : 1]++;
            if (isCpu) cpu++; else nat++;
        }
        for (RecordedEvent s : settings) {
            if (!"period".equals(s.getString("name"))) continue;
            long id = s.getLong("id");
            String v = s.getString("value");
            // the event type ids of the two sample events, by name, from the recording's metadata
            for (var t : new RecordingFile(file).readEventTypes()) {
                if (t.getId() == id && t.getName().equals("jdk.ExecutionSample")) periodJava = millis(v);
                if (t.getId() == id && t.getName().equals("jdk.NativeMethodSample")) periodNative = millis(v);
            }
        }
        System.out.printf("samples: %d on CPU (every %d ms per thread), %d in native (every %d ms); %d requests%n",
                cpu, periodJava, nat, periodNative, requests);
        double seconds = loads; // jdk.CPULoad comes once a second (profile and default settings)
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.printf("whole JVM (jdk.CPULoad, %d samples = %.0f s, %d cores): user %.3f + system %.3f ms per request;"
                        + " GC pauses %.3f, JIT compiling (compiler threads, wall) %.3f ms per request%n", loads, seconds, cores,
                loads == 0 ? 0 : userSum / loads * cores * seconds * 1000 / requests,
                loads == 0 ? 0 : systemSum / loads * cores * seconds * 1000 / requests,
                gcPauses.toNanos() / 1e6 / requests, compiling.toNanos() / 1e6 / requests);
        System.out.println("| where | CPU ms per request | share of CPU samples | native (blocked/IO) ms per request |");
        System.out.println("|---|---:|---:|---:|");
        List<Map.Entry<String, long[]>> rows = new ArrayList<>(buckets.entrySet());
        rows.sort((a, b) -> Long.compare(b.getValue()[0] + b.getValue()[1], a.getValue()[0] + a.getValue()[1]));
        for (Map.Entry<String, long[]> en : rows) {
            System.out.printf("| %s | %.3f | %.1f %% | %.3f |%n", en.getKey(),
                    en.getValue()[0] * (double) periodJava / requests, 100.0 * en.getValue()[0] / Math.max(1, cpu),
                    en.getValue()[1] * (double) periodNative / requests);
        }
    }

    static final String IDLE = "(idle: waiting for network events)";

    static long millis(String v) {
        String s = v.trim();
        if (s.endsWith("ms")) return Long.parseLong(s.substring(0, s.length() - 2).trim());
        if (s.endsWith("s")) return Long.parseLong(s.substring(0, s.length() - 1).trim()) * 1000;
        return Duration.parse(s).toMillis();
    }

    static String bucket(String thread, RecordedStackTrace stack) {
        String pool = thread.startsWith("vermilion-compact") || thread.startsWith("vermilion-index-add")
                || thread.startsWith("vermilion-hnsw-merge") || thread.startsWith("Lucene Merge Thread") ? "compaction"
                : thread.startsWith("vert.x-eventloop") ? "event loop"
                : thread.startsWith("executor-thread") || thread.startsWith("vert.x-worker") ? "request worker"
                : thread.startsWith("vermilion-read") ? "read pool"
                : thread.startsWith("vermilion-") ? thread.replaceAll("-\\d+$", "")
                : "other threads";
        if (pool.equals("compaction")) return "[compaction] background compaction (all of it)";
        if (stack == null) return "[" + pool + "] (no stack)";
        if (!stack.getFrames().isEmpty() && stack.getFrames().get(0).getMethod() != null) {
            String top = stack.getFrames().get(0).getMethod().getType().getName();
            if (top.equals("sun.nio.ch.EPoll") || top.equals("sun.nio.ch.EPollSelectorImpl") || top.equals("sun.nio.ch.Net")
                    && stack.getFrames().get(0).getMethod().getName().equals("accept")) {
                return IDLE;
            }
        }
        for (Rule r : RULES) {
            for (RecordedFrame f : stack.getFrames()) {
                if (f.getMethod() == null || f.getMethod().getType() == null) continue;
                String name = f.getMethod().getType().getName() + "." + f.getMethod().getName();
                if (r.frame().test(name)) return "[" + pool + "] " + r.bucket();
            }
        }
        List<RecordedFrame> frames = stack.getFrames();
        String top = frames.isEmpty() || frames.get(0).getMethod() == null ? "?"
                : frames.get(0).getMethod().getType().getName().replaceAll("\\.[^.]*$", "");
        return "[" + pool + "] other (" + top + ")";
    }
}
