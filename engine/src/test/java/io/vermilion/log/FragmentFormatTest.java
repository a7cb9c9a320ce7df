package io.vermilion.log;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import io.vermilion.format.FormatTooNewException;
import io.vermilion.format.FormatTooOldException;
import io.vermilion.format.Framing;
import io.vermilion.record.LogRecord;
import io.vermilion.record.MetadataValue;
import io.vermilion.record.Operation;
import io.vermilion.testing.Seeds;

@ExtendWith(Seeds.class)
class FragmentFormatTest {

    private static final String KEY = "c0ffee/log/42-7a3e.arrow";

    private static BufferAllocator allocator;
    private static FragmentWriter writer;
    private static FragmentReader reader;

    @BeforeAll
    static void openAllocator() {
        allocator = new RootAllocator();
        writer = new FragmentWriter(allocator);
        reader = new FragmentReader(allocator);
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
    void randomBatchesRoundTripExactly() {
        long seed = Seeds.seed("randomBatchesRoundTripExactly");
        Random random = new Random(seed);
        for (int fragment = 0; fragment < 20; fragment++) {
            int dimension = 1 + random.nextInt(fragment < 10 ? 8 : 1536); // varies between fragments
            List<LogRecord> records = randomRecords(random, 1 + random.nextInt(300), dimension);
            long firstOffset = random.nextLong(Long.MAX_VALUE);

            LogFragment read = reader.read(writer.write(records, firstOffset), KEY);

            assertEquals(firstOffset, read.firstOffset(), "seed " + seed);
            assertSameRecords(records, read.records(), "seed " + seed + " fragment " + fragment);
        }
    }

    @Test
    void everyOperationAndNullPatternRoundTrips() {
        Map<String, MetadataValue> withDeletedKey = new HashMap<>();
        withDeletedKey.put("gone", null);
        withDeletedKey.put("n", new MetadataValue.Int(3));
        withDeletedKey.put("x", new MetadataValue.Flt(3.0));
        List<LogRecord> records = List.of(
                new LogRecord(Operation.ADD, "a", new float[] {1f, -0f, Float.MIN_VALUE}, Map.of(), "doc", "s3://u"),
                new LogRecord(Operation.UPSERT, "b", new float[0], withDeletedKey, null, null),
                new LogRecord(Operation.UPDATE, "c", null, null, "", null),
                new LogRecord(Operation.UPDATE, "", null, null, null, ""),
                LogRecord.delete("a"));

        LogFragment read = reader.read(writer.write(records, 0), KEY);

        assertEquals(0, read.firstOffset());
        assertSameRecords(records, read.records(), "");
    }

    @Test
    void headerHoldsMagicVersionAndFirstOffset() {
        ByteBuffer bytes = ByteBuffer.wrap(writer.write(List.of(LogRecord.delete("x")), 77));

        assertEquals("VLOG", new String(bytes.array(), 0, 4, StandardCharsets.US_ASCII));
        assertEquals(1, bytes.getInt(4));
        assertEquals(77, bytes.getLong(8));
        assertEquals(bytes.capacity() - 28, bytes.getLong(bytes.capacity() - 12));
    }

    @Test
    void flippedByteInTheMiddleIsACorruptFragment() {
        byte[] bytes = smallFragment();
        bytes[bytes.length / 2] ^= 0x20;

        CorruptFragmentException e = assertThrows(CorruptFragmentException.class, () -> reader.read(bytes, KEY));

        assertEquals(KEY, e.key());
        assertTrue(e.getMessage().contains(KEY) && e.getMessage().contains("checksum mismatch"), e.getMessage());
    }

    @Test
    void everyFlippedByteIsDetected() {
        byte[] original = smallFragment();
        for (int i = 0; i < original.length; i++) {
            byte[] bytes = original.clone();
            bytes[i] ^= (byte) 0xA5;

            CorruptFragmentException e = assertThrows(CorruptFragmentException.class, () -> reader.read(bytes, KEY),
                    "flip at " + i);

            assertTrue(e.getMessage().contains(KEY), e.getMessage());
        }
    }

    @Test
    void everyTruncationIsDetected() {
        byte[] original = smallFragment();
        for (int length = 0; length < original.length; length++) {
            byte[] bytes = Arrays.copyOf(original, length);

            CorruptFragmentException e = assertThrows(CorruptFragmentException.class, () -> reader.read(bytes, KEY),
                    "length " + length);

            assertTrue(e.getMessage().contains(KEY), e.getMessage());
        }
        byte[] cut = Arrays.copyOf(original, original.length - 1);
        assertTrue(assertThrows(CorruptFragmentException.class, () -> reader.read(cut, KEY)).getMessage()
                .contains("truncated"));
    }

    @Test
    void appendedBytesAreDetected() {
        byte[] original = smallFragment();
        byte[] bytes = Arrays.copyOf(original, original.length + 3);

        CorruptFragmentException e = assertThrows(CorruptFragmentException.class, () -> reader.read(bytes, KEY));

        assertTrue(e.getMessage().contains("padded"), e.getMessage());
    }

    @Test
    void wrongMagicIsACorruptFragment() {
        byte[] bytes = smallFragment();
        bytes[0] = 'P';

        CorruptFragmentException e = assertThrows(CorruptFragmentException.class, () -> reader.read(bytes, KEY));

        assertEquals("corrupt log fragment '" + KEY + "': bad magic (not a log fragment)", e.getMessage());
    }

    @Test
    void fragmentFromANewerVermilionIsTooNew() {
        byte[] bytes = smallFragment();
        ByteBuffer.wrap(bytes).putInt(4, 2);
        Framing.rechecksum(bytes);

        FormatTooNewException e = assertThrows(FormatTooNewException.class, () -> reader.read(bytes, KEY));

        assertEquals("log fragment '" + KEY + "' is in format version 2, written by a newer Vermilion: this build"
                + " reads version 1", e.getMessage());
        assertEquals(KEY, e.key());
    }

    @Test
    void fragmentInAVersionBeforeTheFirstIsTooOld() {
        byte[] bytes = smallFragment();
        ByteBuffer.wrap(bytes).putInt(4, 0);
        Framing.rechecksum(bytes);

        assertEquals(0, assertThrows(FormatTooOldException.class, () -> reader.read(bytes, KEY)).version());
    }

    @Test
    void damagedVersionFieldIsACorruptFragment() {
        byte[] bytes = smallFragment();
        ByteBuffer.wrap(bytes).putInt(4, 2);

        CorruptFragmentException e = assertThrows(CorruptFragmentException.class, () -> reader.read(bytes, KEY));

        assertTrue(e.getMessage().startsWith("corrupt log fragment '" + KEY + "': checksum mismatch"), e.getMessage());
    }

    @Test
    void emptyBatchIsRejected() {
        assertThrows(IllegalArgumentException.class, () -> writer.write(List.of(), 0));
    }

    @Test
    void unpairedSurrogateIsRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> writer.write(List.of(new LogRecord(Operation.ADD, "id", null, null, "bad \uD800 text", null)), 0));
    }

    private static byte[] smallFragment() {
        return writer.write(List.of(
                new LogRecord(Operation.ADD, "a", new float[] {0.5f, 1.5f}, Map.of("k", new MetadataValue.Str("v")), "doc", null),
                LogRecord.delete("b")), 5);
    }

    private static void assertSameRecords(List<LogRecord> expected, List<LogRecord> actual, String context) {
        assertEquals(expected.size(), actual.size(), context);
        for (int i = 0; i < expected.size(); i++) {
            LogRecord e = expected.get(i);
            LogRecord a = actual.get(i);
            String where = context + " record " + i;
            assertEquals(e.operation(), a.operation(), where);
            assertEquals(e.id(), a.id(), where);
            assertArrayEquals(e.embedding(), a.embedding(), where);
            assertEquals(e.metadata(), a.metadata(), where);
            assertEquals(e.document(), a.document(), where);
            assertEquals(e.uri(), a.uri(), where);
        }
    }

    private static List<LogRecord> randomRecords(Random random, int count, int dimension) {
        List<LogRecord> records = new ArrayList<>();
        Operation[] operations = Operation.values();
        for (int i = 0; i < count; i++) {
            Operation operation = operations[random.nextInt(operations.length)];
            String id = randomString(random, 1 + random.nextInt(24));
            if (operation == Operation.DELETE) {
                records.add(LogRecord.delete(id));
                continue;
            }
            records.add(new LogRecord(operation, id,
                    random.nextInt(5) == 0 ? null : randomVector(random, dimension),
                    random.nextInt(4) == 0 ? null : randomMetadata(random),
                    random.nextInt(3) == 0 ? null : randomString(random, random.nextInt(200)),
                    random.nextInt(2) == 0 ? null : "s3://bucket/" + randomString(random, random.nextInt(30))));
        }
        return records;
    }

    private static float[] randomVector(Random random, int dimension) {
        float[] vector = new float[dimension];
        for (int i = 0; i < dimension; i++) {
            float value;
            do {
                value = random.nextBoolean() ? (float) random.nextGaussian() : Float.intBitsToFloat(random.nextInt());
            } while (Float.isNaN(value));
            vector[i] = value;
        }
        return vector;
    }

    private static Map<String, MetadataValue> randomMetadata(Random random) {
        Map<String, MetadataValue> metadata = new HashMap<>();
        int entries = random.nextInt(6);
        for (int i = 0; i < entries; i++) {
            String key = randomString(random, 1 + random.nextInt(12));
            MetadataValue value = switch (random.nextInt(6)) {
                case 0 -> null; // delete this key
                case 1 -> {
                    int type = random.nextInt(4);
                    List<MetadataValue> elements = new ArrayList<>();
                    for (int e = 0, n = 1 + random.nextInt(4); e < n; e++) {
                        elements.add(randomScalar(random, type));
                    }
                    yield new MetadataValue.Array(elements);
                }
                default -> randomScalar(random, random.nextInt(4));
            };
            metadata.put(key, value);
        }
        return metadata;
    }

    private static MetadataValue randomScalar(Random random, int type) {
        return switch (type) {
            case 0 -> new MetadataValue.Str(randomString(random, random.nextInt(16)));
            case 1 -> new MetadataValue.Int(random.nextBoolean() ? random.nextInt(100) : random.nextLong());
            case 2 -> {
                double value;
                do {
                    value = random.nextBoolean() ? random.nextInt(100) : Double.longBitsToDouble(random.nextLong());
                } while (!Double.isFinite(value)); // whole-number floats (3.0) must stay floats
                yield new MetadataValue.Flt(value);
            }
            default -> new MetadataValue.Bool(random.nextBoolean());
        };
    }

    /** Valid Unicode from several planes and scripts (no unpaired surrogates). */
    private static String randomString(Random random, int codePoints) {
        int[][] ranges = {{0x20, 0x7E}, {0x00, 0x1F}, {0xA0, 0x24F}, {0x590, 0x6FF}, {0x3040, 0x30FF}, {0x4E00, 0x9FFF},
                {0xE000, 0xFFFD}, {0x1F300, 0x1FAFF}, {0x20000, 0x2A6DF}};
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < codePoints; i++) {
            int[] range = ranges[random.nextInt(ranges.length)];
            s.appendCodePoint(range[0] + random.nextInt(range[1] - range[0] + 1));
        }
        return s.toString();
    }
}
