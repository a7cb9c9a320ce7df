package io.vermilion.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.vermilion.storage.ObjectInfo;
import io.vermilion.storage.S3ObjectStore;
import io.vermilion.storage.S3ProxyServer;
import io.vermilion.testing.RecordingObjectStore;

class ColdPathWarmUpTest {

    @Test
    void theWarmUpQueriesItsOwnVersionThroughRangedReadsAndLeavesNothingBehind(@TempDir Path dir) throws Exception {
        ExecutorService work = Executors.newFixedThreadPool(2);
        try (S3ProxyServer server = S3ProxyServer.start()) {
            server.createBucket("warm");
            S3ObjectStore s3 = new S3ObjectStore(server.client(), "warm", "replicas");
            s3.put("collection/v/1/manifest.json", new byte[] {1}).toCompletableFuture().join(); // someone else's
            RecordingObjectStore recording = new RecordingObjectStore(s3);
            Path scratch = dir.resolve("warm-up");

            long hits = ColdPathWarmUp.run(recording, "warm-up/replica-1/", scratch, 2, work);

            assertEquals(2L * ColdPathWarmUp.QUERIES_PER_ROUND * 10, hits);
            // Ranged reads of its own version only: the pack, the sketch (the cold search ran) and the vectors of the candidates.
            java.util.Set<String> read = recording.rangedBytesByKey().keySet();
            assertEquals(List.of(), read.stream().filter(key -> !key.startsWith("warm-up/replica-1/")).toList());
            assertEquals(1, read.stream().filter(key -> key.endsWith(".vsk")).count());
            assertEquals(1, read.stream().filter(key -> key.endsWith(".vec")).count());
            // Each round fetched the manifest whole and read the open pack in one ranged read.
            assertEquals(2, recording.getsOf("warm-up/replica-1/manifest.json"));
            assertEquals(2, recording.rangedReadsByKey().get("warm-up/replica-1/" + OpenPack.NAME));
            List<String> left = s3.list("").toCompletableFuture().join().stream().map(ObjectInfo::key).toList();
            assertEquals(List.of("collection/v/1/manifest.json"), left);
            assertFalse(Files.exists(scratch));
        } finally {
            work.shutdownNow();
        }
    }
}
