package io.vermilion.resilience;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server (embedded binaries) that a test can stop and start again on the same port and data
 * directory, as an outage and a restart; the test gets a {@link Control} injected. Also gives the run a fresh data
 * folder for the local object store, and tight catalog fault-tolerance settings.
 */
public class RestartablePostgresResource implements QuarkusTestResourceLifecycleManager {

    /** Stops and starts the server under the running service. */
    public static final class Control {
        private final RestartablePostgresResource resource;

        private Control(RestartablePostgresResource resource) {
            this.resource = resource;
        }

        public void stop() {
            resource.stopServer();
        }

        public void start() {
            resource.startServer();
        }
    }

    private Path pgData;
    private Path objects;
    private int port;
    private EmbeddedPostgres postgres;

    @Override
    public Map<String, String> start() {
        try {
            pgData = Files.createTempDirectory("vermilion-test-pg");
            objects = Files.createTempDirectory("vermilion-test-data");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        startServer();
        port = postgres.getPort();
        String hostPort = "localhost:" + port + "/postgres";
        return Map.ofEntries(
                Map.entry("vermilion.path", objects.toString()),
                Map.entry("quarkus.datasource.reactive.url", "postgresql://" + hostPort),
                Map.entry("quarkus.datasource.jdbc.url", "jdbc:postgresql://" + hostPort),
                Map.entry("quarkus.datasource.username", "postgres"),
                Map.entry("quarkus.datasource.password", ""),
                Map.entry("vermilion.resilience.catalog.timeout", "2s"),
                Map.entry("vermilion.resilience.catalog.backoff", "20ms"),
                Map.entry("vermilion.resilience.catalog.max-backoff", "80ms"),
                Map.entry("vermilion.resilience.catalog.jitter", "10ms"),
                // the outage test watches retries and 503s, not the breaker: keep it closed
                Map.entry("vermilion.resilience.catalog.breaker-window", "1000"));
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(new Control(this), new TestInjector.MatchesType(Control.class));
    }

    synchronized void startServer() {
        if (postgres != null) {
            return;
        }
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(pgData)
                    .setCleanDataDirectory(false);
            if (port != 0) {
                builder.setPort(port);
            }
            postgres = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    synchronized void stopServer() {
        if (postgres == null) {
            return;
        }
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            postgres = null;
        }
    }

    @Override
    public void stop() {
        stopServer();
        deleteRecursively(pgData);
        deleteRecursively(objects);
    }

    private static void deleteRecursively(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: a temp folder
        }
    }
}
