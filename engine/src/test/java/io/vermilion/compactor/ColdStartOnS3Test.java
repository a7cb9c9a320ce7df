package io.vermilion.compactor;

import static io.vermilion.log.LogTestKit.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;

import io.vermilion.env.Environment;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.vermilion.blockstore.BlockLimits;
import io.vermilion.catalog.InMemoryLogCatalog;
import io.vermilion.catalog.InMemoryVersionCatalog;
import io.vermilion.executor.CollectionStateCache;
import io.vermilion.executor.CollectionView;
import io.vermilion.executor.ExactCollectionReader;
import io.vermilion.index.IndexFileCache;
import io.vermilion.index.SearchParameters;
import io.vermilion.log.LogTestKit;
import io.vermilion.log.LogWriter;
import io.vermilion.log.LogWriterOptions;
import io.vermilion.model.CollectionSnapshot;
import io.vermilion.model.GetRequest;
import io.vermilion.model.MutableCollectionState;
import io.vermilion.record.LogRecord;
import io.vermilion.storage.CacheFolder;
import io.vermilion.storage.CachedObjectStore;
import io.vermilion.storage.ObjectStore;
import io.vermilion.storage.S3ObjectStore;
import io.vermilion.storage.S3ProxyServer;

/**
 * A replica starting with empty caches serves a compacted collection straight from a real S3-compatible server: it
 * fetches the version's index files and the tail's fragments, and answers exactly like a replay of the whole log.
 */
class ColdStartOnS3Test {

    @TempDir
    Path dir;

    @Test
    void coldReplicaWithEmptyCachesServesVersionAndTailFromS3() throws Exception {
        long seed = Long.getLong("tests.seed", new Random().nextLong());
        System.out.println("coldReplicaWithEmptyCachesServesVersionAndTailFromS3 seed=" + seed);
        Random random = new Random(seed);
        UUID collection = UUID.randomUUID();
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
        ExecutorService work = Executors.newFixedThreadPool(4);
        try (S3ProxyServer server = S3ProxyServer.start();
             BufferAllocator allocator = new RootAllocator()) {
            server.createBucket("cold");
            ObjectStore s3 = new S3ObjectStore(server.client(), "cold", "replicas");
            InMemoryLogCatalog log = new InMemoryLogCatalog();
            log.createCollection(collection);
            InMemoryVersionCatalog versions = new InMemoryVersionCatalog(Clock.systemUTC());
            LogWriter writer = new LogWriter(s3, log, allocator, LogWriterOptions.defaults(), scheduler);
            List<List<List<LogRecord>>> writes = LogTestKit.randomWrites(random, 1, 60, 8, 4);
            for (List<LogRecord> request : writes.get(0).subList(0, 40)) {
                await(writer.append(collection, request));
            }
            Compactor compactor = new Compactor(s3, log, versions, allocator, Clock.systemUTC(),
                    CompactorOptions.defaults(Environment.deterministic(Clock.systemUTC(), 1)).withBlockLimits(BlockLimits.defaults().withMaxRecords(8)), work);
            assertEquals(1, await(compactor.compact(collection)).orElseThrow().version());
            for (List<LogRecord> request : writes.get(0).subList(40, 60)) { // the tail after version 1
                await(writer.append(collection, request));
            }
            writer.close();
            MutableCollectionState replay = new MutableCollectionState();
            replay.applyAll(LogTestKit.records(LogTestKit.readLog(s3, log, allocator, collection)));
            CollectionSnapshot expected = replay.snapshot();

            // The cold replica: nothing in memory, empty cache folders.
            CachedObjectStore cache = new CachedObjectStore(s3, 1 << 20, new CacheFolder(dir.resolve("objects"), 1 << 24), work);
            IndexFileCache indexFiles = new IndexFileCache(s3, dir.resolve("index"), 1L << 30, work);
            CollectionStateCache cold = new CollectionStateCache(cache, log, versions, indexFiles,
                    SearchParameters.DEFAULTS, allocator, work);
            try (CollectionView view = await(cold.view(collection))) {
                assertEquals(1, view.versionNumber());
                ExactCollectionReader exact = new ExactCollectionReader(expected);
                assertEquals(exact.count(), view.count());
                CompactorTest.assertSameRecords(expected, CollectionSnapshot.of(view.get(GetRequest.all())), "cold view");
                assertTrue(view.tailSize() > 0, "records come from the tail too");
            }
            assertEquals(1, indexFiles.fetches());
            assertEquals(0, cache.stats().diskHits());
            assertTrue(cache.stats().diskMisses() > 0, "tail fragments were fetched from S3");
        } finally {
            scheduler.shutdownNow();
            work.shutdownNow();
            assertTrue(work.awaitTermination(10, TimeUnit.SECONDS));
        }
    }
}
