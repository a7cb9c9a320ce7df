package io.vermilion.cluster.local;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * HAProxy in front of a {@link LocalCluster}'s api replicas, in master-worker mode: round robin over the replicas that
 * pass the readiness check ({@code /q/health/ready}, every 500 ms, down after two failures), and a request that meets a
 * refused or dropped connection, a timeout or a 503 (a replica draining) is retried on another replica
 * ({@code retry-on}, {@code option redispatch}). {@link #update} rewrites the server list and reloads without a restart.
 */
final class FrontProxy implements AutoCloseable {

    private final int port;
    private final Path config;
    private final Process process;

    private FrontProxy(int port, Path config, Process process) {
        this.port = port;
        this.config = config;
        this.process = process;
    }

    /** Whether the {@code haproxy} command is installed. */
    static boolean available() {
        try {
            Process p = new ProcessBuilder("haproxy", "-v").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    static FrontProxy start(int port, List<Integer> replicaPorts, Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path config = dir.resolve("haproxy.cfg");
        Files.writeString(config, config(port, replicaPorts), StandardCharsets.UTF_8);
        Process process = new ProcessBuilder("haproxy", "-W", "-db", "-f", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("haproxy.log").toFile()))
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!accepts(port)) {
            if (!process.isAlive()) {
                throw new IOException("haproxy exited with code " + process.exitValue() + "; see "
                        + dir.resolve("haproxy.log"));
            }
            if (System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IOException("haproxy did not listen on port " + port + " within 30 s");
            }
            Thread.sleep(50);
        }
        return new FrontProxy(port, config, process);
    }

    /** Replaces the server list and reloads (SIGUSR2 to the master: a new worker takes over the listener). */
    void update(List<Integer> replicaPorts) throws IOException, InterruptedException {
        Files.writeString(config, config(port, replicaPorts), StandardCharsets.UTF_8);
        Process kill = new ProcessBuilder("kill", "-USR2", Long.toString(process.pid())).inheritIO().start();
        kill.waitFor();
    }

    long pid() {
        return process.pid();
    }

    static String config(int port, List<Integer> replicaPorts) {
        String servers = replicaPorts.stream()
                .map(p -> "    server r" + p + " 127.0.0.1:" + p + " check")
                .collect(Collectors.joining("\n"));
        return """
                global
                    maxconn 2000
                    log stdout format raw local0
                    tune.bufsize 262144

                defaults
                    mode http
                    log global
                    option httplog
                    timeout connect 1s
                    timeout client 120s
                    timeout server 120s
                    timeout queue 30s
                    timeout http-request 30s
                    retries 5
                    option redispatch 1
                    retry-on conn-failure empty-response junk-response response-timeout 503
                    timeout check 3s

                frontend vermilion
                    bind 127.0.0.1:%d
                    # No h2c upgrade: an upgraded connection is a tunnel to one replica, past checks and retries.
                    http-request del-header upgrade if { req.hdr(upgrade) -i h2c }
                    http-request del-header http2-settings
                    default_backend replicas

                backend replicas
                    balance roundrobin
                    option httpchk GET /q/health/ready
                    http-check expect status 200
                    default-server inter 500ms fastinter 250ms downinter 500ms rise 2 fall 2
                %s
                """.formatted(port, servers);
    }

    private static boolean accepts(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
