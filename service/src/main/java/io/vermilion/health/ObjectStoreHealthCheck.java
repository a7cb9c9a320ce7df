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
import java.time.Duration;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness of the object store: whether writes can be made durable. Probes a write ({@link WriteProbe}: a put and a
 * delete of a tiny object under {@value #PROBE_PREFIX}, one key per replica) straight to the store, past the retries
 * and the circuit breaker, with a short timeout ({@code vermilion.resilience.health-timeout}); a transient failure is
 * tried once more within it, so one failed attempt on one pooled connection does not take the replica out of its load
 * balancer. A probe serves the checks of the next {@value #PROBE_EVERY_SECONDS} s, so frequent readiness polls do not
 * turn into a stream of writes. The object store breaker's state is reported beside it, and a failure's class and
 * message.
 */
@Readiness
@ApplicationScoped
public class ObjectStoreHealthCheck implements AsyncHealthCheck {

    static final String NAME = "Object store";
    /** Keys of collections start with their UUID, so nothing else lives under this prefix. */
    static final String PROBE_PREFIX = "health-probe/";
    static final long PROBE_EVERY_SECONDS = 2;
    private static final byte[] PROBE = "vermilion readiness probe".getBytes(StandardCharsets.UTF_8);

    private final ResilienceConfig config;
    private final Guards guards;
    private final WriteProbe probe;

    public ObjectStoreHealthCheck(ObjectStore store, ResilienceConfig config, Guards guards) {
        this.config = config;
        this.guards = guards;
        this.probe = new WriteProbe(ObjectStoreLayer.innermost(store), PROBE_PREFIX + UUID.randomUUID(), PROBE,
                Duration.ofSeconds(PROBE_EVERY_SECONDS), System::nanoTime);
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        String breaker = guards.breakerState(Guards.OBJECT_STORE_BREAKER);
        return Uni.createFrom().completionStage(probe::probe)
                .ifNoItem().after(config.healthTimeout()).fail()
                .map(written -> HealthCheckResponse.named(NAME).up().withData("circuit_breaker", breaker).build())
                .onFailure().recoverWithItem(failure -> HealthCheckResponse.named(NAME).down()
                        .withData("circuit_breaker", breaker)
                        .withData("error", failure.getClass().getSimpleName())
                        .withData("message", WriteProbe.describe(failure))
                        .build());
    }
}
