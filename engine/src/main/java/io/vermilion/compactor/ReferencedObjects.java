package io.vermilion.compactor;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import io.vermilion.storage.ObjectStore;
import io.vermilion.version.ManifestReader;
import io.vermilion.version.VersionManifest;

/**
 * The object keys that a set of versions reads: each manifest's own key and every file it lists, wherever (under
 * which collection's prefix) the file lies. Garbage collectors keep these. Thread-safe (stateless).
 */
final class ReferencedObjects {

    private final ObjectStore store;
    private final ManifestReader manifestReader = new ManifestReader();

    ReferencedObjects(ObjectStore store) {
        this.store = Objects.requireNonNull(store, "store");
    }

    /** Every key the versions with these manifests read; fails if a manifest cannot be read (nothing is assumed). */
    CompletionStage<Set<String>> of(Collection<String> manifestKeys) {
        List<CompletableFuture<VersionManifest>> reads = new ArrayList<>();
        for (String key : new HashSet<>(manifestKeys)) {
            reads.add(store.get(key).toCompletableFuture().thenApply(bytes -> manifestReader.read(bytes, key)));
        }
        return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenApply(done -> {
            Set<String> keys = new HashSet<>(manifestKeys);
            for (CompletableFuture<VersionManifest> read : reads) {
                read.join().files().forEach(file -> keys.add(file.key()));
            }
            return keys;
        });
    }
}
