package io.vermilion.log;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Random;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.arrow.memory.BufferAllocator;

import io.vermilion.catalog.FragmentRef;
import io.vermilion.catalog.LogCatalog;
import io.vermilion.record.LogRecord;
import io.vermilion.record.MetadataValue;
import io.vermilion.record.Operation;
import io.vermilion.storage.ObjectStore;

/** Helpers for log tests: waiting on stages, building log records, reading a collection's recorded log back. */
public final class LogTestKit {

    public static final long TIMEOUT_SECONDS = 60;

    private LogTestKit() {}

    public static <T> T await(CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("stage failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError("stage did not complete: " + e, e);
        }
    }

    /** Waits for {@code stage} to fail and returns the cause, which must be a {@code type}. */
    public static <E extends Throwable> E failure(CompletionStage<?> stage, Class<E> type) {
        Throwable cause;
        try {
            Object value = stage.toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            return fail("expected a failure with " + type.getSimpleName() + ", completed with " + value);
        } catch (ExecutionException e) {
            cause = e.getCause();
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError("stage did not complete: " + e, e);
        }
        while (cause instanceof CompletionException && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return assertInstanceOf(type, cause);
    }

    public static LogRecord add(String id, float... embedding) {
        return new LogRecord(Operation.ADD, id, embedding, null, null, null);
    }

    public static LogRecord record(Operation operation, String id, float[] embedding,
                                   Map<String, MetadataValue> metadata, String document) {
        return new LogRecord(operation, id, embedding, metadata, document, null);
    }

    /** A recorded fragment and its decoded content. */
    public record ReadFragment(FragmentRef ref, LogFragment fragment) {}

    /** Every recorded fragment of the collection, read from the store and decoded, in log order. */
    public static List<ReadFragment> readLog(ObjectStore store, LogCatalog catalog, BufferAllocator allocator,
                                             UUID collection) {
        FragmentReader reader = new FragmentReader(allocator);
        List<ReadFragment> log = new ArrayList<>();
        for (FragmentRef ref : await(catalog.fragments(collection, 0))) {
            log.add(new ReadFragment(ref, reader.read(await(store.get(ref.key())), ref.key())));
        }
        return log;
    }

    /** The records of {@link #readLog}, concatenated in log order. */
    public static List<LogRecord> records(List<ReadFragment> log) {
        List<LogRecord> records = new ArrayList<>();
        for (ReadFragment fragment : log) {
            records.addAll(fragment.fragment().records());
        }
        return records;
    }

    /**
     * {@code clients × requests} writes of 1..{@code maxRecords} ADD records each, ids {@code c{client}-r{request}-{i}},
     * random embeddings of {@code dimension}.
     */
    public static List<List<List<LogRecord>>> randomWrites(Random random, int clients, int requests, int maxRecords,
                                                          int dimension) {
        List<List<List<LogRecord>>> writes = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            List<List<LogRecord>> client = new ArrayList<>();
            for (int r = 0; r < requests; r++) {
                List<LogRecord> request = new ArrayList<>();
                int n = 1 + random.nextInt(maxRecords);
                for (int i = 0; i < n; i++) {
                    float[] embedding = new float[dimension];
                    for (int d = 0; d < dimension; d++) {
                        embedding[d] = random.nextFloat();
                    }
                    request.add(add("c" + c + "-r" + r + "-" + i, embedding));
                }
                client.add(request);
            }
            writes.add(client);
        }
        return writes;
    }

    /**
     * Asserts that the recorded log holds exactly the given writes (per client, in the order each client sent them,
     * each acknowledged before the next was sent): offsets gapless from 0, every record exactly once, each write's
     * records contiguous, in order and inside one fragment, and each client's writes in its order.
     */
    public static void assertLogHoldsExactly(List<ReadFragment> log, List<List<List<LogRecord>>> writes) {
        long next = 0;
        List<LogRecord> byOffset = new ArrayList<>();
        List<Integer> fragmentOfOffset = new ArrayList<>();
        for (int f = 0; f < log.size(); f++) {
            ReadFragment fragment = log.get(f);
            assertEquals(next, fragment.ref().startOffset(), "fragment " + f + " starts where the previous ended");
            assertEquals(next, fragment.fragment().firstOffset(), "fragment " + f + " encodes its start offset");
            assertEquals(fragment.ref().recordCount(), fragment.fragment().records().size());
            for (LogRecord record : fragment.fragment().records()) {
                byOffset.add(record);
                fragmentOfOffset.add(f);
            }
            next = fragment.ref().endOffset();
        }
        HashMap<String, Integer> offsetOfId = new HashMap<>();
        for (int offset = 0; offset < byOffset.size(); offset++) {
            assertNull(offsetOfId.put(byOffset.get(offset).id(), offset), "record written twice: " + byOffset.get(offset).id());
        }
        int total = 0;
        for (List<List<LogRecord>> client : writes) {
            int previousStart = -1;
            for (List<LogRecord> request : client) {
                Integer start = offsetOfId.get(request.get(0).id());
                assertNotNull(start, "acknowledged write missing: " + request.get(0).id());
                assertTrue(start > previousStart, "a client's writes are in the order it sent them");
                previousStart = start;
                for (int i = 0; i < request.size(); i++) {
                    LogRecord sent = request.get(i);
                    LogRecord stored = byOffset.get(start + i);
                    assertEquals(sent.id(), stored.id(), "a write's records are contiguous and in order");
                    assertEquals(sent.operation(), stored.operation());
                    assertArrayEquals(sent.embedding(), stored.embedding());
                    assertEquals(fragmentOfOffset.get(start), fragmentOfOffset.get(start + i), "a write is never split");
                }
                total += request.size();
            }
        }
        assertEquals(total, byOffset.size(), "the log holds nothing but the acknowledged writes");
    }
}
