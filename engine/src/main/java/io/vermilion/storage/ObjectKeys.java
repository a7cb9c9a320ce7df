package io.vermilion.storage;

import java.util.Comparator;

/**
 * The key rules every {@link ObjectStore} enforces, so a key valid on one store is valid on all: non-empty,
 * '/'-separated, no leading or trailing '/', no empty, "." or ".." segment, no '\' or NUL, and no segment starting
 * with {@value #RESERVED_PREFIX} (reserved for the local store's temporary files).
 */
public final class ObjectKeys {

    /** Names starting with this are never keys; the local store uses them for files being written. */
    public static final String RESERVED_PREFIX = ".tmp-";

    /** UTF-8 byte order (= code point order), the order S3 lists keys in; differs from String order past U+FFFF. */
    public static final Comparator<String> UTF8_ORDER = ObjectKeys::compareCodePoints;

    private ObjectKeys() {}

    /** Returns {@code key} if it is valid, else throws {@link IllegalArgumentException}. */
    public static String checkKey(String key) {
        if (key == null || key.isEmpty() || key.endsWith("/")) {
            throw invalid("key", key);
        }
        checkPath("key", key);
        return key;
    }

    /** Returns {@code prefix} if it can start a valid key ("" and "dir/" included), else throws. */
    public static String checkPrefix(String prefix) {
        if (prefix == null) {
            throw invalid("prefix", null);
        }
        if (!prefix.isEmpty()) {
            // Every complete segment must be valid; the last, partial one only needs no forbidden characters.
            int lastSlash = prefix.lastIndexOf('/');
            if (lastSlash >= 0) {
                checkPath("prefix", prefix.substring(0, lastSlash));
            }
            checkCharacters("prefix", prefix);
        }
        return prefix;
    }

    private static void checkPath(String what, String path) {
        checkCharacters(what, path);
        for (String segment : path.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")
                    || segment.startsWith(RESERVED_PREFIX)) {
                throw invalid(what, path);
            }
        }
    }

    private static void checkCharacters(String what, String s) {
        if (s.startsWith("/") || s.indexOf('\\') >= 0 || s.indexOf('\0') >= 0) {
            throw invalid(what, s);
        }
    }

    private static IllegalArgumentException invalid(String what, String value) {
        return new IllegalArgumentException("invalid object " + what + ": " + (value == null ? "null" : "'" + value + "'"));
    }

    private static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
