package io.vermilion.log;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

import org.apache.arrow.memory.BufferAllocator;

import io.vermilion.catalog.FragmentRef;
import io.vermilion.catalog.LogCatalog;
import io.vermilion.storage.ObjectStore;

/**
 * Reads a collection's log as the catalog records it, for everything that replays it (the query executor catching a
 * collection up, the compactor folding a tail). Guarantees: the recorded fragments covering the asked offsets are
 * checked to follow each other without a gap before any is read ({@link LogGapException} otherwise, nothing handed
 * over); each is fetched (up to {@value #PARALLEL_READS} at once), decoded and checked against its catalog entry
 * ({@link FragmentReader}) on the executor, and handed over strictly in log order, one at a time. Thread-safe.
 */
public final class LogReader {

    /** Fragments read at once; also bounds the raw bytes held in memory. */
    static final int PARALLEL_READS = 32;

    /** Takes fragments in log order; calls never overlap, each happens-before the next. */
    @FunctionalInterface
    public interface FragmentSink {
        void accept(FragmentRef ref, LogFragment fragment);
    }

    private final ObjectStore store;
    private final LogCatalog catalog;
    private final FragmentReader reader;
    private final Executor executor;

    /**
     * @param allocator the parent Arrow allocator for decoding; it stays the caller's
     * @param executor  decodes fragments and runs the sink
     */
    public LogReader(ObjectStore store, LogCatalog catalog, BufferAllocator allocator, Executor executor) {
        this.store = Objects.requireNonNull(store, "store");
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.reader = new FragmentReader(Objects.requireNonNull(allocator, "allocator"));
        this.executor = Objects.requireNonNull(executor, "executor");
    }

    /**
     * Hands {@code sink} the recorded fragments starting in {@code [from, to)}, in log order: the first must start at
     * {@code from}, each where the previous ended, the last end at or after {@code to}. Completes when the last was
     * handed over; fails with {@link LogGapException} (before reading anything) if the catalog does not record them
     * so, or with the store's error or a {@link CorruptFragmentException} (earlier fragments may have been handed over).
     */
    public CompletionStage<Void> read(UUID collection, long from, long to, FragmentSink sink) {
        Objects.requireNonNull(sink, "sink");
        return catalog.fragments(collection, from).thenCompose(recorded -> {
            List<FragmentRef> covering = new ArrayList<>();
            long expected = from;
            for (FragmentRef fragment : recorded) {
                if (fragment.startOffset() >= to) {
                    break;
                }
                if (fragment.startOffset() != expected) {
                    return CompletableFuture.failedFuture(
                            new LogGapException(collection, from, to, expected, fragment.startOffset()));
                }
                covering.add(fragment);
                expected = fragment.endOffset();
            }
            if (expected < to) {
                return CompletableFuture.failedFuture(new LogGapException(collection, from, to, expected, -1));
            }
            return readFrom(covering, 0, sink);
        });
    }

    /** Reads {@code fragments[first ..]} a chunk at a time, handing each chunk over in order once it is read. */
    private CompletableFuture<Void> readFrom(List<FragmentRef> fragments, int first, FragmentSink sink) {
        if (first >= fragments.size()) {
            return CompletableFuture.completedFuture(null);
        }
        List<FragmentRef> chunk = fragments.subList(first, Math.min(fragments.size(), first + PARALLEL_READS));
        List<CompletableFuture<LogFragment>> reads = new ArrayList<>(chunk.size());
        for (FragmentRef fragment : chunk) {
            reads.add(store.get(fragment.key()).toCompletableFuture()
                    .thenApplyAsync(bytes -> reader.read(bytes, fragment), executor));
        }
        return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new))
                .thenApplyAsync(ignored -> {
                    for (int i = 0; i < chunk.size(); i++) {
                        sink.accept(chunk.get(i), reads.get(i).join());
                    }
                    return null;
                }, executor)
                .thenCompose(ignored -> readFrom(fragments, first + chunk.size(), sink));
    }
}
