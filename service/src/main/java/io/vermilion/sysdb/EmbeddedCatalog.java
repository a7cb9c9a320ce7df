package io.vermilion.sysdb;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Decides where the catalog lives before Quarkus reads its configuration. With {@code VERMILION_CATALOG_URL}
 * (or Quarkus' own datasource URL) set, that PostgreSQL is used; otherwise a real embedded PostgreSQL is
 * started under {@code <data path>/catalog} and stopped by a shutdown hook, so no server outlives the JVM's
 * orderly exit. A server left behind by a killed JVM is stopped before the new one starts; one that dies, or that
 * something other than this JVM stops, while the service runs is started again by the supervisor
 * ({@code io.vermilion.config.EmbeddedCatalogSupervisor}).
 */
public final class EmbeddedCatalog {

    /** Set only when the embedded server was started here: its data directory, which the supervisor watches. */
    public static final String DATA_DIR = "vermilion.catalog.embedded-data-dir";

    private static final Logger LOG = Logger.getLogger(EmbeddedCatalog.class);

    /** Data directories whose server this JVM is stopping or has stopped; guarded by itself. */
    private static final Set<Path> STOPPED_HERE = new HashSet<>();

    private EmbeddedCatalog() {}

    public static void configureDatasource() throws IOException {
        String external = setting("vermilion.catalog.url", "VERMILION_CATALOG_URL");
        if (external != null) {
            useExternal(external);
            return;
        }
        if (setting("quarkus.datasource.reactive.url", "QUARKUS_DATASOURCE_REACTIVE_URL") != null) {
            return; // configured the Quarkus way
        }
        Path dataPath = Path.of(Optional.ofNullable(setting("vermilion.path", "VERMILION_PATH")).orElse("data"))
                .toAbsolutePath();
        Started started = startEmbedded(dataPath);
        Runtime.getRuntime().addShutdownHook(new Thread(started::close, "embedded-catalog-stop"));
        started.properties().forEach(System::setProperty);
    }

    /**
     * A running embedded PostgreSQL and the settings that point the service at it: the datasource URLs and user, and
     * {@link #DATA_DIR} so that the server is restarted should it die.
     */
    public record Started(EmbeddedPostgres server, Path pgData, Map<String, String> properties)
            implements AutoCloseable {
        /**
         * Stops the server: whichever postmaster holds its data directory now, a restarted one included, and also
         * where the library's own stop ({@code pg_ctl}, which refuses to run as root) could not.
         */
        @Override
        public void close() {
            synchronized (STOPPED_HERE) { // from now on the supervisor leaves this server stopped
                STOPPED_HERE.add(pgData.toAbsolutePath().normalize());
            }
            try {
                server.close();
                stopLeftover(pgData);
            } catch (IOException e) {
                LOG.warnf(e, "Could not stop the embedded PostgreSQL catalog");
            }
        }
    }

    /** Starts the embedded PostgreSQL under {@code <dataPath>/catalog}, stopping one a killed earlier run left. */
    public static Started startEmbedded(Path dataPath) throws IOException {
        return startEmbedded(dataPath, Map.of());
    }

    /** As {@link #startEmbedded(Path)}, with extra PostgreSQL settings (e.g. {@code max_connections} for a cluster). */
    public static Started startEmbedded(Path dataPath, Map<String, String> serverConfig) throws IOException {
        Path pgData = dataPath.resolve("catalog");
        Files.createDirectories(dataPath);
        synchronized (STOPPED_HERE) {
            STOPPED_HERE.remove(pgData.toAbsolutePath().normalize());
        }
        stopLeftover(pgData);
        long started = System.nanoTime();
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
        serverConfig.forEach(builder::setServerConfig);
        EmbeddedPostgres pg = builder
                .setPort(freePortOtherThan(httpPort()))
                .setDataDirectory(pgData)
                .setCleanDataDirectory(false)
                .setRegisterShutdownHook(false)
                .setServerConfig("listen_addresses", "127.0.0.1")
                // The catalog records what is durable: keep PostgreSQL's own durability on (the library turns it off).
                .setServerConfig("fsync", "on")
                .setServerConfig("synchronous_commit", "on")
                .setServerConfig("full_page_writes", "on")
                .start();
        LOG.infof("Embedded PostgreSQL catalog at %s on port %d (started in %d ms)", pgData, pg.getPort(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        String hostPort = "localhost:" + pg.getPort() + "/postgres";
        return new Started(pg, pgData, Map.of(
                "quarkus.datasource.reactive.url", "postgresql://" + hostPort,
                "quarkus.datasource.jdbc.url", "jdbc:postgresql://" + hostPort,
                "quarkus.datasource.username", "postgres",
                "quarkus.datasource.password", "",
                DATA_DIR, pgData.toString()));
    }

    /**
     * A free port for PostgreSQL that is not the HTTP port: a launcher that picked a free port for HTTP has not bound
     * it yet, so the operating system could hand the same one out again.
     */
    private static int freePortOtherThan(int httpPort) throws IOException {
        for (int attempt = 0; ; attempt++) {
            try (ServerSocket socket = new ServerSocket(0)) {
                if (socket.getLocalPort() != httpPort || attempt >= 10) {
                    return socket.getLocalPort();
                }
            }
        }
    }

    private static int httpPort() {
        String port = setting("quarkus.http.port", "QUARKUS_HTTP_PORT");
        try {
            return port == null ? 8000 : Integer.parseInt(port.trim());
        } catch (NumberFormatException e) {
            return 8000;
        }
    }

    /** {@code postgresql://host:port/db} (user and password from their own settings). */
    private static void useExternal(String url) {
        String bare = url.replaceFirst("^(jdbc:)?postgres(ql)?://", "");
        System.setProperty("quarkus.datasource.reactive.url", "postgresql://" + bare);
        System.setProperty("quarkus.datasource.jdbc.url", "jdbc:postgresql://" + bare);
        String user = setting("vermilion.catalog.user", "VERMILION_CATALOG_USER");
        String password = setting("vermilion.catalog.password", "VERMILION_CATALOG_PASSWORD");
        if (user != null) {
            System.setProperty("quarkus.datasource.username", user);
        }
        if (password != null) {
            System.setProperty("quarkus.datasource.password", password);
        }
    }

    /**
     * Runs {@code restart} (which starts the server on {@code pgData} again) unless this JVM is stopping that server
     * or has stopped it, and returns whether it ran; a {@link Started#close} waits for a restart under way, so it
     * stops the restarted server too and none outlives the JVM.
     */
    public static boolean restartUnlessStoppedHere(Path pgData, Restart restart) throws IOException, InterruptedException {
        synchronized (STOPPED_HERE) {
            if (STOPPED_HERE.contains(pgData.toAbsolutePath().normalize())) {
                return false;
            }
            restart.run();
            return true;
        }
    }

    /** Starts the server again on its data directory. */
    @FunctionalInterface
    public interface Restart {
        void run() throws IOException, InterruptedException;
    }

    /** Stops a postmaster that a killed earlier run left holding this data directory. */
    private static void stopLeftover(Path pgData) throws IOException {
        Path pidFile = pgData.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        List<String> lines = Files.readAllLines(pidFile);
        if (lines.isEmpty()) {
            return;
        }
        long pid;
        try {
            pid = Long.parseLong(lines.get(0).trim());
        } catch (NumberFormatException e) {
            return;
        }
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || !handle.get().info().command().map(c -> c.endsWith("postgres")).orElse(false)) {
            return;
        }
        LOG.warnf("Stopping PostgreSQL (pid %d) left running by an earlier run", pid);
        ProcessHandle p = handle.get();
        p.destroy();
        try {
            p.onExit().get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            p.destroyForcibly();
        }
    }

    private static String setting(String property, String env) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) {
            v = System.getenv(env);
        }
        return v == null || v.isBlank() ? null : v;
    }
}
