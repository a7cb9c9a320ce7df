package io.vermilion.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vermilion.sysdb.PostgresResource;

/**
 * {@code ./vermilion copy} (cli/server_copy.py) as a process: from the real Chroma server (started with
 * ../shared/tools/chroma-peer.sh beside the repository; the class is skipped where that is absent) into this server,
 * killed mid-way and resumed, ending with every record exact; and from one Vermilion database into another.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
class ServerCopyTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Path ROOT = NodeClientRunner.compatDir().getParent().getParent();
    private static final String GET_ALL = "{\"include\":[\"embeddings\",\"documents\",\"metadatas\",\"uris\"]}";

    @TempDir
    static Path peerDir;

    private static Process chroma;
    private static String chromaUrl;

    @TestHTTPResource("/")
    URL server;

    @TempDir
    Path dir;

    @BeforeAll
    static void startChroma() throws Exception {
        Path peer = ROOT.resolve("../shared/tools/chroma-peer.sh").normalize();
        Assumptions.assumeTrue(Files.isRegularFile(peer), "skipped: the real Chroma server's launcher "
                + "../shared/tools/chroma-peer.sh is not beside this repository, so copy from Chroma cannot be tested");
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        chromaUrl = "http://localhost:" + port;
        chroma = new ProcessBuilder("bash", peer.toString(), String.valueOf(port), peerDir.resolve("data").toString())
                .redirectErrorStream(true).redirectOutput(peerDir.resolve("chroma.log").toFile()).start();
        for (int i = 0; i < 600; i++) { // its first start installs Chroma, which can take minutes
            if (!chroma.isAlive()) {
                throw new IllegalStateException("Chroma did not start: " + Files.readString(peerDir.resolve("chroma.log")));
            }
            try {
                if (send("GET", chromaUrl + "/api/v2/heartbeat", null).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("Chroma did not answer its heartbeat within 5 minutes");
    }

    @AfterAll
    static void stopChroma() throws InterruptedException {
        if (chroma != null) {
            // Chroma's node process may keep running after SIGTERM: give it a moment, then kill it.
            chroma.descendants().forEach(ProcessHandle::destroy);
            chroma.destroy();
            if (!chroma.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                chroma.descendants().forEach(ProcessHandle::destroyForcibly);
                chroma.destroyForcibly().waitFor();
            }
        }
    }

    @Test
    void copyFromChromaKilledMidwayResumesAndEndsExact() throws Exception {
        String birds = unique("birds");
        String fish = unique("fish");
        String birdsId = create(chromaUrl, "default_database", birds,
                "{\"topic\":\"birds\",\"weight\":2.5,\"n\":3}", "{\"hnsw\":{\"space\":\"cosine\",\"ef_search\":120}}");
        String fishId = create(chromaUrl, "default_database", fish, null, null);
        fill(chromaUrl, "default_database", birdsId, 300, "b");
        fill(chromaUrl, "default_database", fishId, 150, "f");
        String database = unique("migrated");
        Path state = dir.resolve("copy-state.json");
        List<String> args = List.of("--from", chromaUrl, "--to", server.toString(), "--collection", birds,
                "--collection", fish, "--to-database", database, "--batch", "10", "--state", state.toString());

        Process first = start(args);
        List<String> seen = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(first.getInputStream(), StandardCharsets.UTF_8))) {
            int fishBatches = 0;
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                seen.add(line);
                if (line.startsWith("copy: ") && line.endsWith("  " + fish) && ++fishBatches == 3) {
                    first.destroyForcibly(); // interrupted in the middle of the second collection
                    break;
                }
            }
        }
        assertNotEquals(0, first.waitFor(), String.join("\n", seen));
        JsonNode saved = JSON.readTree(state.toFile());
        assertEquals(300, saved.path("done").path(birds).asInt(), saved.toString());
        assertEquals(fish, saved.path("current").path("name").asText(), saved.toString());
        int offset = saved.path("current").path("offset").asInt();
        assertTrue(offset >= 30 && offset < 150, "stopped mid-way in " + fish + ": " + saved);

        Run resumed = run(args);
        assertEquals(0, resumed.code(), resumed.output());
        assertTrue(resumed.output().contains("copied 2 collections, 450 records; counts verified"), resumed.output());
        assertFalse(resumed.output().contains("  " + birds + "\n"), "the finished collection is not copied again");
        assertFalse(Files.exists(state), "a complete copy removes its state file");

        assertSameRecords(records(chromaUrl, "default_database", birdsId),
                records(server.toString(), database, id(server.toString(), database, birds)));
        assertSameRecords(records(chromaUrl, "default_database", fishId),
                records(server.toString(), database, id(server.toString(), database, fish)));
        JsonNode copied = collection(server.toString(), database, birds);
        assertEquals(JSON.readTree("{\"topic\":\"birds\",\"weight\":2.5,\"n\":3}"), copied.get("metadata"));
        assertEquals("cosine", copied.path("configuration_json").path("hnsw").path("space").asText());
        assertEquals(120, copied.path("configuration_json").path("hnsw").path("ef_search").asInt());
    }

    @Test
    void copyBetweenVermilionDatabasesIsExactAndRefusesToMergeOrResumeAnotherCopy() throws Exception {
        String base = server.toString();
        String name = unique("docs");
        String sourceId = create(base, "default_database", name, "{\"kind\":\"docs\"}", null);
        fill(base, "default_database", sourceId, 250, "d");
        String database = unique("copy");
        List<String> args = List.of("--from", base, "--to", base, "--collection", name, "--to-database", database,
                "--batch", "64", "--state", dir.resolve("state.json").toString());

        Run copy = run(args);
        assertEquals(0, copy.code(), copy.output());
        assertTrue(copy.output().contains("copy: 250/250 records (100%)"), copy.output());
        assertSameRecords(records(base, "default_database", sourceId), records(base, database, id(base, database, name)));

        Run again = run(args);
        assertEquals(2, again.code(), again.output());
        assertTrue(again.output().contains("collection " + name + " already exists on the target and holds records"),
                again.output());
        assertSameRecords(records(base, "default_database", sourceId), records(base, database, id(base, database, name)));

        Path other = dir.resolve("other-state.json");
        Files.writeString(other, "{\"copy\":{\"from\":\"http://elsewhere\"},\"done\":{},\"current\":null}");
        List<String> otherArgs = new ArrayList<>(args.subList(0, args.size() - 1));
        otherArgs.add(other.toString());
        Run foreign = run(otherArgs);
        assertEquals(2, foreign.code(), foreign.output());
        assertTrue(foreign.output().contains("state file " + other + " belongs to another copy"), foreign.output());
    }

    private record Run(int code, String output) {}

    private Process start(List<String> args) throws IOException {
        List<String> command = new ArrayList<>(List.of("python3", ROOT.resolve("cli/server_copy.py").toString()));
        command.addAll(args);
        return new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    }

    private Run run(List<String> args) throws Exception {
        Process process = start(args);
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(process.waitFor(), output);
    }

    /** Adds n records: float32-exact and inexact embeddings, null and Unicode documents, typed metadata, uris. */
    private static void fill(String url, String database, String id, int n, String prefix) throws Exception {
        StringBuilder ids = new StringBuilder();
        StringBuilder embeddings = new StringBuilder();
        StringBuilder documents = new StringBuilder();
        StringBuilder metadatas = new StringBuilder();
        StringBuilder uris = new StringBuilder();
        for (int i = 0; i < n; i++) {
            String sep = i == 0 ? "" : ",";
            ids.append(sep).append('"').append(prefix).append(i).append('"');
            embeddings.append(sep).append('[').append(i * 0.25f).append(",-1.5,").append(1f / (i + 1)).append(",0.1]");
            documents.append(sep).append(i % 3 == 0 ? "null" : "\"doc ünïcode " + i + "\"");
            metadatas.append(sep).append(i % 4 == 0 ? "null"
                    : "{\"i\":" + i + ",\"half\":" + (i + 0.5) + ",\"odd\":" + (i % 2 == 1) + ",\"s\":\"v" + i + "\"}");
            uris.append(sep).append(i % 5 == 0 ? "null" : "\"s3://bucket/" + prefix + i + "\"");
        }
        HttpResponse<String> added = send("POST", url + db(database) + "/collections/" + id + "/add",
                "{\"ids\":[" + ids + "],\"embeddings\":[" + embeddings + "],\"documents\":[" + documents
                        + "],\"metadatas\":[" + metadatas + "],\"uris\":[" + uris + "]}");
        assertEquals(201, added.statusCode(), added.body());
    }

    /** Every record in the collection's order, one line each, embeddings compared as float32 bit patterns. */
    private static List<String> records(String url, String database, String id) throws Exception {
        HttpResponse<String> got = send("POST", url + db(database) + "/collections/" + id + "/get", GET_ALL);
        assertEquals(200, got.statusCode(), got.body());
        JsonNode page = JSON.readTree(got.body());
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < page.get("ids").size(); i++) {
            StringBuilder bits = new StringBuilder();
            for (JsonNode v : page.get("embeddings").get(i)) {
                bits.append(Integer.toHexString(Float.floatToIntBits((float) v.doubleValue()))).append(' ');
            }
            lines.add(page.get("ids").get(i).asText() + " | " + page.get("documents").get(i) + " | "
                    + sorted(page.get("metadatas").get(i)) + " | " + page.get("uris").get(i) + " | " + bits);
        }
        assertFalse(lines.isEmpty());
        return lines;
    }

    /**
     * A metadata map with its keys in order (servers answer them in any order); numbers keep int or float. No
     * metadata reads "none" whether a server answers null or {}: Chroma answers {} for a record that has a uri but no
     * metadata (it keeps the uri among the metadata), Vermilion answers null.
     */
    private static String sorted(JsonNode metadata) {
        return metadata.isNull() || metadata.isEmpty() ? "none"
                : JSON.convertValue(metadata, java.util.TreeMap.class).toString();
    }

    /** Equal record lines, or a failure naming the first record that differs. */
    private static void assertSameRecords(List<String> expected, List<String> actual) {
        for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
            assertEquals(expected.get(i), actual.get(i), "record " + i);
        }
        assertEquals(expected.size(), actual.size(), "records");
    }

    private static String create(String url, String database, String name, String metadata, String configuration)
            throws Exception {
        HttpResponse<String> created = send("POST", url + db(database) + "/collections", "{\"name\":\"" + name + "\""
                + (metadata == null ? "" : ",\"metadata\":" + metadata)
                + (configuration == null ? "" : ",\"configuration\":" + configuration) + "}");
        assertEquals(200, created.statusCode(), created.body());
        return JSON.readTree(created.body()).get("id").asText();
    }

    private static JsonNode collection(String url, String database, String name) throws Exception {
        HttpResponse<String> got = send("GET", url + db(database) + "/collections/" + name, null);
        assertEquals(200, got.statusCode(), got.body());
        return JSON.readTree(got.body());
    }

    private static String id(String url, String database, String name) throws Exception {
        return collection(url, database, name).get("id").asText();
    }

    private static String db(String database) {
        return "/api/v2/tenants/default_tenant/databases/" + database;
    }

    private static HttpResponse<String> send(String method, String url, String body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url.replace("//api", "/api")))
                .timeout(Duration.ofSeconds(60)).header("content-type", "application/json");
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }
}
