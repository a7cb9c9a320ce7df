package io.vermilion.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CollectionLanesTest {

    private final ExecutorService pool = Executors.newFixedThreadPool(2);
    private final CollectionLanes lanes = new CollectionLanes(pool, 1);
    private final UUID slow = UUID.randomUUID();
    private final UUID other = UUID.randomUUID();

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @Test
    void aCollectionsStalledReadsLeaveAThreadForOtherCollections() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch firstStarted = new CountDownLatch(1);
        for (int i = 0; i < 5; i++) {
            lanes.of(slow).execute(() -> {
                firstStarted.countDown();
                await(release);
            });
        }
        assertTrue(firstStarted.await(10, TimeUnit.SECONDS));

        CountDownLatch otherDone = new CountDownLatch(1);
        lanes.of(other).execute(otherDone::countDown);

        assertTrue(otherDone.await(10, TimeUnit.SECONDS), "a read of another collection must not wait for the stalled ones");
        assertEquals(1, lanes.running(slow));
        assertEquals(4, lanes.waiting(slow));
        release.countDown();
    }

    @Test
    void waitingTasksRunInArrivalOrderAndTheLaneEmptiesAfterwards() throws Exception {
        List<Integer> order = new ArrayList<>();
        CountDownLatch all = new CountDownLatch(20);
        for (int i = 0; i < 20; i++) {
            int n = i;
            lanes.of(slow).execute(() -> {
                synchronized (order) {
                    order.add(n);
                }
                all.countDown();
            });
        }
        assertTrue(all.await(10, TimeUnit.SECONDS));
        pool.shutdown();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));

        assertEquals(java.util.stream.IntStream.range(0, 20).boxed().toList(), order);
        assertEquals(0, lanes.running(slow));
        assertEquals(0, lanes.waiting(slow));
    }

    @Test
    void aLaneNeverRunsMoreThanItsShare() throws Exception {
        CollectionLanes wide = new CollectionLanes(pool, 2);
        AtomicInteger concurrent = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        CountDownLatch all = new CountDownLatch(50);
        for (int i = 0; i < 50; i++) {
            wide.of(slow).execute(() -> {
                peak.accumulateAndGet(concurrent.incrementAndGet(), Math::max);
                Thread.onSpinWait();
                concurrent.decrementAndGet();
                all.countDown();
            });
        }
        assertTrue(all.await(10, TimeUnit.SECONDS));
        assertTrue(peak.get() <= 2, "peak " + peak.get());
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
