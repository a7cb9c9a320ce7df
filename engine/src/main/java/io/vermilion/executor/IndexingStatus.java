package io.vermilion.executor;

import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

import io.vermilion.catalog.LogCatalog;
import io.vermilion.catalog.LogPosition;
import io.vermilion.catalog.VersionCatalog;
import io.vermilion.catalog.VersionRef;

/**
 * How far compaction has caught up with a collection's log, as Chroma's {@code indexing_status} reports it: log
 * operations compacted into the published version, still only in the log, and in total. The version is read after
 * the log position, so the unindexed count is never under-reported against the position read.
 */
public record IndexingStatus(long indexedOps, long unindexedOps, long totalOps) {

    /** The share of operations indexed; 1 for a collection without any. */
    public float progress() {
        return totalOps == 0 ? 1.0f : (float) indexedOps / (float) totalOps;
    }

    public static CompletionStage<IndexingStatus> of(LogCatalog log, VersionCatalog versions, UUID collection) {
        return log.position(collection).thenCompose(position -> versions.currentVersion(collection)
                .thenApply(version -> of(position, version)));
    }

    static IndexingStatus of(Optional<LogPosition> position, Optional<VersionRef> version) {
        long total = position.map(LogPosition::nextOffset).orElse(0L);
        long indexed = Math.min(total, version.map(VersionRef::logEndOffset).orElse(0L));
        return new IndexingStatus(indexed, total - indexed, total);
    }
}
