package io.vermilion.storage;

/**
 * An object's bytes are not what its format promises (bad magic, unknown version, truncation, checksum mismatch).
 * The message always names the object key; format readers throw a subclass naming the format.
 */
public class CorruptObjectException extends RuntimeException {

    private final String key;

    public CorruptObjectException(String what, String key, String detail, Throwable cause) {
        super("corrupt " + what + " '" + key + "': " + detail, cause);
        this.key = key;
    }

    public String key() {
        return key;
    }
}
