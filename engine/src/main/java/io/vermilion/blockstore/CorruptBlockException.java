package io.vermilion.blockstore;

import io.vermilion.storage.CorruptObjectException;

/** A record block's bytes fail validation (magic, version, length, checksum or Arrow content); names the object key. */
public final class CorruptBlockException extends CorruptObjectException {

    public CorruptBlockException(String key, String detail) {
        this(key, detail, null);
    }

    public CorruptBlockException(String key, String detail, Throwable cause) {
        super("record block", key, detail, cause);
    }
}
