package io.vermilion.resilience;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.vermilion.storage.S3ProxyServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Puts a {@link FaultProxy} between the service and a real S3-compatible server (S3Proxy): the service's endpoint is
 * the proxy. Tight fault-tolerance settings keep the tests fast: 1 s per attempt, 3 retries after 20-80 ms, a breaker
 * over 8 attempts that opens at 75 % failures and stays open 2 s. Injects the proxy into {@code FaultProxy} fields.
 */
public class FaultyS3Resource implements QuarkusTestResourceLifecycleManager {

    static final String BREAKER_DELAY_SECONDS = "2";

    private S3ProxyServer server;
    private FaultProxy proxy;

    @Override
    public Map<String, String> start() {
        server = S3ProxyServer.start();
        server.createBucket("vermilion-faults");
        try {
            proxy = new FaultProxy(server.endpoint());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.ofEntries(
                Map.entry("vermilion.storage.type", "s3"),
                Map.entry("vermilion.storage.bucket", "vermilion-faults"),
                Map.entry("vermilion.storage.prefix", "fault-tests"),
                Map.entry("vermilion.storage.endpoint", proxy.endpoint().toString()),
                Map.entry("vermilion.storage.region", S3ProxyServer.REGION),
                Map.entry("vermilion.storage.access-key", S3ProxyServer.ACCESS_KEY),
                Map.entry("vermilion.storage.secret-key", S3ProxyServer.SECRET_KEY),
                Map.entry("vermilion.storage.path-style", "true"),
                Map.entry("vermilion.resilience.object-store.timeout", "1s"),
                Map.entry("vermilion.resilience.object-store.max-retries", "3"),
                Map.entry("vermilion.resilience.object-store.backoff", "20ms"),
                Map.entry("vermilion.resilience.object-store.max-backoff", "80ms"),
                Map.entry("vermilion.resilience.object-store.jitter", "10ms"),
                Map.entry("vermilion.resilience.object-store.breaker-window", "8"),
                Map.entry("vermilion.resilience.object-store.breaker-failure-ratio", "0.75"),
                Map.entry("vermilion.resilience.object-store.breaker-delay", BREAKER_DELAY_SECONDS + "s"));
    }

    @Override
    public void inject(TestInjector injector) {
        injector.injectIntoFields(proxy, new TestInjector.MatchesType(FaultProxy.class));
    }

    @Override
    public void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (server != null) {
            server.close();
        }
    }
}
