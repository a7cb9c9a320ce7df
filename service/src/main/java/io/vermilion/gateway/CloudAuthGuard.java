package io.vermilion.gateway;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigUtils;
import io.vermilion.config.VermilionConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Auth is on in the cloud configuration: a server started with the {@code cloud} profile and no bootstrap admin key
 * refuses to start, rather than serve every tenant's data to anyone.
 */
@ApplicationScoped
public class CloudAuthGuard {

    static final String CLOUD_PROFILE = "cloud";

    void check(@Observes StartupEvent event, VermilionConfig config) {
        requireAdminKey(ConfigUtils.isProfileActive(CLOUD_PROFILE), config.adminKey().filter(k -> !k.isBlank()).isPresent());
    }

    static void requireAdminKey(boolean cloud, boolean adminKeySet) {
        if (cloud && !adminKeySet) {
            throw new IllegalStateException("The cloud configuration (QUARKUS_PROFILE=cloud) runs with auth on: "
                    + "set VERMILION_ADMIN_KEY to the bootstrap admin key");
        }
    }
}
