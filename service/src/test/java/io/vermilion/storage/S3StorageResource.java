package io.vermilion.storage;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Runs the service against a real S3-compatible server (S3Proxy in a child JVM, speaking HTTP on loopback):
 * starts it, creates a bucket and switches {@code vermilion.storage} to it.
 */
public class S3StorageResource implements QuarkusTestResourceLifecycleManager {

    private S3ProxyServer server;

    @Override
    public Map<String, String> start() {
        server = S3ProxyServer.start();
        server.createBucket("vermilion-test");
        return Map.of(
                "vermilion.storage.type", "s3",
                "vermilion.storage.bucket", "vermilion-test",
                "vermilion.storage.prefix", "service-tests",
                "vermilion.storage.endpoint", server.endpoint().toString(),
                "vermilion.storage.region", S3ProxyServer.REGION,
                "vermilion.storage.access-key", S3ProxyServer.ACCESS_KEY,
                "vermilion.storage.secret-key", S3ProxyServer.SECRET_KEY,
                "vermilion.storage.path-style", "true");
    }

    /** Stops S3Proxy; first prints what in its output could explain a stalled request, if anything. */
    @Override
    public void stop() {
        if (server != null) {
            java.util.List<String> troubles = server.troubles(40);
            if (!troubles.isEmpty()) {
                System.err.println("S3Proxy at " + server.endpoint() + " reported:\n  " + String.join("\n  ", troubles));
            }
            server.close();
        }
    }
}
