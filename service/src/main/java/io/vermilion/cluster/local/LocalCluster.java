package io.vermilion.cluster.local;

import io.vermilion.storage.S3ProxyServer;
import io.vermilion.sysdb.EmbeddedCatalog;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The distributed mode on one machine, used by {@code ./vermilion cluster} and by the cluster tests alike: one
 * PostgreSQL catalog (the embedded catalog's server, under {@code DIR/catalog}), one S3-compatible server over HTTP
 * (S3Proxy on files under {@code DIR/s3}), N api replicas and one compactor, each its own JVM on its own port with the
 * same settings, and HAProxy in front. {@link #close()} stops every process it started, replicas first.
 */
public final class LocalCluster implements AutoCloseable {

    public static final String BUCKET = "vermilion";
    private static final Duration READY_TIMEOUT = Duration.ofMinutes(3);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    /**
     * What to start: {@code replicas} api replicas, the front on {@code frontPort} (0: a free one), data under
     * {@code dir}; the packaged server and the S3Proxy jar; the JVM flags of every server and settings they all share
     * (system properties, e.g. {@code vermilion.admin-key}).
     */
    public record Settings(int replicas, int frontPort, Path dir, Path serverJar, Path s3proxyJar, List<String> jvmFlags,
                           Map<String, String> properties) {
        public Settings {
            if (replicas < 1) {
                throw new IllegalArgumentException("--replicas must be at least 1, got " + replicas);
            }
            dir = dir.toAbsolutePath().normalize();
            jvmFlags = List.copyOf(jvmFlags);
            properties = Map.copyOf(properties);
        }
    }

    private final Settings settings;
    private final List<ServerProcess> replicas = new ArrayList<>();
    private final List<ServerProcess> compactors = new ArrayList<>();
    /** Every server process started, ready or not, so that {@link #close()} stops one still starting too. */
    private final List<ServerProcess> launched = new ArrayList<>();
    private boolean closed;
    private EmbeddedCatalog.Started catalog;
    private S3ProxyServer s3;
    private FrontProxy front;
    private int frontPort;

    private LocalCluster(Settings settings) {
        this.settings = settings;
    }

    /** Whether HAProxy, the front, is installed (the cluster cannot start without it). */
    public static boolean frontAvailable() {
        return FrontProxy.available();
    }

    /** Starts everything and returns once every replica is ready and the front listens; stops what started on failure. */
    public static LocalCluster start(Settings settings) throws IOException, InterruptedException {
        LocalCluster cluster = new LocalCluster(settings);
        cluster.startAll();
        return cluster;
    }

    /** A cluster not started yet: {@link #startAll()} starts it; {@link #close()} may run meanwhile (a shutdown hook). */
    public static LocalCluster prepare(Settings settings) {
        return new LocalCluster(settings);
    }

    /** Starts everything (see {@link #start}); on failure stops what was started and rethrows. */
    public void startAll() throws IOException, InterruptedException {
        if (!frontAvailable()) {
            throw new IOException("haproxy is not installed: the cluster's front is HAProxy (apt-get install haproxy)");
        }
        try {
            startEverything();
        } catch (IOException | InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private void startEverything() throws IOException, InterruptedException {
        Path dir = settings.dir();
        Files.createDirectories(dir.resolve("logs"));
        EmbeddedCatalog.Started pg = EmbeddedCatalog.startEmbedded(dir, Map.of("max_connections", "400"));
        synchronized (this) {
            catalog = pg;
            if (closed) {
                pg.close(); // close() ran while it started
                throw new IOException("stopped while starting");
            }
        }
        Files.createDirectories(dir.resolve("s3/buckets/" + BUCKET));
        S3ProxyServer store = S3ProxyServer.start(settings.s3proxyJar(), dir.resolve("s3"));
        synchronized (this) {
            s3 = store;
            if (closed) {
                store.close();
                throw new IOException("stopped while starting");
            }
        }
        List<ServerProcess> starting = new ArrayList<>();
        for (int i = 1; i <= settings.replicas(); i++) {
            starting.add(launch("replica-" + i, "api", freePort()));
        }
        starting.add(launch("compactor-1", "compactor", freePort()));
        for (ServerProcess p : starting) {
            p.awaitReady(READY_TIMEOUT);
        }
        replicas.addAll(starting.subList(0, settings.replicas()));
        compactors.add(starting.getLast());
        frontPort = settings.frontPort() == 0 ? freePort() : settings.frontPort();
        FrontProxy proxy = FrontProxy.start(frontPort, replicaPorts(), dir.resolve("front"));
        synchronized (this) {
            front = proxy;
            if (closed) {
                proxy.close();
                throw new IOException("stopped while starting");
            }
        }
    }

    /** The front's address: HAProxy over the ready replicas. */
    public URI front() {
        return URI.create("http://127.0.0.1:" + frontPort);
    }

    /** The api replicas, in slot order (a restarted replica keeps its slot and port). */
    public synchronized List<ServerProcess> replicas() {
        return List.copyOf(replicas);
    }

    public synchronized List<ServerProcess> compactors() {
        return List.copyOf(compactors);
    }

    public long frontPid() {
        return front.pid();
    }

    /** The PostgreSQL postmaster's process id (first line of its {@code postmaster.pid}). */
    public long catalogPid() throws IOException {
        return Long.parseLong(Files.readAllLines(catalog.pgData().resolve("postmaster.pid")).getFirst().trim());
    }

    public long s3Pid() {
        return s3.pid();
    }

    /** The catalog's JDBC URL (user {@code postgres}, no password), for inspecting it. */
    public String catalogJdbcUrl() {
        return catalog.properties().get("quarkus.datasource.jdbc.url");
    }

    /** Starts one more api replica (a fresh cache folder), waits until it is ready and adds it to the front. */
    public ServerProcess addReplica() throws IOException, InterruptedException {
        int slot;
        synchronized (this) {
            slot = replicas.size() + 1;
        }
        ServerProcess p = launch("replica-" + slot, "api", freePort());
        p.awaitReady(READY_TIMEOUT);
        synchronized (this) {
            replicas.add(p);
        }
        front.update(replicaPorts());
        return p;
    }

    /** Starts one more compactor and waits until it is ready. */
    public ServerProcess addCompactor() throws IOException, InterruptedException {
        int slot;
        synchronized (this) {
            slot = compactors.size() + 1;
        }
        ServerProcess p = launch("compactor-" + slot, "compactor", freePort());
        p.awaitReady(READY_TIMEOUT);
        synchronized (this) {
            compactors.add(p);
        }
        return p;
    }

    /**
     * Stops the replica in {@code slot} (1-based) gracefully - readiness goes down, the front stops sending to it,
     * in-flight requests finish - then starts it again on the same port and folder and waits until it is ready.
     */
    public ServerProcess restartReplica(int slot) throws IOException, InterruptedException {
        ServerProcess old = replicas().get(slot - 1);
        old.stop(STOP_TIMEOUT);
        ServerProcess fresh = launch(old.name(), "api", old.port());
        fresh.awaitReady(READY_TIMEOUT);
        synchronized (this) {
            replicas.set(slot - 1, fresh);
        }
        return fresh;
    }

    private synchronized List<Integer> replicaPorts() {
        return replicas.stream().map(ServerProcess::port).toList();
    }

    /** Starts one server JVM with the cluster's shared settings and its own role, port and folder. */
    private ServerProcess launch(String name, String role, int port) throws IOException {
        synchronized (this) {
            if (closed) {
                throw new IOException("the cluster is stopped");
            }
        }
        Path dir = settings.dir();
        Map<String, String> props = new LinkedHashMap<>();
        props.put("quarkus.http.port", Integer.toString(port));
        props.put("quarkus.http.host", "127.0.0.1");
        props.put("vermilion.path", dir.resolve(name).toString());
        props.put("vermilion.roles", role);
        // Every process of a local cluster shares one machine's cores: a compactor keeps to one thread rather than the
        // all-cores default of a compactor-only replica, so the api replicas' readiness probes are not starved.
        props.putIfAbsent("vermilion.compaction.threads", "1");
        // Nor does each api replica run the cold-path warm-up (seconds of both cores) before it reports ready.
        props.putIfAbsent("vermilion.index.warm-up-rounds", "0");
        catalog.properties().forEach((k, v) -> {
            if (k.startsWith("quarkus.datasource.") && !v.isEmpty()) {
                props.put(k, v); // the shared PostgreSQL; not its data directory (no replica supervises it)
            }
        });
        props.put("vermilion.storage.type", "s3");
        props.put("vermilion.storage.bucket", BUCKET);
        props.put("vermilion.storage.endpoint", s3.endpoint().toString());
        props.put("vermilion.storage.region", S3ProxyServer.REGION);
        props.put("vermilion.storage.access-key", S3ProxyServer.ACCESS_KEY);
        props.put("vermilion.storage.secret-key", S3ProxyServer.SECRET_KEY);
        props.put("vermilion.storage.path-style", "true");
        // Drain on SIGTERM: readiness reports DOWN for 2 s while requests are still served (the front's check sees it
        // within 1 s), then new requests get 503 (which the front retries elsewhere) and in-flight ones finish.
        props.put("quarkus.shutdown.delay", "2s");
        props.put("quarkus.shutdown.timeout", "30s");
        // Affinity routing: a collection's requests go to its owner replica (members register in the catalog).
        if (System.getenv("VERMILION_ROUTING_AFFINITY") == null) {
            props.put("vermilion.routing.affinity", "true"); // on unless the environment says otherwise
        }
        props.put("vermilion.routing.advertise-url", "http://127.0.0.1:" + port);
        props.putAll(settings.properties());
        List<String> command = new ArrayList<>();
        command.add(javaExecutable());
        command.addAll(settings.jvmFlags());
        props.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.addAll(List.of("-jar", settings.serverJar().toAbsolutePath().toString()));
        Path log = dir.resolve("logs").resolve(name + ".log");
        long started = System.nanoTime();
        Process process = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        ServerProcess server = new ServerProcess(name, port, process, log, started);
        synchronized (this) {
            if (closed) {
                process.destroyForcibly(); // close() ran while it started
                throw new IOException("the cluster is stopped");
            }
            launched.add(server);
        }
        return server;
    }

    private static String javaExecutable() {
        Path fromHome = Path.of(System.getProperty("java.home"), "bin", "java");
        return Files.isExecutable(fromHome) ? fromHome.toString() : "java";
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /**
     * Stops the front, then every server gracefully (in parallel), then S3Proxy and PostgreSQL; also while the cluster
     * is still starting (what started so far). Only the first call does anything.
     */
    @Override
    public void close() throws InterruptedException {
        List<ServerProcess> servers;
        FrontProxy front;
        S3ProxyServer s3;
        EmbeddedCatalog.Started catalog;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            servers = List.copyOf(launched);
            front = this.front;
            s3 = this.s3;
            catalog = this.catalog;
        }
        if (front != null) {
            front.close();
        }
        List<Thread> stopping = new ArrayList<>();
        for (ServerProcess p : servers) {
            stopping.add(Thread.ofPlatform().start(() -> {
                try {
                    p.stop(STOP_TIMEOUT);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        for (Thread t : stopping) {
            t.join();
        }
        if (s3 != null) {
            s3.close();
        }
        if (catalog != null) {
            catalog.close();
        }
    }
}
