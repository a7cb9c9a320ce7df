package io.vermilion.env;

import java.time.Clock;
import java.time.Instant;
import java.util.Objects;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Where the engine gets time, randomness and unique ids: the only engine class that reads the JDK's clocks, random
 * sources and UUID generator (an architecture test enforces it). Production passes {@link #system()}; a test passes
 * {@link #deterministic} to move time by hand and replay the same random choices and ids from a seed. Thread-safe.
 */
public final class Environment {

    private static final Environment SYSTEM = new Environment(Clock.systemUTC(), System::nanoTime,
            ThreadLocalRandom::current, UUID::randomUUID);

    private final Clock clock;
    private final LongSupplier nanoTime;
    private final Supplier<RandomGenerator> random;
    private final Supplier<UUID> ids;

    private Environment(Clock clock, LongSupplier nanoTime, Supplier<RandomGenerator> random, Supplier<UUID> ids) {
        this.clock = clock;
        this.nanoTime = nanoTime;
        this.random = random;
        this.ids = ids;
    }

    /** The machine's UTC clock, its monotonic nanosecond timer, thread-local randomness and random UUIDs. */
    public static Environment system() {
        return SYSTEM;
    }

    /**
     * Time from {@code clock} (the nanosecond timer follows its instants, so moving the clock moves both), randomness
     * and ids from one generator seeded with {@code seed}: the same calls in the same order give the same values.
     */
    public static Environment deterministic(Clock clock, long seed) {
        Objects.requireNonNull(clock, "clock");
        Random generator = new Random(seed);
        return new Environment(clock, () -> nanosOf(clock.instant()), () -> generator,
                () -> randomVersion4(generator));
    }

    /** Wall-clock time, for timestamps and expiries. */
    public Clock clock() {
        return clock;
    }

    public Instant now() {
        return clock.instant();
    }

    /** A monotonic timer in nanoseconds for measuring elapsed time; only differences between readings mean anything. */
    public long nanoTime() {
        return nanoTime.getAsLong();
    }

    /** A random generator for the calling thread's immediate use (do not keep or share it across threads). */
    public RandomGenerator random() {
        return random.get();
    }

    /** A fresh unique id (a random version-4 UUID). */
    public UUID newId() {
        return ids.get();
    }

    private static long nanosOf(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000_000L), instant.getNano());
    }

    private static UUID randomVersion4(Random generator) {
        long most = generator.nextLong() & ~0xF000L | 0x4000L;
        long least = generator.nextLong() & 0x3FFFFFFFFFFFFFFFL | 0x8000000000000000L;
        return new UUID(most, least);
    }
}
