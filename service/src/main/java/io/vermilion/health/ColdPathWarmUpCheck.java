package io.vermilion.health;

import io.quarkus.runtime.StartupEvent;
import io.vermilion.config.EngineWiring;
import io.vermilion.config.ReplicaRole;
import io.vermilion.config.VermilionConfig;
import io.vermilion.index.ColdPathWarmUp;
import io.vermilion.storage.ObjectStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Named;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

/**
 * Keeps a replica that serves the API from S3 with lazy open on not ready until it has run a cold query's path on a
 * version of its own ({@link ColdPathWarmUp}, {@code vermilion.index.warm-up-rounds} times), so the first cold query
 * it takes runs compiled code. A failed warm-up is logged and the replica becomes ready anyway (the object store's own check
 * reports the store). Other replicas (and a local object store, where a ranged read is a file read) are ready at once.
 */
@Readiness
@ApplicationScoped
public class ColdPathWarmUpCheck implements HealthCheck {

    static final String NAME = "Cold path warm-up";
    private static final Logger LOG = Logger.getLogger(ColdPathWarmUpCheck.class);

    private final ObjectStore store;
    private final VermilionConfig config;
    private final ExecutorService readers;
    private volatile boolean done = true;

    public ColdPathWarmUpCheck(ObjectStore store, VermilionConfig config, @Named("readers") ExecutorService readers) {
        this.store = store;
        this.config = config;
        this.readers = readers;
    }

    void start(@Observes StartupEvent event) {
        int rounds = config.index().warmUpRounds();
        if (rounds <= 0 || !config.index().lazyOpen() || !config.roles().contains(ReplicaRole.API)
                || !config.storage().type().equals("s3")) {
            return;
        }
        done = false;
        String id = UUID.randomUUID().toString();
        Thread.ofPlatform().name("vermilion-cold-path-warm-up").daemon().start(() -> {
            long started = System.nanoTime();
            try {
                ColdPathWarmUp.run(store, ObjectStoreHealthCheck.PROBE_PREFIX + "warm-up-" + id + "/",
                        EngineWiring.cacheRoot(config).resolve("warm-up-" + id), rounds, readers);
                LOG.infof("Ran the cold query path %d times on a version of its own in %d ms", rounds,
                        (System.nanoTime() - started) / 1_000_000);
            } catch (Exception | Error e) {
                LOG.warnf(e, "The cold query path warm-up failed; ready without it");
            } finally {
                done = true;
            }
        });
    }

    @Override
    public HealthCheckResponse call() {
        return done ? HealthCheckResponse.up(NAME) : HealthCheckResponse.down(NAME);
    }
}
