package io.vermilion.jobs;

import io.vermilion.config.ReplicaRole;
import io.vermilion.config.VermilionConfig;
import io.vermilion.storage.ObjectStoreLayer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vermilion.log.LogGarbageCollector;
import io.vermilion.sysdb.PgLogCatalog;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Named;
import io.vermilion.storage.LocalObjectStore;
import io.vermilion.storage.ObjectStore;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Periodically removes log fragments that were written to object storage but never recorded in the catalog
 * (a writer crashed or lost a commit race), and temp files of interrupted local writes. Only fragments that can
 * never be recorded any more are removed. Runs only on replicas whose roles include {@code compactor}.
 */
@ApplicationScoped
public class LogSweeper {

    private static final Logger LOG = Logger.getLogger(LogSweeper.class);
    /** A temp file this old cannot belong to a write in progress. */
    private static final Duration STALE_TEMP_AGE = Duration.ofMinutes(10);
    private final LogGarbageCollector garbage;
    private final ObjectStore store;
    private final PgLogCatalog catalog;
    private final ScheduledExecutorService scheduler;
    private final VermilionConfig config;
    private ScheduledFuture<?> task;

    public LogSweeper(LogGarbageCollector garbage, ObjectStore store, PgLogCatalog catalog,
            @Named("scheduler") ScheduledExecutorService scheduler, VermilionConfig config) {
        this.garbage = garbage;
        this.store = store;
        this.catalog = catalog;
        this.scheduler = scheduler;
        this.config = config;
    }

    void start(@Observes StartupEvent event) {
        if (!config.roles().contains(ReplicaRole.COMPACTOR)) {
            return; // the sweep is the compactor role's work
        }
        long every = config.log().sweepInterval().toMillis();
        task = scheduler.scheduleWithFixedDelay(this::sweepAll, every, every, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (task != null) {
            task.cancel(false);
        }
    }

    /** Whether the sweep is scheduled on this replica (only where its roles include {@code compactor}). */
    boolean scheduled() {
        return task != null;
    }

    void sweepAll() {
        try {
            if (ObjectStoreLayer.innermost(store) instanceof LocalObjectStore local) {
                int stale = local.deleteStaleTemporaryFiles(STALE_TEMP_AGE).toCompletableFuture().join();
                if (stale > 0) {
                    LOG.infof("Removed %d temporary file(s) left by interrupted writes", stale);
                }
            }
            for (UUID id : catalog.collectionIds().await().indefinitely()) {
                int removed = garbage.sweep(id).toCompletableFuture().join();
                if (removed > 0) {
                    LOG.infof("Removed %d unrecorded log fragment(s) of collection %s", removed, id);
                }
            }
        } catch (RuntimeException e) {
            LOG.warn("Log sweep failed; it will run again", e);
        }
    }
}
