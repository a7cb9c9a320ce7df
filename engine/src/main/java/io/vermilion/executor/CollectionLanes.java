package io.vermilion.executor;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * Runs read work on the shared read pool with at most {@code perCollection} tasks of one collection at a time; the
 * rest wait in that collection's own queue, outside the pool. One collection's slow reads (long scans, costly
 * filters) therefore never hold every pool thread: the others stay free for other collections.
 */
public final class CollectionLanes {

    private final Executor pool;
    private final int perCollection;
    private final Map<UUID, Lane> lanes = new HashMap<>();

    public CollectionLanes(Executor pool, int perCollection) {
        if (perCollection < 1) {
            throw new IllegalArgumentException("perCollection must be at least 1, got " + perCollection);
        }
        this.pool = pool;
        this.perCollection = perCollection;
    }

    /** An executor that runs tasks for {@code collection} within its lane. */
    public Executor of(UUID collection) {
        return task -> execute(collection, task);
    }

    /** How many tasks of {@code collection} are on the pool now (for tests and metrics). */
    public synchronized int running(UUID collection) {
        Lane lane = lanes.get(collection);
        return lane == null ? 0 : lane.running;
    }

    /** How many tasks of {@code collection} wait for a place in its lane. */
    public synchronized int waiting(UUID collection) {
        Lane lane = lanes.get(collection);
        return lane == null ? 0 : lane.waiting.size();
    }

    private void execute(UUID collection, Runnable task) {
        Lane lane;
        synchronized (this) {
            lane = lanes.computeIfAbsent(collection, k -> new Lane());
            if (lane.running == perCollection) {
                lane.waiting.add(task);
                return;
            }
            lane.running++;
        }
        start(collection, lane, task);
    }

    private void start(UUID collection, Lane lane, Runnable task) {
        try {
            pool.execute(() -> {
                try {
                    task.run();
                } finally {
                    finished(collection, lane);
                }
            });
        } catch (RejectedExecutionException e) {
            finished(collection, lane);
            throw e;
        }
    }

    private void finished(UUID collection, Lane lane) {
        Runnable next;
        synchronized (this) {
            next = lane.waiting.poll();
            if (next == null && --lane.running == 0) {
                lanes.remove(collection);
            }
        }
        if (next != null) {
            start(collection, lane, next);
        }
    }

    private static final class Lane {
        final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
        int running;
    }
}
