package io.vermilion.catalog;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

/**
 * The catalog's view of each collection's log: which fragments are durable and where the log ends.
 * A fragment exists for readers only once {@link #commit} has recorded it; committing is atomic and
 * conditional on the log still ending where the writer expected, so two writers never both extend it.
 */
public interface LogCatalog {

    /** Where the collection's log ends, or empty when the collection does not exist. */
    CompletionStage<Optional<LogPosition>> position(UUID collection);

    /**
     * Records {@code fragment} and advances the log from {@code fragment.startOffset()} to
     * {@code fragment.endOffset()} in one transaction, fixing the collection's dimension to {@code dimension}
     * when it has none (a null {@code dimension} leaves it alone).
     */
    CompletionStage<CommitResult> commit(UUID collection, FragmentRef fragment, Integer dimension);

    /**
     * The recorded fragments whose start offset is at least {@code fromOffset}, in log order; none if the collection
     * does not exist.
     */
    CompletionStage<List<FragmentRef>> fragments(UUID collection, long fromOffset);

    /**
     * Forgets the recorded fragments that end at or before {@code beforeOffset} (a compacted version covers them);
     * completes with how many. Their objects become unrecorded, so
     * {@link io.vermilion.log.LogGarbageCollector#sweep} deletes them. The log's position is unchanged.
     */
    CompletionStage<Integer> forget(UUID collection, long beforeOffset);

    enum CommitResult {
        COMMITTED,
        /** The log no longer ends at the fragment's start, or the dimension was fixed to another value meanwhile. */
        CONFLICT,
        COLLECTION_MISSING
    }
}
