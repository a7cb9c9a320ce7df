package io.vermilion.log;

import static io.vermilion.log.LogTestKit.add;
import static io.vermilion.log.LogTestKit.await;
import static io.vermilion.log.LogTestKit.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.vermilion.catalog.FragmentRef;
import io.vermilion.catalog.InMemoryLogCatalog;
import io.vermilion.catalog.LogCatalog;
import io.vermilion.catalog.LogPosition;
import io.vermilion.record.LogRecord;
import io.vermilion.storage.LocalObjectStore;

class LogReaderTest {

    /** More fragments than {@link LogReader#PARALLEL_READS}, so reads span several chunks. */
    private static final int FRAGMENTS = 40;

    @TempDir
    Path dir;

    private BufferAllocator allocator;
    private ExecutorService io;
    private ExecutorService work;
    private LocalObjectStore store;
    private InMemoryLogCatalog catalog;
    private final UUID collection = UUID.randomUUID();
    private final List<FragmentRef> written = new ArrayList<>();

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
        io = Executors.newFixedThreadPool(4);
        work = Executors.newFixedThreadPool(4);
        store = new LocalObjectStore(dir, io);
        catalog = new InMemoryLogCatalog();
        catalog.createCollection(collection);
        FragmentWriter writer = new FragmentWriter(allocator);
        long offset = 0;
        for (int f = 0; f < FRAGMENTS; f++) {
            List<LogRecord> records = new ArrayList<>();
            for (int i = 0; i <= f % 3; i++) {
                records.add(add("f" + f + "-" + i, f, i));
            }
            byte[] bytes = writer.write(records, offset);
            FragmentRef ref = new FragmentRef(offset, offset + records.size(), FragmentKeys.newFragmentKey(collection, offset),
                    bytes.length);
            await(store.put(ref.key(), bytes));
            assertEquals(LogCatalog.CommitResult.COMMITTED, await(catalog.commit(collection, ref, 2)));
            written.add(ref);
            offset = ref.endOffset();
        }
    }

    @AfterEach
    void close() throws InterruptedException {
        io.shutdownNow();
        work.shutdownNow();
        assertTrue(io.awaitTermination(10, TimeUnit.SECONDS) && work.awaitTermination(10, TimeUnit.SECONDS));
        assertEquals(0, allocator.getAllocatedMemory());
        allocator.close();
    }

    @Test
    void handsOverTheFragmentsFromOffsetToTargetInLogOrder() {
        List<String> ids = new ArrayList<>();
        List<FragmentRef> seen = new ArrayList<>();
        LogReader reader = new LogReader(store, catalog, allocator, work);
        await(reader.read(collection, written.get(3).startOffset(), written.get(37).endOffset(), (ref, fragment) -> {
            assertEquals(ref.startOffset(), fragment.firstOffset());
            seen.add(ref);
            fragment.records().forEach(r -> ids.add(r.id()));
        }));
        assertEquals(written.subList(3, 38), seen);
        assertEquals("f3-0", ids.get(0));
        assertEquals("f37-0", ids.get(ids.size() - 2));
        assertEquals("f37-1", ids.get(ids.size() - 1));
        assertEquals(written.get(37).endOffset() - written.get(3).startOffset(), ids.size());
    }

    @Test
    void aLogCollectedPastTheStartFailsBeforeAnythingIsHandedOver() {
        await(catalog.forget(collection, written.get(5).endOffset()));
        List<FragmentRef> seen = new ArrayList<>();
        LogGapException gap = failure(new LogReader(store, catalog, allocator, work)
                .read(collection, 0, written.get(20).endOffset(), (ref, fragment) -> seen.add(ref)), LogGapException.class);
        assertEquals(0, gap.expected());
        assertEquals(written.get(6).startOffset(), gap.found());
        assertEquals(List.of(), seen);
    }

    @Test
    void aHoleInTheMiddleFailsBeforeAnythingIsHandedOver() {
        LogCatalog holed = new Omitting(catalog, written.get(33));
        List<FragmentRef> seen = new ArrayList<>();
        LogGapException gap = failure(new LogReader(store, holed, allocator, work)
                .read(collection, 0, written.get(39).endOffset(), (ref, fragment) -> seen.add(ref)), LogGapException.class);
        assertEquals(written.get(33).startOffset(), gap.expected());
        assertEquals(written.get(34).startOffset(), gap.found());
        assertEquals(List.of(), seen);
    }

    @Test
    void aLogEndingShortOfTheTargetFailsBeforeAnythingIsHandedOver() {
        List<FragmentRef> seen = new ArrayList<>();
        long end = written.get(FRAGMENTS - 1).endOffset();
        LogGapException gap = failure(new LogReader(store, catalog, allocator, work)
                .read(collection, 0, end + 1, (ref, fragment) -> seen.add(ref)), LogGapException.class);
        assertEquals(end, gap.expected());
        assertEquals(-1, gap.found());
        assertEquals(List.of(), seen);
    }

    /** The catalog with one recorded fragment left out of its listings, as a damaged catalog would answer. */
    private record Omitting(LogCatalog delegate, FragmentRef omitted) implements LogCatalog {

        @Override
        public CompletionStage<Optional<LogPosition>> position(UUID collection) {
            return delegate.position(collection);
        }

        @Override
        public CompletionStage<CommitResult> commit(UUID collection, FragmentRef fragment, Integer dimension) {
            return delegate.commit(collection, fragment, dimension);
        }

        @Override
        public CompletionStage<List<FragmentRef>> fragments(UUID collection, long fromOffset) {
            return delegate.fragments(collection, fromOffset)
                    .thenApply(all -> all.stream().filter(f -> !f.equals(omitted)).toList());
        }

        @Override
        public CompletionStage<Integer> forget(UUID collection, long beforeOffset) {
            return delegate.forget(collection, beforeOffset);
        }
    }
}
