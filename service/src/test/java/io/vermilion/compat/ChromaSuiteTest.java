package io.vermilion.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vermilion.api.ResetAllowedProfile;
import io.vermilion.sysdb.PostgresResource;
import java.net.URL;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A selection of Chroma's own Python test suite (PyPI chromadb 1.5.9, chromadb/test/) passes against this server over
 * HTTP, reset allowed as the suite needs: compat/chroma-suite/run.sh, its known differences deselected in its README.
 */
@QuarkusTest
@TestProfile(ResetAllowedProfile.class)
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
class ChromaSuiteTest {

    @TestHTTPResource("/")
    URL server;

    @Test
    void chromasOwnSuiteSelectionPasses() throws Exception {
        Path dir = NodeClientRunner.compatDir().resolveSibling("chroma-suite");
        int code = NodeClientRunner.exec(dir, List.of("bash", "run.sh", server.toString().replaceAll("/$", "")),
                null, Map.of()).exitCode();
        assertEquals(0, code, "Chroma's suite against the live server failed (see the output above)");
    }
}
