package io.vermilion.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.zip.CRC32C;

/**
 * Copies objects into local files: small ones in one read, large ones in concurrent ranges written at their offsets,
 * then checked against the size and CRC32C the caller expects (a manifest's). For files that are memory-mapped or
 * handed to Lucene rather than held as byte arrays. Stateless.
 */
public final class ObjectFiles {

    /** Objects above this size are fetched in ranges of it. */
    public static final int RANGE_BYTES = 16 << 20;
    private static final int PARALLEL_RANGES = 4;

    private ObjectFiles() {}

    /**
     * Fetches {@code key} ({@code size} bytes, CRC32C {@code crc32c}) into {@code target}, which must not exist. Fails
     * with {@link CorruptObjectException} if what arrived is not that content.
     */
    public static CompletableFuture<Void> download(ObjectStore store, String key, long size, int crc32c, Path target,
                                                   Executor executor) {
        CompletableFuture<Void> written;
        if (size <= RANGE_BYTES) {
            written = store.get(key).toCompletableFuture().thenAcceptAsync(bytes -> {
                try {
                    Files.write(target, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, executor);
        } else {
            written = CompletableFuture.runAsync(() -> {
                try {
                    Files.createFile(target);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, executor).thenCompose(ignored -> rangesFrom(store, key, size, target, 0, executor));
        }
        return written.thenRunAsync(() -> check(key, size, crc32c, target), executor);
    }

    private static CompletableFuture<Void> rangesFrom(ObjectStore store, String key, long size, Path target, long first,
                                                      Executor executor) {
        long ranges = (size + RANGE_BYTES - 1) / RANGE_BYTES;
        if (first >= ranges) {
            return CompletableFuture.completedFuture(null);
        }
        List<CompletableFuture<Void>> group = new ArrayList<>();
        for (long r = first; r < Math.min(ranges, first + PARALLEL_RANGES); r++) {
            long offset = r * RANGE_BYTES;
            int length = (int) Math.min(RANGE_BYTES, size - offset);
            group.add(store.getRange(key, offset, length).toCompletableFuture().thenAcceptAsync(bytes -> {
                if (bytes.length != length) {
                    throw new CorruptObjectException("object", key, "range at " + offset + " returned " + bytes.length
                            + " bytes, expected " + length, null);
                }
                try (FileChannel channel = FileChannel.open(target, StandardOpenOption.WRITE)) {
                    ByteBuffer buffer = ByteBuffer.wrap(bytes);
                    long at = offset;
                    while (buffer.hasRemaining()) {
                        at += channel.write(buffer, at);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, executor));
        }
        return CompletableFuture.allOf(group.toArray(CompletableFuture[]::new))
                .thenCompose(ignored -> rangesFrom(store, key, size, target, first + PARALLEL_RANGES, executor));
    }

    /** The CRC32C of a whole local file. */
    public static int crc32c(Path path) throws IOException {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            return crc32c(channel);
        }
    }

    /** The CRC32C of the whole file open in {@code channel} (which stays open). */
    public static int crc32c(FileChannel channel) throws IOException {
        long size = channel.size();
        CRC32C crc = new CRC32C();
        for (long at = 0; at < size; at += Integer.MAX_VALUE) {
            MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, at, Math.min(Integer.MAX_VALUE, size - at));
            crc.update(mapped);
        }
        return (int) crc.getValue();
    }

    private static void check(String key, long size, int crc32c, Path path) {
        try {
            if (Files.size(path) != size || crc32c(path) != crc32c) {
                throw new CorruptObjectException("object", key, "size or CRC32C differs from what the manifest lists",
                        null);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
