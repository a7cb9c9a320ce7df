package io.vermilion.cluster;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Optional;

/**
 * Rendezvous (highest-random-weight) hashing: a key's owner is the member with the highest weight
 * {@code hash(member, key)}. Every replica that sees the same members picks the same owner, and adding or removing a
 * member moves only the keys it wins or held, about 1/N of them. Pure and deterministic (no seed, no state).
 */
public final class Rendezvous {

    private Rendezvous() {}

    /** The owner of {@code key} among {@code members}; empty when there is none. Ties go to the smaller name. */
    public static Optional<String> owner(String key, Collection<String> members) {
        String best = null;
        long bestWeight = 0;
        for (String member : members) {
            long w = weight(member, key);
            if (best == null || Long.compareUnsigned(w, bestWeight) > 0
                    || (w == bestWeight && member.compareTo(best) < 0)) {
                best = member;
                bestWeight = w;
            }
        }
        return Optional.ofNullable(best);
    }

    /** A 64-bit weight of the pair: FNV-1a over member, a separator and key, finished by MurmurHash3's fmix64. */
    static long weight(String member, String key) {
        long h = 0xcbf29ce484222325L;
        h = fnv(h, member.getBytes(StandardCharsets.UTF_8));
        h = (h ^ 0xff) * 0x100000001b3L;
        h = fnv(h, key.getBytes(StandardCharsets.UTF_8));
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }

    private static long fnv(long h, byte[] bytes) {
        for (byte b : bytes) {
            h = (h ^ (b & 0xff)) * 0x100000001b3L;
        }
        return h;
    }
}
