package io.vermilion.compactor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.Test;

import io.vermilion.blockstore.BlockIndex;
import io.vermilion.blockstore.BlockLimits;
import io.vermilion.blockstore.BlockRef;
import io.vermilion.blockstore.RecordBlock;
import io.vermilion.blockstore.RecordBlockFormat;
import io.vermilion.blockstore.RecordBlockReader;
import io.vermilion.blockstore.RecordBlockSetWriter;
import io.vermilion.blockstore.RecordBlockWriter;
import io.vermilion.blockstore.SequencedRecord;
import io.vermilion.model.DistanceFunction;
import io.vermilion.record.MetadataValue;
import io.vermilion.record.Record;
import io.vermilion.version.ManifestReader;
import io.vermilion.version.ManifestWriter;
import io.vermilion.version.VersionFile;
import io.vermilion.version.VersionKeys;
import io.vermilion.version.VersionManifest;

/** A version written the way the compactor will write one, then read the way the query executor will. */
class VersionLayoutTest {

    private static final UUID COLLECTION = UUID.fromString("0f8e2a4c-1b3d-4e5f-8a9b-0c1d2e3f4a5b");

    @Test
    void recordsAreFoundByIdThroughTheManifestAndKeepInsertionOrder() {
        long seed = Long.getLong("tests.seed", new Random().nextLong());
        System.out.println("recordsAreFoundByIdThroughTheManifestAndKeepInsertionOrder seed=" + seed);
        Random random = new Random(seed);
        List<SequencedRecord> inserted = new ArrayList<>(); // in insertion order: sequence = log offset of the insert
        for (int i = 0; i < 500; i++) {
            String id = "doc-" + Integer.toString(random.nextInt(1 << 30), 36) + "-" + i;
            inserted.add(new SequencedRecord(i * 2L, new Record(id, new float[] {random.nextFloat(), random.nextFloat()},
                    Map.of("n", new MetadataValue.Int(i)), "text " + i, null)));
        }
        Map<String, byte[]> store = new LinkedHashMap<>();
        long version = 4;

        VersionManifest manifest;
        try (BufferAllocator allocator = new RootAllocator()) {
            List<VersionFile> files = new ArrayList<>();
            RecordBlockSetWriter blocks = new RecordBlockSetWriter(new RecordBlockWriter(allocator),
                    BlockLimits.defaults().withMaxBytes(8 * 1024), n -> VersionKeys.block(COLLECTION, version, n),
                    (ref, bytes) -> {
                        store.put(ref.key(), bytes);
                        files.add(VersionFile.of(ref.key(), VersionFile.Role.BLOCK, bytes));
                    });
            List<SequencedRecord> byId = new ArrayList<>(inserted);
            byId.sort(Comparator.comparing(SequencedRecord::id, RecordBlockFormat.ID_ORDER));
            byId.forEach(blocks::add);
            BlockIndex index = blocks.finish();
            manifest = new VersionManifest(COLLECTION, version, 1000, index.recordCount(), 2, DistanceFunction.L2, files,
                    index, Instant.parse("2025-06-01T12:00:00Z"));
            store.put(VersionKeys.manifest(COLLECTION, version), new ManifestWriter().write(manifest));

            String manifestKey = VersionKeys.manifest(COLLECTION, version);
            VersionManifest read = new ManifestReader().read(store.get(manifestKey), manifestKey);
            assertEquals(manifest, read);
            assertTrue(read.blocks().size() > 5, "blocks: " + read.blocks().size());
            RecordBlockReader reader = new RecordBlockReader(allocator);
            for (SequencedRecord expected : inserted) {
                BlockRef ref = read.blocks().blockFor(expected.id());
                byte[] bytes = store.get(ref.key());
                assertTrue(read.file(ref.key()).matches(bytes));
                RecordBlock block = reader.read(bytes, ref.key());
                int i = block.indexOf(expected.id());
                assertEquals(expected.record().document(), block.record(i).document(), "seed " + seed);
                assertEquals(expected.sequence(), block.sequence(i), "seed " + seed);
            }
            assertNull(read.blocks().blockFor("doc-"), "before the first id");

            List<SequencedRecord> all = new ArrayList<>();
            for (BlockRef ref : read.blocks().blocks()) {
                RecordBlock block = reader.read(store.get(ref.key()), ref.key());
                for (int i = 0; i < block.size(); i++) {
                    all.add(new SequencedRecord(block.sequence(i), block.record(i)));
                }
            }
            all.sort(Comparator.comparingLong(SequencedRecord::sequence));
            assertEquals(inserted.stream().map(SequencedRecord::id).toList(),
                    all.stream().map(SequencedRecord::id).toList(), "seed " + seed);
            assertEquals(0, allocator.getAllocatedMemory());
        }
    }
}
