package io.vermilion.compactor;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Lowers the calling thread's CPU priority by raising its Linux nice value, so that when the cores are busy the
 * kernel runs serving threads before compaction: Java's thread priorities are ignored on Linux, while any process may
 * raise its own threads' nice values. Done once per thread, when a compaction thread starts, with {@code renice} on
 * the thread's id (from {@code /proc/thread-self}). Best effort: on another OS, without {@code renice}, or if it
 * fails, the thread keeps its priority.
 */
final class ThreadNice {

    /** The nice value compaction threads run at (serving threads keep the default, 0). */
    static final int COMPACTION = 10;

    private static final Path THREAD_SELF = Path.of("/proc/thread-self");

    private ThreadNice() {
    }

    /** Sets the calling thread's nice value to {@code nice}; whether it did. */
    static boolean set(int nice) {
        try {
            if (!Files.exists(THREAD_SELF)) {
                return false;
            }
            String tid = THREAD_SELF.toRealPath().getFileName().toString(); // /proc/<pid>/task/<tid>
            Process renice = new ProcessBuilder("renice", "-n", Integer.toString(nice), "-p", tid)
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!renice.waitFor(5, TimeUnit.SECONDS)) {
                renice.destroyForcibly();
                return false;
            }
            return renice.exitValue() == 0;
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
