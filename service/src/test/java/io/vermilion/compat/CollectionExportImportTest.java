package io.vermilion.compat;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vermilion.sysdb.PostgresResource;

/**
 * {@code ./vermilion export | import} (cli/collection_io.py) against this server over HTTP: a collection exported to a
 * file and imported under another name holds exactly the same records; a truncated or corrupted file is refused with
 * a clear message and exit code 3, and no collection is created.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
class CollectionExportImportTest {

    private static final String DB = "/api/v2/tenants/default_tenant/databases/default_database";
    private static final String GET_ALL = "{\"include\":[\"embeddings\",\"documents\",\"metadatas\",\"uris\"]}";

    @TestHTTPResource("/")
    URL server;

    @TempDir
    Path dir;

    @Test
    void exportedCollectionImportsWithEveryRecordExact() throws Exception {
        String name = unique("export-src");
        String id = create(name, "{\"topic\":\"birds\",\"n\":2}");
        StringBuilder ids = new StringBuilder();
        StringBuilder embeddings = new StringBuilder();
        StringBuilder documents = new StringBuilder();
        StringBuilder metadatas = new StringBuilder();
        for (int i = 0; i < 250; i++) { // more than two export pages and import batches
            String sep = i == 0 ? "" : ",";
            ids.append(sep).append("\"r").append(i).append('"');
            embeddings.append(sep).append('[').append(i * 0.25f).append(",-1.5,").append(1f / (i + 1)).append(']');
            documents.append(sep).append(i % 3 == 0 ? "null" : "\"doc ünïcode " + i + "\"");
            metadatas.append(sep).append(i % 4 == 0 ? "null" : "{\"i\":" + i + ",\"odd\":" + (i % 2 == 1) + "}");
        }
        given().contentType("application/json").body("{\"ids\":[" + ids + "],\"embeddings\":[" + embeddings
                        + "],\"documents\":[" + documents + "],\"metadatas\":[" + metadatas + "]}")
                .post(DB + "/collections/" + id + "/add").then().statusCode(201);
        Path file = dir.resolve("birds.jsonl");

        Run exported = run("export", "--collection", name, "--out", file.toString());
        assertEquals(0, exported.code(), exported.output());
        String copy = unique("export-copy");
        Run imported = run("import", "--file", file.toString(), "--name", copy);
        assertEquals(0, imported.code(), imported.output());

        String copyId = given().get(DB + "/collections/" + copy).then().statusCode(200).extract().jsonPath().getString("id");
        assertEquals(records(id), records(copyId));
        assertEquals(Map.of("topic", "birds", "n", 2),
                given().get(DB + "/collections/" + copy).then().extract().jsonPath().getMap("metadata"));
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        assertEquals(252, lines.size(), "header, 250 records, trailer");
        assertTrue(lines.get(251).startsWith("{\"end\": true, \"records\": 250, \"sha256\": \""), lines.get(251));
    }

    @Test
    void wholeDatabaseExportsToAFolderAndImportsIntoAnotherDatabase() throws Exception {
        String source = unique("export-db");
        String target = unique("import-db");
        for (String database : List.of(source, target)) {
            given().contentType("application/json").body("{\"name\":\"" + database + "\"}")
                    .post("/api/v2/tenants/default_tenant/databases").then().statusCode(200);
        }
        String sourceDb = "/api/v2/tenants/default_tenant/databases/" + source;
        String targetDb = "/api/v2/tenants/default_tenant/databases/" + target;
        for (String name : List.of("alpha", "beta")) {
            String id = given().contentType("application/json").body("{\"name\":\"" + name + "\"}")
                    .post(sourceDb + "/collections").then().statusCode(200).extract().jsonPath().getString("id");
            given().contentType("application/json").body("{\"ids\":[\"" + name + "1\",\"" + name + "2\"],"
                            + "\"embeddings\":[[1,2],[3,4.5]],\"documents\":[\"one\",null]}")
                    .post(sourceDb + "/collections/" + id + "/add").then().statusCode(201);
        }
        Path folder = dir.resolve("whole");

        Run exported = run("export", "--database", source, "--out", folder.toString());
        assertEquals(0, exported.code(), exported.output());
        assertEquals(List.of("alpha.jsonl", "beta.jsonl"),
                Files.list(folder).map(p -> p.getFileName().toString()).sorted().toList());
        Run imported = run("import", "--database", target, "--dir", folder.toString());
        assertEquals(0, imported.code(), imported.output());
        assertTrue(imported.output().contains("imported 2 collections into default_tenant/" + target), imported.output());
        for (String name : List.of("alpha", "beta")) {
            String from = given().get(sourceDb + "/collections/" + name).then().extract().jsonPath().getString("id");
            String to = given().get(targetDb + "/collections/" + name).then().statusCode(200).extract().jsonPath()
                    .getString("id");
            assertEquals(recordsIn(sourceDb, from), recordsIn(targetDb, to));
        }
    }

    @Test
    void truncatedOrCorruptedFilesImportNothing() throws Exception {
        String name = unique("export-bad");
        String id = create(name, null);
        given().contentType("application/json").body("{\"ids\":[\"a\",\"b\",\"c\"],\"embeddings\":[[1,2],[3,4],[5,6]]}")
                .post(DB + "/collections/" + id + "/add").then().statusCode(201);
        Path file = dir.resolve("bad.jsonl");
        assertEquals(0, run("export", "--collection", name, "--out", file.toString()).code());
        byte[] good = Files.readAllBytes(file);
        long before = collectionCount();

        Path truncated = dir.resolve("truncated.jsonl");
        Files.write(truncated, java.util.Arrays.copyOf(good, good.length - 10));
        Run cut = run("import", "--file", truncated.toString(), "--name", unique("never"));
        assertEquals(3, cut.code(), cut.output());
        assertTrue(cut.output().contains("the file is truncated (its last line is incomplete); nothing was imported"),
                cut.output());

        Path lineCut = dir.resolve("line-cut.jsonl");
        String text = new String(good, StandardCharsets.UTF_8);
        Files.writeString(lineCut, text.substring(0, text.lastIndexOf("{\"end\"")));
        Run noTrailer = run("import", "--file", lineCut.toString(), "--name", unique("never"));
        assertEquals(3, noTrailer.code(), noTrailer.output());
        assertTrue(noTrailer.output().contains("the file is truncated (no trailer line at the end)"), noTrailer.output());

        Path corrupted = dir.resolve("corrupted.jsonl");
        Files.writeString(corrupted, text.replace("[3.0,4.0]", "[3.0,4.5]"));
        Run flipped = run("import", "--file", corrupted.toString(), "--name", unique("never"));
        assertEquals(3, flipped.code(), flipped.output());
        assertTrue(flipped.output().contains("the file is corrupted (its SHA-256 does not match the trailer's)"),
                flipped.output());
        assertEquals(before, collectionCount(), "no collection was created");
    }

    private record Run(int code, String output) {}

    private Run run(String... args) throws Exception {
        Path script = NodeClientRunner.compatDir().getParent().getParent().resolve("cli/collection_io.py");
        List<String> command = new ArrayList<>(List.of("python3", script.toString()));
        command.addAll(List.of(args));
        command.addAll(List.of("--url", server.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(process.waitFor(), output);
    }

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static String create(String name, String metadata) {
        return given().contentType("application/json")
                .body("{\"name\":\"" + name + "\"" + (metadata == null ? "" : ",\"metadata\":" + metadata) + "}")
                .post(DB + "/collections").then().statusCode(200).extract().jsonPath().getString("id");
    }

    private static String records(String id) {
        return given().contentType("application/json").body(GET_ALL).post(DB + "/collections/" + id + "/get")
                .then().statusCode(200).extract().body().asString();
    }

    private static String recordsIn(String database, String id) {
        return given().contentType("application/json").body(GET_ALL).post(database + "/collections/" + id + "/get")
                .then().statusCode(200).extract().body().asString();
    }

    private static long collectionCount() {
        return Long.parseLong(given().get(DB + "/collections_count").then().statusCode(200).extract().asString());
    }
}
