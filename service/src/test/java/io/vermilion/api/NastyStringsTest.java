package io.vermilion.api;

import static io.restassured.RestAssured.given;
import static io.vermilion.api.ApiTestSupport.post;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.vermilion.sysdb.PostgresResource;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Fuzz table over HTTP: each nasty string (NUL, unpaired surrogates, very long, path traversal, bidi controls,
 * emoji, percent-encoded junk) goes into every path segment and body field. No answer may be a 5xx, and a refused
 * request must leave every stored thing of the tenant exactly as it was.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
class NastyStringsTest {

    /** One nasty string: as it appears inside a JSON string literal, and percent-encoded for a path or query. */
    private record Nasty(String label, String json, String path) {}

    private record Call(String method, String path, String body) {}

    /** 3000 scattered CJK characters (9000 UTF-8 bytes that compress badly): beyond a PostgreSQL index entry. */
    private static final String LONG = longText();

    private static String longText() {
        StringBuilder b = new StringBuilder();
        Random random = new Random(10);
        for (int i = 0; i < 3000; i++) {
            b.append((char) (0x4E00 + random.nextInt(20_000)));
        }
        return b.toString();
    }

    private static final List<Nasty> NASTY = List.of(
            new Nasty("nul", "\\u0000", "%00"),
            new Nasty("nul inside", "ab\\u0000cd", "ab%00cd"),
            new Nasty("lone high surrogate", "abc\\ud800", "abc%ED%A0%80"),
            new Nasty("lone low surrogate", "\\udc00abc", "%ED%B0%80abc"),
            new Nasty("control characters", "a\\u0001b\\u001fc", "a%01b%1Fc"),
            new Nasty("very long", LONG, URLEncoder.encode(LONG.substring(0, 300), StandardCharsets.UTF_8)),
            new Nasty("path traversal", "../../../tmp/evil", "..%2F..%2F..%2Ftmp%2Fevil"),
            new Nasty("dot dot", "..", ".."),
            new Nasty("right-to-left override", "\\u202Eevil\\u202Dname", "%E2%80%AEevil%E2%80%ADname"),
            new Nasty("emoji", "\\ud83d\\ude00\\ud83d\\udd25x", "%F0%9F%98%80%F0%9F%94%A5x"),
            new Nasty("percent junk", "%zz%00%", "%25zz%2500%25"), // a raw malformed escape never leaves the client
            new Nasty("overlong utf-8", "\u00c0\u00ae", "%C0%AE%C0%AE"),
            new Nasty("empty", "", ""));

    private String tenant;
    private String db;
    private String colId;

    private static Response send(Call c) {
        var spec = given().urlEncodingEnabled(false).contentType("application/json");
        if (c.body() != null) {
            spec = spec.body(c.body());
        }
        return spec.request(c.method(), c.path());
    }

    /** Everything the tenant stores, as the API shows it. */
    private String snapshot() {
        String t = "/api/v2/tenants/" + tenant;
        String col = db + "/collections/" + colId;
        return String.join("\n",
                given().get(t).then().statusCode(200).extract().asString(),
                given().get(t + "/databases").then().statusCode(200).extract().asString(),
                given().get(db + "/collections").then().statusCode(200).extract().asString(),
                post(col + "/get", "{\"include\":[\"documents\",\"metadatas\",\"embeddings\",\"uris\"]}")
                        .statusCode(200).extract().asString(),
                given().get("/api/v2/admin/keys?tenant=" + tenant).then().statusCode(200).extract().asString()
                        .replaceAll("\"created_at\":\"[^\"]*\"", ""));
    }

    private List<Call> calls(Nasty n) {
        String s = n.json();
        String p = n.path();
        String t = "/api/v2/tenants/" + tenant;
        String col = db + "/collections/" + colId;
        String fresh = "fz-" + UUID.randomUUID().toString().substring(0, 8);
        List<Call> calls = new ArrayList<>(List.of(
                // path segments
                new Call("GET", "/api/v2/tenants/" + p, null),
                new Call("PATCH", "/api/v2/tenants/" + p, "{\"resource_name\":\"r\"}"),
                new Call("GET", "/api/v2/tenants/" + p + "/databases", null),
                new Call("POST", "/api/v2/tenants/" + p + "/databases", "{\"name\":\"" + fresh + "\"}"),
                new Call("GET", t + "/databases/" + p, null),
                new Call("DELETE", t + "/databases/" + p, null),
                new Call("GET", t + "/databases/" + p + "/collections", null),
                new Call("POST", t + "/databases/" + p + "/collections", "{\"name\":\"" + fresh + "\"}"),
                new Call("GET", db + "/collections/" + p, null),
                new Call("DELETE", db + "/collections/" + p, null),
                new Call("GET", db + "/collections/by-id/" + p, null),
                new Call("PUT", db + "/collections/" + p, "{\"new_name\":\"" + fresh + "\"}"),
                new Call("POST", db + "/collections/" + p + "/add", "{\"ids\":[\"x\"],\"embeddings\":[[1,2,3]]}"),
                new Call("POST", db + "/collections/" + p + "/get", "{}"),
                new Call("GET", db + "/collections/" + p + "/count", null),
                new Call("GET", "/api/v2/collections/" + p, null),
                new Call("GET", "/api/v2/collections/" + tenant + ":main:" + p, null),
                new Call("GET", "/api/v2/admin/keys?tenant=" + p, null),
                new Call("DELETE", "/api/v2/admin/keys/" + p, null),
                new Call("GET", db + "/collections?limit=" + p, null),
                new Call("GET", db + "/collections?offset=" + p, null),
                new Call("GET", col + "/count?read_level=" + p, null),
                // body fields
                new Call("POST", "/api/v2/tenants", "{\"name\":\"" + s + "\"}"),
                new Call("PATCH", t, "{\"resource_name\":\"" + s + "\"}"),
                new Call("POST", t + "/databases", "{\"name\":\"" + s + "\"}"),
                new Call("POST", db + "/collections", "{\"name\":\"" + s + "\"}"),
                new Call("POST", db + "/collections", "{\"name\":\"" + fresh + "\",\"metadata\":{\"" + s + "\":\"" + s + "\"}}"),
                new Call("PUT", col, "{\"new_name\":\"" + s + "\"}"),
                new Call("PUT", col, "{\"new_metadata\":{\"" + s + "\":\"" + s + "\"}}"),
                new Call("PUT", col, "{\"new_configuration\":{\"embedding_function\":{\"type\":\"known\",\"name\":\""
                        + s + "\",\"config\":{\"" + s + "\":\"" + s + "\"}}}}"),
                new Call("POST", col + "/add", "{\"ids\":[\"" + s + "\"],\"embeddings\":[[1,2,3]]}"),
                new Call("POST", col + "/upsert", "{\"ids\":[\"fz\"],\"embeddings\":[[1,2,3]],\"documents\":[\"" + s + "\"]}"),
                new Call("POST", col + "/upsert", "{\"ids\":[\"fz\"],\"embeddings\":[[1,2,3]],\"uris\":[\"" + s + "\"]}"),
                new Call("POST", col + "/upsert", "{\"ids\":[\"fz\"],\"embeddings\":[[1,2,3]],\"metadatas\":[{\""
                        + s + "\":\"" + s + "\"}]}"),
                new Call("POST", col + "/update", "{\"ids\":[\"keep\"],\"documents\":[\"" + s + "\"]}"),
                new Call("POST", col + "/get", "{\"ids\":[\"" + s + "\"]}"),
                new Call("POST", col + "/get", "{\"where\":{\"k\":\"" + s + "\"}}"),
                new Call("POST", col + "/get", "{\"where\":{\"" + s + "\":{\"$in\":[\"" + s + "\"]}}}"),
                new Call("POST", col + "/get", "{\"where_document\":{\"$contains\":\"" + s + "\"}}"),
                new Call("POST", col + "/get", "{\"where_document\":{\"$regex\":\"" + s + "\"}}"),
                new Call("POST", col + "/query", "{\"query_embeddings\":[[1,2,3]],\"where\":{\"k\":\"" + s + "\"}}"),
                new Call("POST", col + "/delete", "{\"ids\":[\"" + s + "\"]}"),
                new Call("POST", col + "/delete", "{\"where\":{\"k\":\"" + s + "\"}}"),
                new Call("POST", "/api/v2/admin/keys", "{\"tenant\":\"" + s + "\",\"role\":\"read_only\"}"),
                new Call("POST", "/api/v2/admin/keys", "{\"tenant\":\"" + tenant + "\",\"role\":\"" + s + "\"}"),
                new Call("POST", "/api/v2/admin/keys",
                        "{\"tenant\":\"" + tenant + "\",\"role\":\"read_only\",\"databases\":[\"" + s + "\"]}")));
        return calls;
    }

    @Test
    void nastyStringsAnywhereNeverCauseA5xxNorChangeDataWhenRefused() {
        tenant = ApiTestSupport.createTenant();
        post("/api/v2/tenants/" + tenant + "/databases", "{\"name\":\"main\"}").statusCode(200);
        db = "/api/v2/tenants/" + tenant + "/databases/main";
        colId = post(db + "/collections", "{\"name\":\"sentinel\",\"metadata\":{\"m\":1}}").statusCode(200)
                .extract().path("id");
        post(db + "/collections/" + colId + "/add", "{\"ids\":[\"keep\"],\"embeddings\":[[1,2,3]],"
                + "\"documents\":[\"kept\"],\"metadatas\":[{\"k\":\"v\"}],\"uris\":[\"u\"]}").statusCode(201);
        String before = snapshot();
        int refused = 0;
        List<String> serverErrors = new ArrayList<>();
        for (Nasty n : NASTY) {
            for (Call c : calls(n)) {
                Response r = send(c);
                int status = r.statusCode();
                String what = n.label() + ": " + c.method() + " " + c.path().substring(0, Math.min(c.path().length(), 160))
                        + " answered " + status + " " + r.asString().substring(0, Math.min(r.asString().length(), 200));
                if (status >= 500 || status < 200 || (status >= 300 && status < 400)) {
                    serverErrors.add(what);
                    continue;
                }
                if (c.method().equals("GET") || c.path().endsWith("/get") || c.path().endsWith("/query")) {
                    continue;
                }
                String after = snapshot();
                if (status >= 400) {
                    refused++;
                    assertEquals(before, after, "a refused request changed stored data: " + what);
                }
                before = after;
            }
        }
        if (!serverErrors.isEmpty()) {
            fail(serverErrors.size() + " requests were not answered 2xx/4xx:\n" + String.join("\n", serverErrors));
        }
        assertTrue(refused > NASTY.size() * 10, "most nasty requests are refused, got " + refused);
    }
}
