package io.vermilion.log;

import static io.vermilion.log.LogTestKit.add;
import static io.vermilion.log.LogTestKit.assertLogHoldsExactly;
import static io.vermilion.log.LogTestKit.await;
import static io.vermilion.log.LogTestKit.failure;
import static io.vermilion.log.LogTestKit.readLog;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.vermilion.catalog.FragmentRef;
import io.vermilion.catalog.InMemoryLogCatalog;
import io.vermilion.executor.CollectionStateCache;
import io.vermilion.model.CollectionSnapshot;
import io.vermilion.record.LogRecord;
import io.vermilion.record.Record;
import io.vermilion.storage.ObjectInfo;
import io.vermilion.storage.ObjectStore;
import io.vermilion.storage.S3ObjectStore;
import io.vermilion.storage.S3ProxyServer;
import io.vermilion.testing.Seeds;

/** The write-then-read path (writer, catalog, cache, garbage collector) against a real S3-compatible server. */
@ExtendWith(Seeds.class)
class LogOnS3ObjectStoreTest {

    private static final String BUCKET = "vermilion-log-test";
    private static final AtomicInteger STORES = new AtomicInteger();

    private static S3ProxyServer server;

    private BufferAllocator allocator;
    private ScheduledExecutorService scheduler;
    private ExecutorService workers;
    private ObjectStore store;
    private InMemoryLogCatalog catalog;
    private LogWriter writer;
    private final UUID collection = UUID.randomUUID();

    @BeforeAll
    static void startServer() {
        server = S3ProxyServer.start();
        server.createBucket(BUCKET);
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
        scheduler = Executors.newScheduledThreadPool(2);
        workers = Executors.newFixedThreadPool(4);
        store = new S3ObjectStore(server.client(), BUCKET, "log-" + STORES.incrementAndGet());
        catalog = new InMemoryLogCatalog();
        catalog.createCollection(collection);
        writer = new LogWriter(store, catalog, allocator, LogWriterOptions.defaults(), scheduler);
    }

    @AfterEach
    void close() throws InterruptedException {
        writer.close();
        store.close();
        scheduler.shutdownNow();
        workers.shutdownNow();
        assertTrue(scheduler.awaitTermination(10, TimeUnit.SECONDS) && workers.awaitTermination(10, TimeUnit.SECONDS));
        assertEquals(0, allocator.getAllocatedMemory());
        allocator.close();
    }

    @Test
    void concurrentWritesAreGroupedAndReadBackExactly() throws Exception {
        long seed = Seeds.seed("concurrentWritesAreGroupedAndReadBackExactly");
        List<List<List<LogRecord>>> writes = LogTestKit.randomWrites(new Random(seed), 8, 20, 3, 4);
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (List<List<LogRecord>> client : writes) {
                done.add(clients.submit(() -> {
                    for (List<LogRecord> request : client) {
                        await(writer.append(collection, request));
                    }
                    return null;
                }));
            }
            for (Future<?> client : done) {
                client.get(120, TimeUnit.SECONDS);
            }
        } finally {
            clients.shutdownNow();
        }

        List<LogTestKit.ReadFragment> log = readLog(store, catalog, allocator, collection);
        assertLogHoldsExactly(log, writes);
        assertTrue(log.size() < 8 * 20, log.size() + " fragments for 160 writes");
        CollectionSnapshot snapshot = await(new CollectionStateCache(store, catalog, allocator, workers).snapshot(collection));
        List<LogRecord> sent = writes.stream().flatMap(List::stream).flatMap(List::stream).toList();
        assertEquals(sent.size(), snapshot.size());
        for (LogRecord record : sent) {
            Record stored = snapshot.get(record.id());
            assertArrayEquals(record.embedding(), stored.embedding(), record.id());
        }
    }

    @Test
    void failedCommitIsInvisibleAndSweptWhileRecordedFragmentsStay() {
        AtomicInteger commits = new AtomicInteger();
        catalog.setCommitHook((c, fragment, dimension) -> {
            if (commits.incrementAndGet() == 2) {
                throw new IllegalStateException("catalog unavailable");
            }
            return null;
        });
        CollectionStateCache cache = new CollectionStateCache(store, catalog, allocator, workers);
        LogGarbageCollector collector = new LogGarbageCollector(store, catalog);

        await(writer.append(collection, List.of(add("before", 1f, 2f))));
        CompletionStage<Void> failed = writer.append(collection, List.of(add("failed", 3f, 4f)));
        failure(failed, IllegalStateException.class);
        await(writer.append(collection, List.of(add("after", 5f, 6f))));

        assertEquals(List.of("before", "after"), await(cache.snapshot(collection)).records().stream().map(Record::id).toList());
        assertEquals(3, await(store.list(FragmentKeys.logPrefix(collection))).size());

        assertEquals(1, await(collector.sweep(collection)));

        List<String> recorded = await(catalog.fragments(collection, 0)).stream().map(FragmentRef::key).toList();
        assertEquals(recorded, await(store.list(FragmentKeys.logPrefix(collection))).stream().map(ObjectInfo::key).toList());
        cache.evict(collection);
        assertEquals(List.of("before", "after"), await(cache.snapshot(collection)).records().stream().map(Record::id).toList());

        await(collector.deleteCollection(collection));
        assertEquals(List.of(), await(store.list("")));
    }
}
