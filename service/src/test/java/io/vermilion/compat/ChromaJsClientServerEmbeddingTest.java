package io.vermilion.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vermilion.sysdb.PostgresResource;
import java.net.URL;
import org.junit.jupiter.api.Test;

/**
 * What the official JavaScript client can do with a collection embedded on the server (README "Server-side
 * embedding"). Kept on the default test profile: the model's native libraries load once per JVM, in the class loader
 * of the first Quarkus application that embeds.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
class ChromaJsClientServerEmbeddingTest {

    @TestHTTPResource("/")
    URL server;

    @Test
    void officialJsClientWithAServerEmbeddedCollection() throws Exception {
        NodeClientRunner.Result result = NodeClientRunner.run(server, "server-embedding.test.mjs");
        assertEquals(0, result.exitCode(), () -> "node --test failed:\n" + result.output());
    }
}
