package io.vermilion.client;

/**
 * How much of the log after the compacted version a read sees (Chroma's read levels): {@link #INDEX_AND_WAL} every
 * acknowledged write (the default), {@link #INDEX_ONLY} the compacted version alone, {@link #INDEX_AND_BOUNDED_WAL}
 * the compacted version plus the oldest operations of the log after it (a server setting, 250 by default).
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
    public String wire() {
        return wire;
    }

    io.vermilion.client.generated.model.ReadLevel generated() {
        return io.vermilion.client.generated.model.ReadLevel.fromValue(wire);
    }
}
