package io.vermilion.version;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.zip.CRC32C;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.vermilion.blockstore.BlockIndex;
import io.vermilion.blockstore.BlockRef;
import io.vermilion.format.FormatTooNewException;
import io.vermilion.format.FormatTooOldException;
import io.vermilion.format.UnsupportedFormatVersionException;
import io.vermilion.model.DistanceFunction;
import io.vermilion.storage.CorruptObjectException;

class ManifestFormatTest {

    private static final UUID COLLECTION = UUID.fromString("0f8e2a4c-1b3d-4e5f-8a9b-0c1d2e3f4a5b");
    private static final String KEY = VersionKeys.manifest(COLLECTION, 3);

    private final ManifestWriter writer = new ManifestWriter();
    private final ManifestReader reader = new ManifestReader();

    @Test
    void manifestRoundTripsExactly() {
        VersionManifest manifest = sample();

        VersionManifest read = reader.read(writer.write(manifest), KEY);

        assertEquals(manifest, read);
        assertEquals(List.of("a\"quote", "m\\back\tslash"), read.blocks().blocks().stream().map(BlockRef::firstId).toList());
        assertEquals(Instant.parse("2025-06-01T12:00:00.123456789Z"), read.createdAt());
    }

    @Test
    void edgeValuesRoundTrip() {
        for (DistanceFunction space : DistanceFunction.values()) {
            VersionManifest empty = new VersionManifest(COLLECTION, 0, 0, 0, null, space, List.of(), BlockIndex.empty(),
                    Instant.EPOCH);
            assertEquals(empty, reader.read(writer.write(empty), KEY), space.wireName());
        }
        BlockRef huge = new BlockRef("b/0", "\u0000", "\uFFFF😀", Integer.MAX_VALUE);
        VersionManifest extremes = new VersionManifest(COLLECTION, Long.MAX_VALUE, Long.MAX_VALUE, Integer.MAX_VALUE,
                Integer.MAX_VALUE, DistanceFunction.IP,
                List.of(new VersionFile("b/0", VersionFile.Role.BLOCK, Long.MAX_VALUE, -1)),
                new BlockIndex(List.of(huge)), Instant.parse("-1000000000-01-01T00:00:00Z"));
        assertEquals(extremes, reader.read(writer.write(extremes), KEY));
    }

    @Test
    void fileIsCompactJsonWithMagicFirstAndTheChecksumOfTheCanonicalBodyLast() {
        VersionManifest manifest = new VersionManifest(COLLECTION, 3, 12, 2, 4, DistanceFunction.COSINE,
                List.of(new VersionFile("c/v/3/blocks/0.arrow", VersionFile.Role.BLOCK, 100, 0x0a1b2c3d),
                        new VersionFile("c/v/2/index/_0.cfs", VersionFile.Role.INDEX, 7, 0xfedcba98)),
                new BlockIndex(List.of(new BlockRef("c/v/3/blocks/0.arrow", "a", "é\n", 2))),
                Instant.parse("2025-06-01T12:00:00Z"));
        String body = "{\"collection_id\":\"0f8e2a4c-1b3d-4e5f-8a9b-0c1d2e3f4a5b\",\"version\":3,\"log_end_offset\":12,"
                + "\"record_count\":2,\"dimension\":4,\"space\":\"cosine\",\"created_at\":\"2025-06-01T12:00:00Z\","
                + "\"files\":[{\"key\":\"c/v/3/blocks/0.arrow\",\"role\":\"block\",\"size\":100,\"crc32c\":\"0a1b2c3d\"},"
                + "{\"key\":\"c/v/2/index/_0.cfs\",\"role\":\"index\",\"size\":7,\"crc32c\":\"fedcba98\"}],"
                + "\"blocks\":[{\"key\":\"c/v/3/blocks/0.arrow\",\"first_id\":\"a\",\"last_id\":\"é\\n\",\"records\":2}]}";
        String canonical = "{\"blocks\":[{\"first_id\":\"a\",\"key\":\"c/v/3/blocks/0.arrow\",\"last_id\":\"é\\n\","
                + "\"records\":2}],\"collection_id\":\"0f8e2a4c-1b3d-4e5f-8a9b-0c1d2e3f4a5b\","
                + "\"created_at\":\"2025-06-01T12:00:00Z\",\"dimension\":4,"
                + "\"files\":[{\"crc32c\":\"0a1b2c3d\",\"key\":\"c/v/3/blocks/0.arrow\",\"role\":\"block\",\"size\":100},"
                + "{\"crc32c\":\"fedcba98\",\"key\":\"c/v/2/index/_0.cfs\",\"role\":\"index\",\"size\":7}],"
                + "\"log_end_offset\":12,\"record_count\":2,\"space\":\"cosine\",\"version\":3}";
        CRC32C crc = new CRC32C();
        crc.update(canonical.getBytes(StandardCharsets.UTF_8));

        String file = new String(writer.write(manifest), StandardCharsets.UTF_8);

        assertEquals("{\"magic\":\"vermilion-version-manifest\",\"format_version\":1,\"body\":" + body
                + ",\"crc32c\":\"%08x\"}\n".formatted(crc.getValue()), file);
    }

    @Test
    void canonicalFormEscapesOnlyWhatJsonRequires() throws Exception {
        String json = "{\"b\":[1,-20,null,true,\"\\u0001\\b\\f\\n\\r\\t\\\"\\\\/\\u007f\\u2028é😀\"],\"a\":{\"y\":0,\"x\":{}}}";

        byte[] canonical = ManifestFormat.canonical(ManifestFormat.JSON.readTree(json));

        assertEquals("{\"a\":{\"x\":{},\"y\":0},\"b\":[1,-20,null,true,\"\\u0001\\b\\f\\n\\r\\t\\\"\\\\/\u007f\u2028é😀\"]}",
                new String(canonical, StandardCharsets.UTF_8));
        assertThrows(IllegalArgumentException.class, () -> ManifestFormat.canonical(ManifestFormat.JSON.readTree("[1.5]")));
        assertThrows(IllegalArgumentException.class,
                () -> ManifestFormat.canonical(ManifestFormat.JSON.readTree("[\"\\ud800\"]")));
    }

    @Test
    void sameManifestGivesSameBytes() {
        assertArrayEquals(writer.write(sample()), writer.write(sample()));
    }

    @Test
    void reindentedManifestStillReads() throws Exception {
        byte[] pretty = ManifestFormat.JSON.writerWithDefaultPrettyPrinter()
                .writeValueAsBytes(ManifestFormat.JSON.readTree(writer.write(sample())));

        assertEquals(sample(), reader.read(pretty, KEY));
    }

    /**
     * A flip inside the format_version digit (outside the checksum, which covers the body) may read as another
     * format version; every other flip is a corrupt manifest.
     */
    @Test
    void everyFlippedBitIsDetected() {
        byte[] original = writer.write(sample());
        String text = new String(original, StandardCharsets.UTF_8);
        assertTrue(text.contains("😀"), "written as UTF-8, not escaped");
        int versionDigit = text.indexOf("\"format_version\":1,") + "\"format_version\":".length();
        for (int i = 0; i < original.length - 1; i++) { // the final newline is whitespace
            for (int bit = 0; bit < 8; bit++) {
                byte[] bytes = original.clone();
                bytes[i] ^= (byte) (1 << bit);
                String flipped = "flip of bit " + bit + " at " + i + ": " + new String(bytes, StandardCharsets.UTF_8);

                CorruptObjectException e = assertThrows(CorruptObjectException.class, () -> reader.read(bytes, KEY),
                        flipped);

                assertEquals(KEY, e.key());
                if (e instanceof UnsupportedFormatVersionException) {
                    assertEquals(versionDigit, i, flipped);
                } else {
                    assertInstanceOf(CorruptManifestException.class, e, flipped);
                    assertTrue(e.getMessage().startsWith("corrupt version manifest '" + KEY + "': "), e.getMessage());
                }
            }
        }
    }

    @Test
    void everyTruncationIsDetected() {
        byte[] original = writer.write(sample());
        for (int length = 0; length < original.length - 1; length++) {
            byte[] bytes = Arrays.copyOf(original, length);

            CorruptManifestException e = assertThrows(CorruptManifestException.class, () -> reader.read(bytes, KEY),
                    "length " + length);

            assertEquals(KEY, e.key());
        }
    }

    @Test
    void changedValueIsAChecksumMismatch() {
        String file = new String(writer.write(sample()), StandardCharsets.UTF_8);
        byte[] tampered = file.replace("\"log_end_offset\":1200", "\"log_end_offset\":1201").getBytes(StandardCharsets.UTF_8);

        CorruptManifestException e = assertThrows(CorruptManifestException.class, () -> reader.read(tampered, KEY));

        assertTrue(e.getMessage().startsWith("corrupt version manifest '" + KEY + "': checksum mismatch: stored "),
                e.getMessage());
    }

    @Test
    void wrongMagicOrNotJsonIsACorruptManifest() {
        assertEquals("corrupt version manifest '" + KEY + "': bad magic (not a version manifest)",
                assertThrows(CorruptManifestException.class, () -> reader.read(rewrite(m -> m.put("magic", "chroma")), KEY))
                        .getMessage());
        assertEquals("corrupt version manifest '" + KEY + "': bad magic (not a version manifest)",
                assertThrows(CorruptManifestException.class, () -> reader.read(rewrite(m -> m.remove("magic")), KEY))
                        .getMessage());
        assertEquals("corrupt version manifest '" + KEY + "': bad magic (not a version manifest)",
                assertThrows(CorruptManifestException.class, () -> reader.read(utf8("[1]"), KEY)).getMessage());
        assertEquals("corrupt version manifest '" + KEY + "': bad magic (not a version manifest)",
                assertThrows(CorruptManifestException.class, () -> reader.read(new byte[0], KEY)).getMessage());
        assertTrue(assertThrows(CorruptManifestException.class, () -> reader.read(utf8("VBLK\0\0\0\1"), KEY))
                .getMessage().startsWith("corrupt version manifest '" + KEY + "': malformed JSON: "));
        assertTrue(assertThrows(CorruptManifestException.class,
                () -> reader.read(utf8("{\"magic\":\"vermilion-version-manifest\",\"magic\":1}"), KEY))
                .getMessage().startsWith("corrupt version manifest '" + KEY + "': malformed JSON: Duplicate field"));
        assertTrue(assertThrows(CorruptManifestException.class,
                () -> reader.read(concat(writer.write(sample()), utf8("{}")), KEY))
                .getMessage().startsWith("corrupt version manifest '" + KEY + "': malformed JSON: Trailing token"));
    }

    @Test
    void manifestFromANewerVermilionIsTooNewAndOneBeforeTheFirstTooOld() {
        assertEquals("version manifest '" + KEY + "' is in format version 2, written by a newer Vermilion: this build"
                        + " reads version 1",
                assertThrows(FormatTooNewException.class, () -> reader.read(rewrite(m -> m.put("format_version", 2)), KEY))
                        .getMessage());
        assertEquals(Long.MAX_VALUE, assertThrows(FormatTooNewException.class, () -> reader.read(
                rewrite(m -> m.put("format_version", new BigInteger("123456789012345678901234567890"))), KEY))
                .version());
        assertEquals("version manifest '" + KEY + "' is in format version 0, no longer supported: this build reads"
                        + " version 1",
                assertThrows(FormatTooOldException.class, () -> reader.read(rewrite(m -> m.put("format_version", 0)), KEY))
                        .getMessage());
        assertEquals("corrupt version manifest '" + KEY + "': malformed: format_version is missing or not an integer",
                assertThrows(CorruptManifestException.class,
                        () -> reader.read(rewrite(m -> m.put("format_version", "1")), KEY)).getMessage());
    }

    @Test
    void contentChangedBehindAValidChecksumIsStillChecked() {
        assertMalformed("body: missing fields [], unknown fields [extra]", body -> body.put("extra", 1));
        assertMalformed("body: missing fields [dimension], unknown fields []", body -> body.remove("dimension"));
        assertMalformed("record count 5 differs from the blocks' total 1000", body -> body.put("record_count", 5));
        assertMalformed("collection_id is not in canonical form: 0F8E2A4C-1B3D-4E5F-8A9B-0C1D2E3F4A5B",
                body -> body.put("collection_id", COLLECTION.toString().toUpperCase()));
        assertMalformed("created_at is not in canonical form: 2025-06-01T12:00:00.123456789+00:00",
                body -> body.put("created_at", "2025-06-01T12:00:00.123456789+00:00"));
        assertMalformed("unknown distance function: L2", body -> body.put("space", "L2"));
        assertMalformed("unknown file role: Block", body -> ((ObjectNode) body.get("files").get(0)).put("role", "Block"));
        assertMalformed("file 0: crc32c is not 8 lowercase hex digits",
                body -> ((ObjectNode) body.get("files").get(0)).put("crc32c", "0A1B2C3D"));
        assertMalformed("version is not a 64-bit integer: \"3\"", body -> body.put("version", "3"));
        assertMalformed("version is not a 64-bit integer: 18446744073709551616",
                body -> body.put("version", new BigInteger("18446744073709551616")));
        assertMalformed("version, log end offset and record count must not be negative: -1, 1200, 1000",
                body -> body.put("version", -1));
        assertMalformed("dimension must be at least 1: 0", body -> body.put("dimension", 0));
        assertMalformed("block b/1 is not a listed block file (or is in the block index twice)",
                body -> ((ObjectNode) body.get("blocks").get(1)).put("key", "b/1"));
    }

    @Test
    void writerRefusesWhatItCouldNotReadBack() {
        VersionManifest otherFormat = new VersionManifest(2, COLLECTION, 0, 0, 0, null, DistanceFunction.L2, List.of(),
                BlockIndex.empty(), Instant.EPOCH);
        assertThrows(IllegalArgumentException.class, () -> writer.write(otherFormat));
        VersionManifest surrogate = new VersionManifest(COLLECTION, 0, 1, 1, null, DistanceFunction.L2,
                List.of(new VersionFile("b", VersionFile.Role.BLOCK, 1, 1)),
                new BlockIndex(List.of(new BlockRef("b", "\uD800", "\uD800", 1))), Instant.EPOCH);
        assertThrows(IllegalArgumentException.class, () -> writer.write(surrogate));
    }

    @Test
    void manifestPartsMustAgree() {
        BlockIndex blocks = new BlockIndex(List.of(new BlockRef("b/0", "a", "c", 3)));
        VersionFile block = new VersionFile("b/0", VersionFile.Role.BLOCK, 10, 0);
        VersionFile index = new VersionFile("i/_0.cfs", VersionFile.Role.INDEX, 10, 0);

        assertThrows(IllegalArgumentException.class, () -> manifest(List.of(index), blocks, 3), "block not listed");
        assertThrows(IllegalArgumentException.class, () -> manifest(List.of(
                new VersionFile("b/0", VersionFile.Role.INDEX, 10, 0)), blocks, 3), "listed with another role");
        assertThrows(IllegalArgumentException.class, () -> manifest(List.of(block, index,
                new VersionFile("b/1", VersionFile.Role.BLOCK, 1, 0)), blocks, 3), "block file not indexed");
        assertThrows(IllegalArgumentException.class, () -> manifest(List.of(block, block), blocks, 3), "listed twice");
        assertThrows(IllegalArgumentException.class, () -> manifest(List.of(block), blocks, 2), "count");
        assertThrows(IllegalArgumentException.class, () -> new VersionFile("/bad", VersionFile.Role.INDEX, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new VersionFile("ok", VersionFile.Role.INDEX, -1, 0));
        VersionManifest valid = manifest(List.of(index, block), blocks, 3);
        assertEquals(List.of(block), valid.files(VersionFile.Role.BLOCK));
        assertEquals(index, valid.file("i/_0.cfs"));
        assertEquals(ManifestFormat.VERSION, valid.formatVersion());
    }

    @Test
    void versionFileRecordsSizeAndCrc32cOfTheWholeObject() {
        byte[] bytes = utf8("123456789");

        VersionFile file = VersionFile.of("k", VersionFile.Role.INDEX, bytes);

        assertEquals(new VersionFile("k", VersionFile.Role.INDEX, 9, 0xe3069283), file); // CRC-32C check value
        assertTrue(file.matches(bytes));
        assertTrue(!file.matches(utf8("123456780")) && !file.matches(utf8("12345678")));
    }

    private void assertMalformed(String detail, Consumer<ObjectNode> change) {
        byte[] bytes = rewrite(file -> {
            ObjectNode body = (ObjectNode) file.get("body");
            change.accept(body);
            file.put("crc32c", ManifestFormat.checksum(body));
        });

        CorruptManifestException e = assertThrows(CorruptManifestException.class, () -> reader.read(bytes, KEY));

        assertEquals("corrupt version manifest '" + KEY + "': malformed: " + detail, e.getMessage());
    }

    /** The sample manifest's JSON after {@code change}. */
    private byte[] rewrite(Consumer<ObjectNode> change) {
        try {
            ObjectNode file = (ObjectNode) ManifestFormat.JSON.readTree(writer.write(sample()));
            change.accept(file);
            return ManifestFormat.JSON.writeValueAsBytes(file);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static VersionManifest manifest(List<VersionFile> files, BlockIndex blocks, long count) {
        return new VersionManifest(COLLECTION, 1, 10, count, 3, DistanceFunction.L2, files, blocks, Instant.EPOCH);
    }

    /** Two blocks and two index files, one of them reused from an older version; ids that need JSON escapes. */
    private static VersionManifest sample() {
        String block0 = VersionKeys.block(COLLECTION, 3, 0);
        String block1 = VersionKeys.block(COLLECTION, 3, 1);
        return new VersionManifest(COLLECTION, 3, 1200, 1000, 384, DistanceFunction.COSINE,
                List.of(new VersionFile(block0, VersionFile.Role.BLOCK, 4_000_000, 0x12345678),
                        new VersionFile(block1, VersionFile.Role.BLOCK, 123_456, 0x9abcdef0),
                        new VersionFile(VersionKeys.indexFile(COLLECTION, 2, "_0.cfs"), VersionFile.Role.INDEX, 777, 0),
                        new VersionFile(VersionKeys.indexFile(COLLECTION, 3, "segments_2"), VersionFile.Role.INDEX, 154, -1)),
                new BlockIndex(List.of(new BlockRef(block0, "a\"quote", "id-日本", 600),
                        new BlockRef(block1, "m\\back\tslash", "😀", 400))),
                Instant.parse("2025-06-01T12:00:00.123456789Z"));
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
