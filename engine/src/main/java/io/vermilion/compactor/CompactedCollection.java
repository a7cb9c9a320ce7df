package io.vermilion.compactor;

import java.util.List;
import java.util.Objects;

import io.vermilion.blockstore.SequencedRecord;
import io.vermilion.model.CollectionSnapshot;
import io.vermilion.version.VersionManifest;

/**
 * A published version read back: its manifest, its records with their insertion sequences (in insertion order) and
 * the same records as a {@link CollectionSnapshot}. A reader continues from here by applying the log from
 * {@link #logEndOffset()} on. Immutable.
 */
public record CompactedCollection(VersionManifest manifest, List<SequencedRecord> records, CollectionSnapshot snapshot) {

    public CompactedCollection {
        Objects.requireNonNull(manifest, "manifest");
        Objects.requireNonNull(snapshot, "snapshot");
        records = List.copyOf(records);
    }

    public long version() {
        return manifest.version();
    }

    /** Where the log tail after this version starts. */
    public long logEndOffset() {
        return manifest.logEndOffset();
    }
}
