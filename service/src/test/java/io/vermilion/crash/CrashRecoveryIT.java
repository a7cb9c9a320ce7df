package io.vermilion.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vermilion.log.FragmentKeys;
import io.vermilion.log.FragmentWriter;
import io.vermilion.record.LogRecord;
import io.vermilion.record.MetadataValue;
import io.vermilion.record.Operation;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The crash test, against the packaged server: writer threads in this JVM (a separate process from the server) write
 * continuously over HTTP while the server is killed with SIGKILL at a random moment, then restarted on the same object
 * store and catalog. After every restart each acknowledged write is visible with its exact value, each failed write is
 * entirely visible or entirely absent, and log fragments the kill left unrecorded (and ones planted like them) never
 * show up in reads and are removed by the log sweep. The catalog's PostgreSQL runs in this JVM, so it outlives the kills.
 * Seeded: the seed is printed, {@code -Dcrash.seed=N} replays the same choices (the kill lands wherever it lands).
 */
class CrashRecoveryIT {

    private static final long SEED = Long.getLong("crash.seed", new SplittableRandom().nextLong());
    private static final int CYCLES = Integer.getInteger("crash.cycles", 6);
    private static final int WRITERS = 4;
    /** Ids each writer owns in each collection; writers never touch each other's ids, so each id's writes are ordered. */
    private static final int IDS_PER_WRITER = 24;
    private static final int MAX_BATCH = 8;
    private static final int DIMENSION = 8;
    /** The kill comes this long after the cycle's first acknowledged write. */
    private static final long MIN_KILL_MILLIS = 300;
    private static final long MAX_KILL_MILLIS = 2500;
    /** Exit status Java reports for a child ended by signal 9. */
    private static final int SIGKILL_EXIT = 128 + 9;
    private static final String BASE = "/api/v2/tenants/default_tenant/databases/default_database/collections";

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS); // read floats exactly, as the server wrote them

    private final SplittableRandom random = new SplittableRandom(SEED);
    private final List<CollectionModel> collections = new ArrayList<>();
    /** Per writer, the next sequence number; values are derived from (writer, sequence, index), so each is unique. */
    private final long[] nextSeq = new long[WRITERS];
    private EmbeddedPostgres catalog;
    private Path dataDir;
    private Server server;
    private HttpClient http;
    private int cycle;
    private boolean passed;

    @AfterEach
    void tearDown() throws IOException {
        if (server != null) {
            server.stop();
        }
        if (catalog != null) {
            catalog.close();
        }
        if (dataDir != null) {
            if (passed) {
                deleteTree(dataDir);
            } else {
                System.out.printf("[crash] data and server logs kept in %s%n", dataDir);
            }
        }
    }

    @Test
    void acknowledgedWritesSurviveKill() throws Exception {
        System.out.printf("[crash] seed %d (re-run with -Dcrash.seed=%d), %d cycles, %d writers%n", SEED, SEED, CYCLES, WRITERS);
        long started = System.nanoTime();
        try {
            catalog = EmbeddedPostgres.builder().start();
            dataDir = Files.createTempDirectory("vermilion-crash-");
            server = new Server();
            server.start();
            CollectionModel main = createCollection("crash-main");
            long totalAcked = 0;
            long totalFailed = 0;
            long totalTempFiles = 0;
            for (cycle = 1; cycle <= CYCLES; cycle++) {
                CollectionModel current = createCollection("crash-cycle-" + cycle);
                Set<String> unrecordedBefore = unrecordedFragments();
                Set<Path> tempBefore = tempFiles();
                CycleResult result = writeAndKill(List.of(main, current));
                Set<String> leftByKill = unrecordedFragments();
                leftByKill.removeAll(unrecordedBefore);
                Set<Path> tempLeft = tempFiles();
                tempLeft.removeAll(tempBefore);
                totalTempFiles += tempLeft.size();
                plantOrphans(main);
                plantOrphans(current);
                long restart = server.start();
                Verified verified = verify(result.failures());
                awaitSwept(false);
                totalAcked += result.ackedRequests();
                totalFailed += result.failures().size();
                System.out.printf("[crash] cycle %d/%d: killed %d ms after the first ack; acked %d requests (%d records),"
                                + " failed %d (%d entirely visible, %d entirely absent); verified %d records in %d"
                                + " collections; the kill left %d unrecorded fragment(s) and %d temporary file(s);"
                                + " restarted in %d ms%n",
                        cycle, CYCLES, result.killAfterMillis(), result.ackedRequests(), result.ackedRecords(),
                        result.failures().size(), verified.failedVisible(), verified.failedAbsent(), verified.records(),
                        collections.size(), leftByKill.size(), tempLeft.size(), restart);
            }
            cycle = CYCLES + 1; // the final check
            // Move every log past its orphans, then every fragment in storage must be a recorded one.
            for (CollectionModel c : collections) {
                Write last = new Write(c, Operation.UPSERT, List.of(id(0, 0)), List.of(new Value(0, nextSeq[0]++, 0)));
                HttpResponse<String> r = post(BASE + "/" + c.id + "/upsert", last.body(), Duration.ofSeconds(30));
                assertEquals(200, r.statusCode(), () -> ctx() + "final upsert to " + c.name + ": " + r.body());
                last.apply();
            }
            awaitSwept(true);
            Verified finalState = verify(List.of());
            System.out.printf("[crash] passed: %d cycles, %d acknowledged and %d failed requests, %d records verified,"
                            + " %d s (%d temporary file(s) of interrupted uploads remain until the sweep deletes them, 10 minutes on)%n",
                    CYCLES, totalAcked, totalFailed, finalState.records(),
                    TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started), totalTempFiles);
            int[] compactions = compactionsInServerLogs();
            System.out.printf("[crash] compactions: %d published, %d cycle(s) killed while a compaction was running%n",
                    compactions[0], compactions[1]);
            assertTrue(compactions[0] > 0, "no compaction ran during the crash test");
            passed = true;
        } catch (Throwable t) {
            System.out.printf("[crash] FAILED %s%s%n", ctx(), t);
            if (server != null) {
                System.out.println(server.logTail());
            }
            throw t;
        }
    }

    // ---- one cycle: write, kill -----------------------------------------------------------------------------------

    private record CycleResult(long ackedRequests, long ackedRecords, List<Failed> failures, long killAfterMillis) {}

    private CycleResult writeAndKill(List<CollectionModel> targets) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong acked = new AtomicLong();
        List<Writer> writers = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            Writer writer = new Writer(w, new SplittableRandom(random.nextLong()), targets, stop, acked);
            writers.add(writer);
            threads.add(Thread.ofPlatform().name("crash-writer-" + w).start(writer));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (acked.get() == 0 && System.nanoTime() < deadline && threads.stream().anyMatch(Thread::isAlive)) {
            Thread.sleep(5);
        }
        assertTrue(acked.get() > 0, () -> ctx() + "no write was acknowledged before the kill: "
                + writers.stream().map(w -> String.valueOf(w.failure)).toList());
        long killAfter = random.nextLong(MIN_KILL_MILLIS, MAX_KILL_MILLIS + 1);
        Thread.sleep(killAfter);
        int exit = server.kill();
        stop.set(true);
        assertEquals(SIGKILL_EXIT, exit, () -> ctx() + "the server was not ended by SIGKILL");
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(60));
            assertTrue(!t.isAlive(), () -> ctx() + t.getName() + " did not stop after the kill");
        }
        long requests = 0;
        long records = 0;
        List<Failed> failures = new ArrayList<>();
        for (Writer w : writers) {
            if (w.unexpected != null) {
                fail(ctx() + "writer " + w.writer + " got an answer that is neither success nor server failure: "
                        + w.unexpected);
            }
            requests += w.ackedRequests;
            records += w.ackedRecords;
            if (w.failure != null) {
                failures.add(w.failure);
            }
        }
        return new CycleResult(requests, records, failures, killAfter);
    }

    /**
     * One writer of one cycle: sends writes on its own ids, one at a time, until told to stop or a write fails. A write
     * is applied to the model when acknowledged; the first failed write (outcome unknown) ends the writer, so the model
     * stays exact apart from that one write, which verification resolves.
     */
    private final class Writer implements Runnable {
        final int writer;
        final SplittableRandom rnd;
        final List<CollectionModel> targets;
        final AtomicBoolean stop;
        final AtomicLong acked;
        long ackedRequests;
        long ackedRecords;
        volatile Failed failure;
        volatile String unexpected;

        Writer(int writer, SplittableRandom rnd, List<CollectionModel> targets, AtomicBoolean stop, AtomicLong acked) {
            this.writer = writer;
            this.rnd = rnd;
            this.targets = targets;
            this.stop = stop;
            this.acked = acked;
        }

        @Override
        public void run() {
            while (!stop.get()) {
                Write write = next();
                HttpResponse<String> r;
                try {
                    r = post(BASE + "/" + write.collection.id + "/" + write.route(), write.body(), Duration.ofSeconds(20));
                } catch (IOException e) { // connection refused or reset, timeout
                    failure = new Failed(write, e.toString());
                    return;
                } catch (InterruptedException e) {
                    failure = new Failed(write, e.toString());
                    Thread.currentThread().interrupt();
                    return;
                }
                int status = r.statusCode();
                if (status / 100 == 2) {
                    write.apply();
                    ackedRequests++;
                    ackedRecords += write.ids.size();
                    acked.incrementAndGet();
                } else if (status >= 500) {
                    failure = new Failed(write, "HTTP " + status + " " + r.body());
                    return;
                } else {
                    unexpected = "HTTP " + status + " " + r.body() + " for " + write;
                    return;
                }
            }
        }

        /** A write every record of which changes its id's state: add only absent ids, delete only present ones. */
        private Write next() {
            CollectionModel c = targets.get(rnd.nextInt(10) < 6 ? 0 : 1);
            int roll = rnd.nextInt(100);
            Operation op = roll < 40 ? Operation.ADD : roll < 75 ? Operation.UPSERT : Operation.DELETE;
            List<String> eligible = new ArrayList<>();
            for (int k = 0; k < IDS_PER_WRITER; k++) {
                String id = id(writer, k);
                boolean present = c.model.containsKey(id);
                if (op == Operation.UPSERT || (op == Operation.ADD) != present) {
                    eligible.add(id);
                }
            }
            if (eligible.isEmpty()) {
                op = Operation.UPSERT;
                for (int k = 0; k < IDS_PER_WRITER; k++) {
                    eligible.add(id(writer, k));
                }
            }
            int n = Math.min(eligible.size(), 1 + rnd.nextInt(MAX_BATCH));
            List<String> ids = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                ids.add(eligible.remove(rnd.nextInt(eligible.size())));
            }
            List<Value> values = null;
            if (op != Operation.DELETE) {
                long seq = nextSeq[writer]++;
                values = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    values.add(new Value(writer, seq, i));
                }
            }
            return new Write(c, op, ids, values);
        }
    }

    private static String id(int writer, int k) {
        return "w" + writer + "-" + k;
    }

    // ---- the model ----------------------------------------------------------------------------------------------

    /** A collection and what it must hold: the value of each present id (each id is changed by one writer only). */
    private static final class CollectionModel {
        final String name;
        final UUID id;
        final Map<String, Value> model = new ConcurrentHashMap<>();
        final Set<String> orphanIds = ConcurrentHashMap.newKeySet();

        CollectionModel(String name, UUID id) {
            this.name = name;
            this.id = id;
        }
    }

    /** One request; {@code values} is null for a delete. */
    private record Write(CollectionModel collection, Operation op, List<String> ids, List<Value> values) {

        String route() {
            return switch (op) {
                case ADD -> "add";
                case UPSERT -> "upsert";
                case DELETE -> "delete";
                case UPDATE -> throw new IllegalStateException("not used");
            };
        }

        String body() {
            ObjectNode body = JSON.createObjectNode();
            ArrayNode idArray = body.putArray("ids");
            ids.forEach(idArray::add);
            if (values != null) {
                ArrayNode embeddings = body.putArray("embeddings");
                ArrayNode metadatas = body.putArray("metadatas");
                ArrayNode documents = body.putArray("documents");
                ArrayNode uris = body.putArray("uris");
                for (Value v : values) {
                    ArrayNode e = embeddings.addArray();
                    for (float f : v.embedding()) {
                        e.add(f);
                    }
                    ObjectNode m = metadatas.addObject();
                    m.put("writer", v.writer).put("seq", v.seq).put("index", v.index).put("score", v.score())
                            .put("tag", v.tag()).put("even", v.seq % 2 == 0);
                    m.putArray("path").add(v.writer).add(v.seq).add(v.index);
                    documents.add(v.document());
                    uris.add(v.uri());
                }
            }
            return body.toString();
        }

        /** The state of {@code id} once this write is applied (null: absent). */
        Value after(String id) {
            return values == null ? null : values.get(ids.indexOf(id));
        }

        void apply() {
            for (String id : ids) {
                Value v = after(id);
                if (v == null) {
                    collection.model.remove(id);
                } else {
                    collection.model.put(id, v);
                }
            }
        }

        @Override
        public String toString() {
            return op + " " + ids + " in " + collection.name + (values == null ? "" : " with seq " + values.get(0).seq);
        }
    }

    private record Failed(Write write, String cause) {}

    /** A record's value, derived from who wrote it (writer, sequence number, index in the request). */
    private record Value(int writer, long seq, int index) {

        private SplittableRandom rng() {
            return new SplittableRandom(((long) writer << 56) ^ (seq << 8) ^ index);
        }

        float[] embedding() {
            SplittableRandom r = rng();
            float[] e = new float[DIMENSION];
            for (int i = 0; i < e.length - 1; i++) {
                e[i] = (float) (r.nextDouble() * 2 - 1);
            }
            e[e.length - 1] = (float) (r.nextDouble(0.5, 1) * Math.pow(10, r.nextInt(-40, 38))); // extreme magnitudes
            return e;
        }

        double score() {
            return rng().nextDouble() * 1e6 - 5e5;
        }

        String tag() {
            return "w" + writer + "/" + seq + "/" + index;
        }

        String document() {
            return "document " + tag() + " — é✓ " + Long.toHexString(rng().nextLong());
        }

        String uri() {
            return "mem://" + tag();
        }

        Map<String, Object> metadata() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("writer", (long) writer);
            m.put("seq", seq);
            m.put("index", (long) index);
            m.put("score", score());
            m.put("tag", tag());
            m.put("even", seq % 2 == 0);
            m.put("path", List.of((long) writer, seq, (long) index));
            return m;
        }

        /** Whether the server returned exactly this value (floats bit for bit, metadata with its types). */
        boolean matches(Observed o) {
            return o != null && Arrays.equals(embedding(), o.embedding) && metadata().equals(o.metadata)
                    && document().equals(o.document) && uri().equals(o.uri);
        }
    }

    /** A record as the server returned it. */
    private record Observed(float[] embedding, Map<String, Object> metadata, String document, String uri) {
        @Override
        public String toString() {
            return "{embedding=" + Arrays.toString(embedding) + ", metadata=" + metadata + ", document=" + document
                    + ", uri=" + uri + "}";
        }
    }

    private static boolean same(Value expected, Observed observed) {
        return expected == null ? observed == null : expected.matches(observed);
    }

    private static String describe(Value v) {
        return v == null ? "absent"
                : "{embedding=" + Arrays.toString(v.embedding()) + ", metadata=" + v.metadata() + ", document="
                        + v.document() + ", uri=" + v.uri() + "}";
    }

    // ---- verification -------------------------------------------------------------------------------------------

    private record Verified(long records, int failedVisible, int failedAbsent) {}

    /**
     * Reads every collection from the restarted server, decides for each failed write whether it became visible (all
     * of its records, or none), and then requires each collection to hold exactly its model, by every read path.
     */
    private Verified verify(List<Failed> failures) throws Exception {
        int visible = 0;
        int absent = 0;
        long records = 0;
        for (CollectionModel c : collections) {
            HttpResponse<String> byName = get(BASE + "/" + c.name);
            assertEquals(200, byName.statusCode(), () -> ctx() + "collection " + c.name + " is gone: " + byName.body());
            assertEquals(c.id.toString(), JSON.readTree(byName.body()).path("id").asText(), () -> ctx() + c.name);

            Map<String, Observed> actual = read(c, null);
            List<Failed> failed = failures.stream().filter(f -> f.write.collection == c).toList();
            Set<String> uncertain = new HashSet<>();
            failed.forEach(f -> uncertain.addAll(f.write.ids));
            requireExactly(c, actual, uncertain, "get"); // every acknowledged write first
            for (Failed f : failed) {
                int asAfter = 0;
                int asBefore = 0;
                StringBuilder detail = new StringBuilder();
                for (String id : f.write.ids) {
                    Value before = c.model.get(id);
                    Value after = f.write.after(id);
                    Observed o = actual.get(id);
                    if (same(after, o)) {
                        asAfter++;
                    } else if (same(before, o)) {
                        asBefore++;
                    }
                    detail.append("\n  ").append(id).append(": acknowledged ").append(describe(before))
                            .append("; failed write ").append(describe(after)).append("; server ").append(o);
                }
                int n = f.write.ids.size();
                if (asAfter == n) {
                    f.write.apply();
                    visible++;
                } else if (asBefore == n) {
                    absent++;
                } else if (asAfter + asBefore < n) {
                    fail(ctx() + "after failed write " + f.write + " (" + f.cause + "), " + (n - asAfter - asBefore)
                            + " of its records hold neither their acknowledged value nor the failed write's" + detail);
                } else {
                    fail(ctx() + "failed write " + f.write + " (" + f.cause + ") is half-visible: " + asAfter + " of "
                            + n + " records applied" + detail);
                }
            }
            requireExactly(c, actual, Set.of(), "get");
            List<String> probe = new ArrayList<>(c.orphanIds);
            for (int w = 0; w < WRITERS; w++) {
                for (int k = 0; k < IDS_PER_WRITER; k++) {
                    probe.add(id(w, k));
                }
            }
            requireExactly(c, read(c, probe), Set.of(), "get by ids");
            HttpResponse<String> count = get(BASE + "/" + c.id + "/count");
            assertEquals(200, count.statusCode(), () -> ctx() + count.body());
            assertEquals(c.model.size(), Integer.parseInt(count.body().trim()), () -> ctx() + "count of " + c.name);
            records += c.model.size();
        }
        return new Verified(records, visible, absent);
    }

    /** Requires {@code actual} to be exactly the collection's model, except for the ids in {@code unknown}. */
    private void requireExactly(CollectionModel c, Map<String, Observed> actual, Set<String> unknown, String how) {
        Set<String> missing = new TreeSet<>(c.model.keySet());
        missing.removeAll(actual.keySet());
        missing.removeAll(unknown);
        Set<String> extra = new TreeSet<>(actual.keySet());
        extra.removeAll(c.model.keySet());
        extra.removeAll(unknown);
        assertTrue(missing.isEmpty() && extra.isEmpty(), () -> ctx() + how + " of " + c.name + ": acknowledged but missing "
                + missing + ", present but never acknowledged " + extra);
        for (Map.Entry<String, Value> e : c.model.entrySet()) {
            if (unknown.contains(e.getKey())) {
                continue;
            }
            Observed o = actual.get(e.getKey());
            assertTrue(e.getValue().matches(o), () -> ctx() + how + " of " + c.name + ": " + e.getKey() + " should be "
                    + describe(e.getValue()) + " but is " + o);
        }
    }

    private Map<String, Observed> read(CollectionModel c, List<String> ids) throws Exception {
        ObjectNode body = JSON.createObjectNode();
        if (ids != null) {
            ArrayNode a = body.putArray("ids");
            ids.forEach(a::add);
        }
        body.putArray("include").add("embeddings").add("metadatas").add("documents").add("uris");
        HttpResponse<String> r = post(BASE + "/" + c.id + "/get", body.toString(), Duration.ofSeconds(60));
        assertEquals(200, r.statusCode(), () -> ctx() + "get of " + c.name + ": " + r.body());
        JsonNode json = JSON.readTree(r.body());
        Map<String, Observed> out = new LinkedHashMap<>();
        JsonNode idNodes = json.get("ids");
        for (int i = 0; i < idNodes.size(); i++) {
            JsonNode e = json.get("embeddings").get(i);
            float[] embedding = null;
            if (e != null && e.isArray()) {
                embedding = new float[e.size()];
                for (int j = 0; j < embedding.length; j++) {
                    embedding[j] = Float.parseFloat(e.get(j).asText());
                }
            }
            Map<String, Object> metadata = null;
            JsonNode m = json.get("metadatas").get(i);
            if (m != null && m.isObject()) {
                metadata = new LinkedHashMap<>();
                for (Map.Entry<String, JsonNode> field : m.properties()) {
                    metadata.put(field.getKey(), scalarOrList(field.getValue()));
                }
            }
            Observed previous = out.put(idNodes.get(i).asText(), new Observed(embedding, metadata,
                    textOrNull(json.get("documents").get(i)), textOrNull(json.get("uris").get(i))));
            String dup = idNodes.get(i).asText();
            assertTrue(previous == null, () -> ctx() + "get of " + c.name + " returned " + dup + " twice");
        }
        return out;
    }

    private static Object scalarOrList(JsonNode v) {
        if (v.isArray()) {
            List<Object> out = new ArrayList<>();
            v.forEach(e -> out.add(scalarOrList(e)));
            return out;
        }
        if (v.isIntegralNumber()) {
            return v.longValue();
        }
        if (v.isNumber()) {
            return Double.parseDouble(v.asText()); // the server's shortest form, parsed exactly
        }
        if (v.isBoolean()) {
            return v.booleanValue();
        }
        return v.isNull() ? null : v.asText();
    }

    private static String textOrNull(JsonNode v) {
        return v == null || v.isNull() ? null : v.asText();
    }

    // ---- orphaned fragments --------------------------------------------------------------------------------------

    /**
     * Puts what a kill between a fragment's upload and its commit leaves behind, at the end of the collection's log: a
     * valid fragment holding records nobody acknowledged, and an object named like a fragment that is not one.
     */
    private void plantOrphans(CollectionModel c) throws Exception {
        long end = logPosition(c.id);
        List<LogRecord> records = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            String orphan = "orphan-" + cycle + "-" + k;
            c.orphanIds.add(orphan);
            Value v = new Value(WRITERS + 1, cycle, k);
            records.add(new LogRecord(Operation.ADD, orphan, v.embedding(),
                    Map.of("tag", new MetadataValue.Str(v.tag())), v.document(), null));
        }
        byte[] fragment;
        try (BufferAllocator allocator = new RootAllocator()) {
            fragment = new FragmentWriter(allocator).write(records, end);
        }
        putObject(FragmentKeys.newFragmentKey(c.id, end), fragment);
        putObject(FragmentKeys.newFragmentKey(c.id, end), "not a log fragment".getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Waits for the server's log sweep: every fragment in storage that the catalog did not record must be gone once
     * the log has moved past its start ({@code all}: every unrecorded fragment must be gone). Every recorded fragment
     * must still be there. Call only while no writes are in flight.
     */
    /** Versions published over all server runs, and runs whose log ends inside a compaction (killed mid-way). */
    private int[] compactionsInServerLogs() throws IOException {
        int published = 0;
        int killedDuring = 0;
        for (int run = 0; run <= CYCLES + 1; run++) {
            Path file = dataDir.resolve("server-" + run + ".log");
            if (!Files.exists(file)) {
                continue;
            }
            boolean running = false;
            for (String line : Files.readAllLines(file)) {
                if (line.contains("Compacting collection")) {
                    running = true;
                } else if (line.contains("Compacted collection") || line.contains("Compaction of collection")) {
                    running = false;
                    published += line.contains("Compacted collection") ? 1 : 0;
                }
            }
            killedDuring += running && run < CYCLES ? 1 : 0; // runs 0 .. CYCLES-1 were killed
        }
        return new int[] {published, killedDuring};
    }

    private void awaitSwept(boolean all) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            List<String> left = new ArrayList<>();
            for (CollectionModel c : collections) {
                Set<String> stored = storedFragments(c.id);
                long end = logPosition(c.id);
                Set<String> recorded = recordedFragments(c.id);
                Set<String> lost = new TreeSet<>(recorded);
                lost.removeAll(stored);
                assertTrue(lost.isEmpty(), () -> ctx() + "recorded fragments missing from storage in " + c.name + ": " + lost);
                for (String key : stored) {
                    if (!recorded.contains(key) && (all || FragmentKeys.startOffset(c.id, key) < end)) {
                        left.add(key);
                    }
                }
            }
            if (left.isEmpty()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                fail(ctx() + "the log sweep left unrecorded fragments behind: " + left);
            }
            Thread.sleep(200);
        }
    }

    /** Fragments in storage that the catalog did not record, in every collection. */
    private Set<String> unrecordedFragments() throws SQLException, IOException {
        Set<String> unrecorded = new TreeSet<>();
        for (CollectionModel c : collections) {
            Set<String> recorded = recordedFragments(c.id);
            storedFragments(c.id).stream().filter(k -> !recorded.contains(k)).forEach(unrecorded::add);
        }
        return unrecorded;
    }

    private Set<String> storedFragments(UUID collection) throws IOException {
        Path dir = dataDir.resolve("objects").resolve(FragmentKeys.logPrefix(collection));
        Set<String> keys = new TreeSet<>();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.list(dir)) {
                files.map(p -> FragmentKeys.logPrefix(collection) + p.getFileName())
                        .filter(key -> FragmentKeys.startOffset(collection, key) >= 0)
                        .forEach(keys::add);
            }
        }
        return keys;
    }

    /** Temporary files of unfinished uploads under the object store. */
    private Set<Path> tempFiles() throws IOException {
        try (Stream<Path> files = Files.walk(dataDir.resolve("objects"))) {
            return files.filter(p -> p.getFileName().toString().startsWith(".tmp-"))
                    .collect(Collectors.toCollection(HashSet::new));
        }
    }

    private void putObject(String key, byte[] bytes) throws IOException {
        Path target = dataDir.resolve("objects").resolve(key);
        Files.createDirectories(target.getParent());
        Files.write(target, bytes);
    }

    private long logPosition(UUID collection) throws SQLException {
        try (Connection conn = catalog.getPostgresDatabase().getConnection();
             PreparedStatement q = conn.prepareStatement("SELECT log_position FROM collections WHERE id = ?")) {
            q.setObject(1, collection);
            try (ResultSet rs = q.executeQuery()) {
                assertTrue(rs.next(), () -> ctx() + "collection " + collection + " is not in the catalog");
                return rs.getLong(1);
            }
        }
    }

    private Set<String> recordedFragments(UUID collection) throws SQLException {
        try (Connection conn = catalog.getPostgresDatabase().getConnection();
             PreparedStatement q = conn.prepareStatement("SELECT object_key FROM log_fragments WHERE collection_id = ?")) {
            q.setObject(1, collection);
            Set<String> keys = new HashSet<>();
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    keys.add(rs.getString(1));
                }
            }
            return keys;
        }
    }

    // ---- the server process and HTTP ------------------------------------------------------------------------------

    /** The packaged server as a child process, on this test's data folder and catalog; a fresh port for each start. */
    private final class Server {
        private Process process;
        private int port;
        private Path log;

        /** Starts the server and waits until it answers; returns how long that took, in milliseconds. */
        long start() throws Exception {
            long started = System.nanoTime();
            port = freePort();
            log = dataDir.resolve("server-" + cycle + ".log");
            String jar = Objects.requireNonNull(System.getProperty("vermilion.server.jar"),
                    "system property vermilion.server.jar (set by the build) names the packaged server");
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(Arrays.asList(System.getProperty("vermilion.jvm.flags", "").trim().split("\\s+")));
            command.removeIf(String::isEmpty);
            command.addAll(List.of("-Xmx512m", "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + port,
                    "-Dvermilion.path=" + dataDir, "-Dvermilion.log.sweep-interval=1s",
                    // Compact every few dozen writes, so kills land in the middle of compactions too.
                    "-Dvermilion.compaction.records=40", "-Dvermilion.compaction.interval=100ms",
                    "-Dvermilion.compaction.grace-period=2s", "-Dvermilion.compaction.lease-ttl=3s", "-Dvermilion.compaction.block-records=16",
                    "-Dquarkus.log.category.\"io.vermilion.jobs.CompactionScheduler\".level=DEBUG", "-jar", jar));
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            pb.environment().keySet().removeIf(k -> k.startsWith("VERMILION_") || k.startsWith("QUARKUS_"));
            pb.environment().put("VERMILION_CATALOG_URL", "postgresql://localhost:" + catalog.getPort() + "/postgres");
            pb.environment().put("VERMILION_CATALOG_USER", "postgres");
            pb.environment().put("VERMILION_CATALOG_PASSWORD", "");
            process = pb.start();
            http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).build(); // no pooled connection outlives a server
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (true) {
                if (!process.isAlive()) {
                    fail(ctx() + "the server exited with " + process.exitValue() + " while starting");
                }
                try {
                    if (get("/api/v2/heartbeat").statusCode() == 200) {
                        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
                if (System.nanoTime() > deadline) {
                    fail(ctx() + "the server did not answer its heartbeat within 90 s");
                }
                Thread.sleep(100);
            }
        }

        /** SIGKILL ({@link Process#destroyForcibly()} on Linux); returns the exit status. */
        int kill() throws InterruptedException {
            process.destroyForcibly();
            return process.waitFor();
        }

        void stop() {
            if (process != null && process.isAlive()) {
                process.destroy();
                try {
                    if (!process.waitFor(30, TimeUnit.SECONDS)) {
                        process.destroyForcibly().waitFor();
                    }
                } catch (InterruptedException e) {
                    process.destroyForcibly();
                    Thread.currentThread().interrupt();
                }
            }
        }

        String logTail() {
            if (log == null || !Files.exists(log)) {
                return "(no server log)";
            }
            try {
                List<String> lines = Files.readAllLines(log);
                return "---- last lines of " + log.getFileName() + " ----\n"
                        + String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
            } catch (IOException e) {
                return "(server log unreadable: " + e + ")";
            }
        }

        URI uri(String path) {
            return URI.create("http://127.0.0.1:" + port + path);
        }
    }

    private CollectionModel createCollection(String name) throws Exception {
        HttpResponse<String> r = post(BASE, JSON.createObjectNode().put("name", name).toString(), Duration.ofSeconds(30));
        assertEquals(200, r.statusCode(), () -> ctx() + "creating " + name + ": " + r.body());
        CollectionModel c = new CollectionModel(name, UUID.fromString(JSON.readTree(r.body()).get("id").asText()));
        collections.add(c);
        return c;
    }

    private HttpResponse<String> post(String path, String json, Duration timeout) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(server.uri(path)).timeout(timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(server.uri(path)).timeout(Duration.ofSeconds(30)).GET().build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private String ctx() {
        return "[seed " + SEED + ", " + (cycle > CYCLES ? "final check" : "cycle " + cycle) + "] ";
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
