package io.vermilion.client;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The SDK scenario shared with the Python and TypeScript SDKs, and the Java layer's own promises (value types, errors,
 * the API key header), against the packaged server. Each test works in a tenant of its own.
 */
@ExtendWith(VermilionServerExtension.class)
class SdkScenarioIT {

    private static final double TOLERANCE = 1e-6;

    private static URI baseUrl;
    private static VermilionClient root;

    @BeforeAll
    static void connect(VermilionServer server) {
        baseUrl = server.baseUrl();
        root = new VermilionClient(baseUrl.toString());
    }

    @AfterAll
    static void disconnect() {
        root.close();
    }

    @Test
    void sharedScenario() {
        assertTrue(root.heartbeat() > 0);
        assertEquals("1.0.0", root.version());
        assertEquals(VermilionClient.DEFAULT_TENANT, root.tenant());
        assertEquals(VermilionClient.DEFAULT_DATABASE, root.database());

        // (1) a tenant and a database of its own
        String tenant = "sdk-" + UUID.randomUUID().toString().substring(0, 8);
        root.createTenant(tenant);
        assertEquals(new Tenant(tenant), root.getTenant(tenant));
        VermilionClient client = root.withTenant(tenant, "main");
        client.createDatabase("main");
        Database main = client.getDatabase("main");
        assertEquals("main", main.name());
        assertEquals(tenant, main.tenant());
        assertEquals(List.of(main), client.listDatabases());

        // (2) a cosine collection with typed metadata
        Collection docs = client.createCollection("docs", Map.of("topic", "sdk", "version", 2), Space.COSINE);
        assertEquals("docs", docs.name());
        assertEquals(Map.of("topic", "sdk", "version", 2L), docs.metadata());
        assertInstanceOf(Long.class, docs.metadata().get("version"));
        assertEquals(Space.COSINE, docs.space());
        assertEquals(tenant, docs.tenant());
        assertEquals("main", docs.database());

        // (3) three records
        docs.add(Records.of("a", "b", "c")
                .withEmbeddings(new float[] {1, 0, 0}, new float[] {0, 1, 0}, new float[] {0, 0, 1})
                .withDocuments("apple pie", "banana split", "cherry tart")
                .withMetadatas(Map.of("fruit", "apple", "n", 1), Map.of("fruit", "banana", "n", 2),
                        Map.of("fruit", "cherry", "n", 3)));

        // (4)
        assertEquals(3, docs.count());

        // (5) a metadata filter; integers come back as Long
        GetResult found = docs.get(GetRequest.all().withWhere(Map.of("n", Map.of("$gte", 2))));
        assertEquals(List.of("b", "c"), found.ids());
        assertEquals(List.of("banana split", "cherry tart"), found.documents());
        assertEquals(List.of(Map.of("fruit", "banana", "n", 2L), Map.of("fruit", "cherry", "n", 3L)),
                found.metadatas());
        assertInstanceOf(Long.class, found.metadatas().get(0).get("n"));
        assertNull(found.embeddings());
        assertNull(found.uris());
        assertEquals(List.of(Include.DOCUMENTS, Include.METADATAS), found.include());

        // (6) nearest two by cosine distance
        float[] q = {1, 0.1f, 0};
        QueryResult hits = docs.query(q, 2);
        assertEquals(List.of(List.of("a", "b")), hits.ids());
        assertEquals(2, hits.distances().get(0).size());
        assertEquals(cosineDistance(q, new float[] {1, 0, 0}), hits.distances().get(0).get(0), TOLERANCE);
        assertEquals(cosineDistance(q, new float[] {0, 1, 0}), hits.distances().get(0).get(1), TOLERANCE);
        assertEquals(List.of(List.of("apple pie", "banana split")), hits.documents());
        assertEquals(List.of(List.of(Map.of("fruit", "apple", "n", 1L), Map.of("fruit", "banana", "n", 2L))),
                hits.metadatas());
        assertEquals(List.of(Include.DOCUMENTS, Include.METADATAS, Include.DISTANCES), hits.include());

        // (7) upsert merges metadata key by key and keeps the document
        docs.upsert(Records.of("b").withEmbeddings(new float[] {0, 1, 0}).withMetadatas(Map.of("n", 20)));
        GetResult b = docs.get(List.of("b"));
        assertEquals(List.of("b"), b.ids());
        assertEquals(List.of(Map.of("fruit", "banana", "n", 20L)), b.metadatas());
        assertEquals(List.of("banana split"), b.documents());

        // (8) update changes only the document
        docs.update(Records.of("c").withDocuments("cherry pie"));
        GetResult c = docs.get(List.of("c"));
        assertEquals(List.of("cherry pie"), c.documents());
        assertEquals(List.of(Map.of("fruit", "cherry", "n", 3L)), c.metadatas());

        // (9) delete by filter
        assertEquals(1, docs.deleteWhere(Map.of("fruit", "apple")));
        assertEquals(2, docs.count());
        assertEquals(List.of("b", "c"), docs.get().ids());

        // (10) typed errors with Chroma's name, status and message
        NotFoundException missing = assertThrows(NotFoundException.class, () -> client.getCollection("missing"));
        assertError(missing, 404, "NotFoundError", "Collection [missing] does not exist");
        UniqueConstraintException duplicate =
                assertThrows(UniqueConstraintException.class, () -> client.createCollection("docs"));
        assertError(duplicate, 409, "ChromaError", "Collection [docs] already exists");
        InvalidArgumentException wrongDimension = assertThrows(InvalidArgumentException.class,
                () -> docs.add(Records.of("d").withEmbeddings(new float[] {1, 0})));
        assertError(wrongDimension, 400, "InvalidArgumentError",
                "Collection expecting embedding with dimension of 3, got 2");
        assertEquals(2, docs.count());

        // (12) list, count, rename, delete
        Collection notes = client.getOrCreateCollection("notes");
        assertEquals(Space.L2, notes.space());
        assertNull(notes.metadata());
        assertEquals(docs.id(), client.getOrCreateCollection("docs").id());
        List<String> listed = client.listCollections().stream().map(Collection::name).toList();
        assertEquals(List.of("docs", "notes"), listed.stream().sorted().toList()); // the server's order is its own
        assertEquals(List.of(listed.get(1)), client.listCollections(1, 1).stream().map(Collection::name).toList());
        assertEquals(2, client.countCollections());

        docs.modify("recipes", Map.of("topic", "food"));
        assertEquals("recipes", docs.name());
        assertEquals(Map.of("topic", "food"), docs.metadata());
        Collection recipes = client.getCollection("recipes");
        assertEquals(docs.id(), recipes.id());
        assertEquals(Map.of("topic", "food"), recipes.metadata());
        assertEquals(2, recipes.count());
        assertThrows(NotFoundException.class, () -> client.getCollection("docs"));

        client.deleteCollection("recipes");
        assertEquals(List.of("notes"), client.listCollections().stream().map(Collection::name).toList());
        assertEquals(1, client.countCollections());
        assertError(assertThrows(NotFoundException.class, () -> client.deleteCollection("recipes")), 404,
                "NotFoundError", "Collection [recipes] does not exist");

        client.createDatabase("scratch");
        assertEquals(List.of("main", "scratch"), client.listDatabases().stream().map(Database::name).toList());
        client.deleteDatabase("scratch");
        assertEquals(List.of(main), client.listDatabases());
    }

    /** (11) The key goes out as x-chroma-token on every request; the server (auth off) serves the lifecycle. */
    @Test
    void cloudClientSendsApiKeyOnEveryRequest() throws Exception {
        String tenant = "sdk-" + UUID.randomUUID().toString().substring(0, 8);
        root.createTenant(tenant);
        root.withTenant(tenant, "main").createDatabase("main");
        String key = "ck-" + UUID.randomUUID();
        try (RecordingProxy proxy = new RecordingProxy(baseUrl);
                CloudClient cloud = new CloudClient(proxy.baseUrl().toString(), key, tenant, "main")) {
            assertEquals(tenant, cloud.tenant());
            assertEquals("main", cloud.database());
            assertTrue(cloud.heartbeat() > 0);
            Collection docs = cloud.createCollection("docs", Map.of("topic", "sdk"), Space.COSINE);
            docs.add(Records.of("a", "b")
                    .withEmbeddings(new float[] {1, 0}, new float[] {0, 1})
                    .withDocuments("apple pie", "banana split"));
            assertEquals(2, docs.count());
            assertEquals(List.of(List.of("b")), docs.query(new float[] {0.1f, 1}, 1).ids());
            assertEquals(List.of("docs"), cloud.listCollections().stream().map(Collection::name).toList());
            assertThrows(NotFoundException.class, () -> cloud.getCollection("missing"));
            cloud.deleteCollection("docs");
            assertEquals(0, cloud.countCollections());

            List<RecordingProxy.Recorded> recorded = proxy.recorded();
            assertEquals(List.of("GET /api/v2/heartbeat",
                    "POST /api/v2/tenants/" + tenant + "/databases/main/collections",
                    "POST /api/v2/tenants/" + tenant + "/databases/main/collections/" + docs.id() + "/add",
                    "GET /api/v2/tenants/" + tenant + "/databases/main/collections/" + docs.id() + "/count",
                    "POST /api/v2/tenants/" + tenant + "/databases/main/collections/" + docs.id() + "/query",
                    "GET /api/v2/tenants/" + tenant + "/databases/main/collections",
                    "GET /api/v2/tenants/" + tenant + "/databases/main/collections/missing",
                    "DELETE /api/v2/tenants/" + tenant + "/databases/main/collections/docs",
                    "GET /api/v2/tenants/" + tenant + "/databases/main/collections_count"),
                    recorded.stream().map(r -> r.method() + " " + r.path()).toList());
            assertEquals(recorded.size(), recorded.stream().filter(r -> key.equals(r.token())).count(),
                    "every request carries the key: " + recorded);
        }
        // A client without a key sends no such header.
        try (RecordingProxy proxy = new RecordingProxy(baseUrl);
                VermilionClient plain = new VermilionClient(proxy.baseUrl().toString())) {
            plain.heartbeat();
            assertEquals(List.of(new RecordingProxy.Recorded("GET", "/api/v2/heartbeat", null)), proxy.recorded());
        }
        assertThrows(IllegalArgumentException.class, () -> new CloudClient(baseUrl.toString(), " ", tenant, "main"));
    }

    /** The quick start of sdk-java/README.md (in the default tenant and database). */
    @Test
    void readmeQuickStartWorks() {
        VermilionClient client = new VermilionClient(baseUrl.getHost(), baseUrl.getPort());
        Collection docs = client.getOrCreateCollection("docs", Map.of("topic", "demo"), Space.COSINE);
        docs.add(Records.of("a", "b").withEmbeddings(new float[] {1, 0}, new float[] {0, 1})
                .withDocuments("apple", "pear"));
        QueryResult hits = docs.query(new float[] {0.9f, 0.1f}, 1);
        GetResult apples = docs.get(GetRequest.all().withWhereDocument(Map.of("$contains", "apple")));

        assertEquals(List.of(List.of("a")), hits.ids());
        assertEquals(cosineDistance(new float[] {0.9f, 0.1f}, new float[] {1, 0}), hits.distances().get(0).get(0),
                TOLERANCE);
        assertEquals("0.0061", String.format("%.4f", hits.distances().get(0).get(0)));
        assertEquals(List.of("a"), apples.ids());
        assertEquals(List.of("apple"), apples.documents());
        assertEquals(VermilionClient.DEFAULT_TENANT, docs.tenant());
        assertEquals(VermilionClient.DEFAULT_DATABASE, docs.database());
        client.deleteCollection("docs");
        client.close();
    }

    @Test
    void metadataKeepsIntegersFloatsBooleansAndLists() {
        VermilionClient client = newTenantAndDatabase();
        Collection col = client.createCollection("typed", Map.of("int", 7, "float", 7.0, "flag", true, "name", "x"));
        assertEquals(Map.of("int", 7L, "float", 7.0, "flag", true, "name", "x"), col.metadata());
        assertInstanceOf(Double.class, col.metadata().get("float"));

        Map<String, Object> metadata = Map.of("i", 1, "big", 1L << 40, "f", 0.5, "whole", 2.0, "ok", false,
                "s", "text", "tags", List.of("x", "y"), "nums", List.of(1, 2), "floats", List.of(0.5, 1.5));
        col.add(Records.of("r").withEmbeddings(new float[] {1, 2}).withMetadatas(metadata));
        Map<String, Object> back = col.get(List.of("r")).metadatas().get(0);
        assertEquals(Map.of("i", 1L, "big", 1L << 40, "f", 0.5, "whole", 2.0, "ok", false, "s", "text",
                "tags", List.of("x", "y"), "nums", List.of(1L, 2L), "floats", List.of(0.5, 1.5)), back);
        assertInstanceOf(Double.class, back.get("whole"));

        // Sparse vectors go in and come back as SparseVector.
        SparseVector sparse = SparseVector.of(new int[] {2, 9, 4000000}, new float[] {0.25f, -1.5f, 3f});
        col.add(Records.of("sv").withEmbeddings(new float[] {3, 4}).withMetadatas(Map.of("sparse", sparse, "n", 1)));
        assertEquals(Map.of("sparse", sparse, "n", 1L), col.get(List.of("sv")).metadatas().get(0));
        col.delete(List.of("sv"));

        // A null value deletes its key (upsert and update merge key by key).
        Map<String, Object> drop = new HashMap<>();
        drop.put("f", null);
        drop.put("i", 2);
        col.update(Records.of("r").withMetadatas(drop));
        Map<String, Object> after = col.get(List.of("r")).metadatas().get(0);
        assertEquals(Map.of("i", 2L, "big", 1L << 40, "whole", 2.0, "ok", false, "s", "text",
                "tags", List.of("x", "y"), "nums", List.of(1L, 2L), "floats", List.of(0.5, 1.5)), after);

        // modify replaces the collection's metadata; a null value drops its key.
        Map<String, Object> replace = new HashMap<>();
        replace.put("int", 8);
        replace.put("flag", null);
        col.modify(null, replace);
        assertEquals("typed", col.name());
        assertEquals(Map.of("int", 8L), col.metadata());
        assertEquals(Map.of("int", 8L), client.getCollection("typed").metadata());
    }

    @Test
    void readsReturnEmbeddingsAsFloatArraysAndHonourOptions() {
        VermilionClient client = newTenantAndDatabase();
        Collection col = client.createCollection("vectors");
        col.add(Records.of("a", "b", "c")
                .withEmbeddings(new float[] {0.1f, 0.2f}, new float[] {1.5f, -2.25f}, new float[] {3, 4})
                .withDocuments("one", null, "three")
                .withUris("u1", "u2", null));

        GetResult all = col.get(GetRequest.all().withInclude(Include.EMBEDDINGS, Include.URIS, Include.DOCUMENTS));
        assertEquals(List.of("a", "b", "c"), all.ids());
        assertEquals(3, all.size());
        assertArrayEquals(new float[] {0.1f, 0.2f}, all.embeddings().get(0));
        assertArrayEquals(new float[] {1.5f, -2.25f}, all.embeddings().get(1));
        assertArrayEquals(new float[] {3, 4}, all.embeddings().get(2));
        assertEquals(Arrays.asList("one", null, "three"), all.documents());
        assertEquals(Arrays.asList("u1", "u2", null), all.uris());
        assertNull(all.metadatas());

        GetResult page = col.get(GetRequest.all().withLimit(1).withOffset(1).withInclude());
        assertEquals(List.of("b"), page.ids());
        assertNull(page.documents());
        assertEquals(List.of(), page.include());
        assertEquals(List.of("c"),
                col.get(GetRequest.all().withWhereDocument(Map.of("$contains", "three"))).ids());
        assertEquals(List.of("a"), col.get(GetRequest.all().withIds("a", "missing")).ids());

        // l2 (squared): from (3, 4.5) to c = 0.25, to b = 2.25 + 45.5625 = 47.8125
        QueryResult hits = col.query(QueryRequest.of(new float[] {3, 4.5f}, new float[] {0, 0})
                .withNResults(2).withInclude(Include.EMBEDDINGS, Include.DISTANCES));
        assertEquals(List.of(List.of("c", "a"), List.of("a", "b")), hits.ids());
        assertArrayEquals(new float[] {3, 4}, hits.embeddings().get(0).get(0));
        assertEquals(0.25, hits.distances().get(0).get(0), TOLERANCE);
        assertEquals(l2(new float[] {3, 4.5f}, new float[] {0.1f, 0.2f}), hits.distances().get(0).get(1), 1e-5);
        assertEquals(l2(new float[] {0, 0}, new float[] {0.1f, 0.2f}), hits.distances().get(1).get(0), TOLERANCE);
        assertNull(hits.documents());
        assertNull(hits.metadatas());
        assertEquals(List.of(List.of("b")),
                col.query(QueryRequest.of(new float[] {0, 0}).withNResults(5).withIds("b")).ids());

        assertEquals(3, col.delete(List.of("a", "c", "missing"))); // by ids alone: the number of ids sent
        assertEquals(List.of("b"), col.get().ids());
    }

    @Test
    void refusalsAreTypedExceptions() {
        VermilionClient client = newTenantAndDatabase();
        assertError(assertThrows(NotFoundException.class, () -> root.getTenant("no-such-tenant")), 404,
                "NotFoundError", "Tenant [no-such-tenant] not found");
        assertError(assertThrows(NotFoundException.class, () -> client.getDatabase("nope")), 404, "NotFoundError",
                "Database [nope] not found. Are you sure it exists?");

        Collection col = client.createCollection("limits");
        String longId = "x".repeat(129);
        QuotaExceededException quota = assertThrows(QuotaExceededException.class,
                () -> col.add(Records.of(longId).withEmbeddings(new float[] {1})));
        assertError(quota, 422, "ChromaError", "Quota exceeded: 'ID size (bytes)' exceeded quota limit for action"
                + " 'Add': current usage of 129 exceeds limit of 128");
        assertError(assertThrows(InvalidArgumentException.class,
                        () -> col.get(GetRequest.all().withWhere(Map.of("n", Map.of("$foo", 1))))),
                400, "InvalidArgumentError", "Invalid where clause");
        assertEquals(0, col.count());
        assertThrows(IllegalArgumentException.class, () -> col.delete(null, null, null));
    }

    @Test
    void searchRanksFusesFiltersGroupsAndReportsIndexing() {
        VermilionClient client = newTenantAndDatabase();
        Collection col = client.createCollection("search");
        col.add(Records.of("a", "b", "c", "d")
                .withEmbeddings(new float[] {0, 0}, new float[] {1, 0}, new float[] {2, 0}, new float[] {3, 0})
                .withDocuments("apple pie", "banana split", "cherry tart", "date loaf")
                .withMetadatas(Map.of("kind", "fruit"), Map.of("kind", "fruit"), Map.of("kind", "stone"),
                        Map.of("kind", "stone")));
        SearchResult r = col.search(
                Search.ranked(Rank.knn(new float[] {2.4f, 0}, 3)).withLimit(2, 0).withSelect("#document", "#score", "kind"),
                Search.ranked(Rank.rrf(60, Rank.knn(new float[] {0, 0}, 3, null, true),
                        Rank.knn(new float[] {3, 0}, 3, null, true))).withSelect("#score"),
                Search.ranked(Rank.knn(new float[] {0, 0}, 4)).withWhere(Map.of("#id", Map.of("$nin", List.of("a"))))
                        .withGroupBy(List.of("kind"), List.of("#score"), 1, false).withSelect("#score"));
        assertEquals(List.of(List.of("c", "d"), List.of("b", "c"), List.of("b", "c")), r.ids());
        assertEquals(List.of("cherry tart", "date loaf"), r.documents().get(0));
        assertEquals(List.of(Map.of("kind", "stone"), Map.of("kind", "stone")), r.metadatas().get(0));
        assertEquals(0.16, r.scores().get(0).get(0), TOLERANCE);
        assertEquals(0.36, r.scores().get(0).get(1), TOLERANCE);
        assertEquals(-(1.0 / 61 + 1.0 / 62), r.scores().get(1).get(0), TOLERANCE);
        assertEquals(List.of(1f, 4f), r.scores().get(2));
        assertNull(r.documents().get(1));
        // Nothing is compacted yet: the compacted version alone is empty, the bounded log (250) holds all four.
        assertEquals(0, col.count(ReadLevel.INDEX_ONLY));
        assertEquals(4, col.count(ReadLevel.INDEX_AND_BOUNDED_WAL));
        assertEquals(List.of(List.<String>of()), col.search(ReadLevel.INDEX_ONLY,
                Search.ranked(Rank.knn(new float[] {0, 0}, 3))).ids());
        assertEquals(List.of(List.of("a", "b")), col.search(ReadLevel.INDEX_AND_BOUNDED_WAL,
                Search.ranked(Rank.knn(new float[] {0, 0}, 2))).ids());
        var status = col.indexingStatus();
        assertEquals(List.of(4L, 4L, 0L), List.of(status.getTotalOps(), status.getNumUnindexedOps(),
                status.getNumIndexedOps()));
    }

    private static VermilionClient newTenantAndDatabase() {
        String tenant = "sdk-" + UUID.randomUUID().toString().substring(0, 8);
        root.createTenant(tenant);
        VermilionClient client = root.withTenant(tenant, "main");
        client.createDatabase("main");
        return client;
    }

    private static void assertError(VermilionException e, int status, String errorName, String message) {
        assertEquals(status, e.status(), e::toString);
        assertEquals(errorName, e.errorName(), e::toString);
        assertEquals(message, e.getMessage());
    }

    /** 1 − cos(a, b), in double. */
    private static double cosineDistance(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return 1 - dot / (Math.sqrt(na) * Math.sqrt(nb));
    }

    /** Squared Euclidean distance, in double. */
    private static double l2(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            double d = (double) a[i] - b[i];
            sum += d * d;
        }
        return sum;
    }
}
