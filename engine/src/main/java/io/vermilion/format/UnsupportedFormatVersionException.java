package io.vermilion.format;

import io.vermilion.storage.CorruptObjectException;

/**
 * An object is in a format version this build does not read ({@link FormatVersions}): either newer or older. Its
 * bytes may be fine; it is a {@link CorruptObjectException} because this build cannot read it any more than a
 * damaged one (a retry never helps), so callers that handle unreadable objects handle it too.
 */
public abstract sealed class UnsupportedFormatVersionException extends CorruptObjectException
        permits FormatTooNewException, FormatTooOldException {

    private final FormatVersions supported;
    private final long version;

    UnsupportedFormatVersionException(FormatVersions supported, String key, long version, String why) {
        super(key, supported.format() + " '" + key + "' is in format version " + version + ", " + why
                + ": this build reads " + supported.describe());
        this.supported = supported;
        this.version = version;
    }

    /** The version the object is in. */
    public long version() {
        return version;
    }

    /** The versions this build reads. */
    public FormatVersions supported() {
        return supported;
    }
}
