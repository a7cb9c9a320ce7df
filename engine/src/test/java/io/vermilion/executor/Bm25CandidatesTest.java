package io.vermilion.executor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vermilion.index.CollectionIndexWriter;
import io.vermilion.index.IndexSchema;
import io.vermilion.index.IndexedCollectionReader;
import io.vermilion.index.SearchParameters;
import io.vermilion.model.DistanceFunction;
import io.vermilion.model.RankExpr;
import io.vermilion.model.SearchHit;
import io.vermilion.model.SearchRequest;
import io.vermilion.record.LogRecord;
import io.vermilion.record.Operation;
import io.vermilion.record.Record;
import java.util.List;
import java.util.Map;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.junit.jupiter.api.Test;

/** BM25 over {@code #document} reads its own writes: updates, deletes and adds in the log tail over a version. */
class Bm25CandidatesTest {

    @Test
    void tailUpdatesDeletesAndAddsAreSeenByBm25() throws Exception {
        List<Record> compacted = List.of(
                record("a", "apple pie recipe"), record("b", "apple tree"), record("c", "banana bread"),
                record("d", "cherry jam"));
        Directory directory = new ByteBuffersDirectory();
        CollectionIndexWriter.write(directory, IndexSchema.defaults(DistanceFunction.L2, compacted), compacted);
        try (IndexedCollectionReader version = IndexedCollectionReader.open(directory, SearchParameters.DEFAULTS)) {
            CollectionTail tail = new CollectionTail(version);
            tail.apply(List.of(
                    new LogRecord(Operation.UPDATE, "a", null, null, "cherry pie", null),
                    LogRecord.delete("b"),
                    new LogRecord(Operation.ADD, "e", new float[] {0, 0}, Map.of(), "Apple, APPLE!", null)), 4);
            version.tryRetain();
            try (CollectionView view = new CollectionView(version, 1, tail.view())) {
                assertEquals(List.of("e"), ids(view, "apple"));
                assertEquals(List.of("a", "d"), ids(view, "cherry"));
                assertEquals(List.of("c", "a", "d"), ids(view, "cherry bread")); // rarer "bread" weighs more
                assertEquals(List.of(), ids(view, "the"));
                assertEquals(List.of(), ids(view, "?!"));
            }
        }
    }

    @Test
    void termsAndFilterPastLucenesClauseLimitAreStillAnswered() throws Exception {
        String words = java.util.stream.IntStream.range(0, 1023).mapToObj(i -> "w" + i)
                .collect(java.util.stream.Collectors.joining(" "));
        List<Record> compacted = List.of(record("a", "apple pie"), record("b", "apple " + words),
                new Record("c", new float[] {0, 0}, Map.of("k", new io.vermilion.record.MetadataValue.Int(1)),
                        "apple w1", null));
        Directory directory = new ByteBuffersDirectory();
        CollectionIndexWriter.write(directory, IndexSchema.defaults(DistanceFunction.L2, compacted), compacted);
        try (IndexedCollectionReader version = IndexedCollectionReader.open(directory, SearchParameters.DEFAULTS)) {
            version.tryRetain();
            try (CollectionView view = new CollectionView(version, 1, new CollectionTail(version).view())) {
                io.vermilion.filter.Where filter = io.vermilion.filter.WhereParser.parse(
                        new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                                "{\"$or\": [{\"k\": 1}, {\"k\": 2}, {\"#id\": \"a\"}]}"));
                // 1024 query terms in the index plus three filter clauses: more than Lucene's 1024 at once.
                List<String> ids = SearchExecutor.search(view, new SearchRequest(filter,
                        RankExpr.Knn.text("apple " + words, 10, null, false), null, 0, null, DistanceFunction.L2, 0,
                        false)).stream().map(SearchHit::record).map(Record::id).toList();
                assertEquals(List.of("c", "a"), ids);
            }
        }
    }

    @Test
    void aTextQueryRanksOnlyTheDocumentKey() {
        assertThrows(IllegalArgumentException.class,
                () -> new RankExpr.Knn(null, null, "#embedding", 3, null, false, "apple"));
        assertEquals("#document", RankExpr.Knn.text("apple", 3, null, false).key());
    }

    private static List<String> ids(CollectionView view, String text) {
        return SearchExecutor.search(view, new SearchRequest(null, RankExpr.Knn.text(text, 10, null, false), null, 0,
                null, DistanceFunction.L2, 0, false)).stream().map(SearchHit::record).map(Record::id).toList();
    }

    private static Record record(String id, String document) {
        return new Record(id, new float[] {0, 0}, Map.of(), document, null);
    }
}
