package io.vermilion.storage;

/** No object exists under the key that was read. */
public final class ObjectNotFoundException extends RuntimeException {

    private final String key;

    public ObjectNotFoundException(String key) {
        super("object not found: " + key);
        this.key = key;
    }

    public String key() {
        return key;
    }
}
