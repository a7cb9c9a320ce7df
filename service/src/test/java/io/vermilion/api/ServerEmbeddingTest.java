package io.vermilion.api;

import static io.vermilion.api.ApiTestSupport.assertError;
import static io.vermilion.api.ApiTestSupport.get;
import static io.vermilion.api.ApiTestSupport.post;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vermilion.embedding.EmbeddingDataset;
import io.vermilion.sysdb.PostgresResource;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A collection whose embedding_function is Chroma's default gets its documents and query texts embedded on the
 * server, reproducing the shared dataset's vectors; every other collection still needs embeddings; bad input is a
 * 4xx that stores nothing.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
class ServerEmbeddingTest {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final EmbeddingDataset DATA = EmbeddingDataset.open();
    private static final String DEFAULT_EF = "{\"type\":\"known\",\"name\":\"default\",\"config\":{}}";

    private static String collection(String configuration) {
        String body = "{\"name\":\"" + ApiTestSupport.uniqueName("emb") + "\""
                + (configuration == null ? "" : ",\"configuration\":" + configuration) + "}";
        String id = post("/api/v2/tenants/default_tenant/databases/default_database/collections", body)
                .statusCode(200).extract().path("id");
        return "/api/v2/tenants/default_tenant/databases/default_database/collections/" + id;
    }

    private static String embedded() {
        return collection("{\"hnsw\":{\"space\":\"cosine\"},\"embedding_function\":" + DEFAULT_EF + "}");
    }

    /** Documents of the dataset short enough (<= 128 pieces) to embed alike at any truncation. */
    private static List<EmbeddingDataset.Text> shortDocuments(int n) {
        return DATA.documents(200).stream().filter(d -> d.tokens() <= 128).limit(n).toList();
    }

    private static ObjectNode documentsBody(List<EmbeddingDataset.Text> docs) {
        ObjectNode body = F.objectNode();
        ArrayNode ids = body.putArray("ids");
        ArrayNode documents = body.putArray("documents");
        docs.forEach(d -> {
            ids.add("doc-" + d.row());
            documents.add(d.text());
        });
        return body;
    }

    private static float[] embeddingOf(String col, String id) {
        List<Float> v = post(col + "/get", "{\"ids\":[\"" + id + "\"],\"include\":[\"embeddings\"]}")
                .statusCode(200).extract().jsonPath().getList("embeddings[0]", Float.class);
        float[] out = new float[v.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = v.get(i);
        }
        return out;
    }

    @Test
    void documentsAddedWithoutEmbeddingsReproduceTheDatasetVectors() {
        String col = embedded();
        List<EmbeddingDataset.Text> docs = shortDocuments(24);
        post(col + "/add", documentsBody(docs).toString()).statusCode(201);
        get(col + "/count").statusCode(200).body(equalTo("24"));
        for (EmbeddingDataset.Text d : docs) {
            float[] got = embeddingOf(col, "doc-" + d.row());
            assertEquals(384, got.length);
            double cos = EmbeddingDataset.cosine(got, DATA.baseVector(d.row()));
            assertTrue(cos >= 0.9999, "document " + d.row() + ": cosine " + cos);
        }
    }

    @Test
    void queryTextsRankAsTheDatasetQueryVectors() throws Exception {
        String col = embedded();
        List<EmbeddingDataset.Text> queries = DATA.queries(5);
        int[] relevant = DATA.relevant(5);
        List<EmbeddingDataset.Text> docs = new java.util.ArrayList<>(shortDocuments(30));
        List<EmbeddingDataset.Text> all = DATA.documents(30000);
        for (int r : relevant) {
            docs.add(all.get(r));
        }
        post(col + "/add", documentsBody(docs).toString()).statusCode(201);
        for (EmbeddingDataset.Text q : queries) {
            ObjectNode byText = F.objectNode().put("n_results", 5);
            byText.putArray("query_texts").add(q.text());
            byText.putArray("include").add("distances");
            ObjectNode byVector = F.objectNode().put("n_results", 5);
            ArrayNode v = byVector.putArray("query_embeddings").addArray();
            for (float x : DATA.queryVector(q.row())) {
                v.add(x);
            }
            byVector.putArray("include").add("distances");
            var a = JSON.readTree(post(col + "/query", byText.toString()).statusCode(200).extract().asString());
            var b = JSON.readTree(post(col + "/query", byVector.toString()).statusCode(200).extract().asString());
            assertEquals(b.get("ids"), a.get("ids"), "query " + q.row());
            assertEquals(5, a.get("ids").get(0).size());
            for (int k = 0; k < 5; k++) {
                assertEquals(b.get("distances").get(0).get(k).asDouble(), a.get("distances").get(0).get(k).asDouble(),
                        1e-4);
            }
        }
        // The known item of query 0 ("library to generate ODF documents -- development") comes first.
        ObjectNode q0 = F.objectNode().put("n_results", 1);
        q0.putArray("query_texts").add(queries.get(0).text());
        post(col + "/query", q0.toString()).statusCode(200).body("ids[0][0]", equalTo("doc-" + relevant[0]));
    }

    @Test
    void upsertAndUpdateEmbedNewDocumentsAndKeepGivenEmbeddings() {
        String col = embedded();
        List<EmbeddingDataset.Text> docs = shortDocuments(3);
        ObjectNode upsert = F.objectNode();
        upsert.putArray("ids").add("x");
        upsert.putArray("documents").add(docs.get(0).text());
        post(col + "/upsert", upsert.toString()).statusCode(200);
        assertTrue(EmbeddingDataset.cosine(embeddingOf(col, "x"), DATA.baseVector(docs.get(0).row())) >= 0.9999);

        // A changed document without an embedding is embedded again.
        ObjectNode update = F.objectNode();
        update.putArray("ids").add("x");
        update.putArray("documents").add(docs.get(1).text());
        post(col + "/update", update.toString()).statusCode(200);
        assertTrue(EmbeddingDataset.cosine(embeddingOf(col, "x"), DATA.baseVector(docs.get(1).row())) >= 0.9999);

        // Metadata alone keeps the embedding.
        float[] before = embeddingOf(col, "x");
        post(col + "/update", "{\"ids\":[\"x\"],\"metadatas\":[{\"k\":1}]}").statusCode(200);
        assertArrayEquals(before, embeddingOf(col, "x"));

        // A given embedding wins over the document.
        ObjectNode given = F.objectNode();
        given.putArray("ids").add("y");
        given.putArray("documents").add(docs.get(2).text());
        ArrayNode e = given.putArray("embeddings").addArray();
        for (float v : DATA.baseVector(docs.get(0).row())) {
            e.add(v);
        }
        post(col + "/add", given.toString()).statusCode(201);
        assertTrue(EmbeddingDataset.cosine(embeddingOf(col, "y"), DATA.baseVector(docs.get(0).row())) >= 0.99999);
    }

    @Test
    void longTextsAreTruncatedAt256PiecesAndEmptyTextsEmbed() {
        String col = embedded();
        String words = "word ".repeat(300);
        ObjectNode body = F.objectNode();
        body.putArray("ids").add("zebra").add("giraffe").add("empty").add("short");
        body.putArray("documents").add(words + "zebra").add(words + "giraffe").add("").add("word word zebra");
        post(col + "/add", body.toString()).statusCode(201);
        assertArrayEquals(embeddingOf(col, "zebra"), embeddingOf(col, "giraffe"));
        float[] empty = embeddingOf(col, "empty");
        double norm = Math.sqrt(dot(empty, empty));
        assertEquals(1.0, norm, 1e-4);
        assertNotEquals(EmbeddingDataset.cosine(embeddingOf(col, "short"), embeddingOf(col, "zebra")), 1.0, 1e-6);
        post(col + "/get", "{\"ids\":[\"empty\"],\"include\":[\"documents\"]}").statusCode(200)
                .body("documents[0]", equalTo(""));
    }

    @Test
    void collectionsWithoutTheDefaultFunctionStillNeedEmbeddings() {
        String plain = collection(null);
        assertError(post(plain + "/add", "{\"ids\":[\"a\"],\"documents\":[\"hello\"]}"), 422, "ChromaError",
                "Failed to deserialize the JSON body into the target type: missing field `embeddings`");
        assertError(post(plain + "/query", "{\"query_texts\":[\"hello\"]}"), 400, "InvalidArgumentError",
                "query_texts needs a collection embedded on the server (its configuration's embedding_function is "
                        + "Chroma's default); provide query_embeddings");
        String other = collection("{\"embedding_function\":{\"type\":\"known\",\"name\":\"openai\",\"config\":{}}}");
        assertError(post(other + "/add", "{\"ids\":[\"a\"],\"documents\":[\"hello\"]}"), 422, "ChromaError",
                "Failed to deserialize the JSON body into the target type: missing field `embeddings`");
        get(plain + "/count").statusCode(200).body(equalTo("0"));
        get(other + "/count").statusCode(200).body(equalTo("0"));
    }

    @Test
    void badBatchesAreRefusedWholeAndStoreNothing() {
        String col = embedded();
        post(col + "/add", "{\"ids\":[\"keep\"],\"documents\":[\"kept\"]}").statusCode(201);
        assertError(post(col + "/add", "{\"ids\":[\"a\",\"b\"],\"documents\":[\"fine\",null]}"), 400,
                "InvalidArgumentError", "Record b has neither an embedding nor a document to embed: provide "
                        + "embeddings or documents");
        assertError(post(col + "/add", "{\"ids\":[\"a\"],\"documents\":[\"fine\"],\"embeddings\":[[1,2,3]]}"), 400,
                "InvalidArgumentError", "Collection expecting embedding with dimension of 384, got 3");
        assertError(post(col + "/query", "{\"query_texts\":[\"a\"],\"query_embeddings\":[[1,2,3]]}"), 400,
                "InvalidArgumentError", "Provide query_embeddings or query_texts, not both");
        assertError(post(col + "/query", "{\"query_texts\":[\"a\",3]}"), 422, "ChromaError",
                "Failed to deserialize the JSON body into the target type: query_texts[1]: invalid type: integer `3`, "
                        + "expected a string");
        ObjectNode tooMany = F.objectNode();
        ArrayNode ids = tooMany.putArray("ids");
        ArrayNode documents = tooMany.putArray("documents");
        for (int i = 0; i < 1001; i++) {
            ids.add("id" + i);
            documents.add("text " + i);
        }
        assertError(post(col + "/add", tooMany.toString()), 400, "InvalidArgumentError",
                "Too many texts to embed in one request: 1001, the limit is 1000");
        ObjectNode manyQueries = F.objectNode();
        ArrayNode texts = manyQueries.putArray("query_texts");
        for (int i = 0; i < 1001; i++) {
            texts.add("q" + i);
        }
        assertError(post(col + "/query", manyQueries.toString()), 400, "InvalidArgumentError",
                "Too many texts to embed in one request: 1001, the limit is 1000");
        get(col + "/count").statusCode(200).body(equalTo("1"));
        post(col + "/get", "{\"include\":[\"documents\"]}").statusCode(200).body("ids[0]", equalTo("keep"))
                .body("documents[0]", equalTo("kept"));
    }

    private static ObjectNode knnSearch(com.fasterxml.jackson.databind.JsonNode query, int limit) {
        ObjectNode search = F.objectNode();
        search.putObject("rank").putObject("$knn").put("limit", limit).set("query", query);
        search.putObject("limit").put("limit", limit);
        search.putObject("select").putArray("keys").add("#score");
        ObjectNode body = F.objectNode();
        body.putArray("searches").add(search);
        return body;
    }

    @Test
    void textKnnSearchRanksAsADenseKnnWithTheTextsQueryTextsVector() throws Exception {
        String col = embedded();
        post(col + "/add", documentsBody(shortDocuments(40)).toString()).statusCode(201);
        String text = DATA.queries(3).get(2).text();
        // The text's server-side embedding, as a document gets it (a separate collection: col stays as is).
        String probe = embedded();
        ObjectNode add = F.objectNode();
        add.putArray("ids").add("probe");
        add.putArray("documents").add(text);
        post(probe + "/add", add.toString()).statusCode(201);
        ArrayNode vector = F.arrayNode();
        for (float x : embeddingOf(probe, "probe")) {
            vector.add(x);
        }

        var byText = JSON.readTree(post(col + "/search", knnSearch(F.textNode(text), 7).toString())
                .statusCode(200).extract().asString());
        var byVector = JSON.readTree(post(col + "/search", knnSearch(vector, 7).toString())
                .statusCode(200).extract().asString());
        ObjectNode queryTexts = F.objectNode().put("n_results", 7);
        queryTexts.putArray("query_texts").add(text);
        queryTexts.putArray("include").add("distances");
        var byQueryTexts = JSON.readTree(post(col + "/query", queryTexts.toString()).statusCode(200).extract().asString());

        assertEquals(7, byText.get("ids").get(0).size());
        assertEquals(byVector.get("ids"), byText.get("ids"));
        assertEquals(byQueryTexts.get("ids"), byText.get("ids"));
        for (int k = 0; k < 7; k++) {
            double score = byText.get("scores").get(0).get(k).asDouble();
            assertEquals(byVector.get("scores").get(0).get(k).asDouble(), score, 1e-6);
            assertEquals(byQueryTexts.get("distances").get(0).get(k).asDouble(), score, 1e-6);
        }
        // The text's vector is the dataset's query vector.
        assertTrue(EmbeddingDataset.cosine(embeddingOf(probe, "probe"), DATA.queryVector(DATA.queries(3).get(2).row()))
                >= 0.9999);
    }

    @Test
    void textKnnInsideARankExpressionIsEmbeddedToo() throws Exception {
        String col = embedded();
        post(col + "/add", documentsBody(shortDocuments(20)).toString()).statusCode(201);
        String text = DATA.queries(1).get(0).text();
        ObjectNode plain = knnSearch(F.textNode(text), 5);
        ObjectNode nested = knnSearch(F.textNode(text), 5);
        ObjectNode knn = (ObjectNode) nested.get("searches").get(0).get("rank");
        ObjectNode sum = F.objectNode();
        sum.putArray("$sum").add(knn).add(F.objectNode().put("$val", 1.0));
        ((ObjectNode) nested.get("searches").get(0)).set("rank", sum);
        var a = JSON.readTree(post(col + "/search", plain.toString()).statusCode(200).extract().asString());
        var b = JSON.readTree(post(col + "/search", nested.toString()).statusCode(200).extract().asString());
        assertEquals(a.get("ids"), b.get("ids"));
        for (int k = 0; k < 5; k++) {
            assertEquals(a.get("scores").get(0).get(k).asDouble() + 1.0, b.get("scores").get(0).get(k).asDouble(), 1e-6);
        }
    }

    @Test
    void textKnnNeedsAServerEmbeddedCollectionAndTheEmbeddingKey() {
        String plain = collection(null);
        post(plain + "/add", "{\"ids\":[\"a\"],\"embeddings\":[[1,2,3]]}").statusCode(201);
        assertError(post(plain + "/search", knnSearch(F.textNode("hello"), 3).toString()), 400,
                "InvalidArgumentError", "A $knn query given as text needs a collection embedded on the server (its "
                        + "configuration's embedding_function is Chroma's default); provide the query vector");
        String col = embedded();
        ObjectNode otherKey = knnSearch(F.textNode("hello"), 3);
        ((ObjectNode) otherKey.get("searches").get(0).get("rank").get("$knn")).put("key", "sparse");
        assertError(post(col + "/search", otherKey.toString()), 400, "InvalidArgumentError",
                "Cannot embed string query for key 'sparse': the server embeds text only for #embedding; provide a "
                        + "vector");
        ObjectNode badLimit = knnSearch(F.textNode("hello"), 3);
        ((ObjectNode) badLimit.get("searches").get(0).get("rank").get("$knn")).put("limit", -1);
        assertError(post(col + "/search", badLimit.toString()), 422, "ChromaError",
                "Failed to deserialize the JSON body into the target type: searches[0].rank.$knn.limit: invalid "
                        + "value: integer `-1`, expected u32");
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }
}
