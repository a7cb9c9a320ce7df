package io.vermilion.compactor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

class CompactionThreadsTest {

    /** The calling thread's nice value, from /proc (field 19 of its stat line). */
    private static int niceOfThisThread() throws Exception {
        String stat = Files.readString(Path.of("/proc/thread-self/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Integer.parseInt(fields[16]);
    }

    @Test
    void compactionThreadsRunAtALowerLinuxPriorityThanTheThreadsThatServe() throws Exception {
        assumeTrue(Files.exists(Path.of("/proc/thread-self/stat")), "Linux only");
        try (CompactionThreads threads = new CompactionThreads(2)) {
            int coordinator = threads.coordinator().submit(CompactionThreadsTest::niceOfThisThread).get(10, TimeUnit.SECONDS);
            int worker = threads.work().executor().submit(CompactionThreadsTest::niceOfThisThread)
                    .get(10, TimeUnit.SECONDS);

            assertEquals(0, niceOfThisThread(), "this (serving) thread keeps its priority");
            assertEquals(ThreadNice.COMPACTION, coordinator);
            assertEquals(ThreadNice.COMPACTION, worker);
        }
    }

    @Test
    void compactionUsesEveryCoreAtALowerPriorityAndKeepsACoreForServingOnlyWhereItCannotLowerIt() {
        assertEquals(2, CompactionThreads.defaultThreads(2, true, true));
        assertEquals(8, CompactionThreads.defaultThreads(8, true, true));
        assertEquals(2, CompactionThreads.defaultThreads(2, false, true));
        assertEquals(1, CompactionThreads.defaultThreads(2, true, false));
        assertEquals(7, CompactionThreads.defaultThreads(8, true, false));
        assertEquals(8, CompactionThreads.defaultThreads(8, false, false));
        assertEquals(1, CompactionThreads.defaultThreads(1, true, false));
        assertEquals(1, CompactionThreads.defaultThreads(1, true, true));
    }

    @Test
    void onLinuxAReplicaThatServesCompactsOnEveryCore() {
        assumeTrue(Files.exists(Path.of("/proc/thread-self/stat")), "Linux only");
        int cores = Runtime.getRuntime().availableProcessors();

        assertEquals(true, ThreadNice.available());
        assertEquals(cores, CompactionThreads.defaultThreads(cores, true));
    }
}
