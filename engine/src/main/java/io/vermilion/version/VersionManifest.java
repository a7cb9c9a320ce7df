package io.vermilion.version;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

import io.vermilion.blockstore.BlockIndex;
import io.vermilion.blockstore.BlockRef;
import io.vermilion.model.DistanceFunction;

/**
 * What one compacted version of a collection consists of: the effect of every log record below
 * {@code logEndOffset}, as record blocks (found by id through {@code blocks}) and index files. Immutable; the
 * constructor checks that the parts agree (every block is a listed block file and every block file is in the block
 * index, the record count is the blocks' total, file keys are distinct).
 *
 * @param formatVersion the manifest format version ({@link ManifestFormat})
 * @param version       the version number; versions of a collection grow by one with each compaction
 * @param logEndOffset  exclusive end of the log this version covers: the log tail starts here
 * @param recordCount   the number of live records in the version
 * @param dimension     the collection's embedding dimension, or null while it has none
 * @param space         the distance space the index was built for
 * @param files         every object the version consists of, possibly under older versions' prefixes
 * @param blocks        the record blocks in id order
 * @param createdAt     when the compactor wrote the version
 */
public record VersionManifest(
        int formatVersion, UUID collectionId, long version, long logEndOffset, long recordCount, Integer dimension,
        DistanceFunction space, List<VersionFile> files, BlockIndex blocks, Instant createdAt) {

    public VersionManifest {
        Objects.requireNonNull(collectionId, "collectionId");
        Objects.requireNonNull(space, "space");
        Objects.requireNonNull(blocks, "blocks");
        Objects.requireNonNull(createdAt, "createdAt");
        files = List.copyOf(files);
        if (formatVersion < 1) {
            throw new IllegalArgumentException("format version must be at least 1: " + formatVersion);
        }
        if (version < 0 || logEndOffset < 0 || recordCount < 0) {
            throw new IllegalArgumentException("version, log end offset and record count must not be negative: "
                    + version + ", " + logEndOffset + ", " + recordCount);
        }
        if (dimension != null && dimension < 1) {
            throw new IllegalArgumentException("dimension must be at least 1: " + dimension);
        }
        if (recordCount != blocks.recordCount()) {
            throw new IllegalArgumentException("record count " + recordCount + " differs from the blocks' total "
                    + blocks.recordCount());
        }
        Set<String> keys = new HashSet<>();
        Set<String> blockFiles = new HashSet<>();
        for (VersionFile file : files) {
            if (!keys.add(file.key())) {
                throw new IllegalArgumentException("file listed twice: " + file.key());
            }
            if (file.role() == VersionFile.Role.BLOCK) {
                blockFiles.add(file.key());
            }
        }
        for (BlockRef block : blocks.blocks()) {
            if (!blockFiles.remove(block.key())) {
                throw new IllegalArgumentException("block " + block.key() + " is not a listed block file (or is in the"
                        + " block index twice)");
            }
        }
        if (!blockFiles.isEmpty()) {
            throw new IllegalArgumentException("block files missing from the block index: " + blockFiles);
        }
    }

    /** A manifest in the format this build writes ({@link ManifestFormat#VERSION}). */
    public VersionManifest(UUID collectionId, long version, long logEndOffset, long recordCount, Integer dimension,
            DistanceFunction space, List<VersionFile> files, BlockIndex blocks, Instant createdAt) {
        this(ManifestFormat.VERSION, collectionId, version, logEndOffset, recordCount, dimension, space, files, blocks,
                createdAt);
    }

    /** The files with this role, in listed order. */
    public List<VersionFile> files(VersionFile.Role role) {
        return files.stream().filter(file -> file.role() == role).toList();
    }

    /** The listed file with this key, or null. */
    public VersionFile file(String key) {
        for (VersionFile file : files) {
            if (file.key().equals(key)) {
                return file;
            }
        }
        return null;
    }
}
