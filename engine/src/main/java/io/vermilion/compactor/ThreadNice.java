package io.vermilion.compactor;

import java.lang.invoke.MethodHandle;
import java.lang.reflect.Array;
import java.util.Optional;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Lowers the calling thread's CPU priority by raising its Linux nice value, so that when the cores are busy the
 * kernel runs serving threads before compaction: Java's thread priorities are ignored on Linux, while any process may
 * raise its own threads' nice values. Calls libc's {@code setpriority} on the thread's id (from
 * {@code /proc/thread-self}) through the foreign-function API, so it needs no external program (the image has none).
 * The API is reached reflectively: the build targets Java 21, where it is still a preview, and the server runs on 25.
 * Best effort: on another OS, an older JDK, or if the call fails, the thread keeps its priority.
 */
final class ThreadNice {

    /** The nice value compaction threads run at (serving threads keep the default, 0). */
    static final int COMPACTION = 10;

    private static final Path THREAD_SELF = Path.of("/proc/thread-self");
    private static final int PRIO_PROCESS = 0; // with a thread id, Linux applies it to that thread alone
    private static final MethodHandle SETPRIORITY = lookup();

    private ThreadNice() {
    }

    /** {@code int setpriority(int which, int who, int prio)} from libc, or null where it cannot be called. */
    private static MethodHandle lookup() {
        try {
            Class<?> linkerType = Class.forName("java.lang.foreign.Linker");
            Class<?> layoutType = Class.forName("java.lang.foreign.MemoryLayout");
            Class<?> descriptorType = Class.forName("java.lang.foreign.FunctionDescriptor");
            Class<?> segmentType = Class.forName("java.lang.foreign.MemorySegment");
            Class<?> optionType = Class.forName("java.lang.foreign.Linker$Option");
            Object linker = linkerType.getMethod("nativeLinker").invoke(null);
            Object lookup = linkerType.getMethod("defaultLookup").invoke(linker);
            Optional<?> address = (Optional<?>) Class.forName("java.lang.foreign.SymbolLookup")
                    .getMethod("find", String.class).invoke(lookup, "setpriority");
            if (address.isEmpty()) {
                return null;
            }
            Object javaInt = Class.forName("java.lang.foreign.ValueLayout").getField("JAVA_INT").get(null);
            Object arguments = Array.newInstance(layoutType, 3);
            for (int i = 0; i < 3; i++) {
                Array.set(arguments, i, javaInt);
            }
            Object descriptor = descriptorType.getMethod("of", layoutType, arguments.getClass())
                    .invoke(null, javaInt, arguments);
            return (MethodHandle) linkerType.getMethod("downcallHandle", segmentType, descriptorType,
                    optionType.arrayType()).invoke(linker, address.get(), descriptor, Array.newInstance(optionType, 0));
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            return null; // no foreign-function API or no native access here: priorities stay as they are
        }
    }

    /** Whether threads can lower their priority here: a short-lived thread tries it. */
    static boolean available() {
        if (SETPRIORITY == null) {
            return false;
        }
        boolean[] lowered = new boolean[1];
        Thread probe = Thread.ofPlatform().daemon(true).name("vermilion-nice-probe")
                .start(() -> lowered[0] = set(COMPACTION));
        try {
            probe.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        return lowered[0];
    }

    /** Sets the calling thread's nice value to {@code nice}; whether it did. */
    static boolean set(int nice) {
        if (SETPRIORITY == null) {
            return false;
        }
        try {
            if (!Files.exists(THREAD_SELF)) {
                return false;
            }
            int tid = Integer.parseInt(THREAD_SELF.toRealPath().getFileName().toString()); // /proc/<pid>/task/<tid>
            return (int) SETPRIORITY.invoke(PRIO_PROCESS, tid, nice) == 0;
        } catch (Throwable e) {
            return false;
        }
    }
}
