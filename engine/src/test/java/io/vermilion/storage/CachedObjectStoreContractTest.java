package io.vermilion.storage;

import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** The object-store contract holds through the cache, with budgets small enough to evict during the tests. */
class CachedObjectStoreContractTest extends ObjectStoreContractTest {

    private static ExecutorService io;

    @TempDir
    Path root;

    @BeforeAll
    static void startIo() {
        io = Executors.newFixedThreadPool(8);
    }

    @AfterAll
    static void stopIo() {
        io.shutdownNow();
    }

    @Override
    protected ObjectStore openStore() {
        return new CachedObjectStore(new LocalObjectStore(root.resolve("store"), io), 64,
                new CacheFolder(root.resolve("cache"), 512), io);
    }
}
