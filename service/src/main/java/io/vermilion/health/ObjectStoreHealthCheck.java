package io.vermilion.health;

import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.vermilion.storage.ObjectStoreLayer;
import io.vermilion.resilience.Guards;
import io.vermilion.resilience.ResilienceConfig;
import io.vermilion.storage.ObjectStore;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness of the object store: whether writes can be made durable. Probes a write - a put and a delete of a tiny
 * object under {@value #PROBE_PREFIX}, one key per replica - straight to the store, past the retries and the circuit
 * breaker, with a short timeout ({@code vermilion.resilience.health-timeout}). A probe serves the checks of the next
 * {@value #PROBE_EVERY_SECONDS} s, so frequent readiness polls do not turn into a stream of writes. The object store
 * breaker's state is reported beside it.
 */
@Readiness
@ApplicationScoped
public class ObjectStoreHealthCheck implements AsyncHealthCheck {

    static final String NAME = "Object store";
    /** Keys of collections start with their UUID, so nothing else lives under this prefix. */
    static final String PROBE_PREFIX = "health-probe/";
    static final long PROBE_EVERY_SECONDS = 2;
    private static final byte[] PROBE = "vermilion readiness probe".getBytes(StandardCharsets.UTF_8);

    private final ObjectStore store;
    private final ResilienceConfig config;
    private final Guards guards;
    private final String probeKey = PROBE_PREFIX + UUID.randomUUID();
    private CompletableFuture<Void> lastProbe; // guarded by this
    private long lastProbeAt; // guarded by this

    public ObjectStoreHealthCheck(ObjectStore store, ResilienceConfig config, Guards guards) {
        this.store = ObjectStoreLayer.innermost(store);
        this.config = config;
        this.guards = guards;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        String breaker = guards.breakerState(Guards.OBJECT_STORE_BREAKER);
        return Uni.createFrom().completionStage(this::probe)
                .ifNoItem().after(config.healthTimeout()).fail()
                .map(written -> HealthCheckResponse.named(NAME).up().withData("circuit_breaker", breaker).build())
                .onFailure().recoverWithItem(failure -> HealthCheckResponse.named(NAME).down()
                        .withData("circuit_breaker", breaker)
                        .withData("error", failure.getClass().getSimpleName())
                        .build());
    }

    /** The write probe in flight or finished in the last {@link #PROBE_EVERY_SECONDS} s, else a new one. */
    private synchronized CompletableFuture<Void> probe() {
        long now = System.nanoTime();
        boolean fresh = lastProbe != null
                && (!lastProbe.isDone() || now - lastProbeAt < TimeUnit.SECONDS.toNanos(PROBE_EVERY_SECONDS));
        if (!fresh) {
            lastProbeAt = now;
            lastProbe = store.put(probeKey, PROBE).thenCompose(v -> store.delete(probeKey)).toCompletableFuture();
        }
        return lastProbe.copy();
    }
}
