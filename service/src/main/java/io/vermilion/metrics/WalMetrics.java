package io.vermilion.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vermilion.log.LogWriterListener;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The write-ahead log's metrics, heard from the {@link io.vermilion.log.LogWriter}: commit latency (fragment put plus
 * catalog commit) as a histogram, group-commit batch sizes in writes and in records, fragment sizes, and the counts of
 * conflicting and failed commits. No per-collection tags: their number is unbounded.
 */
@Singleton
public class WalMetrics implements LogWriterListener {

    private final Timer commits;
    private final DistributionSummary batchWrites;
    private final DistributionSummary batchRecords;
    private final DistributionSummary fragmentBytes;
    private final Counter conflicts;
    private final Counter failures;

    public WalMetrics(MeterRegistry registry) {
        commits = Timer.builder("vermilion.wal.commit")
                .description("Time to put a log fragment and record it in the catalog (one group commit)")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
        batchWrites = DistributionSummary.builder("vermilion.wal.batch.writes")
                .description("Writes (API requests) acknowledged together by one group commit")
                .register(registry);
        batchRecords = DistributionSummary.builder("vermilion.wal.batch.records")
                .description("Records in one committed log fragment")
                .register(registry);
        fragmentBytes = DistributionSummary.builder("vermilion.wal.fragment.size")
                .description("Encoded size of one committed log fragment")
                .baseUnit("bytes")
                .register(registry);
        conflicts = Counter.builder("vermilion.wal.commit.conflicts")
                .description("Commits refused because another writer had advanced the log (retried)")
                .register(registry);
        failures = Counter.builder("vermilion.wal.commit.failures")
                .description("Group commits that failed with a store or catalog error (their writes were refused)")
                .register(registry);
    }

    @Override
    public void committed(int writes, long records, long bytes, long nanos) {
        commits.record(nanos, TimeUnit.NANOSECONDS);
        batchWrites.record(writes);
        batchRecords.record(records);
        fragmentBytes.record(bytes);
    }

    @Override
    public void conflicted() {
        conflicts.increment();
    }

    @Override
    public void failed(Throwable cause) {
        failures.increment();
    }
}
