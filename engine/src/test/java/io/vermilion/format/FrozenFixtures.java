package io.vermilion.format;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.lucene.store.FSDirectory;

import io.vermilion.blockstore.BlockIndex;
import io.vermilion.blockstore.BlockRef;
import io.vermilion.blockstore.RecordBlockWriter;
import io.vermilion.blockstore.SequencedRecord;
import io.vermilion.index.CollectionIndexWriter;
import io.vermilion.index.IndexSchema;
import io.vermilion.log.FragmentWriter;
import io.vermilion.model.DistanceFunction;
import io.vermilion.record.LogRecord;
import io.vermilion.record.MetadataValue;
import io.vermilion.record.Operation;
import io.vermilion.record.Record;
import io.vermilion.version.ManifestWriter;
import io.vermilion.version.VersionFile;
import io.vermilion.version.VersionKeys;
import io.vermilion.version.VersionManifest;

/**
 * The known content of the frozen format fixtures under {@code src/test/resources/fixtures/}, and the program that
 * wrote them ({@link #main}). The fixtures are never regenerated: a new format version gets a new fixture folder
 * written by the build that introduces it, and the old folders stay to prove that later builds still open them.
 */
public final class FrozenFixtures {

    /** The version the manifest fixture describes; the blocks and the index are its files. */
    public static final UUID COLLECTION = UUID.fromString("0f8e3a52-6b1d-4c1e-9a57-2d3c4b5a6f70");
    public static final long VERSION = 3;
    public static final long LOG_END_OFFSET = 1200;
    public static final Instant CREATED_AT = Instant.parse("2025-06-01T12:00:00Z");
    public static final long FRAGMENT_FIRST_OFFSET = 42;

    private FrozenFixtures() {}

    /** Metadata holding one value of every type a record can store. */
    public static Map<String, MetadataValue> everyType() {
        Map<String, MetadataValue> metadata = new LinkedHashMap<>();
        metadata.put("str", new MetadataValue.Str("red ü 𝄞"));
        metadata.put("int", new MetadataValue.Int(Long.MAX_VALUE));
        metadata.put("neg", new MetadataValue.Int(-7));
        metadata.put("flt", new MetadataValue.Flt(2.5));
        metadata.put("tiny", new MetadataValue.Flt(1e-300));
        metadata.put("bool", new MetadataValue.Bool(true));
        metadata.put("strs", new MetadataValue.Array(List.of(new MetadataValue.Str("a"), new MetadataValue.Str("b"))));
        metadata.put("ints", new MetadataValue.Array(List.of(new MetadataValue.Int(1), new MetadataValue.Int(-2))));
        metadata.put("flts", new MetadataValue.Array(List.of(new MetadataValue.Flt(0.5), new MetadataValue.Flt(-1.25))));
        metadata.put("bools", new MetadataValue.Array(List.of(new MetadataValue.Bool(false), new MetadataValue.Bool(true))));
        return metadata;
    }

    private static Map<String, MetadataValue> one(String key, MetadataValue value) {
        Map<String, MetadataValue> metadata = new LinkedHashMap<>();
        metadata.put(key, value);
        return metadata;
    }

    /** The log fragment's records, first at log offset {@link #FRAGMENT_FIRST_OFFSET}. */
    public static List<LogRecord> fragmentRecords() {
        Map<String, MetadataValue> deletesKey = new LinkedHashMap<>();
        deletesKey.put("color", null); // a null value in a log record deletes the key
        deletesKey.put("size", new MetadataValue.Int(3));
        return List.of(
                new LogRecord(Operation.ADD, "doc-1", new float[] {0.1f, -2.5f, 3.0f}, everyType(), "first document",
                        "s3://bucket/doc-1"),
                new LogRecord(Operation.UPSERT, "doc-ü-𝄞", new float[] {1.0f, 0.0f, -0.0f}, null, null, null),
                new LogRecord(Operation.UPDATE, "doc-1", null, deletesKey, "changed", null),
                new LogRecord(Operation.ADD, "doc-2", new float[] {Float.MIN_VALUE, Float.MAX_VALUE}, null, "", null),
                LogRecord.delete("doc-ü-𝄞"));
    }

    /** The version's records in insertion order (sequence = position), sorted ids differ from that order. */
    public static List<Record> versionRecords() {
        return List.of(
                new Record("d-gray", new float[] {0.0f, 0.0f, 0.0f}, everyType(), "the origin", "file:///origin"),
                new Record("a-red", new float[] {1.0f, 0.0f, 0.0f}, one("color", new MetadataValue.Str("red")),
                        "red apples", null),
                new Record("c-blue", new float[] {0.0f, 0.0f, 1.0f}, one("color", new MetadataValue.Str("blue")),
                        "blue sky", null),
                new Record("b-green", new float[] {0.0f, 1.0f, 0.0f}, one("color", new MetadataValue.Str("green")),
                        null, null),
                new Record("e-far", new float[] {10.0f, 10.0f, 10.0f}, null, null, null),
                new Record("f-none", null, one("rank", new MetadataValue.Int(6)), "no embedding", null));
    }

    /** The version's records with their sequences, sorted by id. */
    public static List<SequencedRecord> sortedVersionRecords() {
        List<Record> records = versionRecords();
        List<SequencedRecord> sequenced = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            sequenced.add(new SequencedRecord(i, records.get(i)));
        }
        sequenced.sort((x, y) -> io.vermilion.blockstore.RecordBlockFormat.ID_ORDER.compare(x.id(), y.id()));
        return sequenced;
    }

    /** A block whose embeddings differ in length (the variable-length layout), sorted by id in UTF-8 byte order. */
    public static List<SequencedRecord> mixedLengthRecords() {
        return List.of(
                new SequencedRecord(7, new Record("m-1", new float[] {1.5f}, null, null, null)),
                new SequencedRecord(3, new Record("m-2", new float[] {1.5f, -2.0f}, everyType(), "two", "u")),
                new SequencedRecord(9, new Record("m-3", new float[0], null, null, null)),
                new SequencedRecord(0, new Record("m-\uFFFD", null, null, "no embedding", null)),
                new SequencedRecord(5, new Record("m-😀", new float[] {0.25f, 0.5f, 0.75f}, null, null, null)));
    }

    /** Block n of the version: the first three sorted records, then the rest. */
    public static List<SequencedRecord> versionBlock(int n) {
        List<SequencedRecord> sorted = sortedVersionRecords();
        return n == 0 ? sorted.subList(0, 3) : sorted.subList(3, sorted.size());
    }

    public static IndexSchema indexSchema() {
        return IndexSchema.defaults(DistanceFunction.L2, versionRecords());
    }

    /**
     * Writes every fixture under {@code args[0]} (the {@code fixtures} folder) with the formats of the build it runs
     * in. Run once per new format version, into a new folder; never over existing fixtures.
     */
    public static void main(String[] args) throws IOException {
        Path root = Path.of(args[0]);
        try (BufferAllocator allocator = new RootAllocator()) {
            Path fragments = Files.createDirectories(root.resolve("fragment-v1"));
            Files.write(fragments.resolve("fragment.bin"),
                    new FragmentWriter(allocator).write(fragmentRecords(), FRAGMENT_FIRST_OFFSET));

            Path blocks = Files.createDirectories(root.resolve("block-v1"));
            RecordBlockWriter blockWriter = new RecordBlockWriter(allocator);
            List<VersionFile> files = new ArrayList<>();
            List<BlockRef> refs = new ArrayList<>();
            for (int n = 0; n < 2; n++) {
                List<SequencedRecord> block = versionBlock(n);
                byte[] bytes = blockWriter.write(block);
                String key = VersionKeys.block(COLLECTION, VERSION, n);
                Files.write(blocks.resolve(key.substring(key.lastIndexOf('/') + 1)), bytes);
                files.add(VersionFile.of(key, VersionFile.Role.BLOCK, bytes));
                refs.add(new BlockRef(key, block.getFirst().id(), block.getLast().id(), block.size()));
            }
            Files.write(blocks.resolve("mixed-lengths.arrow"), blockWriter.write(mixedLengthRecords()));

            Path index = Files.createDirectories(root.resolve("index-v2"));
            try (FSDirectory directory = FSDirectory.open(index)) {
                CollectionIndexWriter.write(directory, indexSchema(), versionRecords());
            }
            Files.deleteIfExists(index.resolve("write.lock"));
            try (var names = Files.list(index)) {
                for (Path file : names.sorted().toList()) {
                    if (file.getFileName().toString().equals("README.md")) {
                        continue;
                    }
                    String key = VersionKeys.indexFile(COLLECTION, VERSION, file.getFileName().toString());
                    files.add(VersionFile.of(key, VersionFile.Role.INDEX, Files.readAllBytes(file)));
                }
            }

            Path manifests = Files.createDirectories(root.resolve("manifest-v1"));
            BlockIndex blockIndex = new BlockIndex(refs);
            VersionManifest manifest = new VersionManifest(COLLECTION, VERSION, LOG_END_OFFSET,
                    blockIndex.recordCount(), 3, DistanceFunction.L2, files, blockIndex, CREATED_AT);
            Files.write(manifests.resolve("manifest.json"), new ManifestWriter().write(manifest));
        }
    }
}
