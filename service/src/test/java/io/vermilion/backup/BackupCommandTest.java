package io.vermilion.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.vermilion.compactor.Compactor;
import io.vermilion.storage.ObjectStore;
import io.vermilion.sysdb.PostgresResource;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./vermilion backup} and {@code ./vermilion restore} against a running server: a database backed up to a
 * folder given relative to the working directory, the deployment wiped, restored with every record exact; restoring
 * over the existing collections fails with the server's message and a non-zero exit code.
 */
@QuarkusTest
@TestProfile(BackupProfile.class)
@QuarkusTestResource(value = PostgresResource.class, restrictToAnnotatedClass = false)
class BackupCommandTest {

    @Inject
    Compactor compactor;

    @Inject
    ObjectStore store;

    @TestHTTPResource("/")
    URL server;

    @TempDir
    Path dir;

    private record Run(int code, String output) {}

    @Test
    void backupAndRestoreCommandsRoundTripADatabase() throws Exception {
        BackupScenario.write("cli", "main", compactor);
        Map<String, Object> before = BackupScenario.read("cli", "main");

        Run backup = run("backup", "--database", "cli/main", "--to", "saved");
        assertEquals(0, backup.code(), backup.output());
        assertTrue(backup.output().contains("\"collections\":3"), backup.output());
        assertTrue(Files.isRegularFile(dir.resolve("saved/backup.json")));

        BackupScenario.wipe(store);
        Run restore = run("restore", "--from", "saved");
        assertEquals(0, restore.code(), restore.output());
        assertEquals(before, BackupScenario.read("cli", "main"));

        Run again = run("restore", "--from", "saved");
        assertEquals(1, again.code(), again.output());
        assertTrue(again.output().contains("Refusing to restore over existing collections: collection [empty]"),
                again.output());
        Run usage = run("restore", "--into", "nodatabase", "--from", "saved");
        assertEquals(2, usage.code(), usage.output());
        assertEquals("vermilion restore: --into takes TENANT/DATABASE\n", usage.output());
        assertEquals(List.of("empty", "log-only", "main"), List.copyOf(BackupScenario.read("cli", "main").keySet()));
    }

    private Run run(String... args) throws IOException, InterruptedException {
        String root = System.getProperty("repo.root");
        assertNotNull(root, "surefire sets repo.root to the repository root");
        List<String> command = new java.util.ArrayList<>(List.of("bash", Path.of(root, "vermilion").toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        String url = server.toString();
        builder.environment().put("VERMILION_URL", url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
        builder.environment().put("VERMILION_ADMIN_KEY", "unused-auth-is-off");
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(process.waitFor(), output);
    }
}
