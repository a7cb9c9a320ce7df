package io.vermilion.compactor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;

import io.vermilion.blockstore.BlockIndex;
import io.vermilion.blockstore.BlockRef;
import io.vermilion.blockstore.RecordBlock;
import io.vermilion.blockstore.RecordBlockReader;
import io.vermilion.blockstore.RecordBlockWriter;
import io.vermilion.blockstore.SequencedRecord;
import io.vermilion.record.Record;

class BlockRecordsTest {

    @Test
    void walkingTheListReadsEachBlockOnceAndRandomAccessFindsTheRightRecord() {
        try (BufferAllocator allocator = new RootAllocator()) {
            RecordBlockWriter writer = new RecordBlockWriter(allocator);
            RecordBlockReader reader = new RecordBlockReader(allocator);
            Map<String, byte[]> stored = new HashMap<>();
            List<BlockRef> refs = new ArrayList<>();
            int[] sizes = {3, 1, 4};
            int id = 0;
            for (int b = 0; b < sizes.length; b++) {
                List<SequencedRecord> records = new ArrayList<>();
                for (int i = 0; i < sizes[b]; i++, id++) {
                    records.add(new SequencedRecord(100 - id, new Record("id-" + id, new float[] {id}, null, "d" + id,
                            null)));
                }
                stored.put("b" + b, writer.write(records));
                refs.add(new BlockRef("b" + b, records.getFirst().id(), records.getLast().id(), records.size()));
            }
            List<String> reads = new ArrayList<>();
            BlockRecords list = new BlockRecords(new BlockIndex(refs), ref -> {
                reads.add(ref.key());
                RecordBlock block = reader.read(stored.get(ref.key()), ref.key());
                return block;
            });

            List<String> walked = new ArrayList<>();
            for (Record record : list) {
                walked.add(record.id() + ":" + record.document());
            }

            assertEquals(8, list.size());
            assertEquals(List.of("id-0:d0", "id-1:d1", "id-2:d2", "id-3:d3", "id-4:d4", "id-5:d5", "id-6:d6", "id-7:d7"),
                    walked);
            assertEquals(List.of("b0", "b1", "b2"), reads);
            assertEquals("id-3", list.get(3).id());
            assertEquals("id-0", list.get(0).id());
            assertEquals("id-7", list.get(7).id());
            assertEquals(List.of("b0", "b1", "b2", "b1", "b0", "b2"), reads);
            assertEquals(0, allocator.getAllocatedMemory());
        }
    }
}
