package io.vermilion.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.vermilion.storage.ObjectKeys;

class FragmentKeysTest {

    private final UUID collection = UUID.fromString("00000000-0000-0000-0000-00000000c0de");

    @Test
    void fragmentKeyHoldsTheZeroPaddedStartOffsetAndAFreshUuid() {
        String key = FragmentKeys.newFragmentKey(collection, 42);

        assertTrue(key.matches("00000000-0000-0000-0000-00000000c0de/log/00000000000000000042-[0-9a-f-]{36}\\.arrow"), key);
        assertEquals(key, ObjectKeys.checkKey(key));
        assertNotEquals(key, FragmentKeys.newFragmentKey(collection, 42));
        assertEquals(42, FragmentKeys.startOffset(collection, key));
        assertEquals(Long.MAX_VALUE, FragmentKeys.startOffset(collection, FragmentKeys.newFragmentKey(collection, Long.MAX_VALUE)));
    }

    @Test
    void keyOrderIsLogOrder() {
        assertTrue(ObjectKeys.UTF8_ORDER.compare(FragmentKeys.newFragmentKey(collection, 9),
                FragmentKeys.newFragmentKey(collection, 10)) < 0);
    }

    @Test
    void otherKeysHaveNoStartOffset() {
        String valid = FragmentKeys.newFragmentKey(collection, 7);

        assertEquals(-1, FragmentKeys.startOffset(UUID.randomUUID(), valid));
        assertEquals(-1, FragmentKeys.startOffset(collection, collection + "/log/notes.txt"));
        assertEquals(-1, FragmentKeys.startOffset(collection, collection + "/log/7-" + UUID.randomUUID() + ".arrow"));
        assertEquals(-1, FragmentKeys.startOffset(collection, collection + "/v/1/manifest.json"));
        assertEquals(-1, FragmentKeys.startOffset(collection,
                collection + "/log/99999999999999999999-" + UUID.randomUUID() + ".arrow"));
    }
}
