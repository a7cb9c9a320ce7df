package io.vermilion.api;

import static io.vermilion.api.ApiTestSupport.get;
import static io.vermilion.api.ApiTestSupport.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.vermilion.sysdb.PostgresResource;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Bad rank expressions, unknown keys and out-of-range values in Search bodies, made by mutating valid searches at
 * random (a node replaced by null, a wrong type, an unknown operator, a huge or negative number, a deep nest; a key
 * dropped or added): every answer is 200 or one of Chroma's 4xx in its error format, never a 500, and the stored
 * records stay as they were. {@code -Dtests.seed=N} replays a run (the seed is in every failure message),
 * {@code -Dtests.search.fuzz.cases=N} sets its length (400).
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
class SearchFuzzTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final String DB = "/api/v2/tenants/default_tenant/databases/default_database";
    private static final Set<Integer> ANSWERS = Set.of(200, 400, 422);

    /** Valid searches the mutations start from: every rank operator, group_by, filters on #id and #document. */
    private static final String[] VALID = {
        """
        {"searches": [{"filter": {"kind": "fruit"}, "rank": {"$knn": {"query": [1, 0], "limit": 3}},
                       "limit": {"offset": 0, "limit": 2}, "select": {"keys": ["#score", "#document", "kind"]}}]}""",
        """
        {"searches": [{"rank": {"$mul": [{"$val": -1}, {"$sum": [
            {"$div": {"left": {"$val": 1}, "right": {"$sum": [{"$val": 60},
                {"$knn": {"query": [0, 0], "limit": 4, "default": 100, "return_rank": true}}]}}},
            {"$div": {"left": {"$val": 1}, "right": {"$sum": [{"$val": 60},
                {"$knn": {"query": [3, 0], "limit": 4, "default": 100, "return_rank": true}}]}}}]}]},
            "group_by": {"keys": ["kind"], "aggregate": {"$max_k": {"keys": ["#score", "n"], "k": 1}}},
            "select": {"keys": ["#score"]}}], "read_level": "index_and_wal"}""",
        """
        {"searches": [{"filter": {"$and": [{"#id": {"$nin": ["a"]}}, {"#document": {"$contains": "pie"}}]},
            "rank": {"$max": [{"$abs": {"$sub": {"left": {"$knn": {"query": [1, 1]}}, "right": {"$val": 2}}}},
                              {"$min": [{"$exp": {"$knn": {"query": [2, 0], "limit": 2, "default": 5}}},
                                        {"$log": {"$val": 3}}]}]}}]}""",
        """
        {"searches": [{}, {"filter": null, "rank": null, "group_by": null, "limit": null, "select": null}],
         "read_level": "index_only"}""",
    };

    private static final String[] SCALARS = {
        "null", "true", "-1", "0", "4294967296", "1e39", "-1e39", "1.5", "\"x\"", "\"#document\"", "\"#score\"",
        "\"$knn\"", "[]", "[null]", "{}", "{\"$bogus\": 1}", "{\"$knn\": {}}", "{\"$knn\": {\"query\": \"\"}}",
        "{\"$val\": null}", "{\"$sum\": []}", "{\"$div\": {\"left\": {\"$val\": 1}}}", "[[1, 0]]",
        "{\"indices\": [2, 1], \"values\": [1]}", "{\"$min_k\": {\"keys\": [], \"k\": 0}}", "\"\\u0000\"",
    };

    @Test
    void mutatedSearchesAreAnsweredOrRefusedWithChromasErrorsNeverA500() throws Exception {
        long seed = Long.getLong("tests.seed", new Random().nextLong());
        Random random = new Random(seed);
        String name = ApiTestSupport.uniqueName("fuzz");
        String id = post(DB + "/collections", "{\"name\":\"" + name + "\"}").statusCode(200).extract().path("id");
        String col = DB + "/collections/" + id;
        post(col + "/add", """
                {"ids": ["a", "b", "c", "d"], "embeddings": [[0, 0], [1, 0], [2, 0], [3, 0]],
                 "documents": ["apple pie", "banana split", "cherry pie", "date loaf"],
                 "metadatas": [{"kind": "fruit", "n": 1}, {"kind": "fruit", "n": 2}, {"kind": "stone", "n": 3},
                               {"kind": "stone", "n": 4}]}""").statusCode(201);
        String before = post(col + "/get", "{\"include\": [\"embeddings\", \"documents\", \"metadatas\"]}")
                .statusCode(200).extract().asString();
        for (String valid : VALID) {
            post(col + "/search", valid).statusCode(200); // the starting points themselves are valid
        }
        int refused = 0;
        int cases = Integer.getInteger("tests.search.fuzz.cases", 400);
        for (int i = 0; i < cases; i++) {
            JsonNode body = JSON.readTree(VALID[random.nextInt(VALID.length)]);
            int mutations = 1 + random.nextInt(3);
            for (int m = 0; m < mutations; m++) {
                body = mutate(body, random);
            }
            String sent = JSON.writeValueAsString(body);
            ExtractableResponse<Response> answer = ApiTestSupport.post(col + "/search", sent).extract();
            String context = "seed " + seed + " (-Dtests.seed=" + seed + "), case " + i + ": " + sent + " -> "
                    + answer.statusCode() + " " + answer.asString();
            assertTrue(ANSWERS.contains(answer.statusCode()), context);
            JsonNode json = JSON.readTree(answer.asString());
            if (answer.statusCode() == 200) {
                assertTrue(json.path("ids").isArray(), context);
            } else {
                refused++;
                assertTrue(json.path("error").isTextual() && json.path("message").isTextual(), context);
            }
        }
        assertTrue(refused > 0, "some mutation was refused (seed " + seed + ")");
        assertEquals(before, post(col + "/get", "{\"include\": [\"embeddings\", \"documents\", \"metadatas\"]}")
                .statusCode(200).extract().asString(), "stored records untouched (seed " + seed + ")");
        assertEquals("4", get(col + "/count").statusCode(200).extract().asString());
    }

    /** {@code root} with one random node replaced, dropped or given an extra key (the root may be replaced too). */
    private static JsonNode mutate(JsonNode root, Random random) throws Exception {
        List<JsonNode> containers = new ArrayList<>();
        collect(root, containers);
        JsonNode target = containers.get(random.nextInt(containers.size()));
        JsonNode replacement = random.nextInt(8) == 0 ? deep(random) : JSON.readTree(SCALARS[random.nextInt(SCALARS.length)]);
        if (target instanceof ObjectNode object) {
            List<String> keys = new ArrayList<>();
            for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
                keys.add(it.next());
            }
            int action = random.nextInt(4);
            if (keys.isEmpty() || action == 0) {
                object.set(random.nextBoolean() ? "bogus" : "$bogus", replacement);
            } else if (action == 1) {
                object.remove(keys.get(random.nextInt(keys.size())));
            } else {
                object.set(keys.get(random.nextInt(keys.size())), replacement);
            }
        } else if (target instanceof ArrayNode array) {
            if (array.isEmpty() || random.nextBoolean()) {
                array.add(replacement);
            } else {
                array.set(random.nextInt(array.size()), replacement);
            }
        }
        return root;
    }

    private static void collect(JsonNode node, List<JsonNode> out) {
        if (node.isContainerNode()) {
            out.add(node);
            node.forEach(child -> collect(child, out));
        }
    }

    /** A rank nested past Chroma's depth, or an array nested deep. */
    private static JsonNode deep(Random random) {
        JsonNode node = F.objectNode().put("$val", 1);
        int depth = 60 + random.nextInt(200);
        for (int i = 0; i < depth; i++) {
            node = random.nextBoolean() ? F.objectNode().set("$abs", node) : F.arrayNode().add(node);
        }
        return node;
    }
}
