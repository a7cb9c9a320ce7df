package io.vermilion.storage;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * A layer that passes every call to the store it wraps, closing included: a layer extends it and overrides only the
 * calls its concern changes, so a call it does not know about (a streamed upload, say) is never served by a default
 * that behaves differently from the wrapped store.
 */
public abstract class ForwardingObjectStore implements ObjectStoreLayer {

    private final ObjectStore delegate;

    protected ForwardingObjectStore(ObjectStore delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    public final ObjectStore delegate() {
        return delegate;
    }

    @Override
    public CompletionStage<Void> put(String key, byte[] bytes) {
        return delegate.put(key, bytes);
    }

    @Override
    public CompletionStage<Boolean> putIfAbsent(String key, byte[] bytes) {
        return delegate.putIfAbsent(key, bytes);
    }

    @Override
    public CompletionStage<Boolean> putFileIfAbsent(String key, Path file) {
        return delegate.putFileIfAbsent(key, file);
    }

    @Override
    public CompletionStage<byte[]> get(String key) {
        return delegate.get(key);
    }

    @Override
    public CompletionStage<byte[]> getRange(String key, long offset, int length) {
        return delegate.getRange(key, offset, length);
    }

    @Override
    public CompletionStage<List<ObjectInfo>> list(String prefix) {
        return delegate.list(prefix);
    }

    @Override
    public CompletionStage<Void> delete(String key) {
        return delegate.delete(key);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
