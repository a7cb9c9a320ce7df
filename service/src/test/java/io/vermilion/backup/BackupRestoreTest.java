package io.vermilion.backup;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.vermilion.compactor.Compactor;
import io.vermilion.compactor.VersionGarbageCollector;
import io.vermilion.storage.ObjectStore;
import io.vermilion.sysdb.PostgresResource;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Backup and restore end to end over HTTP, with PostgreSQL and the local object store: a database with compacted
 * versions, an uncompacted tail, updates and deletes is backed up to a folder, the deployment is wiped (catalog
 * reset, every object deleted) and the backup restored: every record, count and collection's metadata and
 * configuration reads back exactly, and the restored collections keep working. Restoring over existing collections,
 * or a truncated or corrupted backup, is refused with a clear error and restores nothing.
 */
@QuarkusTest
@TestProfile(BackupProfile.class)
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
class BackupRestoreTest {

    @Inject
    Compactor compactor;

    @Inject
    ObjectStore store;

    @Inject
    VersionGarbageCollector garbage;

    @Test
    void aRestoredDatabaseReadsBackExactlyAsItWasBackedUp() throws IOException {
        BackupScenario.write("acme", "prod", compactor);
        Map<String, Object> before = BackupScenario.read("acme", "prod");
        assertEquals(List.of("empty", "log-only", "main"), List.copyOf(before.keySet()));
        assertEquals(21, ((Map<?, ?>) before.get("main")).get("count"));
        Path folder = Files.createTempDirectory("vermilion-backup").resolve("acme-prod");

        JsonPath backedUp = BackupScenario.backup("acme", "prod", folder.toString()).statusCode(200).extract().jsonPath();
        assertEquals(3, backedUp.getInt("collections"));
        assertTrue(Files.isRegularFile(folder.resolve("backup.json")));
        try (Stream<Path> files = Files.walk(folder.resolve("objects"))) {
            assertEquals(backedUp.getInt("objects"), files.filter(Files::isRegularFile).count());
        }

        BackupScenario.wipe(store);
        given().get("/api/v2/tenants/acme").then().statusCode(404);

        JsonPath restored = BackupScenario.restore(folder.toString()).statusCode(200).extract().jsonPath();
        assertEquals(3, restored.getInt("collections"));
        assertEquals(backedUp.getInt("objects"), restored.getInt("objects"));
        assertEquals(backedUp.getLong("bytes"), restored.getLong("bytes"));
        assertEquals(before, BackupScenario.read("acme", "prod"));

        // The restored collections are live: they take writes, and compact from the restored version and tail.
        String base = BackupScenario.db("acme", "prod");
        String main = given().get(base + "/collections/main").then().statusCode(200).extract().path("id");
        BackupScenario.post(base, java.util.UUID.fromString(main), "add", BackupScenario.records(50, 52, "new"), 201);
        assertTrue(compactor.compact(java.util.UUID.fromString(main)).toCompletableFuture().join().isPresent());
        given().get(base + "/collections/" + main + "/count").then().statusCode(200).body(equalTo("23"));
    }

    @Test
    void restoreRefusesToOverwriteExistingCollections() throws IOException {
        BackupScenario.write("beta", "db1", compactor);
        Map<String, Object> before = BackupScenario.read("beta", "db1");
        Path folder = Files.createTempDirectory("vermilion-backup").resolve("beta");
        BackupScenario.backup("beta", null, folder.toString()).statusCode(200);

        BackupScenario.restore(folder.toString()).statusCode(409)
                .body("error", equalTo("ChromaError"))
                .body("message", startsWith("Refusing to restore over existing collections: collection [empty]"));
        assertEquals(before, BackupScenario.read("beta", "db1"));
        // A second backup into a location already holding one is refused too.
        BackupScenario.backup("beta", null, folder.toString()).statusCode(409);
    }

    @Test
    void aTruncatedOrCorruptedBackupIsRefusedAndNothingIsRestored() throws IOException {
        BackupScenario.write("gamma", "db1", compactor);
        Map<String, Object> before = BackupScenario.read("gamma", "db1");
        Path folder = Files.createTempDirectory("vermilion-backup").resolve("gamma");
        BackupScenario.backup("gamma", "db1", folder.toString()).statusCode(200);
        BackupScenario.wipe(store);
        Path manifest = folder.resolve("backup.json");
        byte[] intact = Files.readAllBytes(manifest);

        Files.write(manifest, java.util.Arrays.copyOf(intact, intact.length / 2));
        BackupScenario.restore(folder.toString()).statusCode(400).body("error", equalTo("InvalidArgumentError"))
                .body("message", startsWith("Backup at " + folder + " is corrupted: backup.json is not valid JSON"
                        + " (truncated?): Unexpected end-of-input"));
        assertNothingRestored("gamma");

        String text = new String(intact, java.nio.charset.StandardCharsets.UTF_8);
        String tampered = text.replace("\"name\" : \"main\"", "\"name\" : \"maim\"");
        assertTrue(!tampered.equals(text), "the manifest names collection main");
        Files.writeString(manifest, tampered);
        BackupScenario.restore(folder.toString()).statusCode(400)
                .body("message", equalTo("Backup at " + folder + " is corrupted: backup.json fails its checksum: the"
                        + " backup manifest is corrupted"));
        assertNothingRestored("gamma");
        Files.write(manifest, intact);

        List<Path> objects;
        try (Stream<Path> files = Files.walk(folder.resolve("objects"))) {
            objects = files.filter(Files::isRegularFile).sorted().toList();
        }
        Path victim = objects.get(objects.size() - 1);
        byte[] original = Files.readAllBytes(victim);
        byte[] flipped = original.clone();
        flipped[flipped.length / 2] ^= 0x01;
        Files.write(victim, flipped);
        String key = folder.resolve("objects").relativize(victim).toString();
        BackupScenario.restore(folder.toString()).statusCode(400)
                .body("message", equalTo("Backup at " + folder + " is corrupted: object " + key + " is corrupted ("
                        + original.length + " bytes, size or CRC32C differs from backup.json); nothing was restored"));
        assertNothingRestored("gamma");

        Files.delete(victim);
        BackupScenario.restore(folder.toString()).statusCode(400)
                .body("message", equalTo("Backup at " + folder + " is corrupted: object " + key
                        + " is missing from the backup; nothing was restored"));
        assertNothingRestored("gamma");

        BackupScenario.restore(folder.resolve("nowhere").toString()).statusCode(400)
                .body("message", equalTo("No backup at " + folder.resolve("nowhere") + ": the folder does not exist"));

        Files.write(victim, original);
        BackupScenario.restore(folder.toString()).statusCode(200);
        assertEquals(before, BackupScenario.read("gamma", "db1"));
    }

    @Test
    void forksRestoreWholeAndGarbageCollectionAfterwardsKeepsWhatTheyRead() throws IOException {
        given().contentType("application/json").body("{\"name\":\"forks\"}").post("/api/v2/tenants").then()
                .statusCode(200);
        given().contentType("application/json").body("{\"name\":\"db1\"}").post("/api/v2/tenants/forks/databases")
                .then().statusCode(200);
        String base = BackupScenario.db("forks", "db1");
        UUID source = BackupScenario.create(base, "{\"name\":\"source\"}");
        BackupScenario.post(base, source, "add", BackupScenario.records(0, 10, "s"), 201);
        assertTrue(compactor.compact(source).toCompletableFuture().join().isPresent());
        BackupScenario.post(base, source, "add", BackupScenario.records(10, 12, "s"), 201); // shared log tail
        UUID fork = UUID.fromString(given().contentType("application/json").body("{\"new_name\":\"fork\"}")
                .post(base + "/collections/" + source + "/fork").then().statusCode(200).extract().path("id"));
        BackupScenario.post(base, fork, "delete", "{\"ids\":[\"id-1\"]}", 200);
        BackupScenario.post(base, source, "upsert", BackupScenario.records(0, 3, "changed"), 200);
        assertTrue(compactor.compact(source).toCompletableFuture().join().isPresent());
        Map<String, Object> before = BackupScenario.read("forks", "db1");
        Path folder = Files.createTempDirectory("vermilion-backup").resolve("forks");
        BackupScenario.backup("forks", "db1", folder.toString()).statusCode(200);

        BackupScenario.wipe(store);
        BackupScenario.restore(folder.toString()).statusCode(200);
        assertEquals(before, BackupScenario.read("forks", "db1"));
        given().get(base + "/collections/" + fork + "/fork_count").then().statusCode(200).body("count", equalTo(1));

        // The source moves on and collects its garbage; the fork still reads the source's first version and log.
        BackupScenario.post(base, source, "delete", "{\"ids\":[\"id-9\"]}", 200);
        assertTrue(compactor.compact(source).toCompletableFuture().join().isPresent());
        garbage.collect(source, java.time.Duration.ZERO).toCompletableFuture().join();
        assertEquals(((Map<?, ?>) before.get("fork")).get("records"),
                ((Map<?, ?>) BackupScenario.read("forks", "db1").get("fork")).get("records"));
        assertEquals(11, ((Map<?, ?>) BackupScenario.read("forks", "db1").get("fork")).get("count"));
    }

    @Test
    void aDatabaseBackupRestoresIntoAnotherTenantAndDatabase() throws IOException {
        BackupScenario.write("moved", "from", compactor);
        Map<String, Object> before = BackupScenario.read("moved", "from");
        Path database = Files.createTempDirectory("vermilion-backup").resolve("db");
        Path tenant = Files.createTempDirectory("vermilion-backup").resolve("tenant");
        BackupScenario.backup("moved", "from", database.toString()).statusCode(200);
        BackupScenario.backup("moved", null, tenant.toString()).statusCode(200);
        BackupScenario.wipe(store);

        given().contentType("application/json").body("{\"from\":\"" + tenant + "\",\"tenant\":\"elsewhere\","
                + "\"database\":\"target\"}").post("/api/v2/admin/restores").then().statusCode(400)
                .body("message", equalTo("Only a backup of one database can be restored into another"));
        given().contentType("application/json").body("{\"from\":\"" + database + "\",\"tenant\":\"elsewhere\"}")
                .post("/api/v2/admin/restores").then().statusCode(400)
                .body("message", equalTo("Give both tenant and database to restore into, or neither"));
        given().contentType("application/json").body("{\"from\":\"" + database + "\",\"tenant\":\"elsewhere\","
                + "\"database\":\"target\"}").post("/api/v2/admin/restores").then().statusCode(200)
                .body("collections", equalTo(3));
        given().get("/api/v2/tenants/moved").then().statusCode(404);
        Map<String, Object> after = BackupScenario.read("elsewhere", "target");
        assertEquals(before.keySet(), after.keySet());
        for (String name : before.keySet()) {
            Map<?, ?> was = (Map<?, ?>) before.get(name);
            Map<?, ?> is = (Map<?, ?>) after.get(name);
            assertEquals(was.get("records"), is.get("records"), name);
            assertEquals(was.get("count"), is.get("count"), name);
            Map<?, ?> collection = (Map<?, ?>) is.get("collection");
            assertEquals("elsewhere", collection.get("tenant"));
            assertEquals("target", collection.get("database"));
            assertEquals(((Map<?, ?>) was.get("collection")).get("metadata"), collection.get("metadata"));
            assertEquals(((Map<?, ?>) was.get("collection")).get("configuration_json"),
                    collection.get("configuration_json"));
        }
    }

    private void assertNothingRestored(String tenant) {
        given().get("/api/v2/tenants/" + tenant).then().statusCode(404);
        assertEquals(List.of(), store.list("").toCompletableFuture().join(), "no object was left in the store");
    }
}
