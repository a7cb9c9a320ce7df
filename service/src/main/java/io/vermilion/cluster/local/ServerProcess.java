package io.vermilion.cluster.local;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One Vermilion server process of a {@link LocalCluster}: its role, slot, HTTP port, process and log file. It can wait
 * until the server reports ready ({@code /q/health/ready}), stop it gracefully (SIGTERM: readiness goes down, in-flight
 * requests finish) or kill it (SIGKILL).
 */
public final class ServerProcess {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final int port;
    private final Process process;
    private final Path log;
    private final long startedNanos;
    private volatile Duration readyAfter;

    ServerProcess(String name, int port, Process process, Path log, long startedNanos) {
        this.name = name;
        this.port = port;
        this.process = process;
        this.log = log;
        this.startedNanos = startedNanos;
    }

    /** {@code replica-1}, {@code compactor-1}, ... */
    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public Path log() {
        return log;
    }

    /**
     * Waits until the server answers 200 on {@code /q/health/ready}; returns the time from its process start to then.
     * Fails, quoting the end of its log, when the process exits first or the timeout passes.
     */
    public Duration awaitReady(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpRequest ready = HttpRequest.newBuilder(url().resolve("/q/health/ready")).timeout(Duration.ofSeconds(5)).build();
        while (true) {
            if (!process.isAlive()) {
                throw new IOException(name + " exited with code " + process.exitValue() + " before it was ready; "
                        + "the end of its log (" + log + "):\n" + tail(40));
            }
            try {
                if (HTTP.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    readyAfter = Duration.ofNanos(System.nanoTime() - startedNanos);
                    return readyAfter;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                throw new IOException(name + " was not ready within " + timeout + "; the end of its log (" + log
                        + "):\n" + tail(40));
            }
            Thread.sleep(100);
        }
    }

    /** How long the process took from its start to ready (null until {@link #awaitReady} saw it ready). */
    public Duration readyAfter() {
        return readyAfter;
    }

    /** SIGTERM, then waits for the exit (SIGKILL after {@code timeout}); returns the exit code. */
    public int stop(Duration timeout) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
        }
        return process.exitValue();
    }

    /** SIGKILL, as a crash: no shutdown hook runs. Waits until the process is gone. */
    public void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    /** The last {@code lines} lines of the server's log. */
    public String tail(int lines) {
        try {
            List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException | java.io.UncheckedIOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public String toString() {
        return name + " " + url() + " pid " + pid();
    }
}
