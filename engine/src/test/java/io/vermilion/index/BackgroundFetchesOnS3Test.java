package io.vermilion.index;

import static io.vermilion.log.LogTestKit.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.arrow.memory.BufferAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.vermilion.testing.S3VersionStack;
import io.vermilion.catalog.InMemoryLogCatalog;
import io.vermilion.catalog.InMemoryVersionCatalog;
import io.vermilion.catalog.VersionRef;
import io.vermilion.compactor.Compactor;
import io.vermilion.env.Environment;
import io.vermilion.log.LogTestKit;
import io.vermilion.log.LogWriter;
import io.vermilion.model.DistanceFunction;
import io.vermilion.model.QueryHit;
import io.vermilion.model.QueryRequest;
import io.vermilion.record.LogRecord;
import io.vermilion.storage.ForwardingObjectStore;
import io.vermilion.storage.ObjectStore;

/**
 * Many versions opened lazily at once against a real S3-compatible server over HTTP: their background downloads
 * together never run more ranged reads at once than the replica's bound, a query of a version whose download waits
 * for a slot answers meanwhile (its reads do not queue behind the downloads), and every version still becomes local
 * and answers exactly as a fully downloaded one.
 */
class BackgroundFetchesOnS3Test {

    private static final int COLLECTIONS = 6;
    private static final int RECORDS = 2000;
    private static final int DIMENSION = 32;
    private static final int PAGE = 16 << 10;
    /** The replica's bound on background reads, below one version's own parallelism (4). */
    private static final int BOUND = 2;

    @TempDir
    Path dir;

    private final long seed = Long.getLong("tests.seed", new Random().nextLong());
    private final Random random = new Random(seed);
    private final List<UUID> collections = new ArrayList<>();
    private S3VersionStack stack;
    private ExecutorService work;
    private BufferAllocator allocator;
    private ObjectStore s3;
    private InMemoryVersionCatalog versions;
    private LogWriter writer;

    @BeforeEach
    void writeAVersionPerCollection() {
        System.out.println("BackgroundFetchesOnS3Test seed=" + seed);
        stack = S3VersionStack.start("bounded");
        work = stack.work();
        allocator = stack.allocator();
        s3 = stack.s3();
        InMemoryLogCatalog log = stack.log();
        versions = stack.versions();
        writer = stack.writer();
        Compactor compactor = stack.compactor();
        for (int c = 0; c < COLLECTIONS; c++) {
            UUID collection = UUID.randomUUID();
            collections.add(collection);
            log.createCollection(collection);
            for (int start = 0; start < RECORDS; start += 500) {
                List<LogRecord> request = new ArrayList<>();
                for (int i = start; i < start + 500; i++) {
                    request.add(LogTestKit.add("r" + i, vector()));
                }
                await(writer.append(collection, request));
            }
            assertEquals(1, await(compactor.compact(collection)).orElseThrow().version());
        }
    }

    @AfterEach
    void stop() throws Exception {
        stack.close();
    }

    private float[] vector() {
        float[] v = new float[DIMENSION];
        for (int d = 0; d < DIMENSION; d++) {
            v[d] = random.nextFloat();
        }
        return v;
    }

    private VersionRef current(UUID collection) {
        return await(versions.currentVersion(collection)).orElseThrow();
    }

    private static List<List<String>> answers(List<List<QueryHit>> hits) {
        return hits.stream().map(list -> list.stream().map(h -> h.record().id() + "@" + h.distance()).toList())
                .toList();
    }

    @Test
    void versionsOpenedAtOnceDownloadWithinTheReplicasBoundAndAnswerExactly() throws Exception {
        List<float[]> vectors = new ArrayList<>();
        for (int q = 0; q < 5; q++) {
            vectors.add(vector());
        }
        QueryRequest request = new QueryRequest(vectors, 10, null, null, null, DistanceFunction.L2);
        Map<UUID, List<List<String>>> expected = new LinkedHashMap<>();
        IndexFileCache full = new IndexFileCache(s3, dir.resolve("full"), 1L << 30, work);
        for (UUID collection : collections) {
            try (IndexedCollectionReader reader = await(full.open(collection, current(collection),
                    SearchParameters.DEFAULTS))) {
                expected.put(collection, answers(reader.query(request)));
            }
        }

        BackgroundCounting counting = new BackgroundCounting(s3);
        LazyOpenOptions options = new LazyOpenOptions(true, PAGE, 64 << 20, 4, 0, BOUND);
        IndexFileCache lazy = new IndexFileCache(counting, dir.resolve("lazy"), 1L << 30, work, Environment.system(),
                options);
        Map<UUID, CompletableFuture<IndexedCollectionReader>> opening = new LinkedHashMap<>();
        for (UUID collection : collections) {
            opening.put(collection, lazy.open(collection, current(collection), SearchParameters.DEFAULTS)
                    .toCompletableFuture());
        }
        // The background reads are held: BOUND of them start, the others wait for a slot (more at once: a failure).
        while (counting.inFlight() <= BOUND && (counting.inFlight() < BOUND || lazy.backgroundFetchesWaiting() == 0)) {
            Thread.sleep(5);
        }
        assertEquals(BOUND, counting.inFlight());
        assertEquals(BOUND, lazy.backgroundFetchesRunning());
        // Versions with no download read in flight answer now, from pages their own reads fetch.
        int answeredMeanwhile = 0;
        for (UUID collection : collections) {
            if (counting.heldKeys().stream().noneMatch(key -> key.contains(collection.toString()))) {
                IndexedCollectionReader reader = await(opening.get(collection));
                assertEquals(expected.get(collection), answers(reader.query(request)));
                answeredMeanwhile++;
            }
        }
        assertTrue(answeredMeanwhile >= COLLECTIONS - BOUND, answeredMeanwhile + " versions answered meanwhile");
        assertEquals(BOUND, counting.inFlight(), "the queries' reads started no background read");

        counting.release();
        for (UUID collection : collections) {
            try (IndexedCollectionReader reader = await(opening.get(collection))) {
                await(lazy.warmed(collection, current(collection).version()));
                assertEquals(expected.get(collection), answers(reader.query(request)));
                assertTrue(Files.isDirectory(dir.resolve("lazy").resolve(collection.toString())
                        .resolve("%020d".formatted(current(collection).version()))), "the version is local");
            }
        }
        assertEquals(COLLECTIONS, lazy.lazyOpens());
        assertEquals(COLLECTIONS, lazy.fetches(), "every background download completed and checked out");
        assertEquals(BOUND, counting.peakInFlight(), "background reads at once, across all versions");
        assertTrue(counting.backgroundReads() >= COLLECTIONS, counting.backgroundReads() + " background reads");
        assertEquals(0, lazy.backgroundFetchesRunning());
        assertEquals(0, lazy.backgroundFetchesWaiting());

        IndexFileCache restarted = new IndexFileCache(s3, dir.resolve("lazy"), 1L << 30, work, Environment.system(),
                options);
        for (UUID collection : collections) {
            try (IndexedCollectionReader reader = await(restarted.open(collection, current(collection),
                    SearchParameters.DEFAULTS))) {
                assertEquals(expected.get(collection), answers(reader.query(request)));
            }
        }
        assertEquals(COLLECTIONS, restarted.localOpens());
        assertEquals(0, restarted.lazyOpens());
    }

    /**
     * Counts the ranged reads of background downloads (those a version's warming chunk makes) running at once and holds
     * them until {@link #release}; every other call passes straight to the store.
     */
    private static final class BackgroundCounting extends ForwardingObjectStore {
        private final CompletableFuture<Void> gate = new CompletableFuture<>();
        private final AtomicInteger inFlight = new AtomicInteger();
        private final AtomicInteger peak = new AtomicInteger();
        private final AtomicInteger reads = new AtomicInteger();
        private final Set<String> held = ConcurrentHashMap.newKeySet();

        BackgroundCounting(ObjectStore store) {
            super(store);
        }

        int inFlight() {
            return inFlight.get();
        }

        int peakInFlight() {
            return peak.get();
        }

        int backgroundReads() {
            return reads.get();
        }

        Set<String> heldKeys() {
            return Set.copyOf(held);
        }

        void release() {
            gate.complete(null);
        }

        private static boolean background() {
            return StackWalker.getInstance().walk(frames -> frames.anyMatch(f -> f.getMethodName().equals("fetchChunk")
                    && f.getClassName().equals(PagedIndexFiles.PagedFile.class.getName())));
        }

        @Override
        public CompletionStage<byte[]> getRange(String key, long offset, int length) {
            if (!background()) {
                return delegate().getRange(key, offset, length);
            }
            reads.incrementAndGet();
            peak.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            String read = key + "@" + offset;
            held.add(read);
            return gate.thenCompose(open -> {
                held.remove(read);
                return delegate().getRange(key, offset, length);
            }).whenComplete((bytes, failure) -> inFlight.decrementAndGet());
        }
    }
}
