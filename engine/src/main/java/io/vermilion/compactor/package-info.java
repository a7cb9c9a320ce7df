/**
 * Builds compacted versions from a collection's log ({@link io.vermilion.compactor.Compactor}), folds the index
 * segments they append ({@link io.vermilion.compactor.SegmentMerger}) and collects garbage. Each step publishes a whole
 * version or nothing: under the collection's lease, objects put-if-absent, the manifest (every file's size and CRC32C)
 * last, the version pointer switched conditionally; a crash at any step leaves the previous version current.
 *
 * <p><b>Compaction.</b> A compaction folds at most {@code vermilion.compaction.max-bytes} (256m) of log. Record blocks
 * are copy-on-write ({@link io.vermilion.compactor.CopyOnWriteBlocks}): the id &rarr; block index
 * ({@link io.vermilion.blockstore.BlockIndex}) homes each tail id in one block; only those blocks are read and
 * rewritten, the others listed again where they lie. After the first version the tail is appended to the previous
 * Lucene index as new segments (Lucene's merges off; only the new files uploaded). The index is rebuilt only for a
 * first version (or after an empty one), a changed schema, an older index format, or by the fork rule
 * ({@code Compactor.ownsIndex}): a fork whose index lies under its source's prefix rebuilds once the tail touches over
 * half its records. Threads ({@link io.vermilion.compactor.CompactionThreads}): one coordinator runs compactions and
 * merges one at a time; {@code vermilion.compaction.threads} work threads compute, by default all cores, at the lowest
 * priority (nice 10, so serving threads run first; where a thread cannot lower its priority, all cores but one with
 * the {@code api} role).
 *
 * <p><b>Segment merge policy.</b> After a compaction publishes, the service's {@code CompactionScheduler} asks
 * {@link io.vermilion.compactor.SegmentMerger#due(io.vermilion.version.VersionManifest, boolean)}: more than
 * {@code vermilion.compaction.merge-max-segments} (8) segments once the compaction caught up with the log, or more than
 * four times that while compactions lag an ingest. The merge then takes the lease again (its own holder, on the
 * compaction coordinator), folds the segments with the fewest live documents into one so that
 * {@code merge-max-segments} remain, the largest kept as they are ({@code io.vermilion.index.FoldSmallest}), uploads
 * only the new segment and its sketch, and publishes the next version with the same blocks, records and log end offset.
 * A failure before that publish leaves the previous version current; the next caught-up compaction retries.
 */
package io.vermilion.compactor;
