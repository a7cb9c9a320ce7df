package io.vermilion.blockstore;

import static io.vermilion.blockstore.BlockTestData.assertBlockHolds;
import static io.vermilion.blockstore.BlockTestData.sequenced;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.vermilion.format.FormatTooNewException;
import io.vermilion.format.Framing;
import io.vermilion.record.MetadataValue;
import io.vermilion.record.Record;

class RecordBlockFormatTest {

    private static final String KEY = "c0ffee/v/00000000000000000003/blocks/0000000007.arrow";

    private static BufferAllocator allocator;
    private static RecordBlockWriter writer;
    private static RecordBlockReader reader;

    @BeforeAll
    static void openAllocator() {
        allocator = new RootAllocator();
        writer = new RecordBlockWriter(allocator);
        reader = new RecordBlockReader(allocator);
    }

    @AfterEach
    void everyBufferIsFreed() {
        assertEquals(0, allocator.getAllocatedMemory());
    }

    @AfterAll
    static void closeAllocator() {
        allocator.close();
    }

    @Test
    void randomBlocksRoundTripExactly() {
        long seed = BlockTestData.seed("randomBlocksRoundTripExactly");
        Random random = new Random(seed);
        for (int block = 0; block < 20; block++) {
            int dimension = block % 4 == 0 ? -1 : random.nextInt(block < 10 ? 9 : 1536); // -1: mixed lengths
            List<SequencedRecord> records = BlockTestData.randomRecords(random, 1 + random.nextInt(200), dimension);

            byte[] bytes = writer.write(records);
            RecordBlock read = reader.read(bytes, KEY);

            assertBlockHolds(records, read, "seed " + seed + " block " + block);
            assertEquals(KEY, read.key());
            assertEquals(bytes.length, read.encodedSize());
        }
    }

    @Test
    void everyFieldAndNullPatternRoundTrips() {
        Map<String, MetadataValue> metadata = new LinkedHashMap<>();
        metadata.put("int", new MetadataValue.Int(3));
        metadata.put("float", new MetadataValue.Flt(3.0));
        metadata.put("big", new MetadataValue.Int(Long.MIN_VALUE));
        metadata.put("tiny", new MetadataValue.Flt(Double.MIN_VALUE));
        metadata.put("bool", new MetadataValue.Bool(false));
        metadata.put("str", new MetadataValue.Str("naïve ☃ \"q\" \\ \n 😀"));
        metadata.put("ints", new MetadataValue.Array(List.of(new MetadataValue.Int(1), new MetadataValue.Int(-2))));
        metadata.put("floats", new MetadataValue.Array(List.of(new MetadataValue.Flt(1.0), new MetadataValue.Flt(0.5))));
        metadata.put("strs", new MetadataValue.Array(List.of(new MetadataValue.Str(""), new MetadataValue.Str("é"))));
        metadata.put("bools", new MetadataValue.Array(List.of(new MetadataValue.Bool(true))));
        List<SequencedRecord> records = List.of(
                new SequencedRecord(0, new Record("", new float[] {1f, -0f, Float.MIN_VALUE}, metadata, "doc", "s3://u")),
                new SequencedRecord(Long.MAX_VALUE, new Record("a", null, null, null, null)),
                new SequencedRecord(5, new Record("b", new float[] {Float.POSITIVE_INFINITY, 0f, Float.MAX_VALUE},
                        Map.of(), "", "")),
                new SequencedRecord(9, new Record("é", new float[] {0.25f, 0.5f, 0.75f}, null, "日本語のテキスト", null)),
                new SequencedRecord(7, new Record("😀", null, Map.of("k", new MetadataValue.Str("v")), null, "u")));

        RecordBlock read = reader.read(writer.write(records), KEY);

        assertBlockHolds(records, read, "");
        assertInstanceOf(MetadataValue.Int.class, read.record(0).metadata().get("int"));
        assertInstanceOf(MetadataValue.Flt.class, read.record(0).metadata().get("float"));
        assertEquals(List.copyOf(metadata.keySet()), List.copyOf(read.record(0).metadata().keySet()));
    }

    @Test
    void uniformDimensionIsAFixedSizeListAndMixedLengthsAVariableList() throws IOException {
        List<SequencedRecord> uniform = List.of(sequenced(0, "a", new float[] {1, 2, 3}), sequenced(1, "b", null),
                sequenced(2, "c", new float[] {4, 5, 6}));
        List<SequencedRecord> mixed = List.of(sequenced(0, "a", new float[] {1, 2, 3}), sequenced(1, "b", new float[] {4}));
        List<SequencedRecord> empty = List.of(sequenced(0, "a", new float[0]), sequenced(1, "b", new float[0]));
        List<SequencedRecord> none = List.of(sequenced(0, "a", null));

        assertEquals(new ArrowType.FixedSizeList(3), embeddingType(writer.write(uniform)));
        assertEquals(ArrowType.List.INSTANCE, embeddingType(writer.write(mixed)));
        assertEquals(ArrowType.List.INSTANCE, embeddingType(writer.write(empty)));
        assertEquals(ArrowType.List.INSTANCE, embeddingType(writer.write(none)));
        assertBlockHolds(uniform, reader.read(writer.write(uniform), KEY), "uniform");
        assertBlockHolds(mixed, reader.read(writer.write(mixed), KEY), "mixed");
        assertBlockHolds(empty, reader.read(writer.write(empty), KEY), "empty");
        assertBlockHolds(none, reader.read(writer.write(none), KEY), "none");
    }

    @Test
    void headerHoldsMagicVersionAndRecordCount() {
        ByteBuffer bytes = ByteBuffer.wrap(writer.write(List.of(sequenced(4, "x", null), sequenced(2, "y", null))));

        assertEquals("VBLK", new String(bytes.array(), 0, 4, StandardCharsets.US_ASCII));
        assertEquals(1, bytes.getInt(4));
        assertEquals(2, bytes.getInt(8));
        assertEquals(bytes.capacity() - 24, bytes.getLong(bytes.capacity() - 12));
    }

    @Test
    void sameRecordsGiveSameBytes() {
        long seed = BlockTestData.seed("sameRecordsGiveSameBytes");
        List<SequencedRecord> records = BlockTestData.randomRecords(new Random(seed), 50, 7);

        assertArrayEquals(writer.write(records), writer.write(records), "seed " + seed);
    }

    @Test
    void idsAreOrderedByUtf8BytesNotUtf16() {
        // U+FFFD sorts before U+1F600 in UTF-8 (and code points); Java's String order says the opposite.
        String bmp = "\uFFFD";
        String astral = "😀";
        assertTrue(astral.compareTo(bmp) < 0);
        RecordBlock block = reader.read(writer.write(List.of(sequenced(0, bmp, null), sequenced(1, astral, null))), KEY);

        assertEquals(bmp, block.firstId());
        assertEquals(astral, block.lastId());
        assertEquals(0, block.indexOf(bmp));
        assertEquals(1, block.indexOf(astral));
        assertThrows(IllegalArgumentException.class,
                () -> writer.write(List.of(sequenced(0, astral, null), sequenced(1, bmp, null))));
    }

    @Test
    void getFindsPresentIdsByBinarySearchAndNothingElse() {
        List<SequencedRecord> records = new ArrayList<>();
        for (int i = 0; i < 101; i++) {
            records.add(sequenced(1000 - i, "id-%04d".formatted(i * 2), new float[] {i}));
        }
        RecordBlock block = reader.read(writer.write(records), KEY);

        assertEquals("id-0000", block.firstId());
        assertEquals("id-0200", block.lastId());
        for (int i = 0; i < 101; i++) {
            String id = "id-%04d".formatted(i * 2);
            assertEquals(i, block.indexOf(id));
            assertSame(block.record(i), block.get(id));
            assertEquals(1000 - i, block.sequence(block.indexOf(id)));
            assertEquals(-1, block.indexOf("id-%04d".formatted(i * 2 + 1)), "between");
        }
        assertNull(block.get("id-"));
        assertNull(block.get(""));
        assertNull(block.get("id-0200x"));
        assertNull(block.get("zzz"));
        assertEquals(101, block.records().size());
        assertThrows(UnsupportedOperationException.class, () -> block.records().set(0, null));
    }

    @Test
    void flippedByteInTheMiddleIsAChecksumMismatch() {
        byte[] bytes = smallBlock();
        bytes[bytes.length / 2] ^= 0x20;

        CorruptBlockException e = assertThrows(CorruptBlockException.class, () -> reader.read(bytes, KEY));

        assertEquals(KEY, e.key());
        assertTrue(e.getMessage().startsWith("corrupt record block '" + KEY + "': checksum mismatch"), e.getMessage());
    }

    @Test
    void everyFlippedBitIsDetected() {
        byte[] original = smallBlock();
        for (int i = 0; i < original.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] bytes = original.clone();
                bytes[i] ^= (byte) (1 << bit);

                CorruptBlockException e = assertThrows(CorruptBlockException.class, () -> reader.read(bytes, KEY),
                        "flip of bit " + bit + " at " + i);

                assertTrue(e.getMessage().contains("'" + KEY + "'"), e.getMessage());
            }
        }
    }

    @Test
    void everyTruncationIsDetected() {
        byte[] original = smallBlock();
        for (int length = 0; length < original.length; length++) {
            byte[] bytes = Arrays.copyOf(original, length);

            CorruptBlockException e = assertThrows(CorruptBlockException.class, () -> reader.read(bytes, KEY),
                    "length " + length);

            assertTrue(e.getMessage().contains("'" + KEY + "'"), e.getMessage());
        }
        byte[] cut = Arrays.copyOf(original, original.length - 1);
        assertTrue(assertThrows(CorruptBlockException.class, () -> reader.read(cut, KEY)).getMessage()
                .contains("truncated"));
    }

    @Test
    void appendedBytesAreDetected() {
        byte[] bytes = Arrays.copyOf(smallBlock(), smallBlock().length + 3);

        CorruptBlockException e = assertThrows(CorruptBlockException.class, () -> reader.read(bytes, KEY));

        assertTrue(e.getMessage().contains("padded"), e.getMessage());
    }

    @Test
    void wrongMagicIsACorruptBlock() {
        byte[] bytes = smallBlock();
        bytes[0] = 'V';
        bytes[1] = 'L'; // a log fragment's magic

        CorruptBlockException e = assertThrows(CorruptBlockException.class, () -> reader.read(bytes, KEY));

        assertEquals("corrupt record block '" + KEY + "': bad magic (not a record block)", e.getMessage());
    }

    @Test
    void blockFromANewerVermilionIsTooNew() {
        byte[] bytes = smallBlock();
        ByteBuffer.wrap(bytes).putInt(4, 2);

        FormatTooNewException e = assertThrows(FormatTooNewException.class, () -> reader.read(rechecksum(bytes), KEY));

        assertEquals("record block '" + KEY + "' is in format version 2, written by a newer Vermilion: this build"
                + " reads version 1", e.getMessage());
    }

    @Test
    void damagedVersionFieldIsACorruptBlock() {
        byte[] bytes = smallBlock();
        ByteBuffer.wrap(bytes).putInt(4, 2);

        CorruptBlockException e = assertThrows(CorruptBlockException.class, () -> reader.read(bytes, KEY));

        assertTrue(e.getMessage().startsWith("corrupt record block '" + KEY + "': checksum mismatch"), e.getMessage());
    }

    @Test
    void headerCountDisagreeingWithArrowRowsIsDetectedBehindAValidChecksum() {
        byte[] bytes = smallBlock();
        ByteBuffer.wrap(bytes).putInt(8, 3);

        assertEquals("corrupt record block '" + KEY + "': header says 3 records, the Arrow data holds 2",
                assertThrows(CorruptBlockException.class, () -> reader.read(rechecksum(bytes), KEY)).getMessage());
        ByteBuffer.wrap(bytes).putInt(8, 1);
        assertEquals("corrupt record block '" + KEY + "': more rows than the header's record count 1",
                assertThrows(CorruptBlockException.class, () -> reader.read(rechecksum(bytes), KEY)).getMessage());
        ByteBuffer.wrap(bytes).putInt(8, 0);
        assertEquals("corrupt record block '" + KEY + "': record count 0, a block holds at least one record",
                assertThrows(CorruptBlockException.class, () -> reader.read(rechecksum(bytes), KEY)).getMessage());
    }

    @Test
    void contentTheWriterNeverProducesIsDetectedBehindAValidChecksum() {
        // Swap two equally long ids inside the Arrow data: the block is then unsorted.
        byte[] unsorted = writer.write(List.of(sequenced(0, "aa", null), sequenced(1, "bb", null)));
        replace(unsorted, "aa", "cc");
        assertEquals("corrupt record block '" + KEY + "': record 1: ids not distinct and sorted",
                assertThrows(CorruptBlockException.class, () -> reader.read(rechecksum(unsorted), KEY)).getMessage());

        byte[] duplicate = writer.write(List.of(sequenced(0, "aa", null), sequenced(1, "ab", null)));
        replace(duplicate, "ab", "aa");
        assertEquals("corrupt record block '" + KEY + "': record 1: ids not distinct and sorted",
                assertThrows(CorruptBlockException.class, () -> reader.read(rechecksum(duplicate), KEY)).getMessage());

        byte[] badMetadata = writer.write(List.of(new SequencedRecord(0,
                new Record("a", null, Map.of("k", new MetadataValue.Int(12345)), null, null))));
        replace(badMetadata, "12345", "null ");
        CorruptBlockException nullValue =
                assertThrows(CorruptBlockException.class, () -> reader.read(rechecksum(badMetadata), KEY));
        assertEquals("corrupt record block '" + KEY + "': bad metadata in record 0: null value", nullValue.getMessage());
        replace(badMetadata, "null ", "[[1]]");
        assertTrue(assertThrows(CorruptBlockException.class, () -> reader.read(rechecksum(badMetadata), KEY))
                .getMessage().startsWith("corrupt record block '" + KEY + "': bad metadata in record 0: "));

        byte[] renamedColumn = smallBlock();
        replace(renamedColumn, "document", "documenT");
        assertTrue(assertThrows(CorruptBlockException.class, () -> reader.read(rechecksum(renamedColumn), KEY))
                .getMessage().startsWith("corrupt record block '" + KEY + "': unexpected Arrow schema "));

        byte[] garbage = smallBlock();
        Arrays.fill(garbage, PAYLOAD_OFFSET + 8, PAYLOAD_OFFSET + 24, (byte) 0x7F);
        assertTrue(assertThrows(CorruptBlockException.class, () -> reader.read(rechecksum(garbage), KEY))
                .getMessage().startsWith("corrupt record block '" + KEY + "': undecodable Arrow data"));
    }

    @Test
    void writerRejectsWhatItCouldNotReadBack() {
        assertThrows(IllegalArgumentException.class, () -> writer.write(List.of()));
        assertThrows(IllegalArgumentException.class,
                () -> writer.write(List.of(sequenced(0, "b", null), sequenced(1, "a", null))));
        assertThrows(IllegalArgumentException.class,
                () -> writer.write(List.of(sequenced(0, "a", null), sequenced(1, "a", null))));
        Map<String, MetadataValue> nullValue = new LinkedHashMap<>();
        nullValue.put("gone", null);
        assertThrows(IllegalArgumentException.class,
                () -> writer.write(List.of(new SequencedRecord(0, new Record("a", null, nullValue, null, null)))));
        assertThrows(IllegalArgumentException.class, () -> writer.write(List.of(new SequencedRecord(0,
                new Record("a", null, Map.of("x", new MetadataValue.Flt(Double.NaN)), null, null)))));
        assertThrows(IllegalArgumentException.class,
                () -> writer.write(List.of(new SequencedRecord(0, new Record("a", null, null, "bad \uD800", null)))));
        assertThrows(IllegalArgumentException.class, () -> writer.write(List.of(sequenced(0, "\uDC00", null))));
        assertThrows(IllegalArgumentException.class, () -> sequenced(-1, "a", null));
    }

    private static byte[] smallBlock() {
        return writer.write(List.of(
                new SequencedRecord(3, new Record("a", new float[] {0.5f, 1.5f}, Map.of("k", new MetadataValue.Str("v")),
                        "doc", null)),
                sequenced(1, "b", null)));
    }

    private static ArrowType embeddingType(byte[] block) throws IOException {
        int arrowLength = block.length - PAYLOAD_OFFSET - Framing.FOOTER_LENGTH;
        try (BufferAllocator child = allocator.newChildAllocator("test", 0, Long.MAX_VALUE);
             ArrowStreamReader arrow = new ArrowStreamReader(
                     new ByteArrayInputStream(block, PAYLOAD_OFFSET, arrowLength), child)) {
            return arrow.getVectorSchemaRoot().getSchema().findField(RecordBlockFormat.EMBEDDING).getType();
        }
    }

    /** Rewrites the trailing CRC32C so that only the content checks can catch a change. */
    private static byte[] rechecksum(byte[] bytes) {
        return Framing.rechecksum(bytes);
    }

    private static final int PAYLOAD_OFFSET = Framing.PREFIX_LENGTH + RecordBlockFormat.FRAMING.headerLength();

    /** Replaces the only occurrence of {@code from} with the equally long {@code to}, in place. */
    private static void replace(byte[] bytes, String from, String to) {
        byte[] needle = from.getBytes(StandardCharsets.UTF_8);
        byte[] replacement = to.getBytes(StandardCharsets.UTF_8);
        assertEquals(needle.length, replacement.length);
        int found = -1;
        for (int i = 0; i + needle.length <= bytes.length; i++) {
            if (Arrays.equals(bytes, i, i + needle.length, needle, 0, needle.length)) {
                assertEquals(-1, found, "'" + from + "' occurs more than once");
                found = i;
            }
        }
        assertTrue(found >= 0, "'" + from + "' not found");
        System.arraycopy(replacement, 0, bytes, found, replacement.length);
    }
}
