package io.vermilion.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.vermilion.blockstore.BlockRef;
import io.vermilion.blockstore.RecordBlock;
import io.vermilion.blockstore.RecordBlockReader;
import io.vermilion.blockstore.RecordBlockWriter;
import io.vermilion.blockstore.SequencedRecord;
import io.vermilion.index.IndexedCollectionReader;
import io.vermilion.index.SearchParameters;
import io.vermilion.log.FragmentReader;
import io.vermilion.log.FragmentWriter;
import io.vermilion.log.LogFragment;
import io.vermilion.model.DistanceFunction;
import io.vermilion.model.GetRequest;
import io.vermilion.model.QueryHit;
import io.vermilion.model.QueryRequest;
import io.vermilion.record.LogRecord;
import io.vermilion.record.MetadataValue;
import io.vermilion.record.Operation;
import io.vermilion.record.Record;
import io.vermilion.version.ManifestReader;
import io.vermilion.version.ManifestWriter;
import io.vermilion.version.VersionFile;
import io.vermilion.version.VersionManifest;

/**
 * Every frozen fixture ({@code src/test/resources/fixtures/}, written by earlier builds) still opens with this
 * build's readers and gives back exactly the content it was written with ({@link FrozenFixtures}); while a format's
 * version is unchanged, this build's writer also still writes the same bytes.
 */
class FrozenFormatsTest {

    private final BufferAllocator allocator = new RootAllocator();

    @AfterEach
    void closeAllocator() {
        allocator.close();
    }

    @Test
    void fragmentV1OpensWithEveryRecordIntact() {
        LogFragment fragment = new FragmentReader(allocator).read(fixture("fragment-v1/fragment.bin"), "fragment-v1");

        assertEquals(42, fragment.firstOffset());
        List<LogRecord> records = fragment.records();
        assertEquals(List.of(Operation.ADD, Operation.UPSERT, Operation.UPDATE, Operation.ADD, Operation.DELETE),
                records.stream().map(LogRecord::operation).toList());
        assertEquals(List.of("doc-1", "doc-ü-𝄞", "doc-1", "doc-2", "doc-ü-𝄞"),
                records.stream().map(LogRecord::id).toList());
        assertArrayEquals(new float[] {0.1f, -2.5f, 3.0f}, records.get(0).embedding());
        assertEquals(everyTypeLiteral(), records.get(0).metadata());
        assertEquals("first document", records.get(0).document());
        assertEquals("s3://bucket/doc-1", records.get(0).uri());
        assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(records.get(1).embedding()[2]));
        assertNull(records.get(1).metadata());
        assertTrue(records.get(2).metadata().containsKey("color"), "a key deleted by an update stays as a null value");
        assertNull(records.get(2).metadata().get("color"));
        assertEquals(new MetadataValue.Int(3), records.get(2).metadata().get("size"));
        assertNull(records.get(2).embedding());
        assertArrayEquals(new float[] {Float.MIN_VALUE, Float.MAX_VALUE}, records.get(3).embedding());
        assertEquals("", records.get(3).document());
        assertEquals(LogRecord.delete("doc-ü-𝄞").toString(), records.get(4).toString());
        assertSameLogRecords(FrozenFixtures.fragmentRecords(), records);
    }

    @Test
    void recordBlocksV1OpenInBothEmbeddingLayouts() {
        RecordBlockReader reader = new RecordBlockReader(allocator);
        RecordBlock first = reader.read(fixture("block-v1/0000000000.arrow"), "block-0");
        RecordBlock second = reader.read(fixture("block-v1/0000000001.arrow"), "block-1");
        RecordBlock mixed = reader.read(fixture("block-v1/mixed-lengths.arrow"), "mixed");

        assertEquals(List.of("a-red", "b-green", "c-blue"), ids(first));
        assertEquals(List.of("d-gray", "e-far", "f-none"), ids(second));
        assertEquals(List.of(1L, 3L, 2L), List.of(first.sequence(0), first.sequence(1), first.sequence(2)));
        assertEquals(List.of(0L, 4L, 5L), List.of(second.sequence(0), second.sequence(1), second.sequence(2)));
        assertArrayEquals(new float[] {1.0f, 0.0f, 0.0f}, first.get("a-red").embedding());
        assertEquals(Map.of("color", new MetadataValue.Str("red")), first.get("a-red").metadata());
        assertEquals("red apples", first.get("a-red").document());
        assertEquals(everyTypeLiteral(), second.get("d-gray").metadata());
        assertEquals("file:///origin", second.get("d-gray").uri());
        assertNull(second.get("f-none").embedding());
        assertEquals("no embedding", second.get("f-none").document());
        assertSameBlock(FrozenFixtures.versionBlock(0), first);
        assertSameBlock(FrozenFixtures.versionBlock(1), second);

        assertEquals(List.of("m-1", "m-2", "m-3", "m-\uFFFD", "m-😀"), ids(mixed));
        assertArrayEquals(new float[] {1.5f, -2.0f}, mixed.get("m-2").embedding());
        assertArrayEquals(new float[0], mixed.get("m-3").embedding());
        assertNull(mixed.get("m-\uFFFD").embedding());
        assertSameBlock(FrozenFixtures.mixedLengthRecords(), mixed);
    }

    @Test
    void manifestV1OpensAndListsTheFrozenBlocksAndIndexFiles() {
        VersionManifest manifest = new ManifestReader().read(fixture("manifest-v1/manifest.json"), "manifest-v1");

        assertEquals(1, manifest.formatVersion());
        assertEquals(FrozenFixtures.COLLECTION, manifest.collectionId());
        assertEquals("0f8e3a52-6b1d-4c1e-9a57-2d3c4b5a6f70", manifest.collectionId().toString());
        assertEquals(3, manifest.version());
        assertEquals(1200, manifest.logEndOffset());
        assertEquals(6, manifest.recordCount());
        assertEquals(3, manifest.dimension());
        assertEquals(DistanceFunction.L2, manifest.space());
        assertEquals("2025-06-01T12:00:00Z", manifest.createdAt().toString());
        String prefix = "0f8e3a52-6b1d-4c1e-9a57-2d3c4b5a6f70/v/00000000000000000003/";
        assertEquals(List.of(new BlockRef(prefix + "blocks/0000000000.arrow", "a-red", "c-blue", 3),
                new BlockRef(prefix + "blocks/0000000001.arrow", "d-gray", "f-none", 3)), manifest.blocks().blocks());
        assertEquals(List.of(prefix + "blocks/0000000000.arrow", prefix + "blocks/0000000001.arrow"),
                manifest.files(VersionFile.Role.BLOCK).stream().map(VersionFile::key).toList());
        List<String> indexFiles = manifest.files(VersionFile.Role.INDEX).stream()
                .map(file -> file.key().substring(prefix.length())).toList();
        assertEquals(List.of("index/_0.cfe", "index/_0.cfs", "index/_0.si", "index/segments_1"), indexFiles);
        for (VersionFile file : manifest.files()) {
            String name = file.key().substring(file.key().lastIndexOf('/') + 1);
            String folder = file.role() == VersionFile.Role.BLOCK ? "block-v1/" : "index-v2/";
            assertTrue(file.matches(fixture(folder + name)), "size and CRC32C of " + file.key());
        }
    }

    @Test
    void indexV2OpensAndAnswersKnnQueriesWithTheExactIds(@TempDir Path temp) throws IOException {
        Path folder = copyFolder("index-v2", temp);
        try (IndexedCollectionReader reader = IndexedCollectionReader.open(FSDirectory.open(folder),
                SearchParameters.DEFAULTS)) {
            assertEquals(6, reader.count());
            assertEquals(DistanceFunction.L2, reader.schema().space());
            assertEquals(16, reader.schema().maxNeighbors());
            assertEquals(100, reader.schema().efConstruction());

            float[] query = {0.9f, 0.1f, 0.0f};
            List<QueryHit> hits = reader.query(new QueryRequest(List.of(query), 3, null, null, null,
                    DistanceFunction.L2)).getFirst();
            assertEquals(List.of("a-red", "d-gray", "b-green"), hits.stream().map(h -> h.record().id()).toList());
            assertEquals(List.of(DistanceFunction.L2.distance(query, new float[] {1f, 0f, 0f}),
                            DistanceFunction.L2.distance(query, new float[] {0f, 0f, 0f}),
                            DistanceFunction.L2.distance(query, new float[] {0f, 1f, 0f})),
                    hits.stream().map(QueryHit::distance).toList());
            assertEquals(everyTypeLiteral(), hits.get(1).record().metadata());

            List<QueryHit> filtered = reader.query(new QueryRequest(List.of(query), 5, List.of("e-far", "c-blue"),
                    null, null, DistanceFunction.L2)).getFirst();
            assertEquals(List.of("c-blue", "e-far"), filtered.stream().map(h -> h.record().id()).toList());

            List<Record> all = reader.get(GetRequest.all());
            assertEquals(List.of("d-gray", "a-red", "c-blue", "b-green", "e-far", "f-none"),
                    all.stream().map(Record::id).toList());
            List<Record> expected = FrozenFixtures.versionRecords();
            for (int i = 0; i < expected.size(); i++) {
                assertSameRecord(expected.get(i), all.get(i));
            }
        }
    }

    @Test
    void todaysWritersStillWriteTheFrozenBytes() {
        assertArrayEquals(fixture("fragment-v1/fragment.bin"), new FragmentWriter(allocator)
                .write(FrozenFixtures.fragmentRecords(), FrozenFixtures.FRAGMENT_FIRST_OFFSET));
        RecordBlockWriter blocks = new RecordBlockWriter(allocator);
        assertArrayEquals(fixture("block-v1/0000000000.arrow"), blocks.write(FrozenFixtures.versionBlock(0)));
        assertArrayEquals(fixture("block-v1/0000000001.arrow"), blocks.write(FrozenFixtures.versionBlock(1)));
        assertArrayEquals(fixture("block-v1/mixed-lengths.arrow"), blocks.write(FrozenFixtures.mixedLengthRecords()));
        byte[] manifest = fixture("manifest-v1/manifest.json");
        assertArrayEquals(manifest, new ManifestWriter().write(new ManifestReader().read(manifest, "manifest-v1")));
    }

    /** {@link FrozenFixtures#everyType()} spelled out, so a change to the generator's data cannot hide here. */
    private static Map<String, MetadataValue> everyTypeLiteral() {
        return Map.of(
                "str", new MetadataValue.Str("red ü 𝄞"),
                "int", new MetadataValue.Int(9223372036854775807L),
                "neg", new MetadataValue.Int(-7),
                "flt", new MetadataValue.Flt(2.5),
                "tiny", new MetadataValue.Flt(1e-300),
                "bool", new MetadataValue.Bool(true),
                "strs", new MetadataValue.Array(List.of(new MetadataValue.Str("a"), new MetadataValue.Str("b"))),
                "ints", new MetadataValue.Array(List.of(new MetadataValue.Int(1), new MetadataValue.Int(-2))),
                "flts", new MetadataValue.Array(List.of(new MetadataValue.Flt(0.5), new MetadataValue.Flt(-1.25))),
                "bools", new MetadataValue.Array(List.of(new MetadataValue.Bool(false), new MetadataValue.Bool(true))));
    }

    private static List<String> ids(RecordBlock block) {
        return block.records().stream().map(Record::id).toList();
    }

    private static void assertSameBlock(List<SequencedRecord> expected, RecordBlock actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i).sequence(), actual.sequence(i), "sequence of " + expected.get(i).id());
            assertSameRecord(expected.get(i).record(), actual.record(i));
        }
    }

    private static void assertSameRecord(Record expected, Record actual) {
        assertEquals(expected.id(), actual.id());
        assertArrayEquals(expected.embedding(), actual.embedding(), "embedding of " + expected.id());
        assertEquals(expected.metadata(), actual.metadata(), "metadata of " + expected.id());
        assertEquals(expected.document(), actual.document(), "document of " + expected.id());
        assertEquals(expected.uri(), actual.uri(), "uri of " + expected.id());
    }

    private static void assertSameLogRecords(List<LogRecord> expected, List<LogRecord> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            LogRecord e = expected.get(i);
            LogRecord a = actual.get(i);
            assertEquals(e.operation(), a.operation());
            assertEquals(e.id(), a.id());
            assertArrayEquals(e.embedding(), a.embedding(), "embedding of record " + i);
            assertEquals(e.metadata(), a.metadata(), "metadata of record " + i);
            assertEquals(e.document(), a.document());
            assertEquals(e.uri(), a.uri());
        }
    }

    static byte[] fixture(String path) {
        try {
            return Files.readAllBytes(fixturePath(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path fixturePath(String path) {
        try {
            var url = FrozenFormatsTest.class.getClassLoader().getResource("fixtures/" + path);
            if (url == null) {
                throw new IllegalStateException("no fixture " + path);
            }
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A copy of a fixture folder, so opening it never writes into the fixtures. */
    private static Path copyFolder(String folder, Path temp) throws IOException {
        Path target = Files.createDirectories(temp.resolve(folder));
        try (var files = Files.list(fixturePath(folder))) {
            for (Path file : files.toList()) {
                Files.copy(file, target.resolve(file.getFileName()));
            }
        }
        return target;
    }
}
