package io.vermilion.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.vermilion.compactor.Compactor;
import io.vermilion.compactor.VersionGarbageCollector;
import io.vermilion.storage.ObjectInfo;
import io.vermilion.storage.ObjectStore;
import io.vermilion.sysdb.PostgresResource;
import io.vermilion.version.VersionKeys;
import jakarta.inject.Inject;

/**
 * With {@code vermilion.compaction.version-retention} set, garbage collection keeps every version superseded inside
 * the window: they stay listed, their objects stay stored, and each can be forked with exactly its records.
 */
@QuarkusTest
@TestProfile(VersionRetentionProfile.class)
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
class VersionRetentionTest {

    private static final String DB = "/api/v2/tenants/default_tenant/databases/default_database";

    @Inject
    Compactor compactor;

    @Inject
    VersionGarbageCollector garbage;

    @Inject
    ObjectStore store;

    @Test
    void versionsInsideTheRetentionWindowSurviveGarbageCollectionAndForkExactly() {
        UUID source = create("retained-" + UUID.randomUUID().toString().substring(0, 8));
        write(source, "add", "a", "b", "c");
        compact(source);
        write(source, "delete", "b");
        write(source, "add", "d");
        compact(source);
        write(source, "upsert", "a");
        compact(source);
        VersionGarbageCollector.Collected collected = join(garbage.collect(source, Duration.ZERO));
        assertEquals(0, collected.versionObjects(), "no retained version loses an object");

        JsonPath listed = given().get(DB + "/collections/" + source + "/versions").then().statusCode(200)
                .extract().jsonPath();
        assertEquals(List.of(1, 2, 3), listed.getList("versions.version"));
        assertEquals(List.of(3, 5, 6), listed.getList("versions.log_position"));
        Set<Long> stored = new TreeSet<>();
        for (ObjectInfo object : join(store.list(VersionKeys.versionsPrefix(source)))) {
            stored.add(VersionKeys.version(source, object.key()));
        }
        assertEquals(Set.of(1L, 2L, 3L), stored);

        assertEquals(List.of("a", "b", "c"), ids(fork(source, 1)));
        assertEquals(List.of("a", "c", "d"), ids(fork(source, 2)));
        assertEquals(List.of("a", "c", "d"), ids(source));
    }

    private static UUID create(String name) {
        return UUID.fromString(given().contentType("application/json").body("{\"name\":\"" + name + "\"}")
                .post(DB + "/collections").then().statusCode(200).extract().jsonPath().getString("id"));
    }

    private static void write(UUID collection, String operation, String... ids) {
        StringBuilder body = new StringBuilder("{\"ids\":[");
        StringBuilder embeddings = new StringBuilder("],\"embeddings\":[");
        for (int i = 0; i < ids.length; i++) {
            body.append(i == 0 ? "" : ",").append('"').append(ids[i]).append('"');
            embeddings.append(i == 0 ? "" : ",").append("[").append(ids[i].charAt(0) - 'a').append(",1]");
        }
        String json = operation.equals("delete") ? body.append("]}").toString() : body.append(embeddings).append("]}").toString();
        int status = operation.equals("add") ? 201 : 200;
        given().contentType("application/json").body(json).post(DB + "/collections/" + collection + "/" + operation)
                .then().statusCode(status);
    }

    private static UUID fork(UUID source, long version) {
        return UUID.fromString(given().contentType("application/json")
                .body("{\"new_name\":\"v" + version + "-" + UUID.randomUUID().toString().substring(0, 8)
                        + "\",\"version\":" + version + "}")
                .post(DB + "/collections/" + source + "/fork").then().statusCode(200).extract().jsonPath()
                .getString("id"));
    }

    private static List<String> ids(UUID collection) {
        return given().contentType("application/json").body("{}").post(DB + "/collections/" + collection + "/get")
                .then().statusCode(200).extract().jsonPath().getList("ids");
    }

    private void compact(UUID collection) {
        assertTrue(join(compactor.compact(collection)).isPresent(), "a version was published");
    }

    private static <T> T join(CompletionStage<T> stage) {
        return stage.toCompletableFuture().join();
    }
}
