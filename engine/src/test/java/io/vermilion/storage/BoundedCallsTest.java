package io.vermilion.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class BoundedCallsTest {

    @Test
    void runsAtMostTheLimitAtOnceAndStartsTheWaitingInArrivalOrder() {
        BoundedCalls fetches = new BoundedCalls(3);
        List<CompletableFuture<Integer>> held = new ArrayList<>();
        List<Integer> started = new ArrayList<>();
        List<CompletableFuture<Integer>> results = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            int n = i;
            CompletableFuture<Integer> gate = new CompletableFuture<>();
            held.add(gate);
            results.add(fetches.run(() -> {
                started.add(n);
                return gate;
            }));
        }
        assertEquals(List.of(0, 1, 2), started);
        assertEquals(3, fetches.running());
        assertEquals(7, fetches.waiting());

        held.get(1).complete(10);
        assertEquals(List.of(0, 1, 2, 3), started);
        assertEquals(10, results.get(1).join());
        held.get(3).completeExceptionally(new IllegalStateException("failed fetch"));
        assertEquals(List.of(0, 1, 2, 3, 4), started, "a failed fetch frees its slot too");
        assertTrue(results.get(3).isCompletedExceptionally());
        assertEquals(3, fetches.running());
        assertEquals(5, fetches.waiting());

        for (int i = 0; i < 10; i++) {
            held.get(i).complete(i * 10);
        }
        assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9), started);
        assertEquals(0, fetches.running());
        assertEquals(0, fetches.waiting());
        assertEquals(90, results.get(9).join());
    }

    @Test
    void aFetchThatThrowsFreesItsSlotAndFailsItsResult() {
        BoundedCalls fetches = new BoundedCalls(1);
        CompletableFuture<Object> failed = fetches.run(() -> {
            throw new IllegalArgumentException("no such range");
        });
        assertTrue(failed.isCompletedExceptionally());
        assertEquals(0, fetches.running());
        assertEquals("done", fetches.run(() -> CompletableFuture.completedFuture("done")).join());
    }

    @Test
    void fetchesThatCompleteAtOnceDoNotRecurseAsDeepAsTheQueue() {
        BoundedCalls fetches = new BoundedCalls(1);
        CompletableFuture<Void> first = new CompletableFuture<>();
        fetches.run(() -> first);
        AtomicInteger ran = new AtomicInteger();
        List<CompletableFuture<Integer>> queued = new ArrayList<>();
        for (int i = 0; i < 200_000; i++) {
            queued.add(fetches.run(() -> CompletableFuture.completedFuture(ran.incrementAndGet())));
        }
        assertEquals(0, ran.get());
        first.complete(null); // each queued fetch completes at once and frees the slot for the next
        assertEquals(200_000, ran.get());
        assertEquals(200_000, queued.getLast().join());
        assertEquals(0, fetches.running());
        assertFalse(queued.stream().anyMatch(CompletableFuture::isCompletedExceptionally));
    }

    @Test
    void theLimitIsAtLeastOne() {
        assertThrows(IllegalArgumentException.class, () -> new BoundedCalls(0));
        assertThrows(IllegalArgumentException.class, () -> new io.vermilion.index.LazyOpenOptions(true, 16 << 10, 1 << 20, 8, 0, 0));
    }
}
