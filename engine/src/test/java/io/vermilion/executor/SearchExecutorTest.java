package io.vermilion.executor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vermilion.blockstore.SequencedRecord;
import io.vermilion.filter.Where;
import io.vermilion.filter.WhereParser;
import io.vermilion.index.CollectionIndexWriter;
import io.vermilion.index.IndexSchema;
import io.vermilion.index.IndexedCollectionReader;
import io.vermilion.index.SearchParameters;
import io.vermilion.model.DistanceFunction;
import io.vermilion.model.GetRequest;
import io.vermilion.model.QueryRequest;
import io.vermilion.model.RankExpr;
import io.vermilion.model.RecordParts;
import io.vermilion.model.SearchGroupBy;
import io.vermilion.model.SearchHit;
import io.vermilion.model.SearchRequest;
import io.vermilion.model.SequencedHit;
import io.vermilion.model.TextStatistics;
import io.vermilion.model.VersionHit;
import io.vermilion.model.VersionReader;
import io.vermilion.record.LogRecord;
import io.vermilion.record.MetadataValue;
import io.vermilion.record.Operation;
import io.vermilion.record.Record;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Searches over a compacted version plus a log tail, with scores worked out by hand from Chroma's rules: 1-D points
 * at 0..5 (L2 distance = squared difference), r0..r3 compacted, r4 and r5 in the tail, r1 updated in the tail.
 */
class SearchExecutorTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private IndexedCollectionReader version;
    private CollectionTail tail;
    private CollectionView view;

    static Record record(String id, float x, String color, long rank) {
        return new Record(id, new float[] {x}, Map.of("color", new MetadataValue.Str(color),
                "rank", new MetadataValue.Int(rank)), "doc " + id, null);
    }

    @BeforeEach
    void open() throws Exception {
        List<Record> compacted = List.of(record("r0", 0, "red", 3), record("r1", 1, "blue", 1),
                record("r2", 2, "red", 2), record("r3", 3, "blue", 2));
        Directory directory = new ByteBuffersDirectory();
        CollectionIndexWriter.write(directory, IndexSchema.defaults(DistanceFunction.L2, compacted), compacted);
        version = IndexedCollectionReader.open(directory, SearchParameters.DEFAULTS);
        tail = new CollectionTail(version);
        tail.apply(List.of(
                new LogRecord(Operation.ADD, "r4", new float[] {4}, Map.of("color", new MetadataValue.Str("red"),
                        "rank", new MetadataValue.Int(1)), "doc r4", null),
                new LogRecord(Operation.ADD, "r5", new float[] {5}, Map.of("color", new MetadataValue.Str("green"),
                        "rank", new MetadataValue.Int(9)), "doc r5", null),
                new LogRecord(Operation.UPDATE, "r1", null, Map.of("color", new MetadataValue.Str("red")), null, null)),
                4);
        version.tryRetain();
        view = new CollectionView(version, 1, tail.view());
    }

    @AfterEach
    void close() throws Exception {
        view.close();
        version.close();
    }

    private List<SearchHit> search(RankExpr rank, SearchGroupBy groupBy, int offset, Integer limit, String where)
            throws Exception {
        return SearchExecutor.search(view, new SearchRequest(where == null ? null : WhereParser.parse(JSON.readTree(where)),
                rank, groupBy, offset, limit, DistanceFunction.L2, 0, false));
    }

    private static RankExpr.Knn knn(float x, int limit, Float fallback, boolean returnRank) {
        return new RankExpr.Knn(new float[] {x}, limit, fallback, returnRank);
    }

    private static void assertHits(List<String> ids, List<Float> scores, List<SearchHit> hits) {
        assertEquals(ids, hits.stream().map(h -> h.record().id()).toList());
        assertEquals(scores, hits.stream().map(SearchHit::score).toList());
    }

    @Test
    void knnAloneRanksTheNearestAcrossVersionAndTail() throws Exception {
        // Query 4.2: r4 (0.04), r5 (0.64), r3 (1.44), r2 (4.84); float32 squared differences.
        List<SearchHit> hits = search(knn(4.2f, 3, null, false), null, 0, null, null);
        float d4 = (4f - 4.2f) * (4f - 4.2f);
        float d5 = (5f - 4.2f) * (5f - 4.2f);
        float d3 = (3f - 4.2f) * (3f - 4.2f);
        assertHits(List.of("r4", "r5", "r3"), List.of(d4, d5, d3), hits);
    }

    @Test
    void tiesRankByInsertionOrder() throws Exception {
        // Query 2.5: r2 and r3 tie at 0.25, r1 and r4 at 2.25; the compacted record comes first in each pair.
        assertHits(List.of("r2", "r3", "r1", "r4"), List.of(0.25f, 0.25f, 2.25f, 2.25f),
                search(knn(2.5f, 4, null, false), null, 0, null, null));
    }

    @Test
    void recordsOutsideEveryKnnWithoutDefaultAreDropped() throws Exception {
        // knn(0, limit 2) finds r0 (0), r1 (1); knn(5, limit 2) finds r5 (0), r4 (1): no record is in both.
        RankExpr sum = new RankExpr.Sum(List.of(knn(0, 2, null, false), knn(5, 2, null, false)));
        assertHits(List.of(), List.of(), search(sum, null, 0, null, null));
    }

    @Test
    void defaultScoresStandInForRecordsOutsideAKnn() throws Exception {
        // With default 10 on both sides: r0 = 0+10, r1 = 1+10, r5 = 10+0, r4 = 10+1.
        RankExpr sum = new RankExpr.Sum(List.of(knn(0, 2, 10f, false), knn(5, 2, 10f, false)));
        assertHits(List.of("r0", "r5", "r1", "r4"), List.of(10f, 10f, 11f, 11f), search(sum, null, 0, null, null));
        // A default on one side only keeps the other side's records.
        RankExpr oneSided = new RankExpr.Sum(List.of(knn(0, 2, 10f, false), knn(5, 2, null, false)));
        assertHits(List.of("r5", "r4"), List.of(10f, 11f), search(oneSided, null, 0, null, null));
    }

    @Test
    void reciprocalRankFusionAsTheClientsCompileIt() throws Exception {
        // -(1/(60 + rank_a) + 1/(60 + rank_b)), ranks from 0, default 100 for records a knn missed.
        RankExpr a = knn(1.1f, 3, 100f, true);   // r1 (0), r2 (1), r0 (2)
        RankExpr b = knn(2.2f, 3, 100f, true);   // r2 (0), r3 (1), r1 (2)
        RankExpr rrf = new RankExpr.Mul(List.of(new RankExpr.Value(-1), new RankExpr.Sum(List.of(
                new RankExpr.Div(new RankExpr.Value(1), new RankExpr.Sum(List.of(a, new RankExpr.Value(60)))),
                new RankExpr.Div(new RankExpr.Value(1), new RankExpr.Sum(List.of(b, new RankExpr.Value(60))))))));
        float r2 = -(1f / 61f + 1f / 60f);
        float r1 = -(1f / 60f + 1f / 62f);
        float r0 = -(1f / 62f + 1f / 160f);
        float r3 = -(1f / 160f + 1f / 61f);
        assertHits(List.of("r2", "r1", "r3", "r0"), List.of(r2, r1, r3, r0), search(rrf, null, 0, null, null));
    }

    @Test
    void unaryAndBinaryOperatorsFollowFloatArithmetic() throws Exception {
        RankExpr k = knn(0, 3, null, false); // r0 0, r1 1, r2 4
        assertHits(List.of("r2", "r1", "r0"), List.of(-4f, -1f, 0f),
                search(new RankExpr.Sub(new RankExpr.Value(0), k), null, 0, null, null));
        assertHits(List.of("r0", "r1", "r2"), List.of(1f, (float) Math.exp(1), (float) Math.exp(4)),
                search(new RankExpr.Exp(k), null, 0, null, null));
        assertHits(List.of("r0", "r1", "r2"), List.of(0f, (float) Math.log(2), (float) Math.log(5)),
                search(new RankExpr.Log(new RankExpr.Sum(List.of(k, new RankExpr.Value(1)))), null, 0, null, null));
        assertHits(List.of("r0", "r1", "r2"), List.of(0f, 0.5f, 2f),
                search(new RankExpr.Abs(new RankExpr.Div(k, new RankExpr.Value(-2))), null, 0, null, null));
        assertHits(List.of("r0", "r1", "r2"), List.of(2f, 2f, 4f),
                search(new RankExpr.Max(List.of(k, new RankExpr.Value(2))), null, 0, null, null));
        assertHits(List.of("r0", "r1", "r2"), List.of(0f, 1f, 2f),
                search(new RankExpr.Min(List.of(k, new RankExpr.Value(2))), null, 0, null, null));
        assertHits(List.of("r0", "r1", "r2"), List.of(0f, 3f, 12f),
                search(new RankExpr.Mul(List.of(k, new RankExpr.Value(3))), null, 0, null, null));
        assertHits(List.of(), List.of(), search(new RankExpr.Value(1), null, 0, null, null));
    }

    @Test
    void filterAppliesBeforeTheKnnLimitAndSeesTailUpdates() throws Exception {
        // Red now: r0, r1 (updated in the tail), r2, r4. Nearest to 3: r2 (1), r4 (1), r1 (4).
        assertHits(List.of("r2", "r4", "r1"), List.of(1f, 1f, 4f),
                search(knn(3, 3, null, false), null, 0, null, "{\"color\": \"red\"}"));
        assertHits(List.of("r3", "r5"), List.of(0f, 4f),
                search(knn(3, 5, null, false), null, 0, null, "{\"#id\": {\"$in\": [\"r3\", \"r5\"]}}"));
        assertHits(List.of("r2", "r4", "r1", "r0"), List.of(1f, 1f, 4f, 9f),
                search(knn(3, 9, null, false), null, 0, null, "{\"$and\": [{\"#id\": {\"$nin\": [\"r3\", \"r5\"]}}, "
                        + "{\"#document\": {\"$contains\": \"doc\"}}]}"));
    }

    @Test
    void groupByKeepsTheTopKPerGroupThenRanksByScore() throws Exception {
        RankExpr k = knn(2, 6, null, false); // r2 0, r1 1, r3 1, r0 4, r4 4, r5 9
        // Colors: red r0 r1 r2 r4, blue r3, green r5. min_k by score, k=2: red r2 r1, blue r3, green r5.
        assertHits(List.of("r2", "r1", "r3", "r5"), List.of(0f, 1f, 1f, 9f), search(k,
                new SearchGroupBy(List.of("color"), List.of("#score"), 2, false), 0, null, null));
        // max_k by rank, k=1: red keeps r0 (rank 3), blue r3, green r5.
        assertHits(List.of("r3", "r0", "r5"), List.of(1f, 4f, 9f), search(k,
                new SearchGroupBy(List.of("color"), List.of("rank"), 1, true), 0, null, null));
        // Paging applies to the grouped list.
        assertHits(List.of("r1", "r3"), List.of(1f, 1f), search(k,
                new SearchGroupBy(List.of("color"), List.of("#score"), 2, false), 1, 2, null));
    }

    @Test
    void withoutRankRecordsComeInInsertionOrderScoredByPagePosition() throws Exception {
        assertHits(List.of("r2", "r3", "r4"), List.of(0f, 1f, 2f), search(null, null, 2, 3, null));
    }

    @Test
    void indexOnlyViewLeavesTheTailOut() throws Exception {
        try (CollectionView compacted = view.indexOnly()) {
            List<SearchHit> hits = SearchExecutor.search(compacted, new SearchRequest(
                    WhereParser.parse(JSON.readTree("{\"color\": \"blue\"}")), knn(5, 4, null, false), null, 0, null,
                    DistanceFunction.L2, 0, false));
            // Before the tail, r1 is still blue and r4, r5 do not exist.
            assertHits(List.of("r3", "r1"), List.of(4f, 16f), hits);
            assertEquals(4, compacted.count());
        }
        assertEquals(6, view.count());
    }

    @Test
    void rankedSearchLoadsOnlyTheRecordsOfThePageItReturns() throws Exception {
        // Ranks from knn(0.4): r0 0, r1 1, r2 2, r3 3; from knn(4.6): r5 0, r4 1, r3 2, r2 3; default 10.
        // Sums: r2 5, r3 5, r0 10, r5 10, r1 11, r4 11; ties by sequence. Offset 1, limit 2: r3 and r0, both compacted.
        RankExpr sum = new RankExpr.Sum(List.of(knn(0.4f, 4, 10f, true), knn(4.6f, 4, 10f, true)));
        CountingVersion counting = new CountingVersion(version);
        version.tryRetain();
        try (CollectionView counted = new CollectionView(counting, 1, tail.view())) {
            List<SearchHit> hits = SearchExecutor.search(counted, new SearchRequest(null, sum, null, 1, 2,
                    DistanceFunction.L2, 0, new RecordParts(false, false, false)));
            assertHits(List.of("r3", "r0"), List.of(5f, 10f), hits);
            assertEquals(2, counting.loaded, "records loaded from the version");
            assertEquals(List.of(), hits.stream().filter(h -> h.record().metadata() != null
                    || h.record().document() != null || h.record().embedding() != null).toList(),
                    "nothing but ids selected");

            counting.loaded = 0;
            List<SearchHit> full = SearchExecutor.search(counted, new SearchRequest(null, sum, null, 0, 3,
                    DistanceFunction.L2, 0, new RecordParts(true, true, true)));
            assertHits(List.of("r2", "r3", "r0"), List.of(5f, 5f, 10f), full);
            assertEquals(3, counting.loaded);
            assertEquals(Map.of("color", new MetadataValue.Str("red"), "rank", new MetadataValue.Int(2)),
                    full.get(0).record().metadata());
            assertEquals("doc r2", full.get(0).record().document());
            assertArrayEquals(new float[] {2f}, full.get(0).record().embedding());
        }
    }

    @Test
    void groupByReadsTheMetadataOfEveryRankedRecordAndReturnsTheSelectedParts() throws Exception {
        // knn(0.4) limit 4: r0 0.16, r1 0.36 (tail, now red), r2 2.56, r3 6.76; one per color by score:
        // red r0, blue r3.
        CountingVersion counting = new CountingVersion(version);
        version.tryRetain();
        try (CollectionView counted = new CollectionView(counting, 1, tail.view())) {
            List<SearchHit> hits = SearchExecutor.search(counted, new SearchRequest(null, knn(0.4f, 4, null, false),
                    new SearchGroupBy(List.of("color"), List.of("#score"), 1, false), 0, null, DistanceFunction.L2, 0,
                    new RecordParts(false, true, false)));
            assertEquals(List.of("r0", "r3"), hits.stream().map(h -> h.record().id()).toList());
            assertEquals(List.of("doc r0", "doc r3"), hits.stream().map(h -> h.record().document()).toList());
            // r0, r2, r3 for their metadata, then r0 and r3 again for their documents.
            assertEquals(5, counting.loaded);
        }
    }

    /** The version, counting the records loaded from it. */
    private static final class CountingVersion implements VersionReader {
        private final VersionReader delegate;
        int loaded;

        CountingVersion(VersionReader delegate) {
            this.delegate = delegate;
        }

        @Override
        public List<Record> load(List<VersionHit> hits, RecordParts parts) {
            loaded += hits.size();
            return delegate.load(hits, parts);
        }

        @Override
        public int count() {
            return delegate.count();
        }

        @Override
        public List<SequencedRecord> get(GetRequest request, Set<String> hidden) {
            return delegate.get(request, hidden);
        }

        @Override
        public List<List<SequencedHit>> query(QueryRequest request, Set<String> hidden) {
            return delegate.query(request, hidden);
        }

        @Override
        public List<List<VersionHit>> locate(QueryRequest request, Set<String> hidden) {
            return delegate.locate(request, hidden);
        }

        @Override
        public List<VersionHit> locateText(List<String> terms, TextStatistics statistics, int limit, Where filter,
                                           Set<String> hidden) {
            return delegate.locateText(terms, statistics, limit, filter, hidden);
        }

        @Override
        public TextStatistics textStatistics(List<String> terms) {
            return delegate.textStatistics(terms);
        }

        @Override
        public List<SequencedHit> textSearch(List<String> terms, TextStatistics statistics, int limit, Where filter,
                                             Set<String> hidden, boolean embeddings) {
            return delegate.textSearch(terms, statistics, limit, filter, hidden, embeddings);
        }

        @Override
        public Map<String, SequencedRecord> lookup(Collection<String> ids) {
            return delegate.lookup(ids);
        }

        @Override
        public boolean tryRetain() {
            return delegate.tryRetain();
        }

        @Override
        public void release() {
            delegate.release();
        }
    }
}
