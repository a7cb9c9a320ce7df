package io.vermilion.backup;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.path.json.JsonPath;
import io.restassured.response.ValidatableResponse;
import io.vermilion.compactor.Compactor;
import io.vermilion.storage.ObjectInfo;
import io.vermilion.storage.ObjectStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Drives a deployment over HTTP for the backup tests: writes a database with every kind of history (adds, updates,
 * upserts, deletes, a compacted version, an uncompacted tail, a never-compacted collection, an empty one), captures
 * everything a client can read of it, backs it up, wipes the deployment (catalog reset, every object deleted) and
 * restores.
 */
final class BackupScenario {

    static final int DIMENSION = 4;

    private BackupScenario() {}

    static String db(String tenant, String database) {
        return "/api/v2/tenants/" + tenant + "/databases/" + database;
    }

    /** Creates {@code tenant}/{@code database} with three collections; compacts the first midway through its history. */
    static void write(String tenant, String database, Compactor compactor) {
        given().contentType("application/json").body("{\"name\":\"" + tenant + "\"}").post("/api/v2/tenants")
                .then().statusCode(200);
        given().contentType("application/json").body("{\"name\":\"" + database + "\"}")
                .post("/api/v2/tenants/" + tenant + "/databases").then().statusCode(200);
        String base = db(tenant, database);
        UUID main = create(base, "{\"name\":\"main\",\"metadata\":{\"team\":\"search\",\"rank\":3},"
                + "\"configuration\":{\"hnsw\":{\"space\":\"cosine\",\"ef_construction\":150}}}");
        post(base, main, "add", records(0, 20, "v1"), 201);
        post(base, main, "update", "{\"ids\":[\"id-3\",\"id-4\"],\"documents\":[\"doc three, updated\",\"doc four,"
                + " updated\"],\"metadatas\":[{\"n\":30,\"tag\":\"u\"},{\"n\":40,\"flag\":true}]}", 200);
        post(base, main, "delete", "{\"ids\":[\"id-5\",\"id-6\"]}", 200);
        assertTrue(compactor.compact(main).toCompletableFuture().join().isPresent(), "main has a compacted version");
        // The tail, never compacted: upserts over compacted records, new records, deletes of compacted ones.
        post(base, main, "upsert", records(15, 25, "v2"), 200);
        post(base, main, "delete", "{\"ids\":[\"id-0\",\"id-16\"]}", 200);
        post(base, main, "update", "{\"ids\":[\"id-7\"],\"embeddings\":[[0.5,0.25,-1.5,2]]}", 200);

        UUID logOnly = create(base, "{\"name\":\"log-only\",\"metadata\":{\"kind\":\"tail\"}}");
        post(base, logOnly, "add", records(100, 107, "t"), 201);
        post(base, logOnly, "delete", "{\"ids\":[\"id-101\"]}", 200);

        create(base, "{\"name\":\"empty\"}");
    }

    /** {@code from} to {@code to} - 1 with embeddings, documents, metadatas; {@code tag} marks the write. */
    static String records(int from, int to, String tag) {
        StringBuilder ids = new StringBuilder();
        StringBuilder embeddings = new StringBuilder();
        StringBuilder documents = new StringBuilder();
        StringBuilder metadatas = new StringBuilder();
        for (int i = from; i < to; i++) {
            String sep = i == from ? "" : ",";
            ids.append(sep).append("\"id-").append(i).append('"');
            embeddings.append(sep).append('[').append(i * 0.1f).append(',').append(1f / (i + 1)).append(',')
                    .append(-i).append(',').append(tag.length()).append(']');
            documents.append(sep).append("\"doc ").append(i).append(' ').append(tag).append(" \\u00e9\\u6f22\"");
            metadatas.append(sep).append("{\"n\":").append(i).append(",\"tag\":\"").append(tag)
                    .append("\",\"score\":").append(i / 3.0).append(",\"even\":").append(i % 2 == 0).append('}');
        }
        return "{\"ids\":[" + ids + "],\"embeddings\":[" + embeddings + "],\"documents\":[" + documents
                + "],\"metadatas\":[" + metadatas + "]}";
    }

    static UUID create(String base, String body) {
        return UUID.fromString(given().contentType("application/json").body(body).post(base + "/collections")
                .then().statusCode(200).extract().jsonPath().getString("id"));
    }

    static void post(String base, UUID collection, String op, String body, int status) {
        given().contentType("application/json").body(body).post(base + "/collections/" + collection + "/" + op)
                .then().statusCode(status);
    }

    /**
     * Everything a client reads of the database: each collection's JSON (id, name, metadata, configuration,
     * dimension, ...), its count, and every record (id, embedding, document, metadata) in id order.
     */
    static Map<String, Object> read(String tenant, String database) {
        String base = db(tenant, database);
        List<Map<String, Object>> collections = given().get(base + "/collections").then().statusCode(200)
                .extract().jsonPath().getList("$");
        collections = new ArrayList<>(collections);
        collections.sort(Comparator.comparing(c -> (String) c.get("name")));
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map<String, Object> c : collections) {
            String id = (String) c.get("id");
            Map<String, Object> state = new LinkedHashMap<>();
            state.put("collection", c);
            state.put("count", given().get(base + "/collections/" + id + "/count").then().statusCode(200)
                    .extract().as(Integer.class));
            JsonPath got = given().contentType("application/json")
                    .body("{\"include\":[\"embeddings\",\"documents\",\"metadatas\",\"uris\"]}")
                    .post(base + "/collections/" + id + "/get").then().statusCode(200).extract().jsonPath();
            List<String> ids = got.getList("ids");
            Map<String, List<Object>> records = new java.util.TreeMap<>();
            for (int i = 0; i < ids.size(); i++) {
                records.put(ids.get(i), List.of(String.valueOf(got.getList("embeddings").get(i)),
                        String.valueOf(got.getList("documents").get(i)), String.valueOf(got.getList("metadatas").get(i))));
            }
            state.put("records", records);
            out.put((String) c.get("name"), state);
        }
        return out;
    }

    static ValidatableResponse backup(String tenant, String database, String to) {
        String db = database == null ? "" : ",\"database\":\"" + database + "\"";
        return given().contentType("application/json").body("{\"tenant\":\"" + tenant + "\"" + db + ",\"to\":\"" + to
                + "\"}").post("/api/v2/admin/backups").then();
    }

    static ValidatableResponse restore(String from) {
        return given().contentType("application/json").body("{\"from\":\"" + from + "\"}")
                .post("/api/v2/admin/restores").then();
    }

    /** Wipes the deployment: every tenant, database and collection (reset) and every stored object. */
    static void wipe(ObjectStore store) {
        given().contentType("application/json").body("").post("/api/v2/reset").then().statusCode(200);
        List<ObjectInfo> objects = store.list("").toCompletableFuture().join();
        for (ObjectInfo object : objects) {
            store.delete(object.key()).toCompletableFuture().join();
        }
        assertEquals(List.of(), store.list("").toCompletableFuture().join(), "the store is empty");
    }
}
