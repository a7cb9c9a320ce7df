package io.vermilion.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The packaged server ({@code service/target/quarkus-app/quarkus-run.jar}, named by the system property
 * {@code vermilion.server.jar}) as a child process on a free port, with its own temporary data folder (embedded
 * PostgreSQL under {@code catalog/}, objects under {@code objects/}), started with the test JVM's own java. Stopped
 * with SIGTERM, then waited for; the data folder is deleted unless {@link #keepData()} was called.
 */
final class VermilionServer implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    private final Process process;
    private final Path dataDir;
    private final Path log;
    private final URI baseUrl;
    private volatile boolean keepData;

    private VermilionServer(Process process, Path dataDir, Path log, URI baseUrl) {
        this.process = process;
        this.dataDir = dataDir;
        this.log = log;
        this.baseUrl = baseUrl;
    }

    static VermilionServer start() throws IOException, InterruptedException {
        return start(Map.of());
    }

    /** With these environment variables (e.g. {@code VERMILION_ADMIN_KEY}) on top of the defaults. */
    static VermilionServer start(Map<String, String> environment) throws IOException, InterruptedException {
        String jarProperty = System.getProperty("vermilion.server.jar");
        if (jarProperty == null || !Files.isRegularFile(Path.of(jarProperty))) {
            throw new IllegalStateException("the packaged server is missing (system property vermilion.server.jar = "
                    + jarProperty + "); build it first: ./mvnw -pl service -am package -DskipTests");
        }
        int port = freePort();
        Path dataDir = Files.createTempDirectory("vermilion-sdk-java-");
        Path log = dataDir.resolve("server.log");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Arrays.asList(System.getProperty("vermilion.jvm.flags", "").trim().split("\\s+")));
        command.removeIf(String::isEmpty);
        command.addAll(List.of("-Xmx512m", "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.http.port=" + port,
                "-Dvermilion.path=" + dataDir, "-jar", jarProperty));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        // Only the defaults: no catalog, storage or port settings leak in from the environment.
        pb.environment().keySet().removeIf(k -> k.startsWith("VERMILION_") || k.startsWith("QUARKUS_"));
        pb.environment().putAll(environment);
        VermilionServer server = new VermilionServer(pb.start(), dataDir, log, URI.create("http://127.0.0.1:" + port));
        try {
            server.awaitHeartbeat();
        } catch (RuntimeException | IOException | InterruptedException e) {
            server.keepData();
            server.close();
            throw e;
        }
        return server;
    }

    URI baseUrl() {
        return baseUrl;
    }

    /** Keep the data folder and the server log after {@link #close()} (a test failed: they show why). */
    void keepData() {
        keepData = true;
    }

    private void awaitHeartbeat() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(2)).build()) {
            HttpRequest heartbeat = HttpRequest.newBuilder(baseUrl.resolve("/api/v2/heartbeat"))
                    .timeout(Duration.ofSeconds(5)).GET().build();
            while (true) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("the server exited with " + process.exitValue()
                            + " while starting\n" + logTail());
                }
                try {
                    if (http.send(heartbeat, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        return;
                    }
                } catch (IOException notYet) {
                    // not listening yet
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the server did not answer its heartbeat within "
                            + START_TIMEOUT.toSeconds() + " s\n" + logTail());
                }
                Thread.sleep(200);
            }
        }
    }

    /** SIGTERM, then wait (SIGKILL only if it does not stop in time). */
    @Override
    public void close() throws IOException, InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(STOP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                System.out.println("[vermilion-server] did not stop within " + STOP_TIMEOUT.toSeconds()
                        + " s of SIGTERM; killing it");
                process.destroyForcibly().waitFor();
            }
        }
        if (keepData) {
            System.out.println("[vermilion-server] data and log kept in " + dataDir + "\n" + logTail());
        } else {
            deleteTree(dataDir);
        }
    }

    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return "---- last lines of the server log ----\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(server log unreadable: " + e + ")";
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
