package io.vermilion.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.vermilion.client.generated.model.AddCollectionRecordsPayload;
import io.vermilion.client.generated.model.GetResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the SDK puts on the wire and how it reads answers, without a server. */
class WireFormatTest {

    private final ObjectMapper mapper = Apis.objectMapper();

    @Test
    void getRequestSendsOnlyWhatIsSetInSnakeCase() throws Exception {
        assertEquals("{}", mapper.writeValueAsString(GetRequest.all()));
        assertEquals("{\"ids\":[\"a\"],\"where\":{\"n\":{\"$gte\":2}},\"where_document\":{\"$contains\":\"pie\"},"
                        + "\"limit\":5,\"offset\":1,\"include\":[\"embeddings\",\"uris\"]}",
                mapper.writeValueAsString(GetRequest.all().withIds("a").withWhere(Map.of("n", Map.of("$gte", 2)))
                        .withWhereDocument(Map.of("$contains", "pie")).withLimit(5).withOffset(1)
                        .withInclude(Include.EMBEDDINGS, Include.URIS)));
    }

    @Test
    void queryRequestSendsEmbeddingsAsFloatArrays() throws Exception {
        assertEquals("{\"query_embeddings\":[[1.0,0.1,-2.5]],\"n_results\":2,\"include\":[\"distances\"]}",
                mapper.writeValueAsString(QueryRequest.of(new float[] {1, 0.1f, -2.5f}).withNResults(2)
                        .withInclude(Include.DISTANCES)));
    }

    @Test
    void metadataNullValuesAreSentBecauseTheyDeleteKeys() throws Exception {
        Map<String, Object> metadata = new HashMap<>();
        metadata.put("gone", null);
        Records records = Records.of("a").withEmbeddings(new float[] {1}).withMetadatas(metadata);
        AddCollectionRecordsPayload body = new AddCollectionRecordsPayload().ids(records.ids())
                .embeddings(records.embeddings()).metadatas(List.of(records.metadatas().get(0)));
        assertEquals("{\"ids\":[\"a\"],\"embeddings\":[[1.0]],\"metadatas\":[{\"gone\":null}]}",
                mapper.writeValueAsString(body));
    }

    @Test
    void integersAndFloatsStayApartWhenRead() throws Exception {
        GetResponse r = mapper.readValue("{\"ids\":[\"a\"],\"embeddings\":[[0.5,1]],\"documents\":null,\"uris\":null,"
                + "\"metadatas\":[{\"i\":1,\"f\":1.0,\"b\":true,\"l\":[1,2]}],\"include\":[\"metadatas\"]}",
                GetResponse.class);
        Map<String, Object> metadata = Values.metadata(r.getMetadatas().get(0));
        assertEquals(Map.of("i", 1L, "f", 1.0, "b", true, "l", List.of(1L, 2L)), metadata);
        assertInstanceOf(Long.class, metadata.get("i"));
        assertInstanceOf(Double.class, metadata.get("f"));
        assertEquals(List.of(List.of(0.5f, 1f)), r.getEmbeddings());
    }

    @Test
    void sparseVectorsTravelInChromasTaggedFormBothWays() throws Exception {
        SparseVector sparse = SparseVector.of(new int[] {3, 70000}, new float[] {0.5f, 1.25f});
        Records records = Records.of("a").withEmbeddings(new float[] {1}).withMetadatas(Map.of("s", sparse));
        AddCollectionRecordsPayload body = new AddCollectionRecordsPayload().ids(records.ids())
                .embeddings(records.embeddings()).metadatas(List.of(records.metadatas().get(0)));
        assertEquals("{\"ids\":[\"a\"],\"embeddings\":[[1.0]],\"metadatas\":[{\"s\":{\"#type\":\"sparse_vector\","
                + "\"indices\":[3,70000],\"values\":[0.5,1.25]}}]}", mapper.writeValueAsString(body));

        GetResponse r = mapper.readValue("{\"ids\":[\"a\"],\"embeddings\":null,\"documents\":null,\"uris\":null,"
                + "\"metadatas\":[{\"s\":{\"#type\":\"sparse_vector\",\"indices\":[3,4294967295],\"values\":[0.5,-2]},"
                + "\"plain\":{\"indices\":[1],\"values\":[1]}}],\"include\":[\"metadatas\"]}", GetResponse.class);
        Map<String, Object> metadata = Values.metadata(r.getMetadatas().get(0));
        assertEquals(SparseVector.of(new long[] {3, 4294967295L}, new float[] {0.5f, -2f}), metadata.get("s"));
        // Only the tagged form is a sparse vector.
        assertEquals(Map.of("indices", List.of(1L), "values", List.of(1L)), metadata.get("plain"));

        assertEquals("{\"$knn\":{\"query\":{\"#type\":\"sparse_vector\",\"indices\":[3,70000],\"values\":[0.5,1.25]},"
                        + "\"key\":\"s\",\"limit\":5,\"default\":10.0}}",
                mapper.writeValueAsString(Rank.knn(sparse, "s", 5, 10f, false).toJson()));
    }

    @Test
    void searchSendsRankExpressionsAsChromasJson() throws Exception {
        Search search = Search.ranked(Rank.rrf(60, Rank.knn(new float[] {1, 0}, 5, 100f, true)))
                .withWhere(Map.of("kind", "fruit")).withGroupBy(List.of("kind"), List.of("#score"), 2, true)
                .withLimit(3, 1).withSelect("#score");
        assertEquals("{\"filter\":{\"kind\":\"fruit\"},\"rank\":{\"$mul\":[{\"$val\":-1.0},{\"$sum\":[{\"$div\":"
                        + "{\"left\":{\"$val\":1.0},\"right\":{\"$sum\":[{\"$val\":60.0},{\"$knn\":{\"query\":[1.0,0.0],"
                        + "\"limit\":5,\"default\":100.0,\"return_rank\":true}}]}}}]}]},\"group_by\":{\"keys\":[\"kind\"],"
                        + "\"aggregate\":{\"$max_k\":{\"keys\":[\"#score\"],\"k\":2}}},\"limit\":{\"offset\":1,\"limit\":3},"
                        + "\"select\":{\"keys\":[\"#score\"]}}",
                mapper.writeValueAsString(search.toPayload()));
    }

    @Test
    void bm25IsATextKnnOnDocumentThatTheEmbeddingFunctionLeavesAlone() throws Exception {
        Rank hybrid = Rank.rrf(60, Rank.knn("fonts", 100, 1000f, true), Rank.bm25("fonts", 100, 1000f, true));
        Rank embedded = hybrid.withTextsEmbedded(text -> new float[] {0.5f, 0.25f});
        assertEquals("{\"$mul\":[{\"$val\":-1.0},{\"$sum\":[{\"$div\":{\"left\":{\"$val\":1.0},\"right\":"
                        + "{\"$sum\":[{\"$val\":60.0},{\"$knn\":{\"query\":[0.5,0.25],\"limit\":100,\"default\":1000.0,"
                        + "\"return_rank\":true}}]}}},{\"$div\":{\"left\":{\"$val\":1.0},\"right\":{\"$sum\":"
                        + "[{\"$val\":60.0},{\"$knn\":{\"query\":\"fonts\",\"key\":\"#document\",\"limit\":100,"
                        + "\"default\":1000.0,\"return_rank\":true}}]}}}]}]}",
                mapper.writeValueAsString(embedded.toJson()));
        assertEquals("{\"$knn\":{\"query\":\"debian kernel\",\"key\":\"#document\",\"limit\":10}}",
                mapper.writeValueAsString(Rank.bm25("debian kernel", 10).toJson()));
    }
}
