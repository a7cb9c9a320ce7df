package io.vermilion.jobs;

import io.vermilion.config.ReplicaRole;
import io.vermilion.config.VermilionConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vermilion.compactor.CompactionThresholds;
import io.vermilion.compactor.Compactor;
import io.vermilion.compactor.DroppedCollections;
import io.vermilion.compactor.SegmentMerger;
import io.vermilion.compactor.VersionGarbageCollector;
import io.vermilion.catalog.VersionRef;
import io.vermilion.executor.CollectionStateCache;
import io.vermilion.version.VersionKeys;
import io.vermilion.version.VersionManifest;
import io.vermilion.sysdb.PgVersionCatalog;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Named;

/**
 * Decides when collections are compacted and their garbage collected. Every {@code vermilion.compaction.interval} it
 * asks the catalog which collections have a log tail after their current version and compacts, one at a time and
 * those that have waited longest first, each whose tail passed a threshold (records, fragment bytes, or age since
 * this replica first saw it pending), at most {@code vermilion.compaction.collections-per-pass} of them; the
 * compactor's lease keeps replicas from compacting one collection together. Then it collects the garbage of versions
 * published more than the grace period ago, once per version per replica; a pass that stopped at its bound is followed
 * at once by the next. A collection whose compaction (or garbage
 * collection) fails is tried again only after a capped exponential backoff ({@link RetryBackoff}), while the others
 * keep compacting; a failed pass is logged and retried at the next interval. A version this replica publishes is
 * opened for its reads right away ({@link CollectionStateCache#prepare}) when it also serves the api role. A compaction
 * is followed by the segment merge policy ({@link SegmentMerger#due(VersionManifest, boolean)}) when its version has
 * more segments than {@code vermilion.compaction.merge-max-segments} and it caught up with the log (or four times as
 * many during a long ingest). Nothing
 * here is needed for correctness of reads or writes. Only a replica whose roles include {@code compactor} schedules
 * the passes.
 */
@ApplicationScoped
public class CompactionScheduler {

    private static final Logger LOG = Logger.getLogger(CompactionScheduler.class);

    private final Compactor compactor;
    private final SegmentMerger merger;
    private final CollectionStateCache states;
    private final VersionGarbageCollector garbage;
    private final DroppedCollections dropped;
    private final PgVersionCatalog catalog;
    private final ScheduledExecutorService scheduler;
    /** Set when the service shuts down: passes stop between collections. */
    private volatile boolean stopping;
    private final VermilionConfig.Compaction config;
    /** Whether this replica compacts: its roles include {@code compactor} and compaction is enabled. */
    private final boolean compacts;
    private final CompactionThresholds thresholds;
    private final Map<UUID, Instant> pendingSince = new ConcurrentHashMap<>();
    private final TailGrowth growth;
    /** The smallest tail compacted because the writes went quiet: a tenth of the records threshold. */
    private final long quietRecords;
    /** The version each collection's garbage was last collected for, and when (forks and retention make it worth redoing). */
    private final Map<UUID, LastCollection> collectedVersion = new ConcurrentHashMap<>();

    private record LastCollection(long version, Instant at) {}

    /**
     * A version's garbage is collected again this long after the last time: a fork that moved on, or a retained
     * version that left the retention window, frees objects without the collection publishing anything new.
     */
    private static final Duration RECOLLECT_AFTER = Duration.ofMinutes(1);
    /** Collections whose last compaction failed, and when to try them again. */
    private final RetryBackoff compactionBackoff = new RetryBackoff();
    /** Collections whose last garbage collection failed, and when to try them again. */
    private final RetryBackoff garbageBackoff = new RetryBackoff();
    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicLong pendingRecords = new AtomicLong();
    private final Counter published;
    private final Counter skipped;
    private final Counter failed;
    private final Timer duration;
    private final Counter garbageObjects;
    private ScheduledFuture<?> task;
    /** Whether this replica serves reads (api role), so versions it publishes are worth opening at once. */
    private final boolean serves;

    public CompactionScheduler(Compactor compactor, SegmentMerger merger, CollectionStateCache states, VersionGarbageCollector garbage,
            DroppedCollections dropped, PgVersionCatalog catalog, @Named("scheduler") ScheduledExecutorService scheduler, VermilionConfig config,
            MeterRegistry registry) {
        this.compactor = compactor;
        this.merger = merger;
        this.states = states;
        this.garbage = garbage;
        this.dropped = dropped;
        this.catalog = catalog;
        this.scheduler = scheduler;
        this.config = config.compaction();
        this.compacts = config.roles().contains(ReplicaRole.COMPACTOR) && this.config.enabled();
        this.serves = config.roles().contains(ReplicaRole.API);
        this.thresholds = new CompactionThresholds(this.config.records(), this.config.bytes().asLongValue(),
                this.config.age());
        this.growth = new TailGrowth(this.config.quiet());
        this.quietRecords = Math.max(1, this.config.records() / 10);
        String name = "vermilion.compactions";
        String help = "Compaction attempts by result: published a version, skipped (lease held elsewhere, nothing new,"
                + " or beaten by another replica), failed";
        this.published = Counter.builder(name).description(help).tag("result", "published").register(registry);
        this.skipped = Counter.builder(name).description(help).tag("result", "skipped").register(registry);
        this.failed = Counter.builder(name).description(help).tag("result", "failed").register(registry);
        this.duration = Timer.builder("vermilion.compaction.duration")
                .description("Time to build and publish one version").register(registry);
        this.garbageObjects = Counter.builder("vermilion.compaction.garbage.objects")
                .description("Superseded version objects and compacted log fragments deleted").register(registry);
        Gauge.builder("vermilion.compaction.pending.records", pendingRecords, AtomicLong::get)
                .description("Log records not yet in a compacted version, over all collections, at the last pass")
                .register(registry);
    }

    void start(@Observes StartupEvent event) {
        if (!compacts) {
            LOG.infof("This replica runs no compactions (%s)", config.enabled()
                    ? "its roles do not include compactor" : "vermilion.compaction.enabled is false");
            return;
        }
        long every = config.interval().toMillis();
        task = scheduler.scheduleWithFixedDelay(this::runOnce, every, every, TimeUnit.MILLISECONDS);
    }

    /** No new pass starts, and a pass under way stops before its next collection: the store is closing. */
    void stop(@Observes ShutdownEvent event) {
        stopping = true;
        if (task != null) {
            task.cancel(false);
        }
    }

    /** Whether the passes are scheduled on this replica (they are unless its roles or the switch turn them off). */
    boolean scheduled() {
        return task != null;
    }

    void runOnce() {
        // A pass that stopped at its bound left due collections: the next one starts now, its garbage collected between.
        while (runOnce(Instant.now()) && !stopping) { // stop() sets it before cancelling the task
            LOG.debug("Compaction pass stopped at vermilion.compaction.collections-per-pass; starting the next");
        }
    }

    /**
     * One pass at time {@code now}: compact what is due (up to the per-pass bound), then collect garbage that is due.
     * Never overlaps itself. Returns whether it stopped at the bound with collections still due.
     */
    boolean runOnce(Instant now) {
        if (!running.compareAndSet(false, true)) {
            return false;
        }
        try {
            boolean more = compactDue(now);
            collectGarbage(now);
            return more;
        } catch (RuntimeException e) {
            LOG.warn("Compaction pass failed; it will run again", e);
            return false;
        } finally {
            running.set(false);
        }
    }

    /** Failures in a row of the collection's compaction (0 if its last one did not fail). */
    int compactionFailures(UUID collection) {
        return compactionBackoff.failures(collection);
    }

    /** Compacts the due collections, longest waiting first, up to the bound; returns whether it stopped there. */
    private boolean compactDue(Instant now) {
        long pending = 0;
        Map<UUID, Instant> seen = new ConcurrentHashMap<>();
        List<PgVersionCatalog.Pending> all = new java.util.ArrayList<>(catalog.pending().toCompletableFuture().join());
        for (PgVersionCatalog.Pending p : all) {
            pending += p.tailRecords();
        }
        pendingRecords.set(pending); // while this pass compacts, the gauge shows what it found
        all.sort(java.util.Comparator.comparing((PgVersionCatalog.Pending p) -> pendingSince.getOrDefault(p.collection(), now))
                .thenComparing(PgVersionCatalog.Pending::collection));
        int left = Math.max(1, config.collectionsPerPass());
        boolean stopped = false;
        for (PgVersionCatalog.Pending p : all) {
            if (stopping) {
                return false;
            }
            Instant since = pendingSince.getOrDefault(p.collection(), now);
            seen.put(p.collection(), since);
            if (stopped || !compactionBackoff.allows(p.collection(), now)) {
                continue;
            }
            boolean quiet = growth.quiet(p.collection(), p.logPosition(), now) && p.tailRecords() >= quietRecords;
            boolean due = quiet || thresholds.due(p.tailRecords(), p.tailBytes(), Duration.between(since, now));
            if (due && left == 0) {
                stopped = true; // a due collection the bound leaves to the next pass, which starts at once
                continue;
            }
            long compactedTo = due ? compact(p, now) : -1;
            if (compactedTo >= 0) {
                left--;
                // A compaction folds a bounded tail: what it left stays pending (and keeps its age).
                pending -= Math.min(p.tailRecords(), compactedTo - p.compactedTo());
                if (compactedTo >= p.logPosition()) {
                    seen.remove(p.collection());
                }
            }
        }
        pendingSince.keySet().retainAll(seen.keySet());
        growth.retain(all.stream().map(PgVersionCatalog.Pending::collection).collect(java.util.stream.Collectors.toSet()));
        compactionBackoff.retain(seen.keySet());
        pendingSince.putAll(seen);
        pendingRecords.set(pending);
        return stopped;
    }

    /** The log offset the published version covers up to, or -1 if none was published. */
    private long compact(PgVersionCatalog.Pending p, Instant now) {
        long start = System.nanoTime();
        LOG.debugf("Compacting collection %s (%d records, %d bytes pending)", p.collection(), p.tailRecords(),
                p.tailBytes());
        try {
            Optional<VersionManifest> manifest = compactor.compact(p.collection()).toCompletableFuture().join();
            compactionBackoff.succeeded(p.collection());
            if (manifest.isEmpty()) {
                skipped.increment();
                LOG.debugf("Compaction of collection %s skipped: its lease is held elsewhere, another replica"
                        + " published first, or nothing was new", p.collection());
                return -1;
            }
            duration.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            published.increment();
            // This replica's reads find the new version open (opening it is not left to the first read); a
            // compactor-only replica serves no reads and opens nothing. Not while the version leaves part of the tail to
            // the next compaction: opening it would replay that part into memory.
            if (serves && manifest.get().logEndOffset() >= p.logPosition()) {
                states.prepare(p.collection(), new VersionRef(manifest.get().version(),
                        VersionKeys.manifest(p.collection(), manifest.get().version()), manifest.get().logEndOffset()))
                        .toCompletableFuture().join(); // one at a time, like compactions; it never fails
            }
            LOG.infof("Compacted collection %s to version %d (%d records, log up to %d, %d segments) in %d ms",
                    p.collection(), manifest.get().version(), manifest.get().recordCount(),
                    manifest.get().logEndOffset(), SegmentMerger.segments(manifest.get()),
                    (System.nanoTime() - start) / 1_000_000);
            if (merger.due(manifest.get(), manifest.get().logEndOffset() >= p.logPosition())) {
                mergeSegments(p.collection(), manifest.get());
            }
            return manifest.get().logEndOffset();
        } catch (RuntimeException e) {
            failed.increment();
            Duration wait = compactionBackoff.failed(p.collection(), now);
            LOG.warnf(e, "Compaction of collection %s failed (%d in a row); the previous version stays current; next"
                    + " attempt in %d s", p.collection(), compactionBackoff.failures(p.collection()), wait.toSeconds());
            return -1;
        }
    }

    /**
     * Folds the smallest segments of the version just published; a failure is logged and leaves that version
     * current (the next compaction that catches up tries again).
     */
    private void mergeSegments(UUID collection, VersionManifest compacted) {
        long start = System.nanoTime();
        try {
            Optional<VersionManifest> merged = merger.merge(collection).toCompletableFuture().join();
            if (merged.isEmpty()) {
                return;
            }
            if (serves) {
                states.prepare(collection, new VersionRef(merged.get().version(),
                        VersionKeys.manifest(collection, merged.get().version()), merged.get().logEndOffset()))
                        .toCompletableFuture().join();
            }
            LOG.infof("Merged the segments of collection %s into version %d (%d segments -> %d) in %d ms", collection,
                    merged.get().version(), SegmentMerger.segments(compacted), SegmentMerger.segments(merged.get()),
                    (System.nanoTime() - start) / 1_000_000);
        } catch (RuntimeException e) {
            LOG.warnf(e, "Merging the segments of collection %s failed; version %d stays current", collection,
                    compacted.version());
        }
    }

    private void collectGarbage(Instant now) {
        Map<UUID, Long> due = catalog.publishedBefore(config.gracePeriod()).toCompletableFuture().join();
        garbageBackoff.retain(due.keySet());
        for (Map.Entry<UUID, Long> version : due.entrySet()) {
            if (stopping) {
                return;
            }
            LastCollection last = collectedVersion.get(version.getKey());
            boolean recent = last != null && last.version() == version.getValue()
                    && now.isBefore(last.at().plus(RECOLLECT_AFTER.compareTo(config.gracePeriod()) > 0
                            ? RECOLLECT_AFTER : config.gracePeriod()));
            if (recent || !garbageBackoff.allows(version.getKey(), now)) {
                continue;
            }
            try {
                VersionGarbageCollector.Collected collected =
                        garbage.collect(version.getKey(), config.gracePeriod()).toCompletableFuture().join();
                garbageObjects.increment(collected.versionObjects() + collected.fragments());
                collectedVersion.put(version.getKey(), new LastCollection(version.getValue(), now));
                garbageBackoff.succeeded(version.getKey());
            } catch (RuntimeException e) {
                Duration wait = garbageBackoff.failed(version.getKey(), now);
                LOG.warnf(e, "Garbage collection of collection %s failed; next attempt in %d s", version.getKey(),
                        wait.toSeconds());
            }
        }
        try {
            // Deleted collections whose forks still read some of their objects: delete what is no longer read.
            garbageObjects.increment(dropped.purgeAll().toCompletableFuture().join());
        } catch (RuntimeException e) {
            LOG.warn("Purging deleted collections of fork trees failed; the next pass tries again", e);
        }
    }
}
