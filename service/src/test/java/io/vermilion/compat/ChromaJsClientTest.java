package io.vermilion.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vermilion.sysdb.PostgresResource;
import java.net.URL;
import org.junit.jupiter.api.Test;

/** The official Chroma JavaScript client, unchanged, passes its scenarios against this server over HTTP. */
@QuarkusTest
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
class ChromaJsClientTest {

    @TestHTTPResource("/")
    URL server;

    @Test
    void officialJsClientScenariosPass() throws Exception {
        NodeClientRunner.Result result = NodeClientRunner.run(server, "collections.test.mjs", "records.test.mjs", "search.test.mjs");
        assertEquals(0, result.exitCode(), () -> "node --test failed:\n" + result.output());
    }
}
