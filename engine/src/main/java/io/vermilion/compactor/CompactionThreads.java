package io.vermilion.compactor;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;

import io.vermilion.index.MergeThreads;

/**
 * The threads a replica's compactions run on, within a budget of {@code threads}: one coordinator runs compactions
 * one at a time (reading, encoding, uploading, then waiting while the work threads build), and {@code threads} work
 * threads decode blocks, add records to the index and merge its graphs, so at most {@code threads} compute at once.
 * All are daemon threads at the lowest priority, and on Linux at nice {@value ThreadNice#COMPACTION}
 * ({@link ThreadNice}), so that on busy cores the kernel runs serving threads first.
 */
public final class CompactionThreads implements AutoCloseable {

    /** Names of the coordinator's thread and prefix of the work threads'. */
    public static final String COORDINATOR = "vermilion-compact", WORKER = "vermilion-compact-work-";

    private final int threads;
    private final ExecutorService coordinator;
    private final MergeThreads work;

    /** A budget of {@code threads} computing threads (at least one). */
    public CompactionThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("compaction needs at least one thread: " + threads);
        }
        this.threads = threads;
        this.coordinator = Executors.newFixedThreadPool(1, factory(Thread.ofPlatform().name(COORDINATOR)));
        this.work = new MergeThreads(Executors.newFixedThreadPool(threads, factory(Thread.ofPlatform().name(WORKER, 0))),
                threads);
    }

    /**
     * The default budget on a machine with {@code cores} cores: all of them, since compaction threads run at nice
     * {@value ThreadNice#COMPACTION} and the kernel runs serving threads first (at 1M on 2 cores one thread made
     * compaction the bottleneck of an ingest: every record indexed at 1,028 against 2,123 vectors/s with two, while
     * queries during compaction kept their latency with two). Where threads cannot lower their priority, a replica
     * that also serves the API keeps a core for serving: all but one (at least one).
     */
    public static int defaultThreads(int cores, boolean serves) {
        return defaultThreads(cores, serves, ThreadNice.available());
    }

    /** As {@link #defaultThreads(int, boolean)}, saying whether compaction threads run at a lower priority. */
    static int defaultThreads(int cores, boolean serves, boolean niced) {
        return serves && !niced ? Math.max(1, cores - 1) : Math.max(1, cores);
    }

    private static ThreadFactory factory(Thread.Builder.OfPlatform builder) {
        ThreadFactory threads = builder.daemon(true).priority(Thread.MIN_PRIORITY).factory();
        return task -> threads.newThread(() -> {
            ThreadNice.set(ThreadNice.COMPACTION);
            task.run();
        });
    }

    /** The budget: threads that compute at once. */
    public int threads() {
        return threads;
    }

    /** Runs compactions (the {@link Compactor}'s executor): one thread, so one compaction at a time. */
    public ExecutorService coordinator() {
        return coordinator;
    }

    /** The work threads, for {@link CompactorOptions#withMergeThreads}. */
    public MergeThreads work() {
        return work;
    }

    @Override
    public void close() {
        coordinator.shutdownNow();
        work.executor().shutdownNow();
    }
}
