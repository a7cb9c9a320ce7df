package io.vermilion.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vermilion.cluster.local.LocalCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Backup and restore between two deployments, each with its own PostgreSQL and S3-compatible server (two
 * {@link LocalCluster}s, the packaged server as separate processes, auth on): the first is written (compacted versions,
 * an uncompacted tail, updates and deletes), backed up to a folder and stopped; the second starts empty, restores, and
 * serves every record, count and collection exactly as the first did.
 */
class BackupRestoreIT {

    private static final String ADMIN = "backup-it-admin-key";
    private static final String BASE = "/api/v2/tenants/acme/databases/prod";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void aBackupRestoresIntoAFreshDeploymentExactly() throws Exception {
        assumeTrue(LocalCluster.frontAvailable(), "haproxy is not installed: the backup IT is skipped");
        Path serverJar = Path.of(System.getProperty("vermilion.server.jar", "target/quarkus-app/quarkus-run.jar"));
        assumeTrue(Files.isRegularFile(serverJar), "the packaged server " + serverJar + " is missing: run after package");
        Path dir = Files.createTempDirectory("vermilion-backup-it-");
        Path backup = dir.resolve("backup");
        Map<String, Object> before;
        try (LocalCluster first = start(dir.resolve("first"), serverJar)) {
            String url = first.front().toString();
            call(url, "POST", "/api/v2/tenants", "{\"name\":\"acme\"}", 200);
            call(url, "POST", "/api/v2/tenants/acme/databases", "{\"name\":\"prod\"}", 200);
            String id = call(url, "POST", BASE + "/collections", "{\"name\":\"docs\",\"metadata\":{\"a\":1},"
                    + "\"configuration\":{\"hnsw\":{\"space\":\"ip\"}}}", 200).path("id").asText();
            call(url, "POST", BASE + "/collections/" + id + "/add", BackupScenario.records(0, 60, "one"), 201);
            call(url, "POST", BASE + "/collections/" + id + "/delete", "{\"ids\":[\"id-3\",\"id-40\"]}", 200);
            awaitVersion(url, id);
            call(url, "POST", BASE + "/collections/" + id + "/upsert", BackupScenario.records(55, 62, "two"), 200);
            call(url, "POST", BASE + "/collections/" + id + "/update", "{\"ids\":[\"id-7\"],\"documents\":[\"new\"]}",
                    200);
            call(url, "POST", BASE + "/collections", "{\"name\":\"empty\"}", 200);
            before = read(url);
            JsonNode done = call(url, "POST", "/api/v2/admin/backups", JSON.createObjectNode().put("tenant", "acme")
                    .put("database", "prod").put("to", backup.toString()).toString(), 200);
            assertEquals(2, done.path("collections").asInt());
        }
        try (LocalCluster second = start(dir.resolve("second"), serverJar)) {
            String url = second.front().toString();
            call(url, "GET", "/api/v2/tenants/acme", null, 404);
            JsonNode restored = call(url, "POST", "/api/v2/admin/restores",
                    JSON.createObjectNode().put("from", backup.toString()).toString(), 200);
            assertEquals(2, restored.path("collections").asInt());
            assertEquals(before, read(url));
            assertEquals(60, ((Map<?, ?>) before.get("docs")).get("count"));
        }
    }

    private static LocalCluster start(Path dir, Path serverJar) throws Exception {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("vermilion.admin-key", ADMIN);
        props.put("vermilion.rate-limit.enabled", "false");
        props.put("vermilion.compaction.records", "50");
        props.put("vermilion.compaction.interval", "300ms");
        props.put("vermilion.compaction.age", "1h");
        List<String> flags = Arrays.stream(System.getProperty("vermilion.jvm.flags", "").trim().split("\\s+"))
                .filter(s -> !s.isBlank()).toList();
        return LocalCluster.start(new LocalCluster.Settings(1, 0, dir, serverJar,
                Path.of(System.getProperty("vermilion.s3proxy.jar", "target/s3proxy/s3proxy.jar")), flags, props));
    }

    /** Waits (polling, bounded) until the compactor has published a version of the collection. */
    private static void awaitVersion(String url, String id) throws Exception {
        for (int i = 0; i < 600; i++) {
            if (call(url, "GET", BASE + "/collections/" + id + "/versions", null, 200).path("versions").size() > 0) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("no version was compacted within a minute");
    }

    /** Every collection's JSON, count and records (embeddings, documents, metadatas) by id. */
    private static Map<String, Object> read(String url) throws Exception {
        Map<String, Object> out = new TreeMap<>();
        for (JsonNode c : call(url, "GET", BASE + "/collections", null, 200)) {
            String id = c.path("id").asText();
            JsonNode got = call(url, "POST", BASE + "/collections/" + id + "/get",
                    "{\"include\":[\"embeddings\",\"documents\",\"metadatas\"]}", 200);
            Map<String, String> records = new TreeMap<>();
            for (int i = 0; i < got.path("ids").size(); i++) {
                records.put(got.path("ids").get(i).asText(), got.path("embeddings").get(i) + " "
                        + got.path("documents").get(i) + " " + got.path("metadatas").get(i));
            }
            Map<String, Object> state = new LinkedHashMap<>();
            state.put("collection", c.toString());
            state.put("count", call(url, "GET", BASE + "/collections/" + id + "/count", null, 200).asInt());
            state.put("records", records);
            out.put(c.path("name").asText(), state);
        }
        return out;
    }

    private static JsonNode call(String url, String method, String path, String body, int status) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url.replaceAll("/$", "") + path))
                .timeout(Duration.ofMinutes(2)).header("x-chroma-token", ADMIN);
        if (body != null) {
            request.header("content-type", "application/json");
        }
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(status, response.statusCode(), method + " " + path + ": " + response.body());
        assertTrue(response.body() != null);
        return response.body().isEmpty() ? JSON.nullNode() : JSON.readTree(response.body());
    }
}
