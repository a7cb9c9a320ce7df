/**
 * A version's Lucene index: written by the compactor ({@link io.vermilion.index.CollectionIndexWriter}), opened for
 * reads ({@link io.vermilion.index.IndexFileCache}) and searched ({@link io.vermilion.index.IndexedCollectionReader}).
 * A version's files are immutable; a reader sees one commit.
 *
 * <p><b>Opening a version</b> ({@link io.vermilion.index.IndexFileCache}). Local copies live in
 * {@code <vermilion.cache.path>/index/<collection>/<version>/}, bounded by {@code vermilion.cache.index} (32g; versions
 * not open go first, least recently opened first). With {@code vermilion.index.lazy-open=false} the first read of a
 * version not local waits for its whole download: files in parallel into a {@code .fetch-} folder, each checked
 * against the manifest's size and CRC32C, the folder renamed into place atomically and memory-mapped
 * ({@link io.vermilion.index.LocalIndexDirectory}); a failed download leaves no folder and the next open fetches again.
 * With lazy open on (the default) and no local version of the collection (a warm replica downloads a newer version whole while the
 * previous one serves), the version serves at once through {@link io.vermilion.index.LazyIndexDirectory} over
 * {@link io.vermilion.index.PagedIndexFiles}: a page ({@code page-size}, 16k) comes from memory ({@code page-memory},
 * 256m), else from the fetch folder on local disk, where every fetched page is written, else from a length-checked
 * ranged read. Opening reads the version's {@link io.vermilion.index.OpenPack} ({@code open-pack.vop}, written by the
 * compactor beside every version: each file of the commit under 64 KiB whole, the first and last 16 KiB of the others)
 * in one ranged read, its pages kept in memory, while the sketches start arriving; a version without a pack (written
 * before it), or whose pack does not match the manifest's CRC32C, fetches the same pages file by file, in parallel.
 * The writer writes no compound files, whose inner files' headers would be read one ranged read after another. The
 * background download ({@code warm-parallelism}, 8 reads of 4 MiB at once per version, and at most
 * {@code background-fetches}, 8, for all versions of the replica together) starts after the first
 * answer from sketches or 5 s (at once with {@code cold-candidates} 0) and fetches metadata, sketches, graph, quantized
 * vectors, float32 vectors, the rest; then checks every file's size and CRC32C and renames the folder into place. A
 * failed page read fails only its read; a failed download deletes the fetch folder, pages keep serving, and the next
 * open downloads again. Deleting {@code <path>/cache} makes a replica cold: each version is fetched again (or served
 * lazily) at its next open.
 *
 * <p><b>Cold search.</b> The compactor writes each segment's {@link io.vermilion.index.ColdSketch}
 * ({@code sketch-<segment>.vsk}): the segment's mean vector and, per vector, one bit per dimension (the sign of
 * {@code v - mean}) plus a scale and an offset, 1/32 of the float32 vectors plus 8 bytes each. While a lazily opened
 * version is not local and {@code vermilion.index.cold-candidates} (150) is above 0, a kNN query
 * ({@link io.vermilion.index.ColdSearch}) ranks each segment's accepted vectors (filtered, live) by the sketch's
 * estimate (on one scale for all segments: each segment's mean is added back), takes the
 * {@code max(cold-candidates, 15 × n_results)} best of all segments together, fetches their float32 vectors at once and
 * scores them exactly. Returned distances are the exact float32 distances the graph path returns; which records are
 * returned is approximate, and exact whenever the version has no more accepted vectors than candidates or no more
 * vectors than the exact-search threshold (1,000; the graph path scans such a version exactly too, and the cold path
 * then scores every vector). A
 * version without matching sketches (written before them) is searched over its graph through the pages, as is every
 * version once local. On S3, a replica serving the API runs this whole path on a small synthetic version of its own
 * ({@link io.vermilion.index.ColdPathWarmUp}, {@code warm-up-rounds}) before it reports ready, and ranged reads go
 * over the JDK's HTTP client signed by {@link io.vermilion.storage.S3RangeReader} rather than through the AWS SDK:
 * a fresh process's first cold query otherwise spent most of its time compiling and running the SDK's pipeline.
 *
 * <p><b>int8 residency.</b> An int8 index walks its graph over the quantized vectors; its float32 vectors (a
 * {@code .vec} file of 4 MiB or more beside a {@code .veq}) are read with positional reads, never mapped, and their
 * pages skip the memory tier: they are read only to re-score candidates (the graph's best {@code 3 × n_results}).
 * {@link io.vermilion.index.IndexedCollectionReader#searchBytes()} is what a search keeps resident: per live vector
 * {@code dimension + 8} bytes for int8 or {@code 4 × dimension} for float32, plus {@code 4 × max_neighbors} bytes of
 * graph; an index of at most 1,000 vectors is scanned exactly, so it counts {@code 4 × dimension} and no graph.
 */
package io.vermilion.index;
