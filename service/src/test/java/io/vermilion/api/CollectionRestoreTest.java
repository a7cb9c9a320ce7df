package io.vermilion.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.vermilion.compactor.Compactor;
import io.vermilion.compactor.VersionGarbageCollector;
import io.vermilion.sysdb.PostgresResource;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/**
 * In-place restore over HTTP (PostgreSQL, S3): a collection restored to a retained version (by number or by time)
 * holds exactly that version's records, later writes and the uncompacted tail are gone, writes after the restore
 * stay, compaction and garbage collection afterwards keep it exact; missing collections and versions are Chroma's 404.
 */
@QuarkusTest
@TestProfile(VersionRetentionProfile.class)
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
class CollectionRestoreTest {

    private static final String DB = "/api/v2/tenants/default_tenant/databases/default_database";

    @Inject
    Compactor compactor;

    @Inject
    VersionGarbageCollector garbage;

    @Test
    void restoreToAVersionBringsBackExactlyItsRecordsAndKeepsLaterWrites() {
        UUID c = create("restore-" + UUID.randomUUID().toString().substring(0, 8));
        post(c, "add", """
                {"ids":["a","b","c"],"embeddings":[[1,0],[0,1],[1,1]],"documents":["alpha","beta","gamma"],
                 "metadatas":[{"n":1},{"n":2},{"n":3}]}""", 201);
        compact(c); // version 1
        post(c, "update", "{\"ids\":[\"b\"],\"documents\":[\"beta two\"],\"metadatas\":[{\"n\":20}]}", 200);
        post(c, "delete", "{\"ids\":[\"c\"]}", 200);
        post(c, "add", "{\"ids\":[\"d\"],\"embeddings\":[[2,2]],\"documents\":[\"delta\"]}", 201);
        compact(c); // version 2
        post(c, "add", "{\"ids\":[\"e\"],\"embeddings\":[[3,3]],\"documents\":[\"tail\"]}", 201); // never compacted

        JsonPath restored = given().contentType("application/json").body("{\"version\":1}")
                .post(DB + "/collections/" + c + "/restore").then().statusCode(200).extract().jsonPath();
        assertEquals(3, restored.getInt("version"));
        assertEquals(1, restored.getInt("restored_version"));
        assertEquals(7, restored.getInt("log_position"));

        assertEquals(Map.of("a", "alpha", "b", "beta", "c", "gamma"), documents(c));
        assertEquals(List.of(Map.of("n", 1), Map.of("n", 2), Map.of("n", 3)), get(c).getList("metadatas"));
        assertEquals(3, count(c));

        post(c, "add", "{\"ids\":[\"f\"],\"embeddings\":[[4,4]],\"documents\":[\"after\"]}", 201);
        assertEquals(Map.of("a", "alpha", "b", "beta", "c", "gamma", "f", "after"), documents(c));
        compact(c); // version 4, built from the restored one plus "f"
        join(garbage.collect(c, Duration.ZERO));
        assertEquals(Map.of("a", "alpha", "b", "beta", "c", "gamma", "f", "after"), documents(c));
        List<Integer> listed = given().get(DB + "/collections/" + c + "/versions").then().statusCode(200)
                .extract().jsonPath().getList("versions.version");
        assertEquals(List.of(1, 2, 3, 4), listed);
    }

    @Test
    void restoreAsOfATimeTakesTheVersionCurrentThen() {
        UUID c = create("asof-" + UUID.randomUUID().toString().substring(0, 8));
        post(c, "add", "{\"ids\":[\"x\"],\"embeddings\":[[1,0]],\"documents\":[\"first\"]}", 201);
        compact(c);
        post(c, "upsert", "{\"ids\":[\"x\",\"y\"],\"embeddings\":[[1,0],[0,1]],\"documents\":[\"second\",\"why\"]}",
                200);
        compact(c);
        String firstPublished = given().get(DB + "/collections/" + c + "/versions").then().statusCode(200)
                .extract().jsonPath().getString("versions[0].published_at");
        JsonPath restored = given().contentType("application/json").body("{\"as_of\":\"" + firstPublished + "\"}")
                .post(DB + "/collections/" + c + "/restore").then().statusCode(200).extract().jsonPath();
        assertEquals(1, restored.getInt("restored_version"));
        assertEquals(Map.of("x", "first"), documents(c));
    }

    @Test
    void missingCollectionsAndVersionsAreNotFoundAndBadBodiesAreRefused() {
        UUID c = create("restore-errors-" + UUID.randomUUID().toString().substring(0, 8));
        post(c, "add", "{\"ids\":[\"x\"],\"embeddings\":[[1,0]]}", 201);
        JsonPath none = given().contentType("application/json").body("{\"version\":1}")
                .post(DB + "/collections/" + c + "/restore").then().statusCode(404).extract().jsonPath();
        assertEquals("Collection [" + c + "] has no retained version 1", none.getString("message"));
        compact(c);
        JsonPath missing = given().contentType("application/json").body("{\"version\":9}")
                .post(DB + "/collections/" + c + "/restore").then().statusCode(404).extract().jsonPath();
        assertEquals("NotFoundError", missing.getString("error"));
        assertEquals("Collection [" + c + "] has no retained version 9", missing.getString("message"));
        JsonPath before = given().contentType("application/json").body("{\"as_of\":\"2001-01-01T00:00:00Z\"}")
                .post(DB + "/collections/" + c + "/restore").then().statusCode(404).extract().jsonPath();
        assertEquals("NotFoundError", before.getString("error"));
        UUID absent = UUID.randomUUID();
        JsonPath gone = given().contentType("application/json").body("{\"version\":1}")
                .post(DB + "/collections/" + absent + "/restore").then().statusCode(404).extract().jsonPath();
        assertEquals("NotFoundError", gone.getString("error"));
        given().contentType("application/json").body("{}").post(DB + "/collections/" + c + "/restore")
                .then().statusCode(400);
        given().contentType("application/json").body("{\"version\":1,\"as_of\":1}")
                .post(DB + "/collections/" + c + "/restore").then().statusCode(400);
        given().contentType("application/json").body("{\"version\":\"one\"}")
                .post(DB + "/collections/" + c + "/restore").then().statusCode(422);
        assertEquals(1, count(c), "nothing was touched");
    }

    static UUID create(String name) {
        return UUID.fromString(given().contentType("application/json").body("{\"name\":\"" + name + "\"}")
                .post(DB + "/collections").then().statusCode(200).extract().jsonPath().getString("id"));
    }

    static void post(UUID c, String op, String body, int status) {
        given().contentType("application/json").body(body).post(DB + "/collections/" + c + "/" + op)
                .then().statusCode(status);
    }

    static JsonPath get(UUID c) {
        return given().contentType("application/json").body("{\"include\":[\"documents\",\"metadatas\"]}")
                .post(DB + "/collections/" + c + "/get").then().statusCode(200).extract().jsonPath();
    }

    static Map<String, String> documents(UUID c) {
        JsonPath got = get(c);
        List<String> ids = got.getList("ids");
        List<String> docs = got.getList("documents");
        Map<String, String> out = new java.util.TreeMap<>();
        for (int i = 0; i < ids.size(); i++) {
            out.put(ids.get(i), docs.get(i));
        }
        return out;
    }

    static int count(UUID c) {
        return given().get(DB + "/collections/" + c + "/count").then().statusCode(200).extract().as(Integer.class);
    }

    private void compact(UUID c) {
        assertTrue(join(compactor.compact(c)).isPresent(), "a version was published");
    }

    private static <T> T join(CompletionStage<T> stage) {
        return stage.toCompletableFuture().join();
    }
}
