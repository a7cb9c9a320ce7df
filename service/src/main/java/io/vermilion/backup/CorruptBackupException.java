package io.vermilion.backup;

/** A backup that is missing, truncated or corrupted: its manifest or an object it lists is not what was written. */
public final class CorruptBackupException extends RuntimeException {

    public CorruptBackupException(String message) {
        super(message);
    }
}
