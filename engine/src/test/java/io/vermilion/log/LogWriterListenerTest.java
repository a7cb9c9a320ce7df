package io.vermilion.log;

import static io.vermilion.log.LogTestKit.add;
import static io.vermilion.log.LogTestKit.await;
import static io.vermilion.log.LogTestKit.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.vermilion.catalog.InMemoryLogCatalog;
import io.vermilion.env.Environment;
import io.vermilion.storage.LocalObjectStore;
import io.vermilion.testing.RecordingObjectStore;

/** What a {@link LogWriterListener} hears: one call per committed fragment, conflict and failed batch. */
class LogWriterListenerTest {

    @TempDir
    Path dir;

    private BufferAllocator allocator;
    private ScheduledExecutorService scheduler;
    private ExecutorService io;
    private RecordingObjectStore store;
    private InMemoryLogCatalog catalog;
    private final UUID collection = UUID.randomUUID();
    private final List<String> heard = new ArrayList<>();
    private final LogWriterListener listener = new LogWriterListener() {
        @Override
        public synchronized void committed(int writes, long records, long bytes, long nanos) {
            assertTrue(bytes > 0 && nanos > 0);
            heard.add("committed " + writes + " " + records);
        }

        @Override
        public synchronized void conflicted() {
            heard.add("conflicted");
        }

        @Override
        public synchronized void failed(Throwable cause) {
            heard.add("failed " + cause.getMessage());
        }
    };

    @BeforeEach
    void open() {
        allocator = new RootAllocator();
        scheduler = Executors.newScheduledThreadPool(2);
        io = Executors.newFixedThreadPool(4);
        store = new RecordingObjectStore(new LocalObjectStore(dir, io));
        catalog = new InMemoryLogCatalog();
        catalog.createCollection(collection);
    }

    @AfterEach
    void close() throws InterruptedException {
        scheduler.shutdownNow();
        io.shutdownNow();
        assertTrue(scheduler.awaitTermination(10, TimeUnit.SECONDS) && io.awaitTermination(10, TimeUnit.SECONDS));
        allocator.close();
    }

    @Test
    void hearsEachGroupCommitWithItsBatchSize() {
        try (LogWriter writer = new LogWriter(store, catalog, allocator, LogWriterOptions.defaults(), scheduler, listener)) {
            await(writer.append(collection, List.of(add("a", 1f), add("b", 2f))));
            await(writer.append(collection, List.of(add("c", 3f))));
        }
        assertEquals(List.of("committed 1 2", "committed 1 1"), heard);
    }

    @Test
    void hearsConflictsAndFailures() {
        LogWriterOptions options = LogWriterOptions.defaults();
        try (LogWriter a = new LogWriter(store, catalog, allocator, options, scheduler, listener);
             LogWriter b = new LogWriter(store, catalog, allocator, options, scheduler)) {
            await(a.append(collection, List.of(add("a", 1f))));
            await(b.append(collection, List.of(add("b", 1f)))); // moves the log past what a has cached
            await(a.append(collection, List.of(add("c", 1f))));
            store.failPuts(key -> new IllegalStateException("store down"));
            failure(a.append(collection, List.of(add("d", 1f))), IllegalStateException.class);
        }
        assertEquals(List.of("committed 1 1", "conflicted", "committed 1 1", "failed store down"), heard);
    }

    @Test
    void aListenerThatThrowsDoesNotDisturbWrites() {
        LogWriterListener broken = new LogWriterListener() {
            @Override
            public void committed(int writes, long records, long bytes, long nanos) {
                throw new IllegalStateException("metrics broke");
            }
        };
        try (LogWriter writer = new LogWriter(store, catalog, allocator, LogWriterOptions.defaults(), scheduler, broken)) {
            await(writer.append(collection, List.of(add("a", 1f))));
            assertEquals(1, writer.requestsCommitted());
        }
    }

    @Test
    void committedFragmentsAreHandedOverInLogOrderWithTheirStoredBytesBeforeTheAcknowledgement() {
        List<String> fragments = new ArrayList<>();
        java.util.Map<String, byte[]> handed = new java.util.concurrent.ConcurrentHashMap<>();
        CommittedFragments committed = (id, fragment, bytes) -> {
            synchronized (fragments) {
                LogFragment decoded = new FragmentReader(allocator).read(bytes, fragment);
                handed.put(fragment.key(), bytes.clone());
                fragments.add(fragment.startOffset() + ".." + fragment.endOffset() + " "
                        + decoded.records().getFirst().id() + " " + id.equals(collection));
            }
        };
        try (LogWriter writer = new LogWriter(store, catalog, allocator, LogWriterOptions.defaults(), scheduler,
                LogWriterListener.NONE, Environment.system(), committed)) {
            for (int i = 0; i < 3; i++) {
                await(writer.append(collection, List.of(add("r" + i, i), add("s" + i, i))));
                synchronized (fragments) {
                    assertEquals(i + 1, fragments.size(), "heard before the write was acknowledged");
                }
            }
        }

        assertEquals(List.of("0..2 r0 true", "2..4 r1 true", "4..6 r2 true"), fragments);
        for (var fragment : await(catalog.fragments(collection, 0))) {
            assertTrue(java.util.Arrays.equals(await(store.get(fragment.key())), handed.get(fragment.key())),
                    "the stored bytes of " + fragment.key());
        }
    }

    @Test
    void aThrowingCommittedFragmentsListenerDoesNotDisturbTheWrite() {
        try (LogWriter writer = new LogWriter(store, catalog, allocator, LogWriterOptions.defaults(), scheduler,
                LogWriterListener.NONE, Environment.system(), (id, fragment, bytes) -> {
                    throw new IllegalStateException("listener broke");
                })) {
            await(writer.append(collection, List.of(add("r0", 1f))));
        }

        assertEquals(1, await(catalog.fragments(collection, 0)).size());
    }
}
