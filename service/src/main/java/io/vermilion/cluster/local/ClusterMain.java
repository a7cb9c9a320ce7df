package io.vermilion.cluster.local;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code ./vermilion cluster --replicas N --port P --path DIR}: starts a {@link LocalCluster}, prints one line per api
 * replica ({@code replica I http://127.0.0.1:PORT pid PID}) on standard output and the rest on standard error, then
 * runs until Ctrl-C or SIGTERM, when it stops every process it started. The packaged server and the S3Proxy jar come
 * from the system properties {@code vermilion.server.jar} and {@code vermilion.s3proxy.jar}, the servers' JVM flags
 * from {@code vermilion.jvm.flags}; the servers inherit the environment ({@code VERMILION_ADMIN_KEY}, ...).
 */
public final class ClusterMain {

    private ClusterMain() {}

    public static void main(String[] args) throws Exception {
        int replicas = 2;
        int port = 8000;
        Path dir = Path.of("cluster-data");
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            String value = arg.contains("=") ? arg.substring(arg.indexOf('=') + 1) : (i + 1 < args.length ? args[i + 1] : null);
            String option = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
            if (value == null) {
                usage("missing value for " + option);
            }
            switch (option) {
                case "--replicas" -> replicas = number(option, value);
                case "--port" -> port = number(option, value);
                case "--path" -> dir = Path.of(value);
                default -> usage("unknown option " + option);
            }
            if (!arg.contains("=")) {
                i++;
            }
        }
        if (replicas < 1) {
            usage("--replicas must be at least 1");
        }
        LocalCluster.Settings settings = new LocalCluster.Settings(replicas, port, dir,
                Path.of(required("vermilion.server.jar")), Path.of(required("vermilion.s3proxy.jar")),
                Arrays.stream(System.getProperty("vermilion.jvm.flags", "").trim().split("\\s+"))
                        .filter(s -> !s.isBlank()).toList(),
                Map.of());
        if (!LocalCluster.frontAvailable()) {
            System.err.println("vermilion cluster: haproxy is not installed; the cluster's front is HAProxy"
                    + " (Debian/Ubuntu: apt-get install haproxy)");
            System.exit(1);
        }
        System.err.printf("vermilion cluster: starting PostgreSQL, S3Proxy, %d api replica(s), a compactor and HAProxy"
                + " under %s%n", replicas, settings.dir());
        LocalCluster cluster = LocalCluster.prepare(settings);
        CountDownLatch stopped = new CountDownLatch(1);
        // Registered before anything starts, so Ctrl-C while the cluster starts stops what has started.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.err.println("vermilion cluster: stopping every process");
            try {
                cluster.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            stopped.countDown();
        }, "cluster-stop"));
        cluster.startAll();
        List<ServerProcess> apis = cluster.replicas();
        for (int i = 0; i < apis.size(); i++) {
            System.out.printf("replica %d http://127.0.0.1:%d pid %d%n", i + 1, apis.get(i).port(), apis.get(i).pid());
        }
        System.out.flush();
        for (ServerProcess c : cluster.compactors()) {
            System.err.printf("compactor %s pid %d%n", c.url(), c.pid());
        }
        for (ServerProcess p : apis) {
            System.err.printf("%s ready %d ms after its process started%n", p.name(), p.readyAfter().toMillis());
        }
        System.err.printf("front %s (HAProxy pid %d); catalog PostgreSQL pid %d; S3Proxy pid %d; logs in %s%n",
                cluster.front(), cluster.frontPid(), cluster.catalogPid(), cluster.s3Pid(),
                settings.dir().resolve("logs"));
        System.err.println("vermilion cluster: ready; Ctrl-C stops it");
        stopped.await();
    }

    private static int number(String option, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            usage(option + " needs a number, got '" + value + "'");
            return 0;
        }
    }

    private static String required(String property) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) {
            usage("system property " + property + " is not set (./vermilion cluster sets it)");
        }
        return v;
    }

    private static void usage(String problem) {
        System.err.println("vermilion cluster: " + problem
                + "\nusage: vermilion cluster [--replicas N] [--port P] [--path DIR]");
        System.exit(2);
    }
}
