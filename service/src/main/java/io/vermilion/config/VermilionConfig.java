package io.vermilion.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Vermilion's own settings ({@code vermilion.*}, or {@code VERMILION_*} environment variables). */
@ConfigMapping(prefix = "vermilion")
public interface VermilionConfig {

    /** The data folder of the embedded default: the catalog and the local object store live below it. */
    @WithDefault("data")
    String path();

    /**
     * The bootstrap admin key ({@code VERMILION_ADMIN_KEY}). When set, every API request needs a key; when unset,
     * auth is off, as on Chroma's local server.
     */
    Optional<String> adminKey();

    /**
     * Whether {@code POST /api/v2/reset} may delete every tenant, database and collection ({@code VERMILION_ALLOW_RESET},
     * Chroma's {@code ALLOW_RESET}); off by default. With auth on, reset also needs {@link #allowResetWithAuth()}.
     */
    @WithDefault("false")
    boolean allowReset();

    /**
     * With auth on, reset stays refused unless this is true as well ({@code VERMILION_ALLOW_RESET_WITH_AUTH}): it
     * deletes every tenant's data and API keys, leaving only the bootstrap key.
     */
    @WithDefault("false")
    boolean allowResetWithAuth();

    /**
     * What this replica does ({@code VERMILION_ROLES}, a comma list): {@code api} serves the HTTP API, {@code compactor}
     * runs compaction, version garbage collection and the log sweep; both by default. See {@link ReplicaRole}.
     */
    @WithDefault("api,compactor")
    Set<@WithConverter(ReplicaRole.Parser.class) ReplicaRole> roles();

    Storage storage();

    Log log();

    Limits limits();

    /**
     * Quota defaults of every tenant when auth is on, by quota name ({@code vermilion.quota.num_records=500});
     * unnamed quotas keep Chroma Cloud's defaults. Per-tenant overrides live in the catalog.
     */
    Map<String, Long> quota();

    RateLimit rateLimit();

    Compaction compaction();

    Cache cache();

    /** How published versions' indexes are opened ({@code vermilion.index.*}). */
    Index index();

    /** How reads see the log ({@code vermilion.read.*}). */
    Read read();

    Catalog catalog();

    Embedding embedding();

    /**
     * Server-side embedding with all-MiniLM-L6-v2 ({@code vermilion.embedding.*}) for collections whose
     * {@code embedding_function} is Chroma's {@code default}; see README "Server-side embedding".
     */
    interface Embedding {
        /** Whether this replica embeds at all; when off, records and queries without embeddings are refused. */
        @WithDefault("true")
        boolean enabled();

        /** Threads that run the model at once; unset, all cores but one (at least one), so serving keeps a core. */
        Optional<Integer> threads();

        /** Texts embedded in one inference (one batch, padded to its longest text). */
        @WithDefault("32")
        int batchSize();

        /**
         * Word pieces of a text, with [CLS] and [SEP], that the model sees; the rest of a longer text is ignored.
         * 256 is sentence-transformers' and Chroma's Python default; the model takes at most 512.
         */
        @WithDefault("256")
        int maxTokens();

        /** Texts one request may have embedded (documents of a write, or query texts); more is a 400. */
        @WithDefault("1000")
        int maxTextsPerRequest();

        /** Texts waiting for the model across all requests; a request that would go past it gets a 429. */
        @WithDefault("10000")
        int maxQueuedTexts();
    }

    Backup backup();

    /**
     * Backups and restores ({@code vermilion.backup.*}; see README "Backup and restore"). A destination is a folder
     * on the server's machine or {@code s3://bucket/prefix}; S3 destinations use these settings where set and the
     * object store's ({@code vermilion.storage.*}) otherwise.
     */
    interface Backup {
        /** S3-compatible endpoint of {@code s3://} destinations; the storage endpoint (or AWS) when unset. */
        Optional<URI> s3Endpoint();

        /** Region of {@code s3://} destinations; the storage region when unset. */
        Optional<String> s3Region();

        /** Static credentials of {@code s3://} destinations; the storage credentials when unset. */
        Optional<String> s3AccessKey();

        Optional<String> s3SecretKey();

        /**
         * How long a backup waits for a collection's compaction lease (held while the collection is copied, so no
         * compaction or garbage collection changes what is being copied) before giving up with a 409.
         */
        @WithDefault("2m")
        Duration leaseWait();

        /** How long the lease a backup holds on one collection lasts; renewed as the copy goes on. */
        @WithDefault("10m")
        Duration lease();

        /** Objects copied at once. */
        @WithDefault("8")
        int parallelism();
    }

    Routing routing();

    /** Affinity routing between api replicas ({@code vermilion.routing.*}); see {@code io.vermilion.cluster}. */
    interface Routing {
        /**
         * Whether a collection's record requests are forwarded to its owner replica (rendezvous hashing over the live
         * replicas registered in the catalog), so its index is open on one replica. Off for a single process;
         * {@code ./vermilion cluster} turns it on.
         */
        @WithDefault("false")
        boolean affinity();

        /** This replica's address as the others reach it; {@code http://127.0.0.1:<quarkus.http.port>} when unset. */
        Optional<String> advertiseUrl();

        /** How often a replica records its heartbeat and reads the live members. */
        @WithDefault("1s")
        Duration heartbeatInterval();

        /** A replica whose last heartbeat is older than this is no longer a member. */
        @WithDefault("4s")
        Duration deadAfter();
    }

    /** The catalog (PostgreSQL); its URL and credentials are read before start, see {@code EmbeddedCatalog}. */
    interface Catalog {
        /**
         * Set by the embedded default, not by users: the data directory of the PostgreSQL it started, which
         * {@link EmbeddedCatalogSupervisor} restarts should it die. Unset for an external PostgreSQL.
         */
        Optional<String> embeddedDataDir();

        /**
         * How reads learn the catalog state of a collection ({@code io.vermilion.sysdb.CatalogFeed}): {@code auto}
         * (default) is {@code sole-writer} with the embedded PostgreSQL this process started and {@code sync}
         * otherwise; {@code sync}: from memory, kept up to date by LISTEN/NOTIFY, after one shared round trip on the
         * listen connection; {@code sole-writer}: from memory without a round trip (only when no other process writes
         * the catalog); {@code off}: a catalog query per read.
         */
        @WithDefault("auto")
        String readCache();
    }

    /** When and how the log is folded into indexed versions ({@code vermilion.compaction.*}). */
    interface Compaction {
        /**
         * Whether this replica compacts, if its roles include {@code compactor} (every replica still reads compacted
         * versions). Kept as an extra switch; {@code vermilion.roles} is the way to split the work between replicas.
         */
        @WithDefault("true")
        boolean enabled();

        /** Compact once a collection's un-compacted tail holds this many log records... */
        @WithDefault("10000")
        long records();

        /** ...or this many bytes of log fragments... */
        @WithDefault("64m")
        io.quarkus.runtime.configuration.MemorySize bytes();

        /** ...or has waited this long (counted from when this replica first saw it pending). */
        @WithDefault("5m")
        Duration age();

        /**
         * ...or, with at least a tenth of {@code records}, has not grown for this long: the rest of an ingest is
         * compacted once the writes go quiet instead of waiting for {@code age}.
         */
        @WithDefault("10s")
        Duration quiet();

        /** How often the scheduler looks for collections to compact. */
        @WithDefault("5s")
        Duration interval();

        /**
         * Compactions one pass publishes at most, the collections that waited longest first; a pass that stops there
         * collects the garbage that is due and the next pass starts at once. Bounds how long garbage (superseded
         * versions, compacted log fragments) waits while thousands of collections are due together.
         */
        @WithDefault("100")
        int collectionsPerPass();

        /** How long a superseded version and the log fragments a version covers are kept after it is published. */
        @WithDefault("10m")
        Duration gracePeriod();

        /**
         * How long a superseded version stays retained for time travel (listed by {@code GET .../versions}, forkable
         * with {@code "version"} or {@code "as_of"}); 0 keeps only the current version (after the grace period).
         */
        @WithDefault("0s")
        Duration versionRetention();

        /**
         * How long a compactor's lease lasts without renewal; a running compaction renews it every third of this, so
         * it bounds how long a crashed replica keeps its collections from being compacted by another.
         */
        @WithDefault("1m")
        Duration leaseTtl();

        /** Records per Arrow record block. */
        @WithDefault("4096")
        int blockRecords();

        /**
         * Records per index segment when a compaction builds a whole index: it cuts a segment every this many records
         * and never merges below {@code ceil(records / segmentRecords)} segments, so a large build is bound by its adds
         * rather than by folding every HNSW graph into one (queries then search each segment). The default keeps one
         * segment up to 10M records: at 1M, 16 segments made a query ~10x slower than one (bench/RESULTS.md).
         */
        @WithDefault("10000000")
        long segmentRecords();

        /**
         * Log fragment bytes one compaction folds at most (it holds them in memory); a longer tail is compacted in
         * several versions, one after the other.
         */
        @WithDefault("256m")
        io.quarkus.runtime.configuration.MemorySize maxBytes();

        /**
         * The most index segments a version keeps: once a compaction catches up with the log and its version has more
         * (each compaction appends its own and merges none), the smallest are folded into one so that this many
         * remain, published as a new version with the same records; while compactions lag behind an ingest, only past
         * four times as many. Each segment is searched on its own, so a query's cost grows with
         * their number (16 segments at 1M: ~4x the latency of one at equal recall); a fold costs about the vectors of
         * the segments it folds. At least 1.
         */
        @WithDefault("8")
        int mergeMaxSegments();

        /**
         * Threads a compaction computes on at once (decoding, index adds, graph merges), at the lowest priority;
         * unset, all cores but one (at least one) on a replica that also serves the API, so serving keeps a core, and
         * all cores on a compactor-only replica.
         */
        java.util.Optional<Integer> threads();
    }

    /** The cache tier: memory, then a local folder, in front of the object store ({@code vermilion.cache.*}). */
    interface Cache {
        /** The local folder; {@code <path>/cache} when absent. */
        Optional<String> path();

        /** Memory for log fragments and other whole objects (Caffeine, by bytes). */
        @WithDefault("256m")
        io.quarkus.runtime.configuration.MemorySize memory();

        /** Local disk for log fragments and other whole objects (LRU). */
        @WithDefault("4g")
        io.quarkus.runtime.configuration.MemorySize disk();

        /** Local disk for published versions' index files (memory-mapped; least recently opened evicted first). */
        @WithDefault("32g")
        io.quarkus.runtime.configuration.MemorySize index();

        /**
         * Memory for collections' state held between reads (log tails, open versions with the mapped vectors and graph
         * a search keeps resident); over it, the least recently read collections not in use are evicted. Unset: a
         * quarter of the maximum heap plus half of the memory outside the heap.
         */
        Optional<io.quarkus.runtime.configuration.MemorySize> collectionsMemory();
    }

    /** How reads see the log after the compacted version ({@code vermilion.read.*}). */
    interface Read {
        /**
         * Log operations a read at {@code read_level} {@code index_and_bounded_wal} sees after the compacted version:
         * the oldest ones, a consistent prefix of the log (Chroma's {@code bounded_wal_limit}, default 250).
         */
        @WithDefault("250")
        @io.smallrye.config.WithName("bounded-wal-entries")
        int boundedWalEntries();
    }

    /** Opening versions whose files are not local yet ({@code vermilion.index.*}). */
    interface Index {
        /**
         * Serve a version whose files are not local (a cold replica: empty cache folder) from ranged object-storage
         * reads at once, downloading it in the background; off, the first read of a version waits for its whole
         * download. Meanwhile kNN queries are answered from the version's cold-search sketches
         * ({@code cold-candidates}). Once the download checks out (each file's size and CRC32C against the manifest),
         * the collection's state reopens the version from the local, memory-mapped copy and switches to it without a
         * restart (reads in flight finish on the pages); a failed download leaves the pages serving, and the next open
         * of the version downloads again. On by default. It was off for a while because a cluster replica under load
         * once failed its object-store readiness probe for seconds while it opened many collections lazily, blamed on
         * the background downloads filling the S3 client's connections. The same probe failure happened with lazy open
         * off: the probe failed fast with an {@code SdkClientException} while the replica answered requests in
         * milliseconds, so one failed attempt (not a starved connection pool: that fails after the 2 s probe timeout),
         * which the probe, past the retries, took for an unready store. Against S3Proxy about one write in 750 fails
         * so ("The connection was closed during the request": a pooled connection the server closed as it was
         * reused); the probe now tries a transient failure once more. The background downloads are
         * bounded replica-wide all the same ({@code background-fetches}). See bench/RESULTS.md, "Background fetches
         * bounded per replica; lazy open on by default again".
         */
        @WithDefault("true")
        boolean lazyOpen();

        /** The size of a ranged read (a power of two, at least 4k). */
        @WithDefault("16k")
        io.quarkus.runtime.configuration.MemorySize pageSize();

        /** Memory for pages of versions served lazily (Caffeine, by bytes). */
        @WithDefault("256m")
        io.quarkus.runtime.configuration.MemorySize pageMemory();

        /** Ranged reads the background download of a version runs at once. */
        @WithDefault("8")
        int warmParallelism();

        /**
         * Background reads of index files the whole replica runs at once, all versions' downloads together (lazily
         * opened versions warming, and versions downloaded whole while the collection's previous one serves): the
         * rest wait their turn. A query's own page reads do not count and never wait for them. The default leaves
         * most of the S3 client's connections (50) to queries, log writes and the readiness probe. At least 1.
         */
        @WithDefault("8")
        int backgroundFetches();

        /**
         * While a lazily opened version is not local, a kNN query scores exactly at least this many candidates in all
         * (or 15 per result asked for, if more), the best of all segments together by the estimate of their distance
         * from the version's cold-search sketches; 0 searches the graph over pages instead. Versions written without
         * sketches always do that. Each candidate is a ranged read; at 1M vectors recall@10 is 0.976 at 150, 0.987 at
         * 200 (bench/RESULTS.md, "Open pack").
         */
        @WithDefault("150")
        int coldCandidates();

        /**
         * With lazy open on and S3 storage, a replica that serves the API runs a cold query's path (lazy open over
         * object-storage pages, a search from sketches, its ranged reads) this many times on a small synthetic version
         * of its own (written under {@code health-probe/}, deleted after) before it reports ready, so its first cold
         * query does not run that path in a fresh process's interpreter; 0: not.
         */
        @WithDefault("3")
        int warmUpRounds();
    }

    interface Storage {
        /** {@code local} (a folder under the data path) or {@code s3} (any S3-compatible endpoint). */
        @WithDefault("local")
        String type();

        /** Bucket for {@code s3}. */
        Optional<String> bucket();

        /** Key prefix inside the bucket (or a sub-folder of the local store). */
        Optional<String> prefix();

        /** Endpoint override for S3-compatible servers; AWS's own endpoint when absent. */
        Optional<URI> endpoint();

        @WithDefault("us-east-1")
        String region();

        /** Static credentials; the AWS default credential chain when absent. */
        Optional<String> accessKey();

        Optional<String> secretKey();

        @WithDefault("true")
        boolean pathStyle();

        /**
         * Ranged reads (the pages of versions opened lazily, their background downloads) go over the JDK's HTTP client,
         * signed with SigV4 by Vermilion ({@code S3RangeReader}), at about a third of the AWS SDK's CPU per read;
         * false: through the AWS SDK like every other call.
         */
        @WithDefault("true")
        boolean leanRangeReads();
    }

    interface Log {
        /** How long the first write to an idle collection waits for others to share its log fragment. */
        @WithDefault("2ms")
        Duration commitWindow();

        @WithDefault("10000")
        int maxRecordsPerFragment();

        /** Interval of the sweep that deletes log fragments written but never recorded. */
        @WithDefault("10m")
        Duration sweepInterval();
    }

    interface Limits {
        /** Records per write; also reported as max_batch_size by pre-flight-checks. */
        @WithDefault("5461")
        int maxBatchSize();

        @WithDefault("128")
        int maxIdBytes();

        @WithDefault("16384")
        int maxDocumentBytes();

        @WithDefault("256")
        int maxUriBytes();
    }

    /** Token-bucket rate limits per API key and per tenant ({@code vermilion.rate-limit.*}). */
    interface RateLimit {
        /** On by default when auth is on, off when it is off. */
        Optional<Boolean> enabled();

        /** Sustained requests per second of one API key (of one client address when auth is off). */
        @WithDefault("100")
        double perKey();

        /** Sustained requests per second of all keys of one tenant together. */
        @WithDefault("500")
        double perTenant();

        /** A full bucket holds this many seconds' worth of requests (at least one request). */
        @WithDefault("2")
        double burst();

        /** {@code postgres}: buckets shared by every replica in the catalog; {@code memory}: per replica. */
        @WithDefault("postgres")
        String store();
    }
}
