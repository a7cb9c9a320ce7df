import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.arrow.memory.RootAllocator;

import io.vermilion.catalog.InMemoryLogCatalog;
import io.vermilion.catalog.InMemoryVersionCatalog;
import io.vermilion.compactor.Compactor;
import io.vermilion.compactor.CompactorOptions;
import io.vermilion.env.Environment;
import io.vermilion.log.LogWriter;
import io.vermilion.log.LogWriterOptions;
import io.vermilion.record.LogRecord;
import io.vermilion.record.MetadataValue;
import io.vermilion.record.Operation;
import io.vermilion.storage.LocalObjectStore;

/**
 * Heap and time of one compaction of a small tail over a large compacted collection, on a local object store: N
 * records of D random dimensions compacted once, then a tail of T records compacted, measured twice: T new ids (they
 * land after every existing id: one block) and T updates of random existing ids (they land in every block).
 * Heap: the highest used heap sampled every 5 ms during the compaction, after a GC before it (the collection's
 * first version is not on the heap: only what the compaction itself holds, plus garbage it makes).
 * Usage: {@code CompactionBench N D T WORK}.
 */
public class CompactionBench {

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        int dimension = Integer.parseInt(args[1]);
        int tail = Integer.parseInt(args[2]);
        Path work = Path.of(args[3]);
        Files.createDirectories(work);
        Random random = new Random(42);
        ExecutorService io = Executors.newFixedThreadPool(4);
        ExecutorService compaction = Executors.newFixedThreadPool(2);
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1);
        try (RootAllocator allocator = new RootAllocator();
             LocalObjectStore store = new LocalObjectStore(work.resolve("store"), io)) {
            Clock clock = Clock.systemUTC();
            InMemoryLogCatalog log = new InMemoryLogCatalog();
            InMemoryVersionCatalog versions = new InMemoryVersionCatalog(clock);
            UUID collection = UUID.randomUUID();
            log.createCollection(collection);
            LogWriter writer = new LogWriter(store, log, allocator,
                    LogWriterOptions.defaults().withCommitWindow(Duration.ZERO), scheduler);
            Compactor compactor = new Compactor(store, log, versions, allocator, clock,
                    CompactorOptions.defaults(Environment.system()).withWorkDir(work.resolve("compact"))
                            .withLeaseTtl(Duration.ofHours(2)), compaction); // no heartbeat: one lease for it all

            for (int start = 0; start < n; start += 1000) {
                List<LogRecord> request = new ArrayList<>();
                for (int i = start; i < Math.min(n, start + 1000); i++) {
                    request.add(record(Operation.ADD, "id-%09d".formatted(i), dimension, random));
                }
                writer.append(collection, request).toCompletableFuture().join();
            }
            long began = System.nanoTime();
            compactor.compact(collection).toCompletableFuture().join().orElseThrow();
            System.out.printf("initial compaction of %,d x %d: %.1f s%n", n, dimension, (System.nanoTime() - began) / 1e9);

            List<LogRecord> appended = new ArrayList<>();
            for (int i = 0; i < tail; i++) {
                appended.add(record(Operation.ADD, "id-%09d".formatted(n + i), dimension, random));
            }
            measure("tail of " + tail + " new ids", collection, writer, compactor, appended);

            List<LogRecord> updated = new ArrayList<>();
            for (int i = 0; i < tail; i++) {
                updated.add(record(Operation.UPSERT, "id-%09d".formatted(random.nextInt(n)), dimension, random));
            }
            measure("tail of " + tail + " updates of random ids", collection, writer, compactor, updated);
            writer.close();
        } finally {
            io.shutdownNow();
            compaction.shutdownNow();
            scheduler.shutdownNow();
        }
    }

    private static void measure(String what, UUID collection, LogWriter writer, Compactor compactor,
                                List<LogRecord> tail) throws Exception {
        writer.append(collection, tail).toCompletableFuture().join();
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        System.gc();
        long baseline = memory.getHeapMemoryUsage().getUsed();
        AtomicLong peak = new AtomicLong(baseline);
        Thread sampler = Thread.ofPlatform().daemon().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                peak.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        long began = System.nanoTime();
        var manifest = compactor.compact(collection).toCompletableFuture().join().orElseThrow();
        double seconds = (System.nanoTime() - began) / 1e9;
        sampler.interrupt();
        sampler.join();
        System.out.printf("%s: %.2f s, peak heap %,d MiB (%,d MiB before), version %d: %d blocks, %d records%n",
                what, seconds, peak.get() >> 20, baseline >> 20, manifest.version(), manifest.blocks().size(),
                manifest.recordCount());
    }

    private static LogRecord record(Operation operation, String id, int dimension, Random random) {
        float[] embedding = new float[dimension];
        for (int d = 0; d < dimension; d++) {
            embedding[d] = random.nextFloat() * 2 - 1;
        }
        return new LogRecord(operation, id, embedding, Map.of("n", new MetadataValue.Int(random.nextInt(100))),
                "document of " + id, null);
    }
}
