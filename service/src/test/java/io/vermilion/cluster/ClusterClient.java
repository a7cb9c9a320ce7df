package io.vermilion.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A small HTTP client of Chroma's v2 API for the cluster tests: one base URL (a replica or the front), one token,
 * JSON in and out. Every call returns the status and the parsed body; nothing is retried.
 */
final class ClusterClient {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String COLLECTIONS = "/api/v2/tenants/%s/databases/%s/collections";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1).build(); // as browsers and the JS client speak to a server

    record Answer(int status, JsonNode body, Map<String, List<String>> headers) {
        JsonNode ok() {
            if (status != 200) {
                throw new AssertionError("expected 200, got " + status + ": " + body);
            }
            return body;
        }
    }

    private final URI base;
    private final String token;
    private final boolean local;

    ClusterClient(URI base, String token) {
        this(base, token, false);
    }

    private ClusterClient(URI base, String token, boolean local) {
        this.base = base;
        this.token = token;
        this.local = local;
    }

    /** The same client, its requests marked as already forwarded: the replica serves them itself. */
    ClusterClient servedHere() {
        return new ClusterClient(base, token, true);
    }

    URI base() {
        return base;
    }

    Answer get(String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve(path)).GET());
    }

    Answer post(String path, Object body) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve(path)).header("content-type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
    }

    Answer put(String path, Object body) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(base.resolve(path)).header("content-type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
    }

    private Answer send(HttpRequest.Builder request) throws IOException, InterruptedException {
        if (token != null) {
            request.header("x-chroma-token", token);
        }
        if (local) {
            request.header(AffinityRouter.HOP, "cluster-test");
        }
        HttpResponse<String> r = HTTP.send(request.timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode body = r.body().isEmpty() ? JSON.nullNode() : parse(r.body());
        return new Answer(r.statusCode(), body, r.headers().map());
    }

    /** Which replica served the request ({@link AffinityRouter#SERVED_BY}). */
    static String servedBy(Answer answer) {
        List<String> v = answer.headers().get(AffinityRouter.SERVED_BY);
        return v == null || v.isEmpty() ? null : v.getFirst();
    }

    private static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            return JSON.getNodeFactory().textNode(text);
        }
    }

    /** Creates a collection in default_tenant/default_database; returns its id. */
    String createCollection(String name) throws IOException, InterruptedException {
        return post(COLLECTIONS.formatted("default_tenant", "default_database"), Map.of("name", name)).ok()
                .get("id").asText();
    }

    static String records(String collectionId) {
        return COLLECTIONS.formatted("default_tenant", "default_database") + "/" + collectionId;
    }

    /** Upserts records {@code ids} with the given embeddings and documents. */
    Answer upsert(String collectionId, List<String> ids, List<float[]> embeddings, List<String> documents)
            throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        body.set("ids", JSON.valueToTree(ids));
        body.set("embeddings", JSON.valueToTree(embeddings));
        body.set("documents", JSON.valueToTree(documents));
        return post(records(collectionId) + "/upsert", body);
    }

    /** The records {@code ids} (with documents and embeddings), as id to document. */
    Answer getRecords(String collectionId, List<String> ids) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        body.set("ids", JSON.valueToTree(ids));
        ArrayNode include = body.putArray("include");
        include.add("documents").add("embeddings");
        return post(records(collectionId) + "/get", body);
    }

    Answer query(String collectionId, float[] embedding, int n) throws IOException, InterruptedException {
        ObjectNode body = JSON.createObjectNode();
        body.set("query_embeddings", JSON.valueToTree(List.of(embedding)));
        body.put("n_results", n);
        body.putArray("include").add("documents");
        return post(records(collectionId) + "/query", body);
    }

    Answer count(String collectionId) throws IOException, InterruptedException {
        return get(records(collectionId) + "/count");
    }
}
