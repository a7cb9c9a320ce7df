package io.vermilion.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Byte objects under keys in a flat namespace: a local folder or an S3 bucket, which callers cannot tell apart.
 * Every method is asynchronous and thread-safe; a completed put is durable and visible to every later get and list.
 *
 * <p>Keys are relative, '/'-separated and validated the same way by every implementation (see {@link ObjectKeys}).
 * Failures complete the stage exceptionally: {@link ObjectNotFoundException} for a missing key,
 * {@link IllegalArgumentException} for an invalid key, otherwise the implementation's I/O error.
 */
public interface ObjectStore extends AutoCloseable {

    /** Writes {@code bytes} under {@code key}, replacing any existing object. */
    CompletionStage<Void> put(String key, byte[] bytes);

    /**
     * Writes {@code bytes} under {@code key} only if no object exists there; completes with {@code false} (and writes
     * nothing) if one does. Atomic: of any number of concurrent calls for one key, at most one completes with {@code true}.
     */
    CompletionStage<Boolean> putIfAbsent(String key, byte[] bytes);

    /**
     * As {@link #putIfAbsent(String, byte[])} with the content of the local file {@code file}, which must not change
     * until the stage completes. Stores that can stream a file (a local folder, S3 with multipart uploads) override
     * this so no object is held in memory whole and none is capped at 2 GiB; this default reads the file into a byte
     * array (for layers and test doubles whose behaviour lives in {@code putIfAbsent}).
     */
    default CompletionStage<Boolean> putFileIfAbsent(String key, Path file) {
        try {
            return putIfAbsent(key, Files.readAllBytes(file));
        } catch (IOException | OutOfMemoryError e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Reads the whole object. */
    CompletionStage<byte[]> get(String key);

    /**
     * Reads bytes {@code [offset, offset + length)} of the object, clipped at its end: an offset at or past the end
     * gives an empty array.
     */
    CompletionStage<byte[]> getRange(String key, long offset, int length);

    /**
     * Lists every object whose key starts with {@code prefix} (a plain string prefix, so "a/b" matches "a/bc"),
     * sorted by key in UTF-8 byte order, as S3 does. An empty prefix lists everything.
     */
    CompletionStage<List<ObjectInfo>> list(String prefix);

    /** Deletes the object; deleting a missing key succeeds. */
    CompletionStage<Void> delete(String key);

    /** Releases what the store itself holds; what the caller passed in (executor, client) stays open. */
    @Override
    void close();
}
