import io.vermilion.catalog.InMemoryLogCatalog;
import io.vermilion.catalog.LogPosition;
import io.vermilion.executor.CollectionStateCache;
import io.vermilion.executor.CollectionView;
import io.vermilion.log.LogWriter;
import io.vermilion.log.LogWriterOptions;
import io.vermilion.record.LogRecord;
import io.vermilion.record.Operation;
import io.vermilion.storage.LocalObjectStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import org.apache.arrow.memory.RootAllocator;

/**
 * What a read at {@code read_level} {@code index_and_bounded_wal} costs against {@code index_and_wal}, in process,
 * over an un-compacted log of N records × 384 written in fragments of F records (local folder store): the full view
 * is served from the held, caught-up state, the bounded view from the kept prefix of K operations. Times the first
 * read of each (the bounded one reads K operations from the log, fragments decoded whole and the last one cut; the
 * full one all N), then a count per view over rounds.
 * Usage: BoundedWalBench [N] [F] [K]; run by bench/bounded-wal-bench.sh.
 */
public class BoundedWalBench {

    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
        int fragment = args.length > 1 ? Integer.parseInt(args[1]) : 1_000;
        int k = args.length > 2 ? Integer.parseInt(args[2]) : 250;
        Path dir = Files.createTempDirectory("bounded-wal-bench");
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1);
        ExecutorService io = Executors.newFixedThreadPool(2);
        try (RootAllocator allocator = new RootAllocator()) {
            InMemoryLogCatalog catalog = new InMemoryLogCatalog();
            UUID collection = UUID.randomUUID();
            catalog.createCollection(collection);
            LogWriter writer = new LogWriter(new LocalObjectStore(dir, io), catalog, allocator,
                    LogWriterOptions.defaults().withCommitWindow(Duration.ZERO), scheduler);
            Random random = new Random(1);
            for (int from = 0; from < n; from += fragment) {
                List<LogRecord> batch = new ArrayList<>();
                for (int i = from; i < Math.min(n, from + fragment); i++) {
                    float[] v = new float[384];
                    for (int d = 0; d < v.length; d++) {
                        v[d] = random.nextFloat();
                    }
                    batch.add(new LogRecord(Operation.ADD, "r" + i, v, null, "document " + i, null));
                }
                writer.append(collection, batch).toCompletableFuture().join();
            }
            CollectionStateCache cache = new CollectionStateCache(new LocalObjectStore(dir, io), catalog, allocator, io);
            LogPosition end = catalog.position(collection).toCompletableFuture().join().orElseThrow();
            System.out.printf("log of %,d records × 384 in fragments of %,d; bound K = %d%n", n, fragment, k);
            // First reads of a collection not held yet: the bounded view reads K operations, the full one all N.
            double firstBounded = perRead(() -> cache.boundedView(collection, end, null, k).toCompletableFuture().join(), 1);
            double firstFull = perRead(() -> cache.view(collection, end, null).toCompletableFuture().join(), 1);
            System.out.printf("first read: index_and_bounded_wal %.1f ms, index_and_wal %.1f ms%n", firstBounded, firstFull);
            for (int round = 0; round < 5; round++) {
                double full = perRead(() -> cache.view(collection, end, null).toCompletableFuture().join(), 200);
                double bounded = perRead(() -> cache.boundedView(collection, end, null, k).toCompletableFuture().join(), 50);
                System.out.printf("round %d: index_and_wal %.3f ms/count, index_and_bounded_wal %.3f ms/count%n",
                        round, full, bounded);
            }
            writer.close();
        } finally {
            scheduler.shutdownNow();
            io.shutdownNow();
        }
    }

    private static double perRead(Supplier<CollectionView> view, int reads) {
        long t0 = System.nanoTime();
        long sum = 0;
        for (int i = 0; i < reads; i++) {
            try (CollectionView v = view.get()) {
                sum += v.count();
            }
        }
        if (sum < 0) {
            throw new AssertionError();
        }
        return (System.nanoTime() - t0) / 1e6 / reads;
    }
}
