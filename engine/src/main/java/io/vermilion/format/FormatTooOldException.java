package io.vermilion.format;

/** An object is in a format version older than any this build still reads (it must be rewritten by an older build). */
public final class FormatTooOldException extends UnsupportedFormatVersionException {

    FormatTooOldException(FormatVersions supported, String key, long version) {
        super(supported, key, version, "no longer supported");
    }
}
