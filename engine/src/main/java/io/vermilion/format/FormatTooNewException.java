package io.vermilion.format;

/** An object was written by a newer Vermilion, in a format version past the newest this build reads. */
public final class FormatTooNewException extends UnsupportedFormatVersionException {

    FormatTooNewException(FormatVersions supported, String key, long version) {
        super(supported, key, version, "written by a newer Vermilion");
    }
}
