package io.vermilion.log;

import java.util.UUID;

/**
 * A batch could not be committed because other writers kept advancing the collection's log: every one of the allowed
 * attempts met a conflict. Nothing of the batch was recorded; retrying the write is safe.
 */
public final class CommitConflictException extends RuntimeException {

    private final UUID collection;
    private final int attempts;

    public CommitConflictException(UUID collection, int attempts) {
        super("log of collection " + collection + " kept moving: gave up after " + attempts + " conflicting commit attempts");
        this.collection = collection;
        this.attempts = attempts;
    }

    public UUID collection() {
        return collection;
    }

    public int attempts() {
        return attempts;
    }
}
