package io.vermilion.health;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.HealthCheck;

/**
 * Liveness: the process answers. Deliberately independent of PostgreSQL and the object store - an outage of either
 * makes the replica unready (readiness), never restarted, since a restart would not bring them back.
 */
@Liveness
@ApplicationScoped
public class LivenessCheck implements HealthCheck {

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.up("Vermilion");
    }
}
