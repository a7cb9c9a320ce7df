package io.vermilion.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * A real S3-compatible server over HTTP: S3Proxy in a child JVM on a free loopback port, for tests (in-memory backend,
 * {@link #start()}) and for {@code ./vermilion cluster} (file backend under a data folder, {@link #start(Path, Path)}).
 * Starting returns once the port accepts connections; {@link #close()} stops the process. The jar comes from the system
 * property {@value #JAR_PROPERTY}, else {@code target/s3proxy/s3proxy.jar} under the working directory.
 */
public final class S3ProxyServer implements AutoCloseable {

    public static final String JAR_PROPERTY = "vermilion.s3proxy.jar";
    public static final String REGION = "us-east-1";
    public static final String ACCESS_KEY = "vermilion-test";
    public static final String SECRET_KEY = "vermilion-test-secret";

    private static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(90);
    private static final int ATTEMPTS = 3;

    private final Process process;
    private final Path workDir;
    /** Whether {@link #workDir} is a temporary folder (deleted on close) rather than a kept data folder. */
    private final boolean temporary;
    private final URI endpoint;
    private final Thread killOnExit;
    private S3AsyncClient client;

    private S3ProxyServer(Process process, Path workDir, boolean temporary, URI endpoint) {
        this.process = process;
        this.workDir = workDir;
        this.temporary = temporary;
        this.endpoint = endpoint;
        this.killOnExit = new Thread(process::destroyForcibly, "s3proxy-kill");
        Runtime.getRuntime().addShutdownHook(killOnExit);
    }

    public static S3ProxyServer start() {
        String configured = System.getProperty(JAR_PROPERTY);
        return start(configured != null ? Path.of(configured) : Path.of("target", "s3proxy", "s3proxy.jar"));
    }

    /** Starts S3Proxy from {@code jar} with an in-memory backend, on a free port. */
    public static S3ProxyServer start(Path jar) {
        return start(jar, null);
    }

    /**
     * Starts S3Proxy from {@code jar}, retrying on another port if the chosen one was taken meanwhile. With a
     * {@code dataDir}, buckets are folders under {@code dataDir/buckets} and outlive the process (its log and settings
     * are kept there too); without one, everything is in memory and in a temporary folder.
     */
    public static S3ProxyServer start(Path jar, Path dataDir) {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("S3Proxy jar not found at " + jar.toAbsolutePath()
                    + " (the build copies it in generate-test-resources; set -D" + JAR_PROPERTY + " to override)");
        }
        IllegalStateException failure = null;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            try {
                return startOnce(jar, dataDir);
            } catch (IllegalStateException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        throw failure;
    }

    private static S3ProxyServer startOnce(Path jar, Path dataDir) {
        boolean temporary = dataDir == null;
        Path workDir;
        try {
            workDir = temporary ? Files.createTempDirectory("s3proxy-") : Files.createDirectories(dataDir);
            if (!temporary) {
                Files.createDirectories(workDir.resolve("buckets"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> backend = temporary
                ? List.of("jclouds.provider=transient-nio2")
                : List.of("jclouds.provider=filesystem-nio2",
                        "jclouds.filesystem.basedir=" + workDir.resolve("buckets").toAbsolutePath());
        int port = freePort();
        URI endpoint = URI.create("http://127.0.0.1:" + port);
        Path properties = workDir.resolve("s3proxy.properties");
        Path log = workDir.resolve("s3proxy.log");
        Process process;
        try {
            Files.writeString(properties, String.join("\n",
                    "s3proxy.endpoint=" + endpoint,
                    "s3proxy.authorization=aws-v2-or-v4",
                    "s3proxy.identity=" + ACCESS_KEY,
                    "s3proxy.credential=" + SECRET_KEY,
                    String.join("\n", backend),
                    "jclouds.identity=" + ACCESS_KEY,
                    "jclouds.credential=" + SECRET_KEY,
                    ""));
            process = new ProcessBuilder(List.of(javaExecutable(),
                    "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xlog:gc:file=s3proxy-gc.log",
                    "-jar", jar.toAbsolutePath().toString(), "--properties", properties.toString()))
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
        } catch (IOException e) {
            if (temporary) {
                deleteRecursively(workDir);
            }
            throw new UncheckedIOException("cannot start S3Proxy", e);
        }
        // Counted in 100 ms polls rather than read from a clock: only Environment reads clocks in the engine.
        long pollsLeft = STARTUP_TIMEOUT.toMillis() / 100;
        while (!accepts(port)) {
            if (!process.isAlive() || pollsLeft-- <= 0) {
                String why = process.isAlive() ? "did not open port " + port + " within " + STARTUP_TIMEOUT
                        : "exited with code " + process.exitValue();
                process.destroyForcibly();
                String output = readQuietly(log);
                if (temporary) {
                    deleteRecursively(workDir);
                }
                throw new IllegalStateException("S3Proxy " + why + "; its output:\n" + output);
            }
            sleep(100);
        }
        return new S3ProxyServer(process, workDir, temporary, endpoint);
    }

    /** The S3Proxy process's id. */
    public long pid() {
        return process.pid();
    }

    public URI endpoint() {
        return endpoint;
    }

    /** A path-style client for this server, shared and closed by {@link #close()}. */
    public synchronized S3AsyncClient client() {
        if (client == null) {
            client = S3ObjectStore.client(endpoint, REGION, ACCESS_KEY, SECRET_KEY, true);
        }
        return client;
    }

    public void createBucket(String name) {
        client().createBucket(b -> b.bucket(name)).join();
    }

    /** Everything S3Proxy has printed so far (for diagnosing a failing test). */
    public String log() {
        return readQuietly(workDir.resolve("s3proxy.log"));
    }

    /**
     * What in S3Proxy's output and GC log could explain a stalled request: its warnings and errors, and collection
     * pauses of a second or more (its heap is small, and the in-memory backend keeps every object there). Empty when
     * there is none; at most {@code max} lines.
     */
    public List<String> troubles(int max) {
        java.util.stream.Stream<String> logged = log().lines()
                .filter(line -> line.startsWith("[s3proxy] W ") || line.startsWith("[s3proxy] E ")
                        || line.contains("OutOfMemoryError"));
        java.util.stream.Stream<String> pauses = readQuietly(workDir.resolve("s3proxy-gc.log")).lines()
                .filter(line -> line.matches(".*Pause.* \\d{4,}(\\.\\d+)?ms$"));
        return java.util.stream.Stream.concat(logged, pauses).limit(max).toList();
    }

    @Override
    public void close() {
        synchronized (this) {
            if (client != null) {
                client.close();
                client = null;
            }
        }
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(killOnExit);
        } catch (IllegalStateException e) {
            // already shutting down; the hook will run and is harmless
        }
        if (temporary) {
            deleteRecursively(workDir);
        }
    }

    /** The java launcher of the running JVM, so the child runs on the same JDK as the tests. */
    private static String javaExecutable() {
        Path fromHome = Path.of(System.getProperty("java.home"), "bin", "java");
        if (Files.isExecutable(fromHome)) {
            return fromHome.toString();
        }
        return ProcessHandle.current().info().command().orElse("java");
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for S3Proxy", e);
        }
    }

    private static String readQuietly(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    private static void deleteRecursively(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: it is a temp folder
        }
    }
}
