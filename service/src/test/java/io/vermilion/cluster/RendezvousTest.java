package io.vermilion.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Rendezvous hashing: one owner everywhere, spread evenly, and a membership change moves only the keys it must. */
class RendezvousTest {

    private static final List<String> FOUR = List.of("http://127.0.0.1:8001", "http://127.0.0.1:8002",
            "http://127.0.0.1:8003", "http://127.0.0.1:8004");
    /** 10 000 collection ids, fixed: UUIDs built from their index. */
    private static final List<String> KEYS = IntStream.range(0, 10_000)
            .mapToObj(i -> new UUID(0x5eedL, i).toString()).toList();

    private static Map<String, String> owners(List<String> members) {
        Map<String, String> owners = new HashMap<>();
        for (String key : KEYS) {
            owners.put(key, Rendezvous.owner(key, members).orElseThrow());
        }
        return owners;
    }

    private static Map<String, Integer> counts(Map<String, String> owners) {
        Map<String, Integer> counts = new HashMap<>();
        owners.values().forEach(o -> counts.merge(o, 1, Integer::sum));
        return counts;
    }

    @Test
    void ownerDoesNotDependOnTheOrderMembersAreListedIn() {
        List<String> reversed = new ArrayList<>(FOUR).reversed();
        assertEquals(owners(FOUR), owners(reversed));
    }

    @Test
    void noMemberNoOwner() {
        assertEquals(Optional.empty(), Rendezvous.owner("c", List.of()));
    }

    @Test
    void keysSpreadEvenlyOverMembers() {
        Map<String, Integer> counts = counts(owners(FOUR));
        assertEquals(Map.of(FOUR.get(0), 2544, FOUR.get(1), 2462, FOUR.get(2), 2465, FOUR.get(3), 2529), counts);
    }

    @Test
    void removingAMemberMovesOnlyItsKeys() {
        Map<String, String> before = owners(FOUR);
        Map<String, String> after = owners(FOUR.subList(0, 3));
        long moved = KEYS.stream().filter(k -> !before.get(k).equals(after.get(k))).count();
        long held = KEYS.stream().filter(k -> before.get(k).equals(FOUR.get(3))).count();
        assertEquals(held, moved, "only the keys the removed member held move");
        assertEquals(2529, moved);
    }

    @Test
    void addingAMemberMovesAboutOneNthOfTheKeysAllToIt() {
        Map<String, String> before = owners(FOUR.subList(0, 3));
        Map<String, String> after = owners(FOUR);
        List<String> moved = KEYS.stream().filter(k -> !before.get(k).equals(after.get(k))).toList();
        assertTrue(moved.stream().allMatch(k -> after.get(k).equals(FOUR.get(3))), "every moved key goes to the new one");
        assertEquals(2529, moved.size());
    }
}
