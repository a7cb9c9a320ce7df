package io.vermilion.index;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The threads that build an index (adds split across them) and merge its HNSW graphs (one merge uses them all):
 * merging the segments of a large build into one graph is most of its cost and would otherwise run on one core.
 * Whoever creates a pool owns it and passes it to the writers; {@link #NONE} builds and merges on the writing thread.
 * At most {@code workers} threads of the pool and the writing thread compute at once.
 */
public record MergeThreads(ExecutorService executor, int workers) {

    /** Merges on the thread that writes the index. */
    public static final MergeThreads NONE = new MergeThreads(null, 1);

    public MergeThreads {
        if (workers < 1 || (executor == null && workers != 1)) {
            throw new IllegalArgumentException("at least one worker, and an executor for several: " + workers);
        }
    }

    /** A pool of {@code workers} daemon threads, or {@link #NONE} for fewer than two. */
    public static MergeThreads pool(int workers) {
        return workers < 2 ? NONE : new MergeThreads(Executors.newFixedThreadPool(workers,
                Thread.ofPlatform().name("vermilion-hnsw-merge-", 0).daemon(true).factory()), workers);
    }

    /** The executor Lucene merges graphs on: none for a single worker (Lucene merges on the calling thread then). */
    ExecutorService graphMergeExecutor() {
        return workers > 1 ? executor : null;
    }
}
