package io.vermilion.log;

import static io.vermilion.log.LogTestKit.add;
import static io.vermilion.log.LogTestKit.await;
import static io.vermilion.log.LogTestKit.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.vermilion.catalog.CollectionMissingException;
import io.vermilion.catalog.FragmentRef;
import io.vermilion.catalog.InMemoryLogCatalog;
import io.vermilion.executor.CollectionStateCache;
import io.vermilion.model.CollectionSnapshot;
import io.vermilion.record.Record;
import io.vermilion.storage.LocalObjectStore;
import io.vermilion.storage.ObjectInfo;
import io.vermilion.testing.RecordingObjectStore;

class LogGarbageCollectorTest {

    @TempDir
    Path dir;

    private BufferAllocator allocator;
    private ScheduledExecutorService scheduler;
    private ExecutorService io;
    private RecordingObjectStore store;
    private InMemoryLogCatalog catalog;
    private LogWriter writer;
    private LogGarbageCollector collector;
    private final UUID collection = UUID.randomUUID();

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
        scheduler = Executors.newScheduledThreadPool(2);
        io = Executors.newFixedThreadPool(4);
        store = new RecordingObjectStore(new LocalObjectStore(dir, io));
        catalog = new InMemoryLogCatalog();
        catalog.createCollection(collection);
        writer = new LogWriter(store, catalog, allocator, LogWriterOptions.defaults(), scheduler);
        collector = new LogGarbageCollector(store, catalog);
    }

    @AfterEach
    void close() throws InterruptedException {
        writer.close();
        scheduler.shutdownNow();
        io.shutdownNow();
        assertTrue(scheduler.awaitTermination(10, TimeUnit.SECONDS) && io.awaitTermination(10, TimeUnit.SECONDS));
        assertEquals(0, allocator.getAllocatedMemory());
        allocator.close();
    }

    private List<String> keysUnder(String prefix) {
        return await(store.list(prefix)).stream().map(ObjectInfo::key).toList();
    }

    private List<String> recordedKeys() {
        return await(catalog.fragments(collection, 0)).stream().map(FragmentRef::key).sorted().toList();
    }

    /** Writes a well-formed fragment the catalog never recorded, as a writer that crashed before committing would. */
    private String putUnrecorded(long startOffset) {
        String key = FragmentKeys.newFragmentKey(collection, startOffset);
        await(store.put(key, new FragmentWriter(allocator).write(List.of(add("ghost-" + startOffset, 9f)), startOffset)));
        return key;
    }

    @Test
    void failedCommitIsInvisibleToReadersAndSweptLater() {
        AtomicInteger commits = new AtomicInteger();
        catalog.setCommitHook((c, fragment, dimension) -> {
            if (commits.incrementAndGet() == 2) {
                throw new IllegalStateException("catalog unavailable");
            }
            return null;
        });
        CollectionStateCache cache = new CollectionStateCache(store, catalog, allocator, io);

        await(writer.append(collection, List.of(add("before", 1f))));
        failure(writer.append(collection, List.of(add("failed", 2f))), IllegalStateException.class);
        await(writer.append(collection, List.of(add("after", 3f))));

        CollectionSnapshot snapshot = await(cache.snapshot(collection));
        assertEquals(List.of("before", "after"), snapshot.records().stream().map(Record::id).toList());
        List<String> logKeys = keysUnder(FragmentKeys.logPrefix(collection));
        assertEquals(3, logKeys.size());
        String orphan = logKeys.stream().filter(key -> !recordedKeys().contains(key)).findFirst().orElseThrow();
        assertEquals(0, store.getsOf(orphan), "readers never read an unrecorded fragment");

        assertEquals(1, await(collector.sweep(collection)));

        assertEquals(recordedKeys(), keysUnder(FragmentKeys.logPrefix(collection)));
        cache.evict(collection);
        assertEquals(List.of("before", "after"),
                await(cache.snapshot(collection)).records().stream().map(Record::id).toList());
        assertEquals(0, await(collector.sweep(collection)), "a second sweep finds nothing");
    }

    @Test
    void sweepDeletesOnlyUnrecordedFragmentsBelowTheEndOfTheLog() {
        String orphanAtStart = putUnrecorded(0);
        await(writer.append(collection, List.of(add("a", 1f), add("b", 2f))));
        await(writer.append(collection, List.of(add("c", 3f))));
        String orphanInside = putUnrecorded(2);
        await(writer.append(collection, List.of(add("d", 4f))));
        String mayBeInFlight = putUnrecorded(4); // starts at the end: a writer may be about to commit it
        String ahead = putUnrecorded(9);
        String notAFragment = FragmentKeys.logPrefix(collection) + "notes.txt";
        await(store.put(notAFragment, "keep me".getBytes(StandardCharsets.UTF_8)));
        List<String> recorded = recordedKeys();

        assertEquals(2, await(collector.sweep(collection)));

        List<String> expected = new ArrayList<>(recorded);
        expected.addAll(List.of(mayBeInFlight, ahead, notAFragment));
        assertEquals(expected.stream().sorted().toList(), keysUnder(FragmentKeys.logPrefix(collection)));
        assertTrue(!keysUnder("").contains(orphanAtStart) && !keysUnder("").contains(orphanInside));
        assertEquals(recorded, recordedKeys());
    }

    @Test
    void sweepOfMissingCollectionFails() {
        UUID missing = UUID.randomUUID();

        assertEquals(missing, failure(collector.sweep(missing), CollectionMissingException.class).collection());
    }

    @Test
    void deleteCollectionRemovesEverythingUnderItsPrefixOnly() {
        UUID other = UUID.randomUUID();
        catalog.createCollection(other);
        await(writer.append(collection, List.of(add("a", 1f))));
        putUnrecorded(0);
        await(store.put(collection + "/v/1/manifest.json", "{}".getBytes(StandardCharsets.UTF_8)));
        await(writer.append(other, List.of(add("x", 1f))));
        List<String> otherKeys = keysUnder(FragmentKeys.collectionPrefix(other));

        await(collector.deleteCollection(collection));

        assertEquals(List.of(), keysUnder(FragmentKeys.collectionPrefix(collection)));
        assertEquals(otherKeys, keysUnder(""));
    }
}
