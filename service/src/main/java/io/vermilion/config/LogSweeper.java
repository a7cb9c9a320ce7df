package io.vermilion.config;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vermilion.log.LogGarbageCollector;
import io.vermilion.sysdb.PgLogCatalog;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Named;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Periodically removes log fragments that were written to object storage but never recorded in the catalog
 * (a writer crashed or lost a commit race). Only fragments that can never be recorded any more are removed.
 */
@ApplicationScoped
public class LogSweeper {

    private static final Logger LOG = Logger.getLogger(LogSweeper.class);
    private final LogGarbageCollector garbage;
    private final PgLogCatalog catalog;
    private final ScheduledExecutorService scheduler;
    private final VermilionConfig config;
    private ScheduledFuture<?> task;

    public LogSweeper(LogGarbageCollector garbage, PgLogCatalog catalog,
            @Named("scheduler") ScheduledExecutorService scheduler, VermilionConfig config) {
        this.garbage = garbage;
        this.catalog = catalog;
        this.scheduler = scheduler;
        this.config = config;
    }

    void start(@Observes StartupEvent event) {
        long every = config.log().sweepInterval().toMillis();
        task = scheduler.scheduleWithFixedDelay(this::sweepAll, every, every, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (task != null) {
            task.cancel(false);
        }
    }

    void sweepAll() {
        try {
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
