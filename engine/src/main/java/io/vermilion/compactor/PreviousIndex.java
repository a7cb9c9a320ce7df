package io.vermilion.compactor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import io.vermilion.index.IndexFileCache;
import io.vermilion.storage.ObjectFiles;
import io.vermilion.storage.ObjectStore;
import io.vermilion.version.VersionFile;
import io.vermilion.version.VersionManifest;

/**
 * Puts a published version's index files into a work folder to build the next version from: each is taken from the
 * replica's local index cache when it holds it (checked against the manifest's size and CRC32C there) and fetched
 * from the store otherwise (checked the same way).
 */
final class PreviousIndex {

    private PreviousIndex() {
    }

    /** Fills {@code work} with {@code previous}'s index files; returns them by file name. */
    static Map<String, VersionFile> fetch(ObjectStore store, IndexFileCache localIndex, UUID collection,
                                          VersionManifest previous, Path work) {
        Map<String, VersionFile> files = new HashMap<>();
        List<CompletableFuture<Void>> downloads = new ArrayList<>();
        for (VersionFile file : previous.files(VersionFile.Role.INDEX)) {
            String name = file.key().substring(file.key().lastIndexOf('/') + 1);
            files.put(name, file);
            if (localIndex != null && localIndex.copyLocal(collection, file, work.resolve(name))) {
                continue;
            }
            downloads.add(ObjectFiles.download(store, file.key(), file.size(), file.crc32c(), work.resolve(name),
                    Runnable::run));
        }
        CompletableFuture.allOf(downloads.toArray(CompletableFuture[]::new)).join();
        return files;
    }
}
