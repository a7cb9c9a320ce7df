package io.vermilion.compat;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vermilion.sysdb.PostgresResource;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The official Python client (PyPI chromadb-client, pinned in compat/python/requirements.txt), unchanged, passes
 * its scenarios against this server over HTTP. The client is installed into compat/python/.venv on first run.
 */
@QuarkusTest
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
class ChromaPythonClientTest {

    @TestHTTPResource("/")
    URL server;

    @Test
    void officialPythonClientScenariosPass() throws Exception {
        Path dir = NodeClientRunner.compatDir().resolveSibling("python");
        Path venvPython = dir.resolve(".venv/bin/python");
        if (!Files.isExecutable(venvPython)) {
            assertEquals(0, exec(dir, null, List.of("python3", "-m", "venv", ".venv")), "python3 -m venv");
        }
        if (!Files.isDirectory(dir.resolve(".venv/lib")) || exec(dir, null,
                List.of(venvPython.toString(), "-c", "import chromadb, pytest")) != 0) {
            assertEquals(0, exec(dir, null, List.of(venvPython.toString(), "-m", "pip", "install", "-q",
                    "--disable-pip-version-check", "-r", "requirements.txt")), "pip install -r requirements.txt");
        }
        int code = exec(dir, server.toString().replaceAll("/$", ""),
                List.of(venvPython.toString(), "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_chromadb_compat.py"));
        assertEquals(0, code, "pytest against the live server failed (see the output above)");
    }

    private static int exec(Path dir, String serverUrl, List<String> command) throws IOException, InterruptedException {
        return NodeClientRunner.exec(dir, command, serverUrl, Map.of("ANONYMIZED_TELEMETRY", "False")).exitCode();
    }
}
