package io.vermilion;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import io.vermilion.sysdb.EmbeddedCatalog;

/**
 * Entry point of the server. Unless an external PostgreSQL is configured, it first starts the embedded
 * catalog (a real PostgreSQL under the data path) and points the datasource at it, then runs Quarkus.
 */
@QuarkusMain
public final class VermilionMain {

    private VermilionMain() {}

    public static void main(String... args) throws Exception {
        EmbeddedCatalog.configureDatasource();
        Quarkus.run(args);
    }
}
