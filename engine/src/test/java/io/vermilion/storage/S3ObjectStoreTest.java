package io.vermilion.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The object-store contract against a real S3-compatible server (S3Proxy over HTTP on loopback). */
class S3ObjectStoreTest extends ObjectStoreContractTest {

    private static final String BUCKET = "vermilion-test";
    private static final AtomicInteger STORES = new AtomicInteger();

    private static S3ProxyServer server;

    @BeforeAll
    static void startServer() {
        server = S3ProxyServer.start();
        server.createBucket(BUCKET);
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    /** Each test gets its own prefix in the shared bucket, which also exercises prefixing. */
    @Override
    protected ObjectStore openStore() {
        return new S3ObjectStore(server.client(), BUCKET, "store-" + STORES.incrementAndGet());
    }

    @Test
    void keysLiveUnderTheConfiguredPrefix() {
        try (ObjectStore tenantA = new S3ObjectStore(server.client(), BUCKET, "iso/a/");
             ObjectStore tenantB = new S3ObjectStore(server.client(), BUCKET, "iso/b");
             ObjectStore bucketRoot = new S3ObjectStore(server.client(), BUCKET, "")) {
            await(tenantA.put("k", utf8("in a")));

            assertEquals(List.of(new ObjectInfo("k", 4)), await(tenantA.list("")));
            assertEquals(List.of(), await(tenantB.list("")));
            assertEquals(List.of(new ObjectInfo("iso/a/k", 4)), await(bucketRoot.list("iso/")));
            assertEquals("in a", string(await(bucketRoot.get("iso/a/k"))));
        }
    }
}
