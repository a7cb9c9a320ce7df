package io.vermilion.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Deletes local folder trees (work folders, cached index versions); a missing folder is already deleted. */
public final class LocalFolders {

    private LocalFolders() {}

    /** Deletes {@code root} and everything below it. */
    public static void delete(Path root) throws IOException {
        deleteBelow(root, true);
    }

    /** Deletes everything below {@code root}, keeping the folder itself. */
    public static void empty(Path root) throws IOException {
        deleteBelow(root, false);
    }

    /** {@link #delete}, ignoring failures: for clean-ups that a later one repeats. */
    public static void deleteQuietly(Path root) {
        try {
            delete(root);
        } catch (IOException ignored) {
            // what is left only costs disk until the next clean-up
        }
    }

    private static void deleteBelow(Path root, boolean withRoot) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                if (withRoot || !p.equals(root)) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
