package io.vermilion.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.apache.lucene.index.SegmentCommitInfo;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.junit.jupiter.api.Test;

import io.vermilion.model.DistanceFunction;
import io.vermilion.record.Record;

/**
 * The writer's segment controls: folding the smallest segments leaves the largest as they are and makes one of the
 * rest; deferred merges let appended segments accumulate where Lucene's own policy would have merged them.
 */
class FoldSmallestTest {

    private static final IndexSchema SCHEMA = IndexSchema.defaults(DistanceFunction.L2, List.of());

    /** Segments of 10, 20, 30, 40 and 50 records, committed (sequences in insertion order). */
    private static void fiveSegments(Directory directory) throws IOException {
        try (CollectionIndexWriter writer = CollectionIndexWriter.create(directory, SCHEMA)) {
            long sequence = 0;
            for (int size = 10; size <= 50; size += 10) {
                for (int i = 0; i < size; i++) {
                    writer.add(record("r" + sequence), sequence++);
                }
                writer.flush();
            }
            writer.commit();
        }
    }

    private static Record record(String id) {
        int n = Integer.parseInt(id.substring(1));
        return new Record(id, new float[] {n, n % 7, 1}, null, null, null);
    }

    private static List<Integer> sizes(Directory directory) throws IOException {
        List<Integer> sizes = new ArrayList<>();
        for (SegmentCommitInfo info : SegmentInfos.readLatestCommit(directory)) {
            sizes.add(info.info.maxDoc());
        }
        sizes.sort(null);
        return sizes;
    }

    private static Set<String> names(Directory directory) throws IOException {
        Set<String> names = new TreeSet<>();
        for (SegmentCommitInfo info : SegmentInfos.readLatestCommit(directory)) {
            names.add(info.info.name + ":" + info.info.maxDoc());
        }
        return names;
    }

    @Test
    void foldingTheSmallestKeepsTheLargestAsTheyAre() throws IOException {
        try (Directory directory = new ByteBuffersDirectory()) {
            fiveSegments(directory);
            assertEquals(List.of(10, 20, 30, 40, 50), sizes(directory));
            Set<String> before = names(directory);

            try (CollectionIndexWriter writer = CollectionIndexWriter.append(directory)) {
                writer.foldSmallest(3);
                writer.commit();
            }

            assertEquals(List.of(40, 50, 60), sizes(directory), "10 + 20 + 30 folded into one");
            Set<String> kept = names(directory);
            kept.retainAll(before);
            assertEquals(2, kept.size(), "the 40 and 50 record segments are the same segments: " + kept);
            try (IndexedCollectionReader reader = IndexedCollectionReader.open(directory, SearchParameters.DEFAULTS)) {
                assertEquals(150, reader.count());
            }

            try (CollectionIndexWriter writer = CollectionIndexWriter.append(directory)) {
                writer.foldSmallest(3);
                writer.commit();
                assertThrows(IllegalArgumentException.class, () -> writer.foldSmallest(0));
            }
            assertEquals(List.of(40, 50, 60), sizes(directory), "within the bound: nothing folded");
        }
    }

    @Test
    void deferredMergesLeaveEverySegmentAnAppendAdds() throws IOException {
        for (boolean deferred : new boolean[] {false, true}) {
            try (Directory directory = new ByteBuffersDirectory()) {
                fiveSegments(directory);
                try (CollectionIndexWriter writer = CollectionIndexWriter.append(directory)) {
                    if (deferred) {
                        writer.deferMerges();
                    }
                    for (int s = 0; s < 10; s++) {
                        writer.add(record("r" + (1000 + s)), 1000 + s);
                        writer.flush();
                    }
                    writer.commit();
                }
                int segments = SegmentInfos.readLatestCommit(directory).size();
                if (deferred) {
                    assertEquals(15, segments, "5 + 10 appended, none merged");
                } else {
                    assertTrue(segments < 15, "Lucene's tiered policy merges 15 small segments: " + segments);
                }
            }
        }
    }
}
