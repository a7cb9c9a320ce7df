package io.vermilion.index;

import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;

import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexFormatTooNewException;
import org.apache.lucene.index.IndexFormatTooOldException;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.SegmentReader;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexInput;

/**
 * How a reader over a version that is not local yet answers kNN queries: from its segments' {@link ColdSketch}es
 * (read whole from the version's directory on first use, kept until the version is local, then dropped), taking
 * {@code max(candidates, 15 × n_results)} candidates in all, the best of every segment's together, to score exactly.
 * A version without sketches, or with one that does not match its segment, is searched as before (HNSW).
 * Thread-safe.
 */
final class ColdSearch {

    /** Candidates per result asked for, when more than the configured minimum. */
    static final int PER_RESULT = 15;

    private final Directory directory;
    private final int candidates;
    private final BooleanSupplier cold;
    private final Runnable onAnswer;
    private final Map<String, ColdSketch> loaded = new ConcurrentHashMap<>();
    /** A lock per sketch: concurrent cold queries wait for one read of it, while other sketches are read meanwhile. */
    private final Map<String, Object> loading = new ConcurrentHashMap<>();
    private volatile boolean unusable;
    private final java.util.concurrent.atomic.AtomicLong answered = new java.util.concurrent.atomic.AtomicLong();

    /**
     * @param candidates at least this many candidates in all (0: never search sketches)
     * @param cold       whether the version is still not local (sketches are searched only meanwhile)
     * @param onAnswer   run after each query answered from sketches
     */
    ColdSearch(Directory directory, int candidates, BooleanSupplier cold, Runnable onAnswer) {
        this.onAnswer = onAnswer;
        this.directory = directory;
        this.candidates = candidates;
        this.cold = cold;
    }

    /** Whether a kNN query should be answered from sketches now. */
    boolean active() {
        if (!cold.getAsBoolean()) {
            loaded.clear(); // local now: HNSW from here on
            return false;
        }
        return candidates > 0 && !unusable;
    }

    /** Counts a query answered from sketches. */
    void answered() {
        answered.incrementAndGet();
        onAnswer.run();
    }

    /** Queries answered from sketches so far. */
    long answeredQueries() {
        return answered.get();
    }

    /** Candidates in all (over every segment) for a query asking for {@code n} results. */
    int candidates(int n) {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(candidates, (long) PER_RESULT * n));
    }

    /**
     * The sketch of {@code leaf}'s segment, whose vectors are {@code values}; null when the segment has none or it
     * does not describe them (then this reader searches as before from now on). A failed read throws and is not
     * remembered: the next query reads again.
     */
    ColdSketch sketch(LeafReaderContext leaf, FloatVectorValues values) throws IOException {
        SegmentReader segment = ColdSketch.segmentOf(leaf);
        String name = ColdSketch.fileName(segment.getSegmentName());
        ColdSketch sketch = loaded.get(name);
        if (sketch != null) {
            return sketch;
        }
        synchronized (loading.computeIfAbsent(name, n -> new Object())) { // one read of a sketch at a time
            sketch = loaded.get(name);
            if (sketch != null) {
                return sketch;
            }
            if (!Arrays.asList(directory.listAll()).contains(name)) {
                unusable = true;
                return null;
            }
            try (IndexInput in = directory.openInput(name, IOContext.DEFAULT)) {
                in.prefetch(0, in.length()); // at once, in parallel ranged reads (if not started on open already)
                sketch = ColdSketch.read(in, segment.getSegmentInfo().info.getId());
            } catch (CorruptIndexException | IndexFormatTooOldException | IndexFormatTooNewException e) {
                unusable = true;
                return null;
            }
            if (sketch.count() != values.size() || sketch.dimension() != values.dimension()) {
                unusable = true;
                return null;
            }
            if (cold.getAsBoolean()) {
                loaded.put(name, sketch);
            }
            return sketch;
        }
    }
}
