package io.vermilion.catalog;

import java.util.Objects;

import io.vermilion.storage.ObjectKeys;

/**
 * The catalog's pointer to a published version: its number, where its manifest is, and the exclusive end of the log
 * it covers (readers apply the log from there on).
 */
public record VersionRef(long version, String manifestKey, long logEndOffset) {

    public VersionRef {
        Objects.requireNonNull(manifestKey, "manifestKey");
        ObjectKeys.checkKey(manifestKey);
        if (version < 1 || logEndOffset < 0) {
            throw new IllegalArgumentException("a published version is at least 1 and its log end offset not negative: "
                    + version + ", " + logEndOffset);
        }
    }
}
