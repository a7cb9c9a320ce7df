package io.vermilion;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import io.vermilion.config.CloudProfile;
import io.vermilion.sysdb.EmbeddedCatalog;
import java.util.Objects;

/**
 * Entry point of the server. Unless an external PostgreSQL is configured, it first starts the embedded
 * catalog (a real PostgreSQL under the data path) and points the datasource at it, then runs Quarkus. Under the cloud
 * profile it refuses, before starting anything, to run on the embedded catalog or the local object store.
 */
@QuarkusMain
public final class VermilionMain {

    private VermilionMain() {}

    public static void main(String... args) throws Exception {
        try {
            CloudProfile.check(CloudProfile.active(setting("quarkus.profile", "QUARKUS_PROFILE")),
                    setting("vermilion.catalog.url", "VERMILION_CATALOG_URL") != null
                            || setting("quarkus.datasource.reactive.url", "QUARKUS_DATASOURCE_REACTIVE_URL") != null,
                    Objects.requireNonNullElse(setting("vermilion.storage.type", "VERMILION_STORAGE_TYPE"), "local"));
        } catch (IllegalStateException e) {
            System.err.println("Vermilion cannot start: " + e.getMessage());
            System.exit(1);
        }
        EmbeddedCatalog.configureDatasource();
        Quarkus.run(args);
    }

    private static String setting(String property, String env) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) {
            v = System.getenv(env);
        }
        return v == null || v.isBlank() ? null : v.trim();
    }
}
