package io.vermilion.config;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vermilion.sysdb.EmbeddedCatalog;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Brings the embedded PostgreSQL catalog back when its server goes away under the running service: once a second it
 * looks at the server's {@code postmaster.pid}, and when the file names a process that is gone (killed, crashed) or
 * is missing (stopped in order, by something other than this service) it starts the server again on the same data
 * directory, port and options (those PostgreSQL recorded in {@code postmaster.opts}), logging WARN lines. The
 * service's own stop ({@code EmbeddedCatalog.Started#close}) is never undone. An external PostgreSQL
 * ({@code vermilion.catalog.embedded-data-dir} unset) is not supervised: the catalog's retries and circuit breaker wait for it.
 */
@ApplicationScoped
public class EmbeddedCatalogSupervisor {

    private static final Logger LOG = Logger.getLogger(EmbeddedCatalogSupervisor.class);
    private static final long CHECK_INTERVAL_MS = 1_000;
    private static final int START_TIMEOUT_SECONDS = 60;

    private final Optional<Path> dataDir;
    private ScheduledExecutorService checker;

    public EmbeddedCatalogSupervisor(VermilionConfig config) {
        this.dataDir = config.catalog().embeddedDataDir().filter(d -> !d.isBlank()).map(Path::of);
    }

    void start(@Observes StartupEvent event) {
        if (dataDir.isEmpty()) {
            return;
        }
        checker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "embedded-catalog-supervisor");
            t.setDaemon(true);
            return t;
        });
        checker.scheduleWithFixedDelay(this::check, CHECK_INTERVAL_MS, CHECK_INTERVAL_MS, TimeUnit.MILLISECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (checker != null) {
            checker.shutdownNow();
        }
    }

    private void check() {
        Path dir = dataDir.orElseThrow();
        try {
            Optional<String> down = down(dir);
            if (down.isPresent()) {
                EmbeddedCatalog.restartUnlessStoppedHere(dir, () -> restart(dir, down.get()));
            }
        } catch (IOException | RuntimeException e) {
            LOG.warnf(e, "Could not check or restart the embedded PostgreSQL catalog at %s; trying again", dir);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Why the server on {@code dataDir} is not running ("pid N died", "stopped"), or empty while it runs or is being
     * started (an empty or half-written {@code postmaster.pid}).
     */
    static Optional<String> down(Path dataDir) throws IOException {
        Path pidFile = dataDir.resolve("postmaster.pid");
        List<String> lines;
        try {
            lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException e) {
            return Optional.of("stopped");
        }
        if (lines.isEmpty()) {
            return Optional.empty(); // being written by a starting server
        }
        long pid;
        try {
            pid = Long.parseLong(lines.getFirst().trim());
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
                ? Optional.empty()
                : Optional.of("pid " + pid + " died");
    }

    private void restart(Path dir, String why) throws IOException, InterruptedException {
        LOG.warnf("Embedded PostgreSQL catalog is down (%s); restarting it on the same data directory and port", why);
        long started = System.nanoTime();
        Path log = dir.resolve("restart.log");
        Process postmaster = new ProcessBuilder(postmasterCommand(dir))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        long deadline = started + TimeUnit.SECONDS.toNanos(START_TIMEOUT_SECONDS);
        while (!ready(dir, postmaster.pid())) {
            if (!postmaster.isAlive()) {
                LOG.warnf("Restarting the embedded PostgreSQL catalog failed (exit %d: %s); trying again",
                        postmaster.exitValue(), lastLine(log));
                return;
            }
            if (System.nanoTime() > deadline) {
                postmaster.destroyForcibly();
                LOG.warnf("Restarting the embedded PostgreSQL catalog timed out (see %s); trying again", log);
                return;
            }
            Thread.sleep(100);
        }
        LOG.warnf("Embedded PostgreSQL catalog restarted as pid %d in %d ms", postmaster.pid(),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    private static String lastLine(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return lines.isEmpty() ? "no output" : lines.getLast();
    }

    /** Whether the postmaster {@code pid} has written its pid file and reports itself ready for connections. */
    private static boolean ready(Path dir, long pid) throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(dir.resolve("postmaster.pid"), StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException e) {
            return false;
        }
        // line 1: the pid; line 8: the status (PM_STATUS_READY is "ready")
        return lines.size() >= 8 && lines.getFirst().trim().equals(Long.toString(pid))
                && lines.get(7).trim().equals("ready");
    }

    /**
     * The command line that last ran the server, as PostgreSQL recorded it in {@code postmaster.opts}: the binary,
     * then each argument in double quotes. As root it runs in a user namespace ({@code unshare -U}), as the embedded
     * library starts it, since PostgreSQL refuses to run as root.
     */
    static List<String> postmasterCommand(Path dir) throws IOException {
        String opts = Files.readString(dir.resolve("postmaster.opts"), StandardCharsets.UTF_8).trim();
        List<String> command = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            command.addAll(List.of("unshare", "-U")); // as the embedded library runs it: PostgreSQL refuses root
        }
        int quote = opts.indexOf(" \"");
        command.add(quote < 0 ? opts : opts.substring(0, quote));
        while (quote >= 0) {
            int end = opts.indexOf('"', quote + 2);
            if (end < 0) {
                throw new IOException("Unreadable postmaster.opts in " + dir);
            }
            command.add(opts.substring(quote + 2, end));
            quote = opts.indexOf(" \"", end + 1);
        }
        return command;
    }
}
