package io.vermilion.catalog;

import java.util.UUID;

/** The collection a log operation names does not exist (never created, or deleted). */
public final class CollectionMissingException extends RuntimeException {

    private final UUID collection;

    public CollectionMissingException(UUID collection) {
        super("Collection [" + collection + "] does not exist.");
        this.collection = collection;
    }

    public UUID collection() {
        return collection;
    }
}
