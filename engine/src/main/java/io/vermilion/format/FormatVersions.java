package io.vermilion.format;

/**
 * The format versions of one file format that this build reads, {@code [oldest, current]}, and the one it writes
 * ({@code current}). {@link #check} turns any other version into a typed error: {@link FormatTooNewException} for a
 * file a newer Vermilion wrote, {@link FormatTooOldException} for one this build no longer reads. Immutable.
 *
 * @param format  what the files are, for messages ("log fragment")
 * @param oldest  the oldest version this build still reads, at least 1
 * @param current the version this build writes, the newest it reads
 */
public record FormatVersions(String format, int oldest, int current) {

    public FormatVersions {
        if (oldest < 1 || current < oldest) {
            throw new IllegalArgumentException("format versions must satisfy 1 <= oldest <= current: " + oldest
                    + ", " + current);
        }
    }

    /** Whether this build reads {@code version}. */
    public boolean reads(long version) {
        return version >= oldest && version <= current;
    }

    /**
     * Returns {@code version} as an int if this build reads it; throws {@link FormatTooNewException} if it is newer
     * than {@link #current}, {@link FormatTooOldException} if it is older than {@link #oldest}.
     *
     * @param key the object (or folder) the version was read from, for the message
     */
    public int check(long version, String key) {
        if (version > current) {
            throw new FormatTooNewException(this, key, version);
        }
        if (version < oldest) {
            throw new FormatTooOldException(this, key, version);
        }
        return (int) version;
    }

    /** "version 1" or "versions 1 to 3". */
    String describe() {
        return oldest == current ? "version " + current : "versions " + oldest + " to " + current;
    }
}
