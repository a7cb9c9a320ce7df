package io.vermilion.log;

import io.vermilion.storage.CorruptObjectException;

/** A log fragment's bytes fail validation (magic, version, length, checksum or Arrow content); names the object key. */
public final class CorruptFragmentException extends CorruptObjectException {

    public CorruptFragmentException(String key, String detail) {
        this(key, detail, null);
    }

    public CorruptFragmentException(String key, String detail, Throwable cause) {
        super("log fragment", key, detail, cause);
    }
}
