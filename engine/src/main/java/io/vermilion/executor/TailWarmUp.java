package io.vermilion.executor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.vermilion.model.DistanceFunction;
import io.vermilion.model.QueryRequest;
import io.vermilion.record.LogRecord;
import io.vermilion.record.MetadataValue;
import io.vermilion.record.Operation;

/**
 * Runs the log tail's code (applying records, the vector kernels of each distance) on a small synthetic tail, so the
 * JIT has compiled it before the first query after an ingest: in a fresh process the first exact search over 10,000
 * tail rows ran interpreted and took ~0.4 s. Touches no collection; bounded work (a few hundred milliseconds of one
 * core), meant for a low-priority background thread at startup.
 */
public final class TailWarmUp {

    static final int ROWS = 2_500; // past TailSearch.TWO_PASS_MIN_ROWS, so its int8 first pass is compiled too
    static final int DIMENSION = 384;
    static final int QUERIES_PER_DISTANCE = 64;

    private TailWarmUp() {
    }

    /** Starts {@link #run} on a daemon thread of minimum priority and returns it. */
    public static Thread startInBackground() {
        return Thread.ofPlatform().name("vermilion-tail-warm-up").daemon().priority(Thread.MIN_PRIORITY)
                .start(TailWarmUp::run);
    }

    /** Builds the synthetic tail and searches it with every distance; returns how many hits it found in all. */
    public static long run() {
        int next = 0;
        CollectionTail tail = new CollectionTail(null);
        List<LogRecord> batch = new ArrayList<>();
        for (int i = 0; i < ROWS; i++) {
            batch.add(new LogRecord(Operation.ADD, "warm-" + i, vector(next++),
                    Map.of("bucket", new MetadataValue.Int(i % 10)), "warm-up document " + i, null));
            if (batch.size() == 100) {
                tail.apply(batch, i + 1 - batch.size());
                batch.clear();
            }
        }
        CollectionTail.View view = tail.view();
        long hits = 0;
        for (DistanceFunction distance : DistanceFunction.values()) {
            for (int q = 0; q < QUERIES_PER_DISTANCE; q++) {
                QueryRequest request = new QueryRequest(List.of(vector(next++)), 10, null, null, null, distance);
                hits += view.query(request).getFirst().size();
            }
        }
        return hits;
    }

    /** The {@code k}-th synthetic vector: deterministic, spread over the sphere well enough for a warm-up. */
    private static float[] vector(int k) {
        float[] v = new float[DIMENSION];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) Math.sin(k * 12.9898 + i * 78.233);
        }
        return v;
    }
}
