package io.vermilion.api;

import static io.vermilion.api.ApiTestSupport.get;
import static io.vermilion.api.ApiTestSupport.post;

/**
 * The collection scaffolding the HTTP tests share: a fresh collection in the default database, records added to it,
 * and waiting until the server's compactor has indexed them (as a client sees it, through {@code indexing_status}).
 * Every step goes over HTTP and asserts Chroma's status code, so a broken step fails the test that uses it.
 */
final class TestCollections {

    /** The collections of {@code default_tenant/default_database}. */
    static final String COLLECTIONS = "/api/v2/tenants/default_tenant/databases/default_database/collections";

    /** An add of six records a..f at (i, 0), two each with metadata k = x, y and z. */
    static final String SIX_POINTS = """
            {"ids": ["a", "b", "c", "d", "e", "f"], "embeddings": [[0, 0], [1, 0], [2, 0], [3, 0], [4, 0], [5, 0]],
             "metadatas": [{"k": "x"}, {"k": "x"}, {"k": "y"}, {"k": "y"}, {"k": "z"}, {"k": "z"}]}""";

    private static final long COMPACTION_WAIT_NANOS = 120_000_000_000L;

    private TestCollections() {}

    /** Creates a collection named {@code prefix-<random>} and returns its path. */
    static String create(String prefix) {
        return createNamed(ApiTestSupport.uniqueName(prefix), "");
    }

    /**
     * Creates a collection with exactly this name, {@code moreFields} (JSON members with a leading comma, e.g.
     * {@code ,"schema": {...}}, or "") added to the create body, and returns its path.
     */
    static String createNamed(String name, String moreFields) {
        String id = post(COLLECTIONS, "{\"name\":\"" + name + "\"" + moreFields + "}").statusCode(200).extract().path("id");
        return COLLECTIONS + "/" + id;
    }

    /** Adds {@code addBody} (201) to the collection at {@code col}. */
    static void add(String col, String addBody) {
        post(col + "/add", addBody).statusCode(201);
    }

    /** Adds {@code addBody} holding {@code records} records, then waits until all of them are compacted. */
    static void addAndAwaitCompaction(String col, String addBody, int records) throws InterruptedException {
        add(col, addBody);
        awaitIndexed(col, records);
    }

    /** Waits (at most two minutes, else fails) until {@code indexing_status} counts {@code ops} indexed operations. */
    static void awaitIndexed(String col, long ops) throws InterruptedException {
        long deadline = System.nanoTime() + COMPACTION_WAIT_NANOS;
        while (get(col + "/indexing_status").statusCode(200).extract().jsonPath().getLong("num_indexed_ops") < ops) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the " + ops + " records were not compacted within two minutes");
            }
            Thread.sleep(50);
        }
    }
}
