package io.vermilion.version;

import java.util.Objects;

import io.vermilion.format.Framing;
import io.vermilion.storage.ObjectKeys;

/**
 * One immutable object a version consists of: its key, its role, and the size and CRC32C of its whole content, so a
 * reader can check any file it fetches (whatever its format) against the manifest.
 */
public record VersionFile(String key, Role role, long size, int crc32c) {

    /** What a file is for; the wire name is what the manifest stores. */
    public enum Role {
        /** A record block ({@link io.vermilion.blockstore.RecordBlockFormat}). */
        BLOCK("block"),
        /** A file of the version's search index (Lucene). */
        INDEX("index");

        private final String wireName;

        Role(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }

        /** The role named {@code name}; throws {@link IllegalArgumentException} for any other name. */
        public static Role fromWireName(String name) {
            for (Role role : values()) {
                if (role.wireName.equals(name)) {
                    return role;
                }
            }
            throw new IllegalArgumentException("unknown file role: " + name);
        }
    }

    public VersionFile {
        ObjectKeys.checkKey(key);
        Objects.requireNonNull(role, "role");
        if (size < 0) {
            throw new IllegalArgumentException("negative size of " + key + ": " + size);
        }
    }

    /** The entry for {@code bytes} stored under {@code key}. */
    public static VersionFile of(String key, Role role, byte[] bytes) {
        return new VersionFile(key, role, bytes.length, crc32c(bytes));
    }

    /** Whether {@code bytes} are this file's content (same size and CRC32C). */
    public boolean matches(byte[] bytes) {
        return bytes.length == size && crc32c(bytes) == crc32c;
    }

    static int crc32c(byte[] bytes) {
        return Framing.crc32c(bytes, 0, bytes.length);
    }
}
