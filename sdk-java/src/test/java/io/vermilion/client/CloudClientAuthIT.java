package io.vermilion.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vermilion.client.generated.ApiClient;
import io.vermilion.client.generated.api.AdminApi;
import io.vermilion.client.generated.model.CreateApiKeyPayload;
import io.vermilion.client.generated.model.Role;
import java.net.http.HttpClient;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@link CloudClient} against a server with auth on (its own server, started with {@code VERMILION_ADMIN_KEY}): the
 * key it sends is what lets it in, and the server's refusals arrive as {@link UnauthorizedException} with 401 or 403.
 */
class CloudClientAuthIT {

    private static final String ADMIN_KEY = "admin-" + UUID.randomUUID();

    private static VermilionServer server;
    private static String url;

    @BeforeAll
    static void start() throws Exception {
        server = VermilionServer.start(Map.of("VERMILION_ADMIN_KEY", ADMIN_KEY));
        url = server.baseUrl().toString();
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void withoutAValidKeyOnlyPublicRoutesAnswer() {
        try (VermilionClient anonymous = new VermilionClient(url);
                CloudClient unknownKey = new CloudClient(url, "not-a-key", "default_tenant", "default_database")) {
            assertTrue(anonymous.heartbeat() > 0);
            assertEquals("1.0.0", anonymous.version());
            assertError(assertThrows(UnauthorizedException.class, anonymous::listCollections), 401,
                    "Missing API key in the request header");
            assertError(assertThrows(UnauthorizedException.class, unknownKey::listCollections), 401,
                    "Permission denied.");
        }
    }

    @Test
    void cloudClientWithAScopedKeyRunsTheLifecycle() throws Exception {
        String tenant = "sdk-" + UUID.randomUUID().toString().substring(0, 8);
        try (CloudClient admin = new CloudClient(url, ADMIN_KEY, tenant, "main")) {
            admin.createTenant(tenant);
            admin.createDatabase("main");
        }
        String readWrite = createKey(tenant, Role.READ_WRITE);
        String readOnly = createKey(tenant, Role.READ_ONLY);

        try (CloudClient cloud = new CloudClient(url, readWrite, tenant, "main")) {
            Collection docs = cloud.createCollection("docs", Map.of("topic", "sdk"), Space.COSINE);
            docs.add(Records.of("a", "b").withEmbeddings(new float[] {1, 0}, new float[] {0, 1})
                    .withDocuments("apple pie", "banana split"));
            assertEquals(2, docs.count());
            assertEquals(List.of(List.of("b")), docs.query(new float[] {0.1f, 1}, 1).ids());
            docs.update(Records.of("a").withDocuments("apple tart"));
            assertEquals(List.of("apple tart"), docs.get(List.of("a")).documents());
            docs.modify("recipes", null);
            assertEquals(List.of("recipes"), cloud.listCollections().stream().map(Collection::name).toList());
            assertEquals(1, docs.delete(List.of("b")));

            // The key is scoped to its tenant and database: elsewhere it is refused before any data is touched.
            VermilionClient elsewhere = cloud.withTenant(VermilionClient.DEFAULT_TENANT,
                    VermilionClient.DEFAULT_DATABASE);
            assertError(assertThrows(UnauthorizedException.class, elsewhere::listCollections), 403,
                    "Permission denied.");

            try (CloudClient reader = new CloudClient(url, readOnly, tenant, "main")) {
                Collection same = reader.getCollection("recipes");
                assertEquals(List.of("a"), same.get().ids());
                assertError(assertThrows(UnauthorizedException.class,
                                () -> same.add(Records.of("c").withEmbeddings(new float[] {1, 1}))),
                        403, "Permission denied.");
            }
            cloud.deleteCollection("recipes");
            assertEquals(0, cloud.countCollections());
        }
    }

    /** A key for one database of the tenant, made with the bootstrap admin key through the generated admin API. */
    private static String createKey(String tenant, Role role) throws Exception {
        ApiClient client = new ApiClient(HttpClient.newBuilder(), Apis.objectMapper(), url);
        client.setRequestInterceptor(request -> request.setHeader(CloudClient.TOKEN_HEADER, ADMIN_KEY));
        return new AdminApi(client)
                .createApiKey(new CreateApiKeyPayload().tenant(tenant).role(role).databases(List.of("main")))
                .getKey();
    }

    private static void assertError(VermilionException e, int status, String message) {
        assertEquals(status, e.status(), e::toString);
        assertEquals("ChromaError", e.errorName(), e::toString);
        assertEquals(message, e.getMessage());
    }
}
