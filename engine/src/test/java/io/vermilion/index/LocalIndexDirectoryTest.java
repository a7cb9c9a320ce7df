package io.vermilion.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vermilion.model.DistanceFunction;
import io.vermilion.model.QueryHit;
import io.vermilion.model.QueryRequest;
import io.vermilion.model.VectorQuantization;
import io.vermilion.record.Record;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.store.MMapDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalIndexDirectoryTest {

    private static final int RECORDS = 1_500; // past the exact-search threshold: queries walk the graph and re-score
    private static final int DIMENSION = 16;

    @TempDir
    Path dir;

    private static List<Record> records(Random random) {
        List<Record> records = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            float[] v = new float[DIMENSION];
            for (int d = 0; d < DIMENSION; d++) {
                v[d] = random.nextFloat() * 2 - 1;
            }
            records.add(new Record("r" + i, v, null, "doc " + i, null));
        }
        return records;
    }

    /** One merged segment, as the compactor leaves a large collection. */
    private Path build(VectorQuantization quantization, List<Record> records) throws IOException {
        Path folder = dir.resolve(quantization.name());
        IndexSchema schema = new IndexSchema(DistanceFunction.L2, VectorSimilarityFunction.EUCLIDEAN, quantization,
                IndexSchema.DEFAULT_MAX_NEIGHBORS, IndexSchema.DEFAULT_EF_CONSTRUCTION);
        try (Directory directory = FSDirectory.open(folder);
             CollectionIndexWriter writer = CollectionIndexWriter.create(directory, schema)) {
            // Two commits, then one merged segment: too large a share of the index for a compound file.
            writer.addAll(records.subList(0, RECORDS / 2), r -> Long.parseLong(r.id().substring(1)));
            writer.commit();
            writer.addAll(records.subList(RECORDS / 2, RECORDS), r -> Long.parseLong(r.id().substring(1)));
            writer.forceMerge();
            writer.commit();
        }
        return folder;
    }

    @Test
    void int8FloatVectorsAreReadNotMappedAndQueriesAnswerAsFromTheMappedIndex() throws IOException {
        Random random = new Random(21);
        Path folder = build(VectorQuantization.INT8, records(random));
        String[] names = FSDirectory.open(folder).listAll();
        Set<String> rescoreOnly = LocalIndexDirectory.rescoreOnlyFiles(names);
        assertEquals(1, rescoreOnly.size(), Arrays.toString(names));
        String vec = rescoreOnly.iterator().next();
        assertTrue(vec.endsWith(".vec"), vec);

        try (Directory local = LocalIndexDirectory.open(folder, 0);
             Directory mapped = new MMapDirectory(folder);
             IndexInput read = local.openInput(vec, IOContext.DEFAULT);
             IndexInput mappedInput = mapped.openInput(vec, IOContext.DEFAULT)) {
            assertFalse(read.getClass().getName().contains("MemorySegment"), read.getClass().getName());
            assertTrue(mappedInput.getClass().getName().contains("MemorySegment"), mappedInput.getClass().getName());
        }

        try (IndexedCollectionReader fromLocal = IndexedCollectionReader.open(LocalIndexDirectory.open(folder, 0),
                SearchParameters.DEFAULTS);
             IndexedCollectionReader fromMapped = IndexedCollectionReader.open(new MMapDirectory(folder),
                     SearchParameters.DEFAULTS)) {
            for (int q = 0; q < 20; q++) {
                float[] query = new float[DIMENSION];
                for (int d = 0; d < DIMENSION; d++) {
                    query[d] = random.nextFloat() * 2 - 1;
                }
                QueryRequest request = new QueryRequest(List.of(query), 10, null, null, null, DistanceFunction.L2);
                List<QueryHit> want = fromMapped.query(request).get(0);
                assertEquals(10, want.size());
                IndexTestKit.assertSameHits(want, fromLocal.query(request).get(0), "query " + q);
            }
        }
    }

    @Test
    void float32IndexesAndSmallInt8VectorFilesStayMapped() throws IOException {
        Random random = new Random(22);
        List<Record> records = records(random);
        Path float32 = build(VectorQuantization.FLOAT32, records);
        assertEquals(Set.of(), LocalIndexDirectory.rescoreOnlyFiles(FSDirectory.open(float32).listAll()));
        try (Directory directory = LocalIndexDirectory.open(float32, 0)) {
            assertInstanceOf(MMapDirectory.class, directory);
        }
        Path int8 = build(VectorQuantization.INT8, records); // 1,500 × 16 floats: far below the default 4 MiB
        try (Directory directory = LocalIndexDirectory.open(int8)) {
            assertInstanceOf(MMapDirectory.class, directory);
        }
    }
}
