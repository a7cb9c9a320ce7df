package io.vermilion.log;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.arrow.memory.BufferAllocator;

import io.vermilion.catalog.CollectionMissingException;
import io.vermilion.catalog.FragmentRef;
import io.vermilion.catalog.LogCatalog;
import io.vermilion.catalog.LogPosition;
import io.vermilion.env.Environment;
import io.vermilion.record.LogRecord;
import io.vermilion.record.MetadataValue;
import io.vermilion.storage.ObjectStore;

/**
 * The durable write path: appends writes to collections' logs with per-collection group commit. Writes to one
 * collection that arrive within the commit window (or while its previous fragment commits) become one fragment, in
 * arrival order, each write's records contiguous; a write is acknowledged only after the catalog recorded its fragment.
 * Each collection has at most one fragment in flight, so its offsets are gapless; collections commit independently.
 * Several writers (replicas) may share a catalog and store: the catalog's conditional commit orders them, and a writer
 * that lost the race re-encodes its batch at the new end of the log. Thread-safe.
 */
public final class LogWriter implements AutoCloseable {

    /** How long after its last conflict a writer treats a collection as contended (see {@link CollectionLog#afterBatch}). */
    private static final long CONTENTION_MEMORY_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long MAX_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private final ObjectStore store;
    private final LogCatalog catalog;
    private final FragmentWriter fragmentWriter;
    private final LogWriterOptions options;
    private final ScheduledExecutorService scheduler;
    private final LogWriterListener listener;
    private final CommittedFragments committedFragments;

    private final ConcurrentHashMap<UUID, CollectionLog> logs = new ConcurrentHashMap<>();
    /** Every accepted write not yet answered, so that {@link #close()} can wait for them. */
    private final Set<CompletableFuture<Void>> outstanding = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private final Environment environment;
    private final AtomicLong fragmentsCommitted = new AtomicLong();
    private final AtomicLong recordsCommitted = new AtomicLong();
    private final AtomicLong requestsCommitted = new AtomicLong();
    private final AtomicLong commitConflicts = new AtomicLong();

    /**
     * @param allocator the parent Arrow allocator for encoding; it stays the caller's
     * @param scheduler runs commit windows and encoding; it stays the caller's (never call {@link #close()} on it)
     */
    public LogWriter(ObjectStore store, LogCatalog catalog, BufferAllocator allocator, LogWriterOptions options,
                     ScheduledExecutorService scheduler) {
        this(store, catalog, allocator, options, scheduler, LogWriterListener.NONE);
    }

    /** As above, reporting commits, conflicts and failures to {@code listener} (e.g. for metrics). */
    public LogWriter(ObjectStore store, LogCatalog catalog, BufferAllocator allocator, LogWriterOptions options,
                     ScheduledExecutorService scheduler, LogWriterListener listener) {
        this(store, catalog, allocator, options, scheduler, listener, Environment.system());
    }

    /** As above, timing commits, drawing back-off delays and naming fragments with {@code environment}. */
    public LogWriter(ObjectStore store, LogCatalog catalog, BufferAllocator allocator, LogWriterOptions options,
                     ScheduledExecutorService scheduler, LogWriterListener listener, Environment environment) {
        this(store, catalog, allocator, options, scheduler, listener, environment, CommittedFragments.NONE);
    }

    /**
     * As above, handing each recorded fragment's bytes to {@code committedFragments} before its writes are
     * acknowledged (e.g. so this replica's read state takes them without reading them back).
     */
    public LogWriter(ObjectStore store, LogCatalog catalog, BufferAllocator allocator, LogWriterOptions options,
                     ScheduledExecutorService scheduler, LogWriterListener listener, Environment environment,
                     CommittedFragments committedFragments) {
        this.committedFragments = Objects.requireNonNull(committedFragments, "committedFragments");
        this.environment = Objects.requireNonNull(environment, "environment");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.store = Objects.requireNonNull(store, "store");
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.fragmentWriter = new FragmentWriter(Objects.requireNonNull(allocator, "allocator"));
        this.options = Objects.requireNonNull(options, "options");
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    }

    /**
     * Appends {@code records} (one validated write, all embeddings of one dimension) to the collection's log. Completes
     * once they are durable and recorded; fails with {@link DimensionMismatchException},
     * {@link CollectionMissingException}, {@link CommitConflictException}, {@link LogWriterClosedException}, an
     * {@link IllegalArgumentException} for records the fragment format cannot hold, or the store's or catalog's error
     * (in which case the write may or may not have been recorded).
     */
    public CompletionStage<Void> append(UUID collection, List<LogRecord> records) {
        Objects.requireNonNull(collection, "collection");
        Request request;
        try {
            request = new Request(records);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        CollectionLog log = logs.computeIfAbsent(collection, CollectionLog::new);
        if (!log.enqueue(request)) {
            return CompletableFuture.failedFuture(new LogWriterClosedException("log writer is closed"));
        }
        return request.future; // already answered when close() returns
    }

    public long fragmentsCommitted() {
        return fragmentsCommitted.get();
    }

    public long recordsCommitted() {
        return recordsCommitted.get();
    }

    /** Writes (calls of {@link #append}) acknowledged. */
    public long requestsCommitted() {
        return requestsCommitted.get();
    }

    /** Commits the catalog refused because the log had moved on (another writer, or a stale cached position). */
    public long commitConflicts() {
        return commitConflicts.get();
    }

    /**
     * Stops accepting writes, commits the ones already accepted at once (without waiting for their window), and waits
     * for them up to the close timeout; writes still unanswered then fail with {@link LogWriterClosedException}
     * (their outcome is unknown). Must not run on the scheduler's threads.
     */
    @Override
    public void close() {
        closed = true;
        for (CollectionLog log : logs.values()) {
            log.flushNow();
        }
        CompletableFuture<?>[] waiting = outstanding.toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(waiting).get(options.closeTimeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            // some writes failed; they have their answer
        } catch (TimeoutException e) {
            failOutstanding("log writer closed before the write was committed");
        } catch (InterruptedException e) {
            failOutstanding("log writer closed (interrupted) before the write was committed");
            Thread.currentThread().interrupt();
        }
    }

    private void failOutstanding(String message) {
        for (CompletableFuture<Void> future : outstanding.toArray(CompletableFuture[]::new)) {
            future.completeExceptionally(new LogWriterClosedException(message));
        }
    }

    /** One call of {@link #append}: its records, the dimension its embeddings have (null: none), its answer. */
    private static final class Request {
        final List<LogRecord> records;
        final Integer dimension;
        final long estimatedBytes;
        final CompletableFuture<Void> future = new CompletableFuture<>();

        Request(List<LogRecord> records) {
            if (records == null || records.isEmpty()) {
                throw new IllegalArgumentException("a write holds at least one record");
            }
            this.records = List.copyOf(records);
            Integer found = null;
            long bytes = 0;
            for (LogRecord record : this.records) {
                if (found == null && record.embedding() != null) {
                    found = record.embedding().length;
                }
                bytes += estimateBytes(record);
            }
            this.dimension = found;
            this.estimatedBytes = bytes;
        }
    }

    /**
     * A collection's queue of writes and its cached log position. The queue is guarded by {@code this}; the position is
     * only touched by the one batch in progress (batches of a collection run one after another).
     */
    private final class CollectionLog {
        final UUID collection;
        private final ArrayDeque<Request> pending = new ArrayDeque<>();
        /** A flush is scheduled or a batch is committing; the next one starts when it ends. */
        private boolean busy;
        private ScheduledFuture<?> window;
        /** Where the log ends as this writer last saw it; null: ask the catalog before the next commit. */
        volatile LogPosition position;
        /** Until when (the environment's nanoTime) another writer is presumed to be writing this collection too. */
        volatile long contendedUntil = environment.nanoTime();
        /** How long the last put and commit took. */
        volatile long lastCommitNanos;

        CollectionLog(UUID collection) {
            this.collection = collection;
        }

        /** Queues {@code request}, starting a commit window if the collection was idle; false once closed. */
        boolean enqueue(Request request) {
            List<Request> rejected;
            synchronized (this) {
                if (closed) {
                    return false;
                }
                pending.add(request);
                outstanding.add(request.future);
                request.future.whenComplete((ok, failure) -> outstanding.remove(request.future));
                if (busy) {
                    return true;
                }
                busy = true;
                rejected = schedule(options.commitWindow());
            }
            failAll(rejected, new LogWriterClosedException("log writer's scheduler refused work"));
            return true;
        }

        /** Ends a waiting commit window early (on close). */
        void flushNow() {
            List<Request> rejected = List.of();
            synchronized (this) {
                if (window != null && window.cancel(false)) {
                    window = null;
                    rejected = schedule(Duration.ZERO);
                }
            }
            failAll(rejected, new LogWriterClosedException("log writer's scheduler refused work"));
        }

        /** Caller holds the lock. Returns the writes to fail (outside the lock) if the scheduler refuses. */
        private List<Request> schedule(Duration delay) {
            try {
                if (delay.isZero()) {
                    window = null;
                    scheduler.execute(this::flush);
                } else {
                    window = scheduler.schedule(this::flush, delay.toNanos(), TimeUnit.NANOSECONDS);
                }
                return List.of();
            } catch (RejectedExecutionException e) {
                busy = false;
                List<Request> rejected = new ArrayList<>(pending);
                pending.clear();
                return rejected;
            }
        }

        private void flush() {
            List<Request> batch = new ArrayList<>();
            synchronized (this) {
                window = null;
                long records = 0;
                long bytes = 0;
                while (!pending.isEmpty()) {
                    Request next = pending.peek();
                    if (!batch.isEmpty() && (records + next.records.size() > options.maxRecordsPerFragment()
                            || bytes + next.estimatedBytes > options.maxBytesPerFragment())) {
                        break;
                    }
                    batch.add(pending.poll());
                    records += next.records.size();
                    bytes += next.estimatedBytes;
                }
                if (batch.isEmpty()) {
                    busy = false;
                    return;
                }
            }
            CompletableFuture<Void> committed;
            try {
                committed = commit(this, new Batch(batch));
            } catch (RuntimeException e) { // defensive: commit reports failures through its stage
                failAll(batch, e);
                committed = CompletableFuture.completedFuture(null);
            }
            committed.whenComplete((ok, failure) -> afterBatch());
        }

        /**
         * The batch is answered: start the next one at once (its writes have waited during this commit) - unless another
         * writer is writing this collection too. Then a writer that keeps committing would keep the other one losing
         * (the loser must re-encode and put again, and is slower to the catalog every time), so after each commit it
         * waits a random time of up to two commits' duration, giving the other's retry a fair chance to land first.
         * (Without this, two saturating writers starved one another past 10 attempts in a quarter of test runs.)
         */
        private void afterBatch() {
            List<Request> rejected = List.of();
            long now = environment.nanoTime();
            Duration delay = Duration.ZERO;
            if (now - contendedUntil < 0) {
                long bound = Math.min(2 * lastCommitNanos, MAX_BACKOFF_NANOS);
                delay = Duration.ofNanos(environment.random().nextLong(1 + bound));
            }
            synchronized (this) {
                if (pending.isEmpty()) {
                    busy = false;
                } else {
                    rejected = schedule(delay);
                }
            }
            failAll(rejected, new LogWriterClosedException("log writer's scheduler refused work"));
        }
    }

    /** Writes committed together; {@link #requests} shrinks as writes are answered for good (unencodable ones). */
    private static final class Batch {
        final List<Request> requests;
        /** Deletions of this batch's refused fragments, running beside the retries. */
        final List<CompletableFuture<Void>> cleanups = new ArrayList<>();
        /** Writes refused for good (dimension) that left the batch; answered with the rest, after the cleanups. */
        final Map<Request, DimensionMismatchException> settled = new LinkedHashMap<>();
        int attempts;

        Batch(List<Request> requests) {
            this.requests = new ArrayList<>(requests);
        }

        CompletableFuture<Void> cleanedUp() {
            return CompletableFuture.allOf(cleanups.toArray(CompletableFuture[]::new));
        }
    }

    /**
     * What one commit attempt writes: the accepted writes encoded at the log's end, and the writes refused for their
     * dimension (answered only when the attempt ends, as a retry at a new position may judge them differently).
     */
    private record Plan(List<Request> accepted, Map<Request, DimensionMismatchException> refused, Integer dimension,
                        long recordCount, byte[] bytes) {}

    /**
     * Commits {@code batch}; the stage completes (never exceptionally) once every write of the batch is answered. The
     * answer waits for the deletion of fragments refused on the way (which ran beside the retries), so that a writer
     * that got its answer leaves no refused fragment behind.
     */
    private CompletableFuture<Void> commit(CollectionLog log, Batch batch) {
        return loadPosition(log)
                .thenComposeAsync(position -> attempt(log, batch, position), scheduler)
                .handle((answer, failure) -> {
                    if (failure == null) {
                        return answer;
                    }
                    log.position = null; // the outcome may be unknown: ask the catalog before the next commit
                    Throwable cause = unwrap(failure);
                    tell(() -> listener.failed(cause));
                    return (Runnable) () -> failAll(batch.requests, cause);
                })
                .thenCompose(answer -> batch.cleanedUp().thenRun(() -> {
                    batch.settled.forEach((request, mismatch) -> request.future.completeExceptionally(mismatch));
                    answer.run();
                }));
    }

    private CompletableFuture<LogPosition> loadPosition(CollectionLog log) {
        LogPosition cached = log.position;
        if (cached != null) {
            return CompletableFuture.completedFuture(cached);
        }
        return catalog.position(log.collection).toCompletableFuture().thenApply(found -> {
            LogPosition position = found.orElseThrow(() -> new CollectionMissingException(log.collection));
            log.position = position;
            return position;
        });
    }

    /** One try at committing the batch at {@code position}; completes with how to answer the batch's writes. */
    private CompletableFuture<Runnable> attempt(CollectionLog log, Batch batch, LogPosition position) {
        batch.attempts++;
        Plan plan = plan(batch, position);
        if (position.dimension() != null || plan.accepted().isEmpty()) {
            // Refused against the collection's fixed dimension: final, answer now. (Refused against an earlier write
            // of the batch: wait, a retry at a new position may find the collection fixed to another dimension.)
            batch.settled.putAll(plan.refused());
            batch.requests.removeAll(plan.refused().keySet());
        }
        if (plan.accepted().isEmpty()) {
            return CompletableFuture.completedFuture(() -> {});
        }
        long start = position.nextOffset();
        String key = FragmentKeys.newFragmentKey(log.collection, start, environment.newId());
        FragmentRef fragment = new FragmentRef(start, start + plan.recordCount(), key, plan.bytes().length);
        long started = environment.nanoTime();
        return store.put(key, plan.bytes()).toCompletableFuture()
                .thenCompose(stored -> catalog.commit(log.collection, fragment, plan.dimension()))
                .thenCompose(result -> {
                    log.lastCommitNanos = environment.nanoTime() - started;
                    return answer(log, batch, position, plan, fragment, result);
                });
    }

    /** Acts on the catalog's answer to one attempt: done, retry at the new end of the log, or fail. */
    private CompletableFuture<Runnable> answer(CollectionLog log, Batch batch, LogPosition position, Plan plan,
                                               FragmentRef fragment, LogCatalog.CommitResult result) {
        return switch (result) {
            case COMMITTED -> {
                log.position = new LogPosition(fragment.endOffset(),
                        position.dimension() != null ? position.dimension() : plan.dimension());
                fragmentsCommitted.incrementAndGet();
                recordsCommitted.addAndGet(plan.recordCount());
                requestsCommitted.addAndGet(plan.accepted().size());
                long nanos = log.lastCommitNanos;
                tell(() -> listener.committed(plan.accepted().size(), plan.recordCount(), plan.bytes().length, nanos));
                tell(() -> committedFragments.committed(log.collection, fragment, plan.bytes()));
                yield CompletableFuture.completedFuture(() -> {
                    plan.refused().forEach((request, mismatch) -> request.future.completeExceptionally(mismatch));
                    for (Request request : plan.accepted()) {
                        request.future.complete(null);
                    }
                });
            }
            case CONFLICT -> {
                commitConflicts.incrementAndGet();
                tell(listener::conflicted);
                log.position = null;
                log.contendedUntil = environment.nanoTime() + CONTENTION_MEMORY_NANOS;
                batch.cleanups.add(deleteUnrecorded(fragment.key()));
                if (batch.attempts >= options.maxCommitAttempts()) {
                    CommitConflictException gaveUp = new CommitConflictException(log.collection, batch.attempts);
                    yield CompletableFuture.completedFuture(() -> failAll(batch.requests, gaveUp));
                }
                yield loadPosition(log).thenComposeAsync(moved -> attempt(log, batch, moved), scheduler);
            }
            case COLLECTION_MISSING -> {
                log.position = null;
                batch.cleanups.add(deleteUnrecorded(fragment.key()));
                CollectionMissingException missing = new CollectionMissingException(log.collection);
                yield CompletableFuture.completedFuture(() -> failAll(batch.requests, missing));
            }
        };
    }

    /**
     * Decides which writes of the batch go into this attempt's fragment and encodes them. The dimension to match is the
     * collection's, or, while it has none, that of the batch's first write with embeddings. Writes holding records the
     * format cannot encode are failed here for good and leave the batch.
     */
    private Plan plan(Batch batch, LogPosition position) {
        try {
            return planAndEncode(batch.requests, position);
        } catch (IllegalArgumentException unencodable) {
            // Rare (the caller validates): find the offending writes so that only they fail.
            for (Request request : List.copyOf(batch.requests)) {
                try {
                    fragmentWriter.write(request.records, position.nextOffset());
                } catch (IllegalArgumentException e) {
                    request.future.completeExceptionally(e);
                    batch.requests.remove(request);
                }
            }
            return planAndEncode(batch.requests, position);
        }
    }

    private Plan planAndEncode(List<Request> requests, LogPosition position) {
        Integer expected = position.dimension();
        Integer dimension = null;
        List<Request> accepted = new ArrayList<>();
        Map<Request, DimensionMismatchException> refused = new LinkedHashMap<>();
        List<LogRecord> records = new ArrayList<>();
        for (Request request : requests) {
            if (request.dimension != null) {
                if (expected == null) {
                    expected = request.dimension;
                }
                if (!expected.equals(request.dimension)) {
                    refused.put(request, new DimensionMismatchException(expected, request.dimension));
                    continue;
                }
                dimension = expected;
            }
            accepted.add(request);
            records.addAll(request.records);
        }
        byte[] bytes = accepted.isEmpty() ? null : fragmentWriter.write(records, position.nextOffset());
        return new Plan(accepted, refused, dimension, records.size(), bytes);
    }

    /**
     * Deletes a fragment the catalog refused, so it can never be recorded. Best effort: the stage never fails, and
     * {@link LogGarbageCollector} removes what is left. (After a commit that failed, the fragment may have been recorded,
     * so it is never deleted here.)
     */
    private CompletableFuture<Void> deleteUnrecorded(String key) {
        try {
            return store.delete(key).toCompletableFuture().handle((ok, failure) -> null);
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(null);
        }
    }

    /** Calls the listener; what it throws must not disturb the write path. */
    private static void tell(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            // ignored: metrics must never fail a write
        }
    }

    private static void failAll(List<Request> requests, Throwable failure) {
        for (Request request : requests) {
            request.future.completeExceptionally(failure);
        }
    }

    private static Throwable unwrap(Throwable failure) {
        while (failure instanceof CompletionException && failure.getCause() != null) {
            failure = failure.getCause();
        }
        return failure;
    }

    /** A rough size of the record in a fragment, for {@link LogWriterOptions#maxBytesPerFragment()}. */
    private static long estimateBytes(LogRecord record) {
        long bytes = 16 + length(record.id()) + length(record.document()) + length(record.uri());
        if (record.embedding() != null) {
            bytes += 4 + 4L * record.embedding().length;
        }
        if (record.metadata() != null) {
            for (Map.Entry<String, MetadataValue> entry : record.metadata().entrySet()) {
                bytes += 4 + length(entry.getKey()) + estimateBytes(entry.getValue());
            }
        }
        return bytes;
    }

    private static long estimateBytes(MetadataValue value) {
        return switch (value) {
            case null -> 4;
            case MetadataValue.Str s -> 2 + length(s.value());
            case MetadataValue.Array a -> {
                long bytes = 2;
                for (MetadataValue element : a.elements()) {
                    bytes += 1 + estimateBytes(element);
                }
                yield bytes;
            }
            default -> 20;
        };
    }

    private static long length(String s) {
        return s == null ? 0 : s.length();
    }
}
