package io.vermilion.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.vermilion.catalog.FragmentRef;
import io.vermilion.catalog.LogCatalog;
import io.vermilion.catalog.VersionCatalog;
import io.vermilion.catalog.VersionRef;
import io.vermilion.compactor.Compactor;
import io.vermilion.compactor.DroppedCollections;
import io.vermilion.compactor.VersionGarbageCollector;
import io.vermilion.log.LogGarbageCollector;
import io.vermilion.storage.ObjectInfo;
import io.vermilion.storage.ObjectStore;
import io.vermilion.sysdb.PostgresResource;
import io.vermilion.version.ManifestReader;
import io.vermilion.version.VersionManifest;
import jakarta.inject.Inject;

/**
 * Forks over HTTP with PostgreSQL and S3: a fork shares its source's version and log copy-on-write, writes on either
 * side stay there, compaction and garbage collection on both sides (and deleting the source) leave every record of
 * the fork exact, forks of forks, fork counts per tree, the limit on forks, Chroma's errors, and forks of retained
 * versions (time travel).
 */
@QuarkusTest
@TestProfile(ForkProfile.class)
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
class ForkTest {

    private static final String DB = "/api/v2/tenants/default_tenant/databases/default_database";

    @Inject
    Compactor compactor;

    @Inject
    VersionGarbageCollector garbage;

    @Inject
    LogGarbageCollector logGarbage;

    @Inject
    DroppedCollections dropped;

    @Inject
    ObjectStore store;

    @Inject
    VersionCatalog versions;

    @Inject
    LogCatalog log;

    /** An expected record: embedding, document, metadata value of "n". */
    private record Rec(List<Float> embedding, String document, int n) {}

    @Test
    void forkSurvivesWritesCompactionGarbageCollectionAndDeletingItsSource() {
        String sourceName = unique("source");
        UUID source = create(sourceName);
        Map<String, Rec> sourceModel = new TreeMap<>();
        add(source, sourceModel, "a", "b", "c", "d", "e");
        compact(source); // version 1 holds a..e
        add(source, sourceModel, "f", "g"); // the tail in the source's log
        Set<String> sourceObjectsBefore = keys(source);

        JsonPath forked = fork(source, unique("fork"), "").then().statusCode(200).extract().jsonPath();
        UUID fork = UUID.fromString(forked.getString("id"));
        assertNotEquals(source, fork);
        assertEquals(Set.of(), keys(fork), "forking copies no object");
        assertEquals(sourceObjectsBefore, keys(source));
        Map<String, Rec> forkModel = new TreeMap<>(sourceModel);
        assertRecords(fork, forkModel);
        assertEquals(1, forkCount(source));
        assertEquals(1, forkCount(fork));

        // Writes on either side stay on that side.
        add(source, sourceModel, "h");
        delete(source, sourceModel, "a");
        update(fork, forkModel, "b", "fork-b");
        add(fork, forkModel, "i", "j");
        delete(fork, forkModel, "g");
        assertRecords(source, sourceModel);
        assertRecords(fork, forkModel);

        // Compacting and collecting the source never deletes its version 1 objects or log fragments: the fork reads
        // them.
        compact(source);
        collect(source);
        assertRecords(source, sourceModel);
        assertRecords(fork, forkModel);
        assertAllReadable(fork);
        assertAllReadable(source);

        // A fork of the fork (it reads the source's objects too), then the source goes: both forks keep every record.
        UUID grandchild = UUID.fromString(fork(fork, unique("grandchild"), "").then().statusCode(200)
                .extract().jsonPath().getString("id"));
        Map<String, Rec> grandchildModel = new TreeMap<>(forkModel);
        assertEquals(2, forkCount(source));
        assertEquals(2, forkCount(grandchild));
        add(fork, forkModel, "k");
        given().delete(DB + "/collections/" + sourceName).then().statusCode(200);
        join(dropped.purgeAll());
        assertRecords(fork, forkModel);
        assertRecords(grandchild, grandchildModel);
        assertAllReadable(fork);
        assertAllReadable(grandchild);
        assertFalse(keys(source).isEmpty(), "the deleted source keeps what its forks read");
        assertEquals(2, forkCount(fork), "the edges of the forks that live on still count");

        // The forks compact and collect on their own; once they no longer read anything of the source, the source's
        // prefix empties.
        add(grandchild, grandchildModel, "l");
        compact(fork);
        collect(fork);
        assertEquals(Optional.of(2L), current(fork).map(VersionRef::version), "the fork continues its source's numbering");
        assertTrue(current(fork).orElseThrow().manifestKey().startsWith(fork + "/"), "the fork's new version is its own");
        join(dropped.purgeAll());
        assertRecords(grandchild, grandchildModel);
        assertAllReadable(grandchild);
        compact(grandchild);
        collect(grandchild);
        join(dropped.purgeAll());
        assertEquals(Set.of(), keys(source), "nothing of the deleted source is left once no fork reads it");
        assertRecords(fork, forkModel);
        assertRecords(grandchild, grandchildModel);
        assertAllReadable(fork);
        assertAllReadable(grandchild);
    }

    @Test
    void forkOfANeverCompactedCollectionReadsItsWholeLog() {
        UUID source = create(unique("log-only"));
        Map<String, Rec> model = new TreeMap<>();
        add(source, model, "a", "b");
        UUID fork = UUID.fromString(fork(source, unique("log-only-fork"), "").then().statusCode(200)
                .extract().jsonPath().getString("id"));
        assertRecords(fork, model);
        Map<String, Rec> forkModel = new TreeMap<>(model);
        add(fork, forkModel, "c");
        compact(source);
        collect(source);
        compact(fork);
        collect(fork);
        assertRecords(source, model);
        assertRecords(fork, forkModel);
    }

    @Test
    void aForkTakenDuringWritesHoldsExactlyAPrefixOfThem() throws Exception {
        UUID source = create(unique("racing"));
        List<String> written = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread writer = new Thread(() -> {
            for (int i = 0; i < 40; i++) {
                String id = "w" + (1000 + i);
                given().contentType("application/json").body("{\"ids\":[\"" + id + "\"],\"embeddings\":[[" + i + ",1]]}")
                        .post(DB + "/collections/" + source + "/add").then().statusCode(201);
                written.add(id);
                if (i == 20) {
                    join(compactor.compact(source)); // a compaction in the middle, too
                }
            }
        });
        writer.start();
        List<UUID> forks = new ArrayList<>();
        while (writer.isAlive()) {
            forks.add(UUID.fromString(fork(source, unique("racing-fork"), "").then().statusCode(200)
                    .extract().jsonPath().getString("id")));
        }
        writer.join();
        assertTrue(forks.size() >= 2, "forks were taken while writing: " + forks.size());
        List<String> all = List.copyOf(written);
        for (UUID fork : forks) {
            List<String> ids = given().contentType("application/json").body("{}")
                    .post(DB + "/collections/" + fork + "/get").then().statusCode(200).extract().jsonPath()
                    .getList("ids");
            assertEquals(all.subList(0, ids.size()), ids, "fork " + fork + " holds a prefix of the writes");
        }
    }

    @Test
    void forkErrorsAreChromas() {
        UUID source = create(unique("errors"));
        String taken = unique("taken");
        create(taken);
        UUID missing = UUID.randomUUID();
        fork(missing, unique("x"), "").then().statusCode(404).body("error", equalTo("NotFoundError"))
                .body("message", equalTo("Collection [" + missing + "] does not exist"));
        fork(source, taken, "").then().statusCode(409).body("error", equalTo("ChromaError"))
                .body("message", equalTo("Collection [" + taken + "] already exists"));
        given().contentType("application/json").body("{}").post(DB + "/collections/" + source + "/fork").then()
                .statusCode(422).body("message", equalTo(
                        "Failed to deserialize the JSON body into the target type: missing field `new_name`"));
        fork(source, unique("v"), ",\"version\":7").then().statusCode(404)
                .body("message", equalTo("Collection [" + source + "] has no retained version 7"));
        fork(source, unique("v"), ",\"version\":0").then().statusCode(422);
        fork(source, unique("v"), ",\"as_of\":\"yesterday\"").then().statusCode(422);
        given().get(DB + "/collections/" + missing + "/fork_count").then().statusCode(404);
        assertEquals(0, forkCount(source), "failed forks leave no edge");
    }

    @Test
    void aTreeHoldsAtMost256Forks() {
        UUID root = create(unique("limited"));
        Map<String, Rec> model = new TreeMap<>();
        add(root, model, "a");
        UUID last = root;
        for (int i = 0; i < 256; i++) {
            // alternate between forking the root and forking the newest fork: edges count per tree
            UUID from = i % 2 == 0 ? root : last;
            last = UUID.fromString(fork(from, unique("limited-" + i), "").then().statusCode(200)
                    .extract().jsonPath().getString("id"));
        }
        assertEquals(256, forkCount(root));
        assertEquals(256, forkCount(last));
        fork(last, unique("one-too-many"), "").then().statusCode(422)
                .body("error", equalTo("ChromaError"))
                .body("message", equalTo("Quota exceeded: 'Number of forks' exceeded quota limit for action "
                        + "'Fork Collection': current usage of 257 exceeds limit of 256"));
        assertEquals(256, forkCount(root));
        assertRecords(last, model);
    }

    @Test
    void retainedVersionsAreListedAndForkable() {
        UUID source = create(unique("history"));
        Map<String, Rec> model = new TreeMap<>();
        add(source, model, "a", "b");
        compact(source);
        Map<String, Rec> atVersion1 = new TreeMap<>(model);
        add(source, model, "c");
        delete(source, model, "a");
        compact(source);
        add(source, model, "d"); // a tail after version 2

        JsonPath listed = given().get(DB + "/collections/" + source + "/versions").then().statusCode(200)
                .extract().jsonPath();
        assertEquals(List.of(1, 2), listed.getList("versions.version"));
        assertEquals(List.of(false, true), listed.getList("versions.current"));
        assertEquals(List.of(2, 4), listed.getList("versions.log_position"));

        UUID past = UUID.fromString(fork(source, unique("v1"), ",\"version\":1").then().statusCode(200)
                .extract().jsonPath().getString("id"));
        assertRecords(past, atVersion1);
        String publishedAt2 = listed.getString("versions[1].published_at");
        UUID asOf = UUID.fromString(fork(source, unique("as-of"), ",\"as_of\":\"" + publishedAt2 + "\"").then()
                .statusCode(200).extract().jsonPath().getString("id"));
        Map<String, Rec> atVersion2 = new TreeMap<>(model);
        atVersion2.remove("d");
        assertRecords(asOf, atVersion2);
        assertRecords(source, model);

        // Without retention, collecting the source forgets version 1, but the fork of it stays whole.
        collect(source);
        assertEquals(List.of(2), given().get(DB + "/collections/" + source + "/versions").then().statusCode(200)
                .extract().jsonPath().getList("versions.version"));
        fork(source, unique("gone"), ",\"version\":1").then().statusCode(404);
        Map<String, Rec> pastModel = new TreeMap<>(atVersion1);
        add(past, pastModel, "p");
        assertRecords(past, pastModel);
        assertAllReadable(past);
    }

    // ---- helpers ----

    private static String unique(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static UUID create(String name) {
        return UUID.fromString(given().contentType("application/json").body("{\"name\":\"" + name + "\"}")
                .post(DB + "/collections").then().statusCode(200).extract().jsonPath().getString("id"));
    }

    private static Response fork(UUID source, String newName, String extra) {
        return given().contentType("application/json").body("{\"new_name\":\"" + newName + "\"" + extra + "}")
                .post(DB + "/collections/" + source + "/fork");
    }

    private static long forkCount(UUID collection) {
        return given().get(DB + "/collections/" + collection + "/fork_count").then().statusCode(200)
                .extract().jsonPath().getLong("count");
    }

    private static void add(UUID collection, Map<String, Rec> model, String... ids) {
        List<String> embeddings = new ArrayList<>();
        List<String> docs = new ArrayList<>();
        List<String> metas = new ArrayList<>();
        List<String> quoted = new ArrayList<>();
        for (String id : ids) {
            int n = id.charAt(0) - 'a' + 1;
            Rec rec = new Rec(List.of((float) n, n + 0.5f, (float) -n), "doc-" + id, n);
            model.put(id, rec);
            quoted.add("\"" + id + "\"");
            embeddings.add(rec.embedding().toString());
            docs.add("\"" + rec.document() + "\"");
            metas.add("{\"n\":" + n + "}");
        }
        given().contentType("application/json").body("{\"ids\":" + quoted + ",\"embeddings\":" + embeddings
                        + ",\"documents\":" + docs + ",\"metadatas\":" + metas + "}")
                .post(DB + "/collections/" + collection + "/add").then().statusCode(201);
    }

    private static void update(UUID collection, Map<String, Rec> model, String id, String document) {
        given().contentType("application/json").body("{\"ids\":[\"" + id + "\"],\"documents\":[\"" + document + "\"]}")
                .post(DB + "/collections/" + collection + "/update").then().statusCode(200);
        Rec old = model.get(id);
        model.put(id, new Rec(old.embedding(), document, old.n()));
    }

    private static void delete(UUID collection, Map<String, Rec> model, String id) {
        given().contentType("application/json").body("{\"ids\":[\"" + id + "\"]}")
                .post(DB + "/collections/" + collection + "/delete").then().statusCode(200);
        model.remove(id);
    }

    /** Every record of the collection, exactly: ids, embeddings, documents and metadata, and the count. */
    private static void assertRecords(UUID collection, Map<String, Rec> model) {
        JsonPath got = given().contentType("application/json")
                .body("{\"include\":[\"embeddings\",\"documents\",\"metadatas\"]}")
                .post(DB + "/collections/" + collection + "/get").then().statusCode(200).extract().jsonPath();
        List<String> ids = got.getList("ids");
        Map<String, Rec> actual = new TreeMap<>();
        for (int i = 0; i < ids.size(); i++) {
            List<Float> embedding = got.getList("embeddings[" + i + "]", Float.class);
            actual.put(ids.get(i), new Rec(embedding, got.getString("documents[" + i + "]"),
                    got.getInt("metadatas[" + i + "].n")));
        }
        assertEquals(model, actual);
        given().get(DB + "/collections/" + collection + "/count").then().statusCode(200)
                .body(equalTo(String.valueOf(model.size())));
    }

    private void compact(UUID collection) {
        assertTrue(join(compactor.compact(collection)).isPresent(), "a version was published");
    }

    private void collect(UUID collection) {
        join(garbage.collect(collection, Duration.ZERO));
        join(logGarbage.sweep(collection));
    }

    private Optional<VersionRef> current(UUID collection) {
        return join(versions.currentVersion(collection));
    }

    private Set<String> keys(UUID collection) {
        Set<String> keys = new HashSet<>();
        for (ObjectInfo object : join(store.list(collection + "/"))) {
            keys.add(object.key());
        }
        return keys;
    }

    /** Every object the collection's current version and recorded log name is in the object store. */
    private void assertAllReadable(UUID collection) {
        Map<String, Boolean> present = new LinkedHashMap<>();
        Optional<VersionRef> ref = current(collection);
        if (ref.isPresent()) {
            String key = ref.get().manifestKey();
            VersionManifest manifest = new ManifestReader().read(join(store.get(key)), key);
            present.put(key, true);
            manifest.files().forEach(file -> present.put(file.key(), true));
        }
        for (FragmentRef fragment : join(log.fragments(collection, 0))) {
            present.put(fragment.key(), true);
        }
        for (String key : present.keySet()) {
            String prefix = key.substring(0, key.indexOf('/') + 1);
            boolean found = join(store.list(prefix)).stream().anyMatch(o -> o.key().equals(key));
            assertTrue(found, key + " is still stored");
        }
    }

    private static <T> T join(CompletionStage<T> stage) {
        return stage.toCompletableFuture().join();
    }
}
