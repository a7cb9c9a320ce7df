package io.vermilion.resilience;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.List;
import java.util.Map;

/**
 * The service on a PostgreSQL that the test stops and restarts (instead of the global one), with auth on: API keys
 * are looked up in the catalog and rate limits kept there, as in the cloud configuration.
 */
public class CatalogOutageProfile implements QuarkusTestProfile {

    static final String ADMIN_KEY = "outage-test-admin-key";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("vermilion.admin-key", ADMIN_KEY);
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(RestartablePostgresResource.class));
    }

    @Override
    public boolean disableGlobalTestResources() {
        return true;
    }
}
