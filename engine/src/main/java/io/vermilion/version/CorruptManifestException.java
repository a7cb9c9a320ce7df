package io.vermilion.version;

import io.vermilion.storage.CorruptObjectException;

/** A version manifest fails validation (magic, version, JSON shape, checksum or content); names the object key. */
public final class CorruptManifestException extends CorruptObjectException {

    public CorruptManifestException(String key, String detail) {
        this(key, detail, null);
    }

    public CorruptManifestException(String key, String detail, Throwable cause) {
        super("version manifest", key, detail, cause);
    }
}
