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

    /** Parts of 5 MiB (S3's minimum): a 12 MiB file goes up as three parts and reads back byte for byte. */
    @Test
    void largeFileGoesUpInPartsAndAnExistingKeyIsRefusedWithNothingLeftBehind(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path temp) throws Exception {
        byte[] bytes = new byte[12 << 20];
        new java.util.Random(11).nextBytes(bytes);
        java.nio.file.Path file = java.nio.file.Files.write(temp.resolve("big.bin"), bytes);
        try (S3ObjectStore parts = new S3ObjectStore(server.client(), BUCKET, "parts-" + STORES.incrementAndGet(),
                5L << 20)) {
            assertEquals(true, await(parts.putFileIfAbsent("index/_0.cfs", file)));
            assertEquals(false, await(parts.putFileIfAbsent("index/_0.cfs", file)));

            org.junit.jupiter.api.Assertions.assertArrayEquals(bytes, await(parts.get("index/_0.cfs")));
            assertEquals(List.of(new ObjectInfo("index/_0.cfs", bytes.length)), await(parts.list("")));
            assertEquals(0, server.client().listMultipartUploads(b -> b.bucket(BUCKET)).join().uploads().stream()
                    .filter(u -> u.key().contains("parts-")).count(), "no upload left open");
        }
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

    /** The diagnostics a service test prints when S3Proxy stops stay empty while it serves normally. */
    @Test
    void aHealthyS3ProxyReportsNoTroubles() {
        try (ObjectStore store = openStore()) {
            await(store.put("a", utf8("one")));
            assertEquals(false, await(store.putIfAbsent("a", utf8("two"))));
            assertEquals("one", string(await(store.get("a"))));
        }

        assertEquals(List.of(), server.troubles(40));
    }
}
