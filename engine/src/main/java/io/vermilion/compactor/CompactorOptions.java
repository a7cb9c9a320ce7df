package io.vermilion.compactor;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

import io.vermilion.blockstore.BlockLimits;
import io.vermilion.env.Environment;
import io.vermilion.index.IndexFileCache;
import io.vermilion.index.IndexSchema;
import io.vermilion.index.MergeThreads;
import io.vermilion.model.DistanceFunction;
import io.vermilion.record.Record;

/**
 * How a {@link Compactor} works: who it is to the lease ({@code holder}, unique per compactor), how long its lease
 * lasts, how large record blocks grow, which index schema a collection's version is built with, the local folder
 * indexes are built in (on disk, not the heap: an index of a million 384-d vectors is gigabytes), the threads that
 * merge their HNSW graphs, how many records a full build puts in one index segment ({@code segmentRecords}: the build
 * cuts a segment after that many and never merges below {@code ceil(records / segmentRecords)} segments, so it is
 * bound by adds, not by one final graph merge), how many log fragment bytes one compaction folds at most
 * ({@code maxTailBytes}: the tail is held in memory; the rest waits for the next compaction), and the replica's local
 * index cache ({@code localIndex}, or null): an update takes the previous version's files from it instead of the
 * store, and a published version's files are handed to it.
 */
public record CompactorOptions(String holder, Duration leaseTtl, BlockLimits blockLimits, SchemaSource schemas,
                               Path workDir, MergeThreads merges, long segmentRecords, long maxTailBytes,
                               IndexFileCache localIndex) {

    /**
     * The index schema for a collection's next version. {@code records} are every record of the version (in id order,
     * read from its blocks one at a time as the list is walked: iterate it, do not copy it) when the index is built
     * anew, or only the records the log tail wrote when the previous index is updated; then the previous schema is
     * kept if it equals the answer, or is {@code ip}'s wider {@code MAXIMUM_INNER_PRODUCT} where the tail alone would
     * allow {@code DOT_PRODUCT}, and otherwise the index is rebuilt with the answer for every record.
     */
    @FunctionalInterface
    public interface SchemaSource {
        IndexSchema schemaFor(UUID collection, List<Record> records);
    }

    public static final Duration DEFAULT_LEASE_TTL = Duration.ofMinutes(5);
    /** Records per index segment of a full build (see bench/RESULTS.md, "Compaction at 1M"). */
    public static final long DEFAULT_SEGMENT_RECORDS = 10_000_000;
    /** Log fragment bytes one compaction folds at most. */
    public static final long DEFAULT_MAX_TAIL_BYTES = 256L << 20;

    public CompactorOptions {
        Objects.requireNonNull(holder, "holder");
        Objects.requireNonNull(leaseTtl, "leaseTtl");
        Objects.requireNonNull(blockLimits, "blockLimits");
        Objects.requireNonNull(schemas, "schemas");
        Objects.requireNonNull(merges, "merges");
        Objects.requireNonNull(workDir, "workDir");
        if (!leaseTtl.isPositive()) {
            throw new IllegalArgumentException("lease TTL must be positive: " + leaseTtl);
        }
        if (segmentRecords < 1 || maxTailBytes < 1) {
            throw new IllegalArgumentException("segment records and tail bytes must be positive: " + segmentRecords
                    + ", " + maxTailBytes);
        }
    }

    /**
     * A holder id drawn from {@code environment}, 5-minute leases, default block limits, Chroma's default HNSW
     * parameters with l2, no local index cache.
     */
    public static CompactorOptions defaults(Environment environment) {
        return new CompactorOptions("compactor-" + environment.newId(), DEFAULT_LEASE_TTL, BlockLimits.defaults(),
                (collection, records) -> IndexSchema.defaults(DistanceFunction.L2, records),
                Path.of(System.getProperty("java.io.tmpdir")), MergeThreads.NONE, DEFAULT_SEGMENT_RECORDS,
                DEFAULT_MAX_TAIL_BYTES, null);
    }

    public CompactorOptions withHolder(String holder) {
        return new CompactorOptions(holder, leaseTtl, blockLimits, schemas, workDir, merges, segmentRecords,
                maxTailBytes, localIndex);
    }

    public CompactorOptions withLeaseTtl(Duration ttl) {
        return new CompactorOptions(holder, ttl, blockLimits, schemas, workDir, merges, segmentRecords, maxTailBytes,
                localIndex);
    }

    public CompactorOptions withBlockLimits(BlockLimits limits) {
        return new CompactorOptions(holder, leaseTtl, limits, schemas, workDir, merges, segmentRecords, maxTailBytes,
                localIndex);
    }

    public CompactorOptions withSchemas(SchemaSource source) {
        return new CompactorOptions(holder, leaseTtl, blockLimits, source, workDir, merges, segmentRecords,
                maxTailBytes, localIndex);
    }

    public CompactorOptions withWorkDir(Path folder) {
        return new CompactorOptions(holder, leaseTtl, blockLimits, schemas, folder, merges, segmentRecords,
                maxTailBytes, localIndex);
    }

    /** Merges HNSW graphs on {@code threads} (the caller's pool; {@link MergeThreads#NONE} by default). */
    public CompactorOptions withMergeThreads(MergeThreads threads) {
        return new CompactorOptions(holder, leaseTtl, blockLimits, schemas, workDir, threads, segmentRecords,
                maxTailBytes, localIndex);
    }

    /** A full build cuts a segment every {@code records} records; {@code Long.MAX_VALUE} merges to one segment. */
    public CompactorOptions withSegmentRecords(long records) {
        return new CompactorOptions(holder, leaseTtl, blockLimits, schemas, workDir, merges, records, maxTailBytes,
                localIndex);
    }

    /** One compaction folds at most {@code bytes} of log fragments (at least one fragment). */
    public CompactorOptions withMaxTailBytes(long bytes) {
        return new CompactorOptions(holder, leaseTtl, blockLimits, schemas, workDir, merges, segmentRecords, bytes,
                localIndex);
    }

    /** Takes previous index files from {@code cache} when it holds them, and hands it each published version. */
    public CompactorOptions withLocalIndex(IndexFileCache cache) {
        return new CompactorOptions(holder, leaseTtl, blockLimits, schemas, workDir, merges, segmentRecords,
                maxTailBytes, cache);
    }
}
