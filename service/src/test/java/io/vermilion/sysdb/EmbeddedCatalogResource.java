package io.vermilion.sysdb;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The embedded catalog exactly as {@code ./vermilion run} starts it ({@link EmbeddedCatalog#startEmbedded}), under a
 * fresh data path that also holds the local object store; supervised like the real one.
 */
public class EmbeddedCatalogResource implements QuarkusTestResourceLifecycleManager {

    private Path dataPath;
    private EmbeddedCatalog.Started started;

    @Override
    public Map<String, String> start() {
        try {
            dataPath = Files.createTempDirectory("vermilion-test-embedded");
            started = EmbeddedCatalog.startEmbedded(dataPath);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> config = new HashMap<>(started.properties());
        config.put("vermilion.path", dataPath.toString());
        return config;
    }

    @Override
    public void stop() {
        if (started != null) {
            started.close();
        }
        if (dataPath != null) {
            try (Stream<Path> paths = Files.walk(dataPath)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // best effort: a temp folder
            }
        }
    }
}
