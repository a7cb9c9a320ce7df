package io.vermilion.health;

import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.vermilion.storage.ObjectStoreLayer;
import io.vermilion.resilience.Guards;
import io.vermilion.resilience.ResilienceConfig;
import io.vermilion.storage.ObjectStore;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness of the object store: one cheap call (a list of a prefix that holds nothing) straight to the store, past
 * the retries and the circuit breaker, with a short timeout ({@code vermilion.resilience.health-timeout}). The object
 * store breaker's state is reported beside it.
 */
@Readiness
@ApplicationScoped
public class ObjectStoreHealthCheck implements AsyncHealthCheck {

    static final String NAME = "Object store";
    /** Keys of collections start with their UUID, so nothing lives under this prefix. */
    static final String PROBE_PREFIX = "health-probe/";

    private final ObjectStore store;
    private final ResilienceConfig config;
    private final Guards guards;

    public ObjectStoreHealthCheck(ObjectStore store, ResilienceConfig config, Guards guards) {
        this.store = ObjectStoreLayer.innermost(store);
        this.config = config;
        this.guards = guards;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        String breaker = guards.breakerState(Guards.OBJECT_STORE_BREAKER);
        return Uni.createFrom().completionStage(() -> store.list(PROBE_PREFIX))
                .ifNoItem().after(config.healthTimeout()).fail()
                .map(listed -> HealthCheckResponse.named(NAME).up().withData("circuit_breaker", breaker).build())
                .onFailure().recoverWithItem(failure -> HealthCheckResponse.named(NAME).down()
                        .withData("circuit_breaker", breaker)
                        .withData("error", failure.getClass().getSimpleName())
                        .build());
    }
}
