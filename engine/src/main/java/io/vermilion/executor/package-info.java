/**
 * The query executor: a read's view of a collection, its published version plus the log tail after it
 * ({@link io.vermilion.executor.CollectionView}), and the per-collection state those views are taken from
 * ({@link io.vermilion.executor.CollectionStateCache}). Views are immutable; a state moves to a newer version in the
 * background while reads keep using the one they hold.
 *
 * <p><b>The swap to the mapped copy.</b> A version opened lazily ({@code vermilion.index.lazy-open}, see
 * {@link io.vermilion.index}) is read through object-storage pages. {@code CollectionStateCache.mapWhenLocal} waits for
 * its background download; once every file checked out, it checks in the collection's queue that the state is still on
 * that reader, reopens the same version from its local, memory-mapped folder, and {@code swap} makes that the state's
 * reader: the tail is rebased on it, new views read it, views taken before finish on the paged reader, which closes
 * with the last of them (its pages then leave memory). Same files, same answers; counted in
 * {@code vermilion_read_cache_versions_total{result="mapped"}}. A failed download or reopening leaves the paged reader
 * serving (the next open of the version, after the state is evicted or dropped, downloads again); a state replaced,
 * dropped or evicted meanwhile is left alone; a reopened reader that is paged again (the cache folder was deleted
 * meanwhile) is swapped again once local.
 *
 * <p><b>Memory budget.</b> {@code vermilion.cache.collections-memory} (default: a quarter of the maximum heap plus half
 * of the memory outside it) bounds {@link io.vermilion.executor.CollectionStateCache#heldBytes()}, an estimate over the
 * collections held: per tail record 160 bytes, its embedding (plus its int8 code from 32 dimensions) and its strings
 * and metadata; per open version 64 KiB, 16 bytes per record and {@link io.vermilion.model.VersionReader#searchBytes()}
 * (the vectors and graph a search keeps resident). After each read that had to catch up and each state published (also
 * a version opened ahead after a compaction), while over the budget, the least recently read collection whose version
 * no view holds, other than the one being read, is evicted: its state dropped, its reader closed (unmapped), its local
 * index files kept, so its next read reopens it without a download.
 */
package io.vermilion.executor;
