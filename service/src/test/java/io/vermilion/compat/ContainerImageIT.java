package io.vermilion.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vermilion.storage.S3ProxyServer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The container image, built by {@code service/src/main/docker/build-image.sh} from the packaged server, run with
 * podman as it runs in production: non-root, read-only root file system, an external PostgreSQL catalog and an
 * S3-compatible object store (S3Proxy), reached over the host's loopback; the official Chroma JS client's scenarios
 * pass through its published port. Skipped, saying why, where podman or a JDK 25 (the image's runtime) is missing.
 */
class ContainerImageIT {

    private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);
    private static final String BUCKET = "vermilion";
    /** How a container reaches the host's loopback on slirp4netns with allow_host_loopback. */
    private static final String HOST_LOOPBACK = "10.0.2.2";

    private final String tag = "localhost/vermilion:it-" + UUID.randomUUID().toString().substring(0, 8);
    private final String container = "vermilion-it-" + UUID.randomUUID().toString().substring(0, 8);
    private EmbeddedPostgres catalog;
    private S3ProxyServer s3;
    private boolean built;
    private boolean started;

    @AfterEach
    void tearDown() throws Exception {
        if (started) {
            podman("rm", "--force", "--volumes", container);
        }
        if (built) {
            podman("rmi", "--force", tag);
            podman("image", "prune", "--force"); // the layers only this build used (its untagged intermediate image)
        }
        if (s3 != null) {
            s3.close();
        }
        if (catalog != null) {
            catalog.close();
        }
    }

    @Test
    void officialJsClientScenariosPassThroughTheImage() throws Exception {
        assumeTrue(podmanAvailable(), "podman is not installed: the container image test is skipped"
                + " (install podman, buildah and runc to run it; .ci/run does)");
        assumeTrue(Runtime.version().feature() >= 25, "the container image test needs a JDK 25 to build the image's"
                + " Java runtime; this JVM is " + Runtime.version() + ": skipped");

        Path script = repoRoot().resolve("service/src/main/docker/build-image.sh");
        Run build = run(List.of("bash", script.toString(), "--tag", tag), Duration.ofMinutes(10));
        built = true;
        assertEquals(0, build.exitCode(), () -> "build-image.sh failed:\n" + build.output());
        String[] sizeLine = build.output().strip().lines().reduce((a, b) -> b).orElse("").split(" ");
        System.out.printf("[image] %s built, %s bytes%n", tag, sizeLine[sizeLine.length - 1]);
        assertEquals("1001", podman("image", "inspect", "--format", "{{.Config.User}}", tag).output().strip(),
                "the image runs as the non-root user 1001");

        catalog = EmbeddedPostgres.builder().setServerConfig("listen_addresses", "127.0.0.1").start();
        s3 = S3ProxyServer.start();
        s3.createBucket(BUCKET);
        int port = freePort();
        long startedAt = System.nanoTime();
        List<String> runArgs = new ArrayList<>(List.of("run", "--detach", "--name", container,
                "--memory", "1g", "--read-only", "--cap-drop", "ALL", "--security-opt", "no-new-privileges",
                "--network", "slirp4netns:allow_host_loopback=true", "--publish", "127.0.0.1:" + port + ":8000"));
        Map<String, String> env = Map.of(
                "VERMILION_CATALOG_URL", "postgresql://" + HOST_LOOPBACK + ":" + catalog.getPort() + "/postgres",
                "VERMILION_CATALOG_USER", "postgres",
                "VERMILION_CATALOG_PASSWORD", "unused",
                "VERMILION_STORAGE_TYPE", "s3",
                "VERMILION_STORAGE_BUCKET", BUCKET,
                "VERMILION_STORAGE_ENDPOINT", "http://" + HOST_LOOPBACK + ":" + s3.endpoint().getPort(),
                "VERMILION_STORAGE_ACCESS_KEY", S3ProxyServer.ACCESS_KEY,
                "VERMILION_STORAGE_SECRET_KEY", S3ProxyServer.SECRET_KEY,
                // The JVM refuses to start rather than run without the image's AOT cache.
                "JAVA_TOOL_OPTIONS", "-XX:AOTMode=on");
        env.forEach((k, v) -> runArgs.addAll(List.of("--env", k + "=" + v)));
        runArgs.add(tag);
        Run run = podman(runArgs.toArray(String[]::new));
        started = true;
        assertEquals(0, run.exitCode(), () -> "podman run failed:\n" + run.output());

        URI server = URI.create("http://127.0.0.1:" + port);
        awaitReady(server);
        System.out.printf("[image] container start to ready: %d ms%n",
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedAt));

        NodeClientRunner.Result result = NodeClientRunner.run(server.toURL(), "collections.test.mjs", "records.test.mjs");
        assertEquals(0, result.exitCode(), () -> "node --test failed through the image:\n" + result.output()
                + "\ncontainer log:\n" + logs());
        int objects = s3.client().listObjectsV2(b -> b.bucket(BUCKET)).join().keyCount();
        assertTrue(objects > 0, "the image stored no object in S3");
    }

    private void awaitReady(URI server) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(server.resolve("/q/health/ready"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            String state = podman("inspect", "--format", "{{.State.Running}}", container).output().strip();
            if (!"true".equals(state)) {
                throw new AssertionError("the container stopped before it was ready:\n" + logs());
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the container was not ready within " + READY_TIMEOUT + ":\n" + logs());
    }

    private String logs() {
        try {
            return podman("logs", container).output();
        } catch (Exception e) {
            return "(no container log: " + e + ")";
        }
    }

    private static boolean podmanAvailable() {
        try {
            return podman("--version").exitCode() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    private static Path repoRoot() {
        return Path.of(System.getProperty("repo.root", "..")).toAbsolutePath().normalize();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private record Run(int exitCode, String output) {}

    private static Run podman(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("podman"));
        command.addAll(List.of(args));
        return run(command, Duration.ofMinutes(2));
    }

    /** Runs a command with this repository's containers.conf (unless the caller set CONTAINERS_CONF). */
    private static Run run(List<String> command, Duration timeout) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putIfAbsent("CONTAINERS_CONF",
                repoRoot().resolve("service/src/main/docker/containers.conf").toString());
        pb.environment().putIfAbsent("JAVA_HOME", System.getProperty("java.home"));
        Path out = Files.createTempFile("vermilion-image-it-", ".log");
        try {
            Process p = pb.redirectOutput(out.toFile()).start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor();
                return new Run(-1, "timed out after " + timeout + ": " + command + "\n" + Files.readString(out));
            }
            return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
        }
    }
}
