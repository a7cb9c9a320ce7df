package io.vermilion.health;

import io.vermilion.resilience.Guards;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Reports the catalog's circuit breaker beside the datasource's own readiness check (which queries PostgreSQL).
 * Always UP: the breaker closes only when calls are let through, so holding traffic back on it would keep it open.
 */
@Readiness
@ApplicationScoped
public class CatalogBreakerHealthCheck implements HealthCheck {

    private final Guards guards;

    public CatalogBreakerHealthCheck(Guards guards) {
        this.guards = guards;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("Catalog circuit breaker").up()
                .withData("state", guards.breakerState(Guards.CATALOG_BREAKER))
                .build();
    }
}
