package io.vermilion.sysdb;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.Map;

/**
 * Starts a real PostgreSQL server (embedded binaries, fresh data directory) for a test run, points the catalog at
 * it, and gives the run a fresh data folder for the local object store.
 */
public class PostgresResource implements QuarkusTestResourceLifecycleManager {

    private EmbeddedPostgres postgres;

    @Override
    public Map<String, String> start() {
        try {
            postgres = EmbeddedPostgres.builder().start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String hostPort = "localhost:" + postgres.getPort() + "/postgres";
        String dataPath;
        try {
            dataPath = Files.createTempDirectory("vermilion-test-data").toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of(
                "vermilion.path", dataPath,
                "quarkus.datasource.reactive.url", "postgresql://" + hostPort,
                "quarkus.datasource.jdbc.url", "jdbc:postgresql://" + hostPort,
                "quarkus.datasource.username", "postgres",
                "quarkus.datasource.password", "");
    }

    @Override
    public void stop() {
        if (postgres != null) {
            try {
                postgres.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
