package io.vermilion.blockstore;

import static io.vermilion.blockstore.BlockTestData.assertBlockHolds;
import static io.vermilion.blockstore.BlockTestData.sequenced;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.vermilion.record.Record;

class RecordBlockSetWriterTest {

    private static BufferAllocator allocator;
    private static RecordBlockWriter writer;
    private static RecordBlockReader reader;

    /** What the sink received, in order. */
    private final Map<String, byte[]> stored = new LinkedHashMap<>();
    private final List<BlockRef> sunk = new ArrayList<>();

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
    void recordLimitGivesFullBlocksAndOneRemainder() {
        List<SequencedRecord> records = numbered(10, 2);

        BlockIndex index = writeAll(records, new BlockLimits(3, Long.MAX_VALUE));

        assertEquals(List.of(
                new BlockRef("blocks/0", "id-000", "id-002", 3),
                new BlockRef("blocks/1", "id-003", "id-005", 3),
                new BlockRef("blocks/2", "id-006", "id-008", 3),
                new BlockRef("blocks/3", "id-009", "id-009", 1)), index.blocks());
        assertEquals(index.blocks(), sunk);
        assertEquals(List.of("blocks/0", "blocks/1", "blocks/2", "blocks/3"), List.copyOf(stored.keySet()));
        assertEquals(10, index.recordCount());
        assertBlockHolds(records.subList(3, 6), reader.read(stored.get("blocks/1"), "blocks/1"), "block 1");
    }

    @Test
    void recordLimitOfOneGivesABlockPerRecord() {
        BlockIndex index = writeAll(numbered(5, 0), new BlockLimits(1, Long.MAX_VALUE));

        assertEquals(5, index.size());
        for (int i = 0; i < 5; i++) {
            assertEquals(new BlockRef("blocks/" + i, "id-00" + i, "id-00" + i, 1), index.blocks().get(i));
        }
    }

    @Test
    void byteLimitClosesABlockBeforeTheRecordThatWouldOverflowIt() {
        List<SequencedRecord> records = numbered(7, 16); // equal-sized rows
        long threeRows = bound(records.subList(0, 3)).bytes();
        assertEquals(threeRows, bound(records.subList(4, 7)).bytes());

        assertEquals(List.of(3, 3, 1), counts(writeAll(records, BlockLimits.defaults().withMaxBytes(threeRows))));
        assertEquals(List.of(2, 2, 2, 1), counts(writeAll(records, BlockLimits.defaults().withMaxBytes(threeRows - 1))));
        assertEquals(List.of(2, 2, 2, 1), counts(writeAll(records, new BlockLimits(2, threeRows))));
        for (byte[] bytes : stored.values()) {
            assertTrue(bytes.length <= threeRows, bytes.length + " > " + threeRows);
        }
    }

    @Test
    void sizeBoundCountsTheZeroFloatsBehindMissingEmbeddingsOfAFixedLayout() {
        List<SequencedRecord> records = new ArrayList<>();
        records.add(sequenced(0, "a", new float[64]));
        for (int i = 1; i < 200; i++) {
            records.add(sequenced(i, "b%03d".formatted(i), null)); // each stored as 64 zero floats
        }
        BlockSizeBound bound = bound(records);

        int actual = writer.write(records).length;

        assertTrue(actual > 200 * 64 * 4, "fixed layout: " + actual);
        assertTrue(actual <= bound.bytes(), actual + " > " + bound.bytes());
    }

    @Test
    void recordLargerThanTheByteLimitGetsABlockOfItsOwn() {
        List<SequencedRecord> records = List.of(sequenced(0, "a", new float[2]), sequenced(1, "b", new float[5000]),
                sequenced(2, "c", new float[2]), sequenced(3, "d", new float[2]));

        BlockIndex index = writeAll(records, BlockLimits.defaults().withMaxBytes(4096));

        assertEquals(List.of(1, 1, 2), counts(index));
        assertTrue(stored.get("blocks/1").length > 20_000);
        assertBlockHolds(records.subList(1, 2), reader.read(stored.get("blocks/1"), "blocks/1"), "big");
    }

    @Test
    void emptyStreamGivesAnEmptyIndexAndNoBlocks() {
        BlockIndex index = writeAll(List.of(), BlockLimits.defaults());

        assertEquals(BlockIndex.empty(), index);
        assertEquals(0, index.recordCount());
        assertTrue(stored.isEmpty());
        assertNull(index.blockFor("anything"));
    }

    @Test
    void randomStreamsStayWithinLimitsAndReadBackExactly() {
        long seed = BlockTestData.seed("randomStreamsStayWithinLimitsAndReadBackExactly");
        Random random = new Random(seed);
        for (int round = 0; round < 12; round++) {
            stored.clear();
            sunk.clear();
            int dimension = round % 3 == 0 ? -1 : 1 + random.nextInt(64);
            List<SequencedRecord> records = BlockTestData.randomRecords(random, random.nextInt(400), dimension);
            BlockLimits limits = new BlockLimits(1 + random.nextInt(round % 2 == 0 ? 500 : 40),
                    RecordBlockFormat.FIXED_OVERHEAD + random.nextInt(40_000));
            String context = "seed " + seed + " round " + round + " " + limits;

            BlockIndex index = writeAll(records, limits);

            assertEquals(records.size(), index.recordCount(), context);
            int next = 0;
            for (int b = 0; b < index.size(); b++) {
                BlockRef ref = index.blocks().get(b);
                byte[] bytes = stored.get(ref.key());
                RecordBlock block = reader.read(bytes, ref.key());
                List<SequencedRecord> expected = records.subList(next, next + ref.recordCount());
                assertBlockHolds(expected, block, context + " block " + b);
                assertEquals(ref.firstId(), block.firstId(), context);
                assertEquals(ref.lastId(), block.lastId(), context);
                BlockSizeBound bound = bound(expected);
                assertTrue(bytes.length <= bound.bytes(), context + " block " + b + ": bound " + bound.bytes()
                        + " < actual " + bytes.length);
                assertTrue(ref.recordCount() <= limits.maxRecords(), context);
                assertTrue(ref.recordCount() == 1 || bytes.length <= limits.maxBytes(), context + " block " + b);
                next += ref.recordCount();
                if (next < records.size()) { // the block was closed only because the next record did not fit
                    long withNext = bound.bytesWith(EncodedRow.of(records.get(next)));
                    assertTrue(ref.recordCount() == limits.maxRecords() || withNext > limits.maxBytes(), context);
                }
            }
            assertEquals(records.size(), next, context);
        }
    }

    @Test
    void lookupByIdFindsTheOneBlockThatHoldsIt() {
        List<SequencedRecord> records = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            records.add(sequenced(i, "k%03d".formatted(i * 10), new float[] {i}));
        }
        BlockIndex index = writeAll(records, new BlockLimits(6, Long.MAX_VALUE)); // k010..k060, k070..k120, ...

        for (SequencedRecord record : records) {
            BlockRef ref = index.blockFor(record.id());
            RecordBlock block = reader.read(stored.get(ref.key()), ref.key());
            assertEquals(record.sequence(), block.sequence(block.indexOf(record.id())), record.id());
        }
        assertEquals(0, index.find("k010"));
        assertEquals(0, index.find("k060"));
        assertEquals(1, index.find("k070"));
        assertEquals(3, index.find("k200"));
        assertEquals(0, index.find("k015"), "inside a block's range, absent from the block");
        assertNull(reader.read(stored.get("blocks/0"), "blocks/0").get("k015"));
        assertEquals(-1, index.find("k065"), "between two blocks");
        assertEquals(-1, index.find("k000"), "before the first id");
        assertEquals(-1, index.find(""), "before the first id");
        assertEquals(-1, index.find("k201"), "after the last id");
        assertEquals(-1, index.find("z"), "after the last id");
    }

    @Test
    void outOfOrderOrRepeatedIdIsRejectedAcrossBlocks() {
        RecordBlockSetWriter set = new RecordBlockSetWriter(writer, new BlockLimits(1, Long.MAX_VALUE),
                n -> "blocks/" + n, (ref, bytes) -> {});
        set.add(sequenced(0, "b", null));

        assertThrows(IllegalArgumentException.class, () -> set.add(sequenced(1, "a", null)));
        assertThrows(IllegalArgumentException.class, () -> set.add(sequenced(1, "b", null)));
        set.add(sequenced(1, "c", null));
        assertEquals(List.of(1, 1), counts(set.finish()));
    }

    @Test
    void finishedOrFailedWriterRefusesFurtherCalls() {
        RecordBlockSetWriter finished = new RecordBlockSetWriter(writer, BlockLimits.defaults(), n -> "b" + n,
                (ref, bytes) -> {});
        finished.finish();
        assertThrows(IllegalStateException.class, () -> finished.add(sequenced(0, "a", null)));
        assertThrows(IllegalStateException.class, finished::finish);

        RecordBlockSetWriter failing = new RecordBlockSetWriter(writer, new BlockLimits(1, Long.MAX_VALUE),
                n -> "b" + n, (ref, bytes) -> {
                    throw new IllegalStateException("disk full");
                });
        failing.add(sequenced(0, "a", null));
        assertEquals("disk full",
                assertThrows(IllegalStateException.class, () -> failing.add(sequenced(1, "b", null))).getMessage());
        assertThrows(IllegalStateException.class, failing::finish);
    }

    @Test
    void blockIndexRejectsOverlappingOrUnorderedBlocks() {
        BlockRef first = new BlockRef("b0", "a", "m", 5);

        assertThrows(IllegalArgumentException.class, () -> new BlockIndex(List.of(first, new BlockRef("b1", "m", "z", 2))));
        assertThrows(IllegalArgumentException.class, () -> new BlockIndex(List.of(first, new BlockRef("b1", "b", "c", 2))));
        assertThrows(IllegalArgumentException.class, () -> new BlockRef("b", "z", "a", 2));
        assertThrows(IllegalArgumentException.class, () -> new BlockRef("b", "a", "b", 1));
        assertThrows(IllegalArgumentException.class, () -> new BlockRef("b", "a", "a", 2));
        assertThrows(IllegalArgumentException.class, () -> new BlockRef("b", "a", "a", 0));
        BlockIndex index = new BlockIndex(List.of(first, new BlockRef("b1", "n", "z", 2)));
        assertSame(index.blocks().get(1), index.blockFor("n"));
        assertEquals(7, index.recordCount());
    }

    private BlockIndex writeAll(List<SequencedRecord> records, BlockLimits limits) {
        stored.clear();
        sunk.clear();
        RecordBlockSetWriter set = new RecordBlockSetWriter(writer, limits, n -> "blocks/" + n, (ref, bytes) -> {
            sunk.add(ref);
            stored.put(ref.key(), bytes);
        });
        for (SequencedRecord record : records) {
            set.add(record);
        }
        return set.finish();
    }

    private static BlockSizeBound bound(List<SequencedRecord> records) {
        BlockSizeBound bound = new BlockSizeBound();
        records.forEach(record -> bound.add(EncodedRow.of(record)));
        return bound;
    }

    private static List<Integer> counts(BlockIndex index) {
        return index.blocks().stream().map(BlockRef::recordCount).toList();
    }

    /** {@code id-000}, {@code id-001}, ... with embeddings of {@code dimension} and an equal-sized document. */
    private static List<SequencedRecord> numbered(int count, int dimension) {
        List<SequencedRecord> records = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            records.add(new SequencedRecord(100 + i,
                    new Record("id-%03d".formatted(i), new float[dimension], null, "document %03d".formatted(i), null)));
        }
        return records;
    }
}
