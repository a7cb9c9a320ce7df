package io.vermilion.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vermilion.gateway.AuthProfile;
import io.vermilion.sysdb.PostgresResource;
import java.net.URL;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The official Chroma JS client with an API key (CloudClient over TLS, and ChromaClient headers) against this server. */
@QuarkusTest
@TestProfile(TlsAuthProfile.class)
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
class ChromaJsClientAuthTest {

    @TestHTTPResource(value = "/", tls = true)
    URL server;

    @Test
    void officialJsClientWorksWithAnApiKey() throws Exception {
        NodeClientRunner.Result result = NodeClientRunner.run(server, Map.of(
                "VERMILION_ADMIN_KEY", AuthProfile.ADMIN_KEY,
                "NODE_EXTRA_CA_CERTS", System.getProperty(TlsAuthProfile.CA_PROPERTY)), "auth.test.mjs");
        assertEquals(0, result.exitCode(), () -> "node --test failed:\n" + result.output());
    }
}
