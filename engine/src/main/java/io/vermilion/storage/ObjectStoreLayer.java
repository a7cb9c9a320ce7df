package io.vermilion.storage;

/**
 * An object store that adds one concern (retries, metrics, ...) around another, as in SlateDB's stack of small
 * wrappers: each layer knows only the store it wraps.
 */
public interface ObjectStoreLayer extends ObjectStore {

    /** The store this layer wraps. */
    ObjectStore delegate();

    /** The store at the bottom of the stack (the local folder or the S3 bucket itself). */
    static ObjectStore innermost(ObjectStore store) {
        ObjectStore s = store;
        while (s instanceof ObjectStoreLayer layer) {
            s = layer.delegate();
        }
        return s;
    }
}
