package io.vermilion.index;

/**
 * How {@link IndexFileCache} serves a version whose files are not local yet: lazily, from object-storage pages of
 * {@code pageBytes} (the most recently read ones kept in {@code memoryBytes} of heap) while every page is fetched in
 * the background, {@code warmParallelism} at a time (0: no background download, pages are fetched only as read and the
 * version never becomes local); or, when not {@code enabled}, only after the whole download. All versions' background
 * reads together (and, with lazy opening, the downloads that move a collection with a local version to a new one) run
 * at most {@code backgroundFetches} at a time, so the object store's connections keep room for queries' reads.
 * Meanwhile a kNN query is answered from the version's cold-search sketches ({@link ColdSketch}), scoring exactly at
 * least {@code coldCandidates} candidates in all (0: search the graph over pages instead; versions written without
 * sketches are always searched so).
 */
public record LazyOpenOptions(boolean enabled, int pageBytes, long memoryBytes, int warmParallelism,
                              int coldCandidates, int backgroundFetches) {

    /**
     * Candidates (over all segments) a cold query scores exactly, unless it asks for more than a fifteenth of that:
     * recall@10 0.976 on a million vectors in 8 segments (0.987 at 200, 0.958 at 100; bench/RESULTS.md).
     */
    public static final int DEFAULT_COLD_CANDIDATES = 150;

    /**
     * Background reads of the whole replica at once: a sixth of the S3 client's default 50 connections, leaving the
     * rest to queries, log writes and the readiness probe.
     */
    public static final int DEFAULT_BACKGROUND_FETCHES = 8;

    /** Full download before the first read, as before lazy opening existed. */
    public static final LazyOpenOptions DISABLED = new LazyOpenOptions(false, 256 << 10, 0, 1);

    public LazyOpenOptions {
        if (pageBytes < 4096 || Integer.bitCount(pageBytes) != 1) {
            throw new IllegalArgumentException("page size must be a power of two of at least 4096 bytes: " + pageBytes);
        }
        if (memoryBytes < 0 || warmParallelism < 0 || coldCandidates < 0) {
            throw new IllegalArgumentException("negative page memory, warming parallelism or cold candidates");
        }
        if (backgroundFetches < 1) {
            throw new IllegalArgumentException("background fetches must be at least 1: " + backgroundFetches);
        }
    }

    /** As above, with the default bound on the replica's background fetches. */
    public LazyOpenOptions(boolean enabled, int pageBytes, long memoryBytes, int warmParallelism, int coldCandidates) {
        this(enabled, pageBytes, memoryBytes, warmParallelism, coldCandidates, DEFAULT_BACKGROUND_FETCHES);
    }

    /** As above, with the default cold-search candidates. */
    public LazyOpenOptions(boolean enabled, int pageBytes, long memoryBytes, int warmParallelism) {
        this(enabled, pageBytes, memoryBytes, warmParallelism, DEFAULT_COLD_CANDIDATES);
    }

    /** Lazy opening with 256 KiB pages, {@code memoryBytes} of them in memory, 8 background fetches at a time. */
    public static LazyOpenOptions lazy(long memoryBytes) {
        return new LazyOpenOptions(true, 256 << 10, memoryBytes, 8);
    }

    public LazyOpenOptions withWarmParallelism(int parallelism) {
        return new LazyOpenOptions(enabled, pageBytes, memoryBytes, parallelism, coldCandidates, backgroundFetches);
    }

    public LazyOpenOptions withPageBytes(int bytes) {
        return new LazyOpenOptions(enabled, bytes, memoryBytes, warmParallelism, coldCandidates, backgroundFetches);
    }

    public LazyOpenOptions withColdCandidates(int candidates) {
        return new LazyOpenOptions(enabled, pageBytes, memoryBytes, warmParallelism, candidates, backgroundFetches);
    }

    public LazyOpenOptions withBackgroundFetches(int fetches) {
        return new LazyOpenOptions(enabled, pageBytes, memoryBytes, warmParallelism, coldCandidates, fetches);
    }
}
