package io.vermilion.storage;

/**
 * An object cannot be read as its format: its bytes are not what the format promises (bad magic, truncation,
 * checksum mismatch, bad content), or it is in a format version this build does not read. The message always names
 * the object key; format readers throw a subclass naming the format or the unsupported version.
 */
public class CorruptObjectException extends RuntimeException {

    private final String key;

    public CorruptObjectException(String what, String key, String detail, Throwable cause) {
        super("corrupt " + what + " '" + key + "': " + detail, cause);
        this.key = key;
    }

    /** For subclasses that word the whole message themselves; it must name {@code key}. */
    protected CorruptObjectException(String key, String message) {
        super(message);
        this.key = key;
    }

    public String key() {
        return key;
    }
}
