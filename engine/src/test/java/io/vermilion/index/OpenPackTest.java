package io.vermilion.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.store.FSDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.vermilion.model.DistanceFunction;
import io.vermilion.record.MetadataValue;
import io.vermilion.record.Record;
import io.vermilion.storage.CorruptObjectException;

/** An open pack holds exactly the commit's small files whole and the larger ones' first and last granule. */
class OpenPackTest {

    @TempDir
    Path dir;

    @Test
    void aPackHoldsSmallFilesWholeAndTheHeadAndTailGranulesOfLargerOnes() throws IOException {
        List<Record> records = new ArrayList<>();
        for (int i = 0; i < 3000; i++) {
            float[] v = new float[64];
            for (int d = 0; d < v.length; d++) {
                v[d] = (float) Math.sin(i * 7.1 + d * 1.3);
            }
            records.add(new Record("r" + i, v, Map.of("n", new MetadataValue.Int(i)), "document " + i, null));
        }
        try (FSDirectory directory = FSDirectory.open(dir)) {
            CollectionIndexWriter.write(directory, IndexSchema.defaults(DistanceFunction.L2, records), records);
            assertEquals(OpenPack.NAME, OpenPack.write(directory));
            OpenPack.write(directory); // replaces the one there: a work folder holds the previous version's
            List<String> files = new ArrayList<>(SegmentInfos.readLatestCommit(directory).files(true));
            files.sort(null);

            OpenPack pack = OpenPack.read(Files.readAllBytes(dir.resolve(OpenPack.NAME)), "v/open-pack.vop");
            Map<String, List<long[]>> bounds = new TreeMap<>();
            boolean large = false;
            for (OpenPack.Range range : pack.ranges()) {
                byte[] file = Files.readAllBytes(dir.resolve(range.name()));
                assertEquals(file.length, range.fileLength());
                assertArrayEquals(Arrays.copyOfRange(file, (int) range.offset(), (int) range.end()), range.bytes());
                bounds.computeIfAbsent(range.name(), n -> new ArrayList<>()).add(new long[] {range.offset(), range.end()});
            }
            assertEquals(files, List.copyOf(bounds.keySet()), "every file of the commit, nothing else");
            for (String name : files) {
                long length = Files.size(dir.resolve(name));
                List<long[]> ranges = bounds.get(name);
                if (length < OpenPack.WHOLE_BELOW) {
                    assertEquals(1, ranges.size());
                    assertArrayEquals(new long[] {0, length}, ranges.getFirst());
                } else {
                    large = true;
                    long tail = (length - 1) / OpenPack.GRANULE_BYTES * OpenPack.GRANULE_BYTES;
                    assertEquals(2, ranges.size());
                    assertArrayEquals(new long[] {0, OpenPack.GRANULE_BYTES}, ranges.get(0));
                    assertArrayEquals(new long[] {tail, length}, ranges.get(1));
                }
            }
            assertTrue(large, "3,000 vectors of 64 dimensions make files of more than 64 KiB");
        }
    }

    @Test
    void bytesThatAreNotAPackAreRejectedNamingTheKey() throws IOException {
        try (FSDirectory directory = FSDirectory.open(dir)) {
            List<Record> records = List.of(new Record("a", new float[] {1, 0}, Map.of(), null, null));
            CollectionIndexWriter.write(directory, IndexSchema.defaults(DistanceFunction.L2, records), records);
            OpenPack.write(directory);
        }
        byte[] pack = Files.readAllBytes(dir.resolve(OpenPack.NAME));
        byte[] flipped = pack.clone();
        flipped[flipped.length / 2] ^= 1;
        for (byte[] bad : List.of(flipped, Arrays.copyOf(pack, pack.length - 1), new byte[0])) {
            CorruptObjectException e = assertThrows(CorruptObjectException.class, () -> OpenPack.read(bad, "v/p"));
            assertEquals("v/p", e.key());
        }
    }
}
