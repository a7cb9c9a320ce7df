package io.vermilion.compactor;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

import io.vermilion.blockstore.BlockLimits;
import io.vermilion.env.Environment;
import io.vermilion.index.IndexSchema;
import io.vermilion.index.MergeThreads;
import io.vermilion.model.DistanceFunction;
import io.vermilion.record.Record;

/**
 * How a {@link Compactor} works: who it is to the lease ({@code holder}, unique per compactor), how long its lease
 * lasts, how large record blocks grow, which index schema a collection's version is built with, and the local folder
 * indexes are built in (on disk, not the heap: an index of a million 384-d vectors is gigabytes), and the threads
 * that merge their HNSW graphs.
 */
public record CompactorOptions(String holder, Duration leaseTtl, BlockLimits blockLimits, SchemaSource schemas,
                               Path workDir, MergeThreads merges) {

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
    }

    /**
     * A holder id drawn from {@code environment}, 5-minute leases, default block limits, Chroma's default HNSW
     * parameters with l2.
     */
    public static CompactorOptions defaults(Environment environment) {
        return new CompactorOptions("compactor-" + environment.newId(), DEFAULT_LEASE_TTL, BlockLimits.defaults(),
                (collection, records) -> IndexSchema.defaults(DistanceFunction.L2, records),
                Path.of(System.getProperty("java.io.tmpdir")), MergeThreads.NONE);
    }

    public CompactorOptions withHolder(String holder) {
        return new CompactorOptions(holder, leaseTtl, blockLimits, schemas, workDir, merges);
    }

    public CompactorOptions withLeaseTtl(Duration ttl) {
        return new CompactorOptions(holder, ttl, blockLimits, schemas, workDir, merges);
    }

    public CompactorOptions withBlockLimits(BlockLimits limits) {
        return new CompactorOptions(holder, leaseTtl, limits, schemas, workDir, merges);
    }

    public CompactorOptions withSchemas(SchemaSource source) {
        return new CompactorOptions(holder, leaseTtl, blockLimits, source, workDir, merges);
    }

    public CompactorOptions withWorkDir(Path folder) {
        return new CompactorOptions(holder, leaseTtl, blockLimits, schemas, folder, merges);
    }

    /** Merges HNSW graphs on {@code threads} (the caller's pool; {@link MergeThreads#NONE} by default). */
    public CompactorOptions withMergeThreads(MergeThreads threads) {
        return new CompactorOptions(holder, leaseTtl, blockLimits, schemas, workDir, threads);
    }
}
