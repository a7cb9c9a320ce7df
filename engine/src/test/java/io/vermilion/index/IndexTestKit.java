package io.vermilion.index;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vermilion.model.DistanceFunction;
import io.vermilion.model.QueryHit;
import io.vermilion.record.Record;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;

/** Builds in-memory collection indexes and compares what readers return. */
final class IndexTestKit {

    private IndexTestKit() {}

    static IndexedCollectionReader index(List<Record> records, IndexSchema schema, SearchParameters parameters) {
        try {
            Directory directory = new ByteBuffersDirectory();
            CollectionIndexWriter.write(directory, schema, records);
            return IndexedCollectionReader.open(directory, parameters);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static IndexedCollectionReader index(List<Record> records, DistanceFunction space) {
        return index(records, IndexSchema.defaults(space, records), SearchParameters.DEFAULTS);
    }

    static void assertSameRecord(Record expected, Record actual, String context) {
        assertEquals(expected.id(), actual.id(), context);
        if (expected.embedding() == null) {
            assertEquals(null, actual.embedding(), context);
        } else {
            assertArrayEquals(expected.embedding(), actual.embedding(), context + " id=" + expected.id());
        }
        assertEquals(expected.metadata(), actual.metadata(), context + " id=" + expected.id());
        assertEquals(expected.document(), actual.document(), context + " id=" + expected.id());
        assertEquals(expected.uri(), actual.uri(), context + " id=" + expected.id());
    }

    static void assertSameRecords(List<Record> expected, List<Record> actual, String context) {
        assertEquals(expected.stream().map(Record::id).toList(), actual.stream().map(Record::id).toList(), context);
        for (int i = 0; i < expected.size(); i++) {
            assertSameRecord(expected.get(i), actual.get(i), context);
        }
    }

    static void assertSameHits(List<QueryHit> expected, List<QueryHit> actual, String context) {
        assertEquals(expected.stream().map(h -> h.record().id()).toList(), actual.stream().map(h -> h.record().id()).toList(), context);
        assertEquals(expected.stream().map(QueryHit::distance).toList(), actual.stream().map(QueryHit::distance).toList(), context);
        for (int i = 0; i < expected.size(); i++) {
            assertSameRecord(expected.get(i).record(), actual.get(i).record(), context);
        }
    }
}
