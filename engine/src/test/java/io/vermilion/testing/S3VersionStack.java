package io.vermilion.testing;

import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;

import io.vermilion.blockstore.BlockLimits;
import io.vermilion.catalog.InMemoryLogCatalog;
import io.vermilion.catalog.InMemoryVersionCatalog;
import io.vermilion.compactor.Compactor;
import io.vermilion.compactor.CompactorOptions;
import io.vermilion.env.Environment;
import io.vermilion.log.LogWriter;
import io.vermilion.log.LogWriterOptions;
import io.vermilion.storage.ObjectStore;
import io.vermilion.storage.S3ObjectStore;
import io.vermilion.storage.S3ProxyServer;

/**
 * What the tests that read versions from object storage write them with: a real S3-compatible server (S3Proxy, over
 * HTTP) with one bucket, a store on it, in-memory catalogs, a log writer and a compactor (blocks of at most 1,000
 * records). {@link #close} stops all of it and fails if the work threads do not stop.
 */
public final class S3VersionStack implements AutoCloseable {

    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2);
    private final ExecutorService work = Executors.newFixedThreadPool(4);
    private final S3ProxyServer server;
    private final BufferAllocator allocator = new RootAllocator();
    private final ObjectStore s3;
    private final InMemoryLogCatalog log = new InMemoryLogCatalog();
    private final InMemoryVersionCatalog versions = new InMemoryVersionCatalog(Clock.systemUTC());
    private final LogWriter writer;
    private final Compactor compactor;

    private S3VersionStack(String bucket) {
        server = S3ProxyServer.start();
        server.createBucket(bucket);
        s3 = new S3ObjectStore(server.client(), bucket, "replicas");
        writer = new LogWriter(s3, log, allocator, LogWriterOptions.defaults(), scheduler);
        compactor = new Compactor(s3, log, versions, allocator, Clock.systemUTC(),
                CompactorOptions.defaults(Environment.deterministic(Clock.systemUTC(), 1))
                        .withBlockLimits(BlockLimits.defaults().withMaxRecords(1000)), work);
    }

    /** Starts S3Proxy with an empty {@code bucket} and the rest on it. */
    public static S3VersionStack start(String bucket) {
        return new S3VersionStack(bucket);
    }

    public ExecutorService work() {
        return work;
    }

    public BufferAllocator allocator() {
        return allocator;
    }

    /** The store on the bucket, over HTTP. */
    public ObjectStore s3() {
        return s3;
    }

    public InMemoryLogCatalog log() {
        return log;
    }

    public InMemoryVersionCatalog versions() {
        return versions;
    }

    public LogWriter writer() {
        return writer;
    }

    public Compactor compactor() {
        return compactor;
    }

    @Override
    public void close() throws InterruptedException {
        writer.close();
        allocator.close();
        server.close();
        scheduler.shutdownNow();
        work.shutdownNow();
        if (!work.awaitTermination(10, TimeUnit.SECONDS)) {
            throw new AssertionError("the work threads did not stop within 10 s");
        }
    }
}
