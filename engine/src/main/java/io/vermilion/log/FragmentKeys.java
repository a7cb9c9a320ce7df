package io.vermilion.log;

import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.vermilion.env.Environment;

/**
 * Object keys of a collection's data: everything under {@code {collection_id}/}, log fragments under
 * {@code {collection_id}/log/{start offset, 20 digits}-{random uuid}.arrow}. The zero-padded offset makes key order
 * log order; the random part lets any number of writers (and retries) put fragments without ever overwriting one.
 */
public final class FragmentKeys {

    private static final Pattern FRAGMENT_NAME = Pattern.compile(
            "(\\d{20})-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\.arrow");

    private FragmentKeys() {}

    /** {@code {collection_id}/}: every object of the collection. */
    public static String collectionPrefix(UUID collection) {
        return collection + "/";
    }

    /** {@code {collection_id}/log/}: the collection's log fragments, recorded or not. */
    public static String logPrefix(UUID collection) {
        return collection + "/log/";
    }

    /** A fresh, never used key for a fragment whose first record has log offset {@code startOffset}. */
    public static String newFragmentKey(UUID collection, long startOffset) {
        return newFragmentKey(collection, startOffset, Environment.system().newId());
    }

    /** The key for a fragment whose first record has log offset {@code startOffset}, made unique by {@code unique}. */
    public static String newFragmentKey(UUID collection, long startOffset, UUID unique) {
        if (startOffset < 0) {
            throw new IllegalArgumentException("negative start offset: " + startOffset);
        }
        return logPrefix(collection) + "%020d-%s.arrow".formatted(startOffset, unique);
    }

    /**
     * The start offset written into a fragment key of {@code collection} by {@link #newFragmentKey}, or -1 if
     * {@code key} is not such a key (another collection's, or an object this class did not name).
     */
    public static long startOffset(UUID collection, String key) {
        String prefix = logPrefix(collection);
        if (!key.startsWith(prefix)) {
            return -1;
        }
        Matcher name = FRAGMENT_NAME.matcher(key.substring(prefix.length()));
        if (!name.matches()) {
            return -1;
        }
        try {
            return Long.parseLong(name.group(1));
        } catch (NumberFormatException e) {
            return -1; // 20 digits can exceed Long.MAX_VALUE
        }
    }
}
