package io.vermilion.api;

/**
 * Chroma's read levels: how much of the log after the compacted version a read sees. {@code index_and_wal} (the
 * default) sees every acknowledged write, {@code index_only} the compacted version alone, {@code index_and_bounded_wal}
 * the version plus the oldest {@code vermilion.read.bounded-wal-entries} log operations after it.
 */
public enum ReadLevel {
    INDEX_AND_WAL("index_and_wal"),
    INDEX_ONLY("index_only"),
    INDEX_AND_BOUNDED_WAL("index_and_bounded_wal");

    private final String wire;

    ReadLevel(String wire) {
        this.wire = wire;
    }

    /** The name on the wire. */
    String wire() {
        return wire;
    }

    /** The level named {@code wire}, or null if there is none. */
    static ReadLevel named(String wire) {
        for (ReadLevel level : values()) {
            if (level.wire.equals(wire)) {
                return level;
            }
        }
        return null;
    }

    /** Chroma's (serde's) words for an unknown level. */
    static String unknown(String given) {
        return "read_level: unknown variant `" + given
                + "`, expected one of `index_and_wal`, `index_only`, `index_and_bounded_wal`";
    }
}
