package io.vermilion.config;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import io.vermilion.executor.CollectionLanes;
import io.vermilion.catalog.LogCatalog;
import io.vermilion.catalog.VersionCatalog;
import io.vermilion.log.LogGarbageCollector;
import io.vermilion.log.CommittedFragments;
import io.vermilion.log.LogWriter;
import io.vermilion.log.LogWriterOptions;
import io.vermilion.metrics.InstrumentedObjectStore;
import io.vermilion.metrics.WalMetrics;
import io.vermilion.resilience.Guards;
import io.vermilion.resilience.ResilientLogCatalog;
import io.vermilion.resilience.ResilientObjectStore;
import io.vermilion.resilience.ResilientVersionCatalog;
import io.vermilion.sysdb.CachedLogCatalog;
import io.vermilion.sysdb.CachedVersionCatalog;
import io.vermilion.sysdb.CatalogFeed;
import io.vermilion.sysdb.PgLogCatalog;
import io.vermilion.blockstore.BlockLimits;
import io.vermilion.compactor.CompactionThreads;
import io.vermilion.compactor.Compactor;
import io.vermilion.compactor.SegmentMerger;
import io.vermilion.compactor.CompactorOptions;
import io.vermilion.compactor.DroppedCollections;
import io.vermilion.compactor.VersionGarbageCollector;
import io.vermilion.env.Environment;
import io.vermilion.index.SearchParameters;
import io.vermilion.executor.CollectionStateCache;
import io.vermilion.executor.TailWarmUp;
import io.vermilion.index.IndexFileCache;
import io.vermilion.index.LazyOpenOptions;
import io.vermilion.storage.CacheFolder;
import io.vermilion.storage.CachedObjectStore;
import io.vermilion.sysdb.PgForkCatalog;
import io.vermilion.sysdb.PgVersionCatalog;
import io.vermilion.storage.LocalFolders;
import io.vermilion.storage.LocalObjectStore;
import io.vermilion.storage.ObjectStore;
import io.vermilion.storage.S3ObjectStore;
import io.vermilion.storage.S3RangeReader;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Named;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.jboss.logging.Logger;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;

/** Builds the plain-Java engine from configuration: object store, log writer, read cache, worker pools. */
@ApplicationScoped
public class EngineWiring {

    private static final int READ_THREADS = Math.max(2, Runtime.getRuntime().availableProcessors());

    private static final Logger LOG = Logger.getLogger(EngineWiring.class);

    /** The machine's clock, randomness and ids, the one source every engine component takes them from. */
    private static final Environment ENVIRONMENT = Environment.system();

    /**
     * The object store every component uses: the local folder or S3 bucket, instrumented (every attempt is timed
     * and counted), then guarded (timeouts, retries, circuit breaker) - each layer one concern.
     */
    @Produces
    @Singleton
    ObjectStore objectStore(VermilionConfig config, Guards guards, MeterRegistry registry, Instance<S3AsyncClient> s3,
            @Named(S3_CREDENTIALS) Instance<AwsCredentialsProvider> credentials) {
        return new ResilientObjectStore(new InstrumentedObjectStore(storage(config, s3, credentials), registry), guards);
    }

    /** The name of the credentials bean that {@code quarkus.s3.aws.credentials.custom-provider.name} points at. */
    static final String S3_CREDENTIALS = "vermilion-s3-credentials";

    /**
     * The S3 client, built by the Quarkus Amazon S3 extension from {@code quarkus.s3.*} (which application.properties
     * maps from {@code vermilion.storage.*}), with the SDK's own retries off: {@link ResilientObjectStore} retries
     * (one layer, not two multiplying). Created only when the storage type is {@code s3}.
     */
    @Produces
    @Singleton
    S3AsyncClient s3Client(S3AsyncClientBuilder builder) {
        ClientOverrideConfiguration extensions = builder.overrideConfiguration();
        return builder.overrideConfiguration(extensions.toBuilder().retryStrategy(AwsRetryStrategy.doNotRetry()).build())
                .build();
    }

    void closeS3Client(@Disposes S3AsyncClient client) {
        client.close();
    }

    /** Static credentials when {@code vermilion.storage.access-key} is set; the AWS default chain otherwise. */
    @Produces
    @Singleton
    @Named(S3_CREDENTIALS)
    AwsCredentialsProvider s3Credentials(VermilionConfig config) {
        VermilionConfig.Storage s = config.storage();
        return s.accessKey().isPresent()
                ? StaticCredentialsProvider.create(AwsBasicCredentials.create(s.accessKey().get(),
                        s.secretKey().orElse("")))
                : DefaultCredentialsProvider.builder().build();
    }

    /**
     * The log's catalog in PostgreSQL, answering log positions from the catalog cache when the feed says it is up to
     * date (and advancing it on commit), guarded (timeouts, retries, circuit breaker). */
    @Produces
    @Singleton
    LogCatalog logCatalog(PgLogCatalog catalog, Guards guards, CatalogFeed feed,
            @Named("readers") ExecutorService readers) {
        return new ResilientLogCatalog(new CachedLogCatalog(catalog, feed, readers), guards);
    }

    /**
     * The compactions' and reads' version catalog in PostgreSQL, with current versions from the catalog cache when it is
     * up to date, guarded like the log's catalog (timeouts, retries,
     * circuit breaker).
     */
    @Produces
    @Singleton
    VersionCatalog versionCatalog(PgVersionCatalog catalog, Guards guards, CatalogFeed feed,
            @Named("readers") ExecutorService readers) {
        return new ResilientVersionCatalog(new CachedVersionCatalog(catalog, feed, readers), guards);
    }

    private static ObjectStore storage(VermilionConfig config, Instance<S3AsyncClient> s3,
            Instance<AwsCredentialsProvider> credentials) {
        VermilionConfig.Storage s = config.storage();
        return switch (s.type()) {
            case "local" -> {
                Path root = Path.of(config.path()).toAbsolutePath().resolve("objects");
                if (s.prefix().isPresent()) {
                    root = root.resolve(s.prefix().get());
                }
                LOG.infof("Object store: local folder %s", root);
                yield new LocalObjectStore(root, Executors.newFixedThreadPool(4, named("vermilion-io")), ENVIRONMENT);
            }
            case "s3" -> {
                String bucket = s.bucket().orElseThrow(() -> new IllegalStateException(
                        "vermilion.storage.bucket (VERMILION_STORAGE_BUCKET) is required when the storage type is s3"));
                LOG.infof("Object store: S3 bucket %s prefix '%s' at %s", bucket, s.prefix().orElse(""),
                        s.endpoint().map(Object::toString).orElse("AWS"));
                S3RangeReader ranges = s.leanRangeReads() ? new S3RangeReader(s.endpoint().orElse(null), s.region(),
                        credentials.get(), s.pathStyle(), ENVIRONMENT.clock()) : null;
                yield new S3ObjectStore(s3.get(), bucket, s.prefix().orElse(""), S3ObjectStore.DEFAULT_PART_BYTES, ranges);
            }
            default -> throw new IllegalStateException(
                    "vermilion.storage.type must be 'local' or 's3', not '" + s.type() + "'");
        };
    }

    void closeObjectStore(@Disposes ObjectStore store) {
        store.close();
    }

    @Produces
    @Singleton
    BufferAllocator allocator() {
        return new RootAllocator();
    }

    void closeAllocator(@Disposes BufferAllocator allocator) {
        allocator.close();
    }

    @Produces
    @Singleton
    @Named("scheduler")
    ScheduledExecutorService scheduler() {
        return Executors.newScheduledThreadPool(2, named("vermilion-log"));
    }

    void closeScheduler(@Disposes @Named("scheduler") ScheduledExecutorService scheduler) {
        scheduler.shutdownNow();
    }

    /** CPU work of reads (scans, decoding) runs here, never on the event loop. */
    @Produces
    @Singleton
    @Named("readers")
    ExecutorService readers() {
        return Executors.newFixedThreadPool(READ_THREADS, named("vermilion-read"));
    }

    /** One collection may hold all read threads but one, so another collection's reads always find a thread. */
    @Produces
    @Singleton
    CollectionLanes readLanes(@Named("readers") ExecutorService readers) {
        return new CollectionLanes(readers, READ_THREADS - 1);
    }

    void closeReaders(@Disposes @Named("readers") ExecutorService readers) {
        readers.shutdownNow();
    }

    @Produces
    @Singleton
    @Startup
    LogWriter logWriter(ObjectStore store, LogCatalog catalog, BufferAllocator allocator, VermilionConfig config,
            @Named("scheduler") ScheduledExecutorService scheduler, WalMetrics metrics, CollectionStateCache states) {
        LogWriterOptions options = LogWriterOptions.defaults()
                .withCommitWindow(config.log().commitWindow())
                .withMaxRecordsPerFragment(config.log().maxRecordsPerFragment());
        // A replica that serves reads takes its own writes into its read state as they are recorded (write-through),
        // so the first read after an ingest does not read them back from the object store.
        CommittedFragments committed = config.roles().contains(ReplicaRole.API) ? states::committed
                : CommittedFragments.NONE;
        return new LogWriter(store, catalog, allocator, options, scheduler, metrics, ENVIRONMENT, committed);
    }

    void closeLogWriter(@Disposes LogWriter writer) {
        writer.close();
    }

    /**
     * The read side's object store: memory, then a local folder, in front of the object store. Holds log fragments
     * (write-once keys) and manifests; version index files have their own folder ({@link IndexFileCache}).
     */
    @Produces
    @Singleton
    @jakarta.enterprise.inject.Typed(CachedObjectStore.class) // not a second ObjectStore bean
    CachedObjectStore readCache(ObjectStore store, VermilionConfig config) {
        Path folder = cacheRoot(config).resolve("objects");
        LOG.infof("Read cache: %s memory, %s disk at %s", config.cache().memory().asLongValue(),
                config.cache().disk().asLongValue(), folder);
        return new CachedObjectStore(store, config.cache().memory().asLongValue(),
                new CacheFolder(folder, config.cache().disk().asLongValue(), ENVIRONMENT),
                Executors.newFixedThreadPool(2, named("vermilion-cache")));
    }

    @Produces
    @Singleton
    IndexFileCache indexFileCache(ObjectStore store, VermilionConfig config, @Named("readers") ExecutorService readers) {
        VermilionConfig.Index index = config.index();
        LazyOpenOptions lazy = index.lazyOpen()
                ? new LazyOpenOptions(true, (int) index.pageSize().asLongValue(), index.pageMemory().asLongValue(),
                        index.warmParallelism(), index.coldCandidates(), index.backgroundFetches())
                : LazyOpenOptions.DISABLED;
        return new IndexFileCache(store, cacheRoot(config).resolve("index"), config.cache().index().asLongValue(),
                readers, ENVIRONMENT, lazy);
    }

    /** Where compactions build indexes; emptied at start (what is there was left by a compaction that died). */
    private static Path compactionWorkDir(VermilionConfig config) {
        Path work = cacheRoot(config).resolve("compaction");
        try {
            LocalFolders.empty(work);
        } catch (java.io.IOException e) {
            LOG.warnf(e, "Could not empty the compaction work folder %s", work);
        }
        return work;
    }

    /** The local cache folder ({@code vermilion.cache.path}, by default {@code <path>/cache}), absolute. */
    public static Path cacheRoot(VermilionConfig config) {
        return Path.of(config.cache().path().orElse(Path.of(config.path()).resolve("cache").toString())).toAbsolutePath();
    }

    @Produces
    @Singleton
    CollectionStateCache stateCache(CachedObjectStore cache, LogCatalog catalog, VersionCatalog versions,
            IndexFileCache indexFiles, BufferAllocator allocator, @Named("readers") ExecutorService readers,
            VermilionConfig config) {
        long budget = config.cache().collectionsMemory().map(io.quarkus.runtime.configuration.MemorySize::asLongValue)
                .orElse(defaultCollectionsMemory());
        if (config.roles().contains(ReplicaRole.API)) {
            TailWarmUp.startInBackground(); // the first query after an ingest must not run the tail search cold
        }
        return new CollectionStateCache(cache, catalog, versions, indexFiles, SearchParameters.DEFAULTS, allocator,
                readers, ENVIRONMENT, budget);
    }

    /**
     * The default budget for collections' state: a quarter of the heap (tails, Lucene's on-heap part) plus half of the
     * memory outside the heap (the memory-mapped vectors and graphs of open versions count against it too).
     */
    static long defaultCollectionsMemory() {
        long heap = Runtime.getRuntime().maxMemory();
        long total = java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.OperatingSystemMXBean os ? os.getTotalMemorySize() : 0;
        return heap / 4 + Math.max(0, total - heap) / 2;
    }

    /**
     * Compactions run here, one at a time per replica, computing on at most {@code vermilion.compaction.threads}
     * threads at a lower priority than serving (default: {@link CompactionThreads#defaultThreads(int, boolean)}).
     */
    @Produces
    @Singleton
    CompactionThreads compactionThreads(VermilionConfig config) {
        int threads = config.compaction().threads()
                .orElse(CompactionThreads.defaultThreads(Runtime.getRuntime().availableProcessors(),
                        config.roles().contains(ReplicaRole.API)));
        LOG.infof("Compaction: %d thread(s)", threads);
        return new CompactionThreads(threads);
    }

    void closeCompactionThreads(@Disposes CompactionThreads threads) {
        threads.close();
    }

    /** How this replica compacts (and merges segments): one lease holder per replica. */
    @Produces
    @Singleton
    CompactorOptions compactorOptions(PgVersionCatalog settings, IndexFileCache indexFiles, VermilionConfig config,
            CompactionThreads compactions) {
        VermilionConfig.Compaction c = config.compaction();
        return CompactorOptions.defaults(ENVIRONMENT)
                .withHolder("replica-" + ENVIRONMENT.newId())
                .withMergeThreads(compactions.work())
                .withLeaseTtl(c.leaseTtl())
                .withBlockLimits(BlockLimits.defaults().withMaxRecords(c.blockRecords()))
                .withSchemas(new IndexSchemas(settings))
                .withWorkDir(compactionWorkDir(config))
                .withSegmentRecords(c.segmentRecords())
                .withMaxTailBytes(c.maxBytes().asLongValue())
                .withLocalIndex(indexFiles);
    }

    @Produces
    @Singleton
    Compactor compactor(ObjectStore store, LogCatalog catalog, VersionCatalog versions, BufferAllocator allocator,
            CompactorOptions options, CompactionThreads compactions,
            @Named("scheduler") ScheduledExecutorService scheduler) {
        return new Compactor(store, catalog, versions, allocator, ENVIRONMENT.clock(), options, compactions.coordinator(),
                scheduler);
    }

    /**
     * Folds the segments successive compactions append, on the compactions' threads (they take turns) and under the
     * same lease, with a holder of its own.
     */
    @Produces
    @Singleton
    SegmentMerger segmentMerger(ObjectStore store, VersionCatalog versions, BufferAllocator allocator,
            CompactorOptions options, VermilionConfig config, CompactionThreads compactions,
            @Named("scheduler") ScheduledExecutorService scheduler) {
        return new SegmentMerger(store, versions, allocator, ENVIRONMENT.clock(),
                options.withHolder(options.holder() + "-merge"), config.compaction().mergeMaxSegments(),
                compactions.coordinator(), scheduler);
    }

    @Produces
    @Singleton
    VersionGarbageCollector versionGarbageCollector(ObjectStore store, VersionCatalog versions, LogCatalog catalog,
            PgForkCatalog forks, VermilionConfig config) {
        return new VersionGarbageCollector(store, versions, catalog, forks, config.compaction().versionRetention(),
                ENVIRONMENT.clock());
    }

    @Produces
    @Singleton
    LogGarbageCollector garbageCollector(ObjectStore store, LogCatalog catalog, PgForkCatalog forks) {
        return new LogGarbageCollector(store, catalog, forks);
    }

    @Produces
    @Singleton
    DroppedCollections droppedCollections(ObjectStore store, PgForkCatalog forks) {
        return new DroppedCollections(store, forks);
    }


    private static java.util.concurrent.ThreadFactory named(String prefix) {
        return Thread.ofPlatform().name(prefix + "-", 0).daemon(true).factory();
    }
}
