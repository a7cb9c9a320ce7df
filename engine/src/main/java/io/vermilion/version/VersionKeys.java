package io.vermilion.version;

import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.vermilion.storage.ObjectKeys;

/**
 * Object keys of a collection's compacted versions, all under {@code {collection_id}/v/{version, 20 digits}/}: the
 * {@code manifest.json}, record blocks {@code blocks/{n, 10 digits}.arrow} and index files {@code index/{file}}.
 * Zero-padded numbers make key order version order and block order, as in the log's keys. Files of a version are
 * written once and never changed; a later version may list files under an older version's (or another
 * collection's) prefix, so only its manifest says which files a version consists of.
 */
public final class VersionKeys {

    private static final Pattern VERSION_DIRECTORY = Pattern.compile("(\\d{20})/.+");

    private VersionKeys() {}

    /** {@code {collection_id}/v/}: every version of the collection. */
    public static String versionsPrefix(UUID collection) {
        return collection + "/v/";
    }

    /** {@code {collection_id}/v/{version}/}: the files written for one version. */
    public static String versionPrefix(UUID collection, long version) {
        if (version < 0) {
            throw new IllegalArgumentException("negative version: " + version);
        }
        return versionsPrefix(collection) + "%020d/".formatted(version);
    }

    public static String manifest(UUID collection, long version) {
        return versionPrefix(collection, version) + "manifest.json";
    }

    /** The key of record block {@code n} (0, 1, 2, ... in id order). */
    public static String block(UUID collection, long version, int n) {
        if (n < 0) {
            throw new IllegalArgumentException("negative block number: " + n);
        }
        return versionPrefix(collection, version) + "blocks/%010d.arrow".formatted(n);
    }

    /** The key of an index file; {@code file} is one name (e.g. Lucene's {@code _0.cfs}), never a path. */
    public static String indexFile(UUID collection, long version, String file) {
        if (file == null || file.indexOf('/') >= 0) {
            throw new IllegalArgumentException("index file name must be a single path segment: " + file);
        }
        return ObjectKeys.checkKey(versionPrefix(collection, version) + "index/" + file);
    }

    /**
     * The version whose directory holds {@code key} ({@code {collection_id}/v/{version}/...} of this collection), or
     * -1 if {@code key} is not under one.
     */
    public static long version(UUID collection, String key) {
        String prefix = versionsPrefix(collection);
        if (!key.startsWith(prefix)) {
            return -1;
        }
        Matcher directory = VERSION_DIRECTORY.matcher(key.substring(prefix.length()));
        if (!directory.matches()) {
            return -1;
        }
        try {
            return Long.parseLong(directory.group(1));
        } catch (NumberFormatException e) {
            return -1; // 20 digits can exceed Long.MAX_VALUE
        }
    }

    /**
     * Whether {@code collection} may read {@code manifest} stored under {@code manifestKey}: its own version, or (for
     * a fork, which starts from its source's version where it lies) another collection's version stored at exactly
     * that version's own key.
     */
    public static boolean belongs(VersionManifest manifest, UUID collection, String manifestKey) {
        return manifest.collectionId().equals(collection)
                || manifestKey.equals(manifest(manifest.collectionId(), manifest.version()));
    }
}
