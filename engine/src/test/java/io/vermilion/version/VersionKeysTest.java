package io.vermilion.version;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.vermilion.log.FragmentKeys;
import io.vermilion.storage.ObjectKeys;

class VersionKeysTest {

    private static final UUID COLLECTION = UUID.fromString("0f8e2a4c-1b3d-4e5f-8a9b-0c1d2e3f4a5b");
    private static final UUID OTHER = UUID.fromString("11111111-2222-4333-8444-555555555555");

    @Test
    void keysFollowTheObjectStorageLayout() {
        String c = "0f8e2a4c-1b3d-4e5f-8a9b-0c1d2e3f4a5b";

        assertEquals(c + "/v/", VersionKeys.versionsPrefix(COLLECTION));
        assertEquals(c + "/v/00000000000000000007/", VersionKeys.versionPrefix(COLLECTION, 7));
        assertEquals(c + "/v/00000000000000000007/manifest.json", VersionKeys.manifest(COLLECTION, 7));
        assertEquals(c + "/v/00000000000000000007/blocks/0000000000.arrow", VersionKeys.block(COLLECTION, 7, 0));
        assertEquals(c + "/v/00000000000000000007/blocks/0000000042.arrow", VersionKeys.block(COLLECTION, 7, 42));
        assertEquals(c + "/v/00000000000000000007/index/_0.cfs", VersionKeys.indexFile(COLLECTION, 7, "_0.cfs"));
        assertEquals(c + "/v/09223372036854775807/manifest.json", VersionKeys.manifest(COLLECTION, Long.MAX_VALUE));
        assertEquals(c + "/v/00000000000000000000/blocks/2147483647.arrow",
                VersionKeys.block(COLLECTION, 0, Integer.MAX_VALUE));
    }

    @Test
    void keysSitBesideTheLogUnderTheCollectionPrefix() {
        String collection = FragmentKeys.collectionPrefix(COLLECTION);

        assertEquals(collection + "v/", VersionKeys.versionsPrefix(COLLECTION));
        ObjectKeys.checkKey(VersionKeys.manifest(COLLECTION, 3));
        ObjectKeys.checkKey(VersionKeys.block(COLLECTION, 3, 9));
        ObjectKeys.checkKey(VersionKeys.indexFile(COLLECTION, 3, "segments_1"));
    }

    @Test
    void keyOrderIsVersionOrderAndBlockOrder() {
        List<String> manifests = new ArrayList<>();
        List<String> blocks = new ArrayList<>();
        for (long n : new long[] {0, 1, 9, 10, 99, 100, 12345, 1L << 40}) {
            manifests.add(VersionKeys.manifest(COLLECTION, n));
            blocks.add(VersionKeys.block(COLLECTION, 5, (int) Math.min(n, Integer.MAX_VALUE)));
        }

        assertEquals(manifests, manifests.stream().sorted(ObjectKeys.UTF8_ORDER).toList());
        assertEquals(blocks, blocks.stream().sorted(ObjectKeys.UTF8_ORDER).toList());
    }

    @Test
    void versionIsParsedBackFromAnyKeyInsideAVersion() {
        assertEquals(7, VersionKeys.version(COLLECTION, VersionKeys.manifest(COLLECTION, 7)));
        assertEquals(0, VersionKeys.version(COLLECTION, VersionKeys.block(COLLECTION, 0, 3)));
        assertEquals(Long.MAX_VALUE, VersionKeys.version(COLLECTION, VersionKeys.indexFile(COLLECTION, Long.MAX_VALUE, "x")));
        assertEquals(-1, VersionKeys.version(OTHER, VersionKeys.manifest(COLLECTION, 7)), "another collection's");
        assertEquals(-1, VersionKeys.version(COLLECTION, FragmentKeys.newFragmentKey(COLLECTION, 7)), "a log fragment");
        assertEquals(-1, VersionKeys.version(COLLECTION, COLLECTION + "/v/7/manifest.json"), "not padded");
        assertEquals(-1, VersionKeys.version(COLLECTION, COLLECTION + "/v/00000000000000000007"), "no file inside");
        assertEquals(-1, VersionKeys.version(COLLECTION, COLLECTION + "/v/99999999999999999999/manifest.json"),
                "beyond Long.MAX_VALUE");
    }

    @Test
    void invalidNumbersAndIndexFileNamesAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> VersionKeys.manifest(COLLECTION, -1));
        assertThrows(IllegalArgumentException.class, () -> VersionKeys.block(COLLECTION, 1, -1));
        for (String name : new String[] {"", "a/b", "..", ".", ".tmp-x", "a\\b", null}) {
            assertThrows(IllegalArgumentException.class, () -> VersionKeys.indexFile(COLLECTION, 1, name), name);
        }
    }
}
