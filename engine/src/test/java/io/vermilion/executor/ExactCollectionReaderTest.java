package io.vermilion.executor;

import static io.vermilion.testing.TestData.ids;
import static io.vermilion.testing.TestData.json;
import static io.vermilion.testing.TestData.md;
import static io.vermilion.testing.TestData.vec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.vermilion.filter.Where;
import io.vermilion.filter.WhereDocument;
import io.vermilion.filter.WhereDocumentParser;
import io.vermilion.filter.WhereParser;
import io.vermilion.model.CollectionSnapshot;
import io.vermilion.model.DistanceFunction;
import io.vermilion.model.GetRequest;
import io.vermilion.model.QueryHit;
import io.vermilion.model.QueryRequest;
import io.vermilion.record.Record;
import io.vermilion.testing.TestData;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExactCollectionReaderTest {

    private static final List<Record> RECORDS = List.of(
            new Record("r1", vec(2, 2), md("n", 1, "color", "red"), "alpha one", null),
            new Record("r2", vec(-1, 0), md("n", 2, "color", "blue"), "beta two", null),
            new Record("r3", vec(0, 0), md("n", 3, "color", "red"), null, null),
            new Record("r4", vec(1, 1), null, "alpha four", null),
            new Record("r5", vec(1, -1), md("n", 5), "gamma five", null));

    private final ExactCollectionReader reader = new ExactCollectionReader(CollectionSnapshot.of(RECORDS));

    private static Where where(String singleQuoted) {
        return WhereParser.parse(json(singleQuoted));
    }

    private static WhereDocument whereDocument(String singleQuoted) {
        return WhereDocumentParser.parse(json(singleQuoted));
    }

    private List<String> get(List<String> ids, Where where, WhereDocument whereDocument, Integer limit, int offset) {
        return ids(reader.get(new GetRequest(ids, where, whereDocument, limit, offset)));
    }

    private List<String> hitIds(List<QueryHit> hits) {
        return hits.stream().map(hit -> hit.record().id()).toList();
    }

    private List<Float> distances(List<QueryHit> hits) {
        return hits.stream().map(QueryHit::distance).toList();
    }

    private List<List<QueryHit>> query(List<float[]> queries, int nResults, List<String> ids, Where where, DistanceFunction distance) {
        return reader.query(new QueryRequest(queries, nResults, ids, where, null, distance));
    }

    @Test
    void countCountsRecords() {
        assertEquals(5, reader.count());
        assertEquals(0, new ExactCollectionReader(CollectionSnapshot.empty()).count());
    }

    @Test
    void getAllReturnsInsertionOrder() {
        assertEquals(List.of("r1", "r2", "r3", "r4", "r5"), ids(reader.get(GetRequest.all())));
    }

    @Test
    void getByIdsReturnsInsertionOrderNotRequestOrder() {
        assertEquals(List.of("r1", "r3"), get(List.of("r3", "r1"), null, null, null, 0));
    }

    @Test
    void getSkipsUnknownIdsAndReturnsDuplicatesOnce() {
        assertEquals(List.of("r2", "r4"), get(List.of("r4", "x", "r2", "r4", "r2"), null, null, null, 0));
    }

    @Test
    void getWithEmptyIdsMatchesNothing() {
        assertEquals(List.of(), get(List.of(), null, null, null, 0));
    }

    @Test
    void getPagesWithLimitAndOffsetInInsertionOrder() {
        assertEquals(List.of("r2", "r3"), get(null, null, null, 2, 1));
        assertEquals(List.of("r4", "r5"), get(null, null, null, 10, 3));
        assertEquals(List.of("r3", "r4", "r5"), get(null, null, null, null, 2));
        assertEquals(List.of(), get(null, null, null, 0, 0));
        assertEquals(List.of(), get(null, null, null, null, 5));
        assertEquals(List.of(), get(null, null, null, 3, 99));
    }

    @Test
    void getPagesAfterFiltering() {
        assertEquals(List.of("r3"), get(null, where("{'color': 'red'}"), null, 1, 1));
        assertEquals(List.of("r4"), get(List.of("r5", "r4", "r1"), null, whereDocument("{'$contains': 'alpha'}"), 5, 1));
    }

    @Test
    void idsWhereAndWhereDocumentAreAnded() {
        assertEquals(List.of("r1", "r3"), get(null, where("{'color': 'red'}"), null, null, 0));
        assertEquals(List.of("r1", "r4"), get(null, null, whereDocument("{'$contains': 'alpha'}"), null, 0));
        assertEquals(List.of("r1"), get(null, where("{'color': 'red'}"), whereDocument("{'$contains': 'alpha'}"), null, 0));
        assertEquals(List.of("r3"), get(List.of("r2", "r3", "r4"), where("{'color': 'red'}"), null, null, 0));
        assertEquals(List.of("r3"), get(null, where("{'color': 'red'}"), whereDocument("{'$not_contains': 'alpha'}"), null, 0));
    }

    @Test
    void queryOrdersByAscendingDistanceWithExactValues() {
        List<List<QueryHit>> result = query(List.of(vec(1, 0)), 10, null, null, DistanceFunction.L2);
        assertEquals(1, result.size());
        assertEquals(List.of("r3", "r4", "r5", "r2", "r1"), hitIds(result.get(0)));
        assertEquals(List.of(1.0f, 1.0f, 1.0f, 4.0f, 5.0f), distances(result.get(0)));
    }

    @Test
    void queryBreaksTiesByInsertionOrder() {
        List<QueryHit> hits = query(List.of(vec(1, 0)), 2, null, null, DistanceFunction.L2).get(0);
        assertEquals(List.of("r3", "r4"), hitIds(hits));
    }

    @Test
    void queryReturnsAtMostNResultsAndAllMatchesWhenFewer() {
        assertEquals(List.of("r3"), hitIds(query(List.of(vec(0, 0)), 1, null, null, DistanceFunction.L2).get(0)));
        assertEquals(5, query(List.of(vec(0, 0)), 100, null, null, DistanceFunction.L2).get(0).size());
        assertEquals(List.of("r3", "r1"), hitIds(query(List.of(vec(0, 0)), 100, null, where("{'color': 'red'}"), DistanceFunction.L2).get(0)));
    }

    @Test
    void queryFiltersArePreFilters() {
        List<QueryHit> hits = query(List.of(vec(0, 0)), 1, null, where("{'n': {'$gte': 2}}"), DistanceFunction.L2).get(0);
        assertEquals(List.of("r3"), hitIds(hits));
        hits = query(List.of(vec(0, 0)), 1, List.of("r1", "r2"), null, DistanceFunction.L2).get(0);
        assertEquals(List.of("r2"), hitIds(hits));
        hits = reader.query(new QueryRequest(List.of(vec(0, 0)), 2, null, null, whereDocument("{'$contains': 'alpha'}"), DistanceFunction.L2)).get(0);
        assertEquals(List.of("r4", "r1"), hitIds(hits));
    }

    @Test
    void zeroResultsOrEmptyIdsGiveAnEmptyListPerQuery() {
        assertEquals(List.of(List.of(), List.of()), query(List.of(vec(0, 0), vec(1, 1)), 0, null, null, DistanceFunction.L2));
        assertEquals(List.of(List.of(), List.of()), query(List.of(vec(0, 0), vec(1, 1)), 3, List.of(), null, DistanceFunction.L2));
        assertEquals(List.of(List.of()), new ExactCollectionReader(CollectionSnapshot.empty())
                .query(new QueryRequest(List.of(vec(0, 0)), 10, null, null, null, DistanceFunction.L2)));
        assertEquals(List.of(), query(List.of(), 10, null, null, DistanceFunction.L2));
    }

    @Test
    void eachQueryVectorGetsItsOwnResultInOrder() {
        List<List<QueryHit>> result = query(List.of(vec(2, 2), vec(-1, 0)), 1, null, null, DistanceFunction.L2);
        assertEquals(List.of("r1"), hitIds(result.get(0)));
        assertEquals(List.of("r2"), hitIds(result.get(1)));
    }

    @Test
    void queryUsesTheRequestedDistanceFunction() {
        ExactCollectionReader examples = new ExactCollectionReader(CollectionSnapshot.of(List.of(
                TestData.rec("a", vec(3, 4)), TestData.rec("b", vec(-1, -1)), TestData.rec("c", vec(0, 2)))));
        List<QueryHit> cosine = examples.query(new QueryRequest(List.of(vec(2, 0)), 3, null, null, null, DistanceFunction.COSINE)).get(0);
        assertEquals(List.of("a", "c", "b"), hitIds(cosine));
        assertEquals(List.of(0.39999998f, 1.0f, 1.7071068f), distances(cosine));
        List<QueryHit> ip = examples.query(new QueryRequest(List.of(vec(2, 0)), 3, null, null, null, DistanceFunction.IP)).get(0);
        assertEquals(List.of("a", "c", "b"), hitIds(ip));
        assertEquals(List.of(-5.0f, 1.0f, 3.0f), distances(ip));
    }

    @Test
    void recordsWithoutAnEmbeddingAreNeverQueryHits() {
        List<Record> records = new ArrayList<>(RECORDS);
        records.add(new Record("bare", null, null, null, null));
        ExactCollectionReader withBare = new ExactCollectionReader(CollectionSnapshot.of(records));
        assertEquals(5, withBare.query(new QueryRequest(List.of(vec(0, 0)), 10, null, null, null, DistanceFunction.L2)).get(0).size());
        assertEquals(6, withBare.get(GetRequest.all()).size());
    }

    @Test
    void invalidRequestsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new GetRequest(null, null, null, -1, 0));
        assertThrows(IllegalArgumentException.class, () -> new GetRequest(null, null, null, null, -1));
        assertThrows(IllegalArgumentException.class, () -> new QueryRequest(List.of(), -1, null, null, null, DistanceFunction.L2));
        assertThrows(IllegalArgumentException.class, () -> CollectionSnapshot.of(List.of(TestData.rec("a", vec(1)), TestData.rec("a", vec(2)))));
    }
}
