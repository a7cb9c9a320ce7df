package io.vermilion.config;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigUtils;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Applies {@link CloudProfile}'s rule to the configuration as Quarkus resolved it, before anything else starts: under
 * the cloud profile, a replica on the embedded catalog or the local object store fails startup with the message.
 */
@ApplicationScoped
public class CloudProfileGuard {

    void check(@Observes @Priority(1) StartupEvent event, VermilionConfig config) {
        CloudProfile.check(ConfigUtils.isProfileActive(CloudProfile.NAME),
                config.catalog().embeddedDataDir().filter(d -> !d.isBlank()).isEmpty(), config.storage().type());
    }
}
