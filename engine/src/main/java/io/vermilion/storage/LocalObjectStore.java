package io.vermilion.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

import io.vermilion.env.Environment;

/**
 * An {@link ObjectStore} in a local folder: one file per key, blocking I/O on the given executor.
 * Writes are durable and all-or-nothing (temp file in the same folder, fsync, atomic rename or hard link, fsync of the
 * folder); readers never see a partial object and temp files are never listed. Needs a POSIX file system with hard links.
 * A key cannot also be a "folder" of other keys ("a" and "a/b" cannot coexist), unlike on S3.
 */
public final class LocalObjectStore implements ObjectStore {

    private final Path root;
    private final Executor ioExecutor;
    private final Environment environment;

    public LocalObjectStore(Path root, Executor ioExecutor) {
        this(root, ioExecutor, Environment.system());
    }

    /** As above, naming temp files and judging their age with {@code environment}. */
    public LocalObjectStore(Path root, Executor ioExecutor, Environment environment) {
        this.environment = Objects.requireNonNull(environment, "environment");
        this.root = root.toAbsolutePath().normalize();
        this.ioExecutor = ioExecutor;
        try {
            Files.createDirectories(this.root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create object store folder " + this.root, e);
        }
    }

    /**
     * Deletes temp files older than {@code olderThan}: what a process killed in the middle of a write leaves behind.
     * Returns how many were deleted. Younger ones may belong to a write in progress and are kept.
     */
    public CompletionStage<Integer> deleteStaleTemporaryFiles(Duration olderThan) {
        return CompletableFuture.supplyAsync(() -> {
            long cutoff = environment.clock().millis() - olderThan.toMillis();
            int[] deleted = {0};
            try {
                Files.walkFileTree(root, new SimpleFileVisitor<>() {
                    @Override
                    public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                        if (file.getFileName().toString().startsWith(ObjectKeys.RESERVED_PREFIX)
                                && attrs.lastModifiedTime().toMillis() < cutoff && Files.deleteIfExists(file)) {
                            deleted[0]++;
                        }
                        return FileVisitResult.CONTINUE;
                    }

                    @Override
                    public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                        if (e instanceof NoSuchFileException) {
                            return FileVisitResult.CONTINUE;
                        }
                        throw e;
                    }
                });
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            return deleted[0];
        }, ioExecutor);
    }

    @Override
    public CompletionStage<Void> put(String key, byte[] bytes) {
        return run(key, path -> {
            Path temp = writeTemp(path, bytes);
            try {
                Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(temp);
            }
            fsyncDirectory(path.getParent());
            return null;
        });
    }

    @Override
    public CompletionStage<Boolean> putIfAbsent(String key, byte[] bytes) {
        return run(key, path -> {
            Path temp = writeTemp(path, bytes);
            boolean created;
            try {
                // link(2) fails if the target exists, so exactly one of any number of racing writers wins.
                Files.createLink(path, temp);
                created = true;
            } catch (FileAlreadyExistsException e) {
                created = false;
            } finally {
                Files.deleteIfExists(temp);
            }
            fsyncDirectory(path.getParent());
            return created;
        });
    }

    /** Copies the file beside the target (streamed by the file system, fsynced), then links it in if absent. */
    @Override
    public CompletionStage<Boolean> putFileIfAbsent(String key, Path file) {
        return run(key, path -> {
            Path dir = path.getParent();
            createDirectoriesDurably(dir);
            Path temp = dir.resolve(ObjectKeys.RESERVED_PREFIX + environment.newId());
            boolean created;
            try {
                Files.copy(file, temp);
                try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                    channel.force(true);
                }
                Files.createLink(path, temp);
                created = true;
            } catch (FileAlreadyExistsException e) {
                created = false;
            } finally {
                Files.deleteIfExists(temp);
            }
            fsyncDirectory(dir);
            return created;
        });
    }

    @Override
    public CompletionStage<byte[]> get(String key) {
        return run(key, path -> {
            try {
                return Files.readAllBytes(path);
            } catch (IOException e) {
                throw notFoundOr(key, path, e);
            }
        });
    }

    @Override
    public CompletionStage<byte[]> getRange(String key, long offset, int length) {
        if (offset < 0 || length < 0) {
            return CompletableFuture.failedFuture(new IllegalArgumentException("negative offset or length"));
        }
        return run(key, path -> {
            try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
                long size = channel.size();
                int n = (int) Math.max(0, Math.min(length, size - offset));
                ByteBuffer buffer = ByteBuffer.allocate(n);
                while (buffer.hasRemaining()) {
                    if (channel.read(buffer, offset + buffer.position()) < 0) {
                        throw new IOException("file shrank while reading: " + path);
                    }
                }
                return buffer.array();
            } catch (IOException e) {
                throw notFoundOr(key, path, e);
            }
        });
    }

    @Override
    public CompletionStage<List<ObjectInfo>> list(String prefix) {
        try {
            ObjectKeys.checkPrefix(prefix);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        return CompletableFuture.supplyAsync(() -> {
            int lastSlash = prefix.lastIndexOf('/');
            Path start = lastSlash < 0 ? root : root.resolve(prefix.substring(0, lastSlash));
            List<ObjectInfo> found = new ArrayList<>();
            try {
                if (Files.isDirectory(start, LinkOption.NOFOLLOW_LINKS)) {
                    Files.walkFileTree(start, new Lister(prefix, found));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            found.sort(Comparator.comparing(ObjectInfo::key, ObjectKeys.UTF8_ORDER));
            return found;
        }, ioExecutor);
    }

    @Override
    public CompletionStage<Void> delete(String key) {
        return run(key, path -> {
            if (Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
                return null; // a folder of other keys, not an object
            }
            try {
                if (Files.deleteIfExists(path)) {
                    fsyncDirectory(path.getParent());
                }
            } catch (NotDirectoryException | DirectoryNotEmptyException e) {
                // a parent segment is a file, or the key became a folder meanwhile: there is no such object
            }
            return null;
        });
    }

    @Override
    public void close() {
        // nothing to release: the executor belongs to the caller
    }

    @Override
    public String toString() {
        return "LocalObjectStore[" + root + "]";
    }

    private interface PathAction<T> {
        T apply(Path path) throws IOException;
    }

    private <T> CompletableFuture<T> run(String key, PathAction<T> action) {
        Path path;
        try {
            path = root.resolve(ObjectKeys.checkKey(key));
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
        return CompletableFuture.supplyAsync(() -> {
            try {
                return action.apply(path);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, ioExecutor);
    }

    /** Writes and fsyncs {@code bytes} to a fresh temp file next to {@code target}, creating folders as needed. */
    private Path writeTemp(Path target, byte[] bytes) throws IOException {
        Path dir = target.getParent();
        createDirectoriesDurably(dir);
        Path temp = dir.resolve(ObjectKeys.RESERVED_PREFIX + environment.newId());
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        return temp;
    }

    private void createDirectoriesDurably(Path dir) throws IOException {
        if (Files.isDirectory(dir) || dir.equals(root)) {
            return;
        }
        createDirectoriesDurably(dir.getParent());
        try {
            Files.createDirectory(dir);
            fsyncDirectory(dir.getParent());
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(dir)) {
                throw e; // a key is in the way
            }
        }
    }

    private static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        }
    }

    private static RuntimeException notFoundOr(String key, Path path, IOException e) {
        if (e instanceof NoSuchFileException || e instanceof NotDirectoryException
                || !Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS)) {
            return new ObjectNotFoundException(key);
        }
        return new UncheckedIOException(e);
    }

    /** Collects regular files whose key starts with the prefix, skipping folders that cannot hold such keys. */
    private final class Lister extends SimpleFileVisitor<Path> {
        private final String prefix;
        private final List<ObjectInfo> found;

        Lister(String prefix, List<ObjectInfo> found) {
            this.prefix = prefix;
            this.found = found;
        }

        @Override
        public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
            if (dir.equals(root)) {
                return FileVisitResult.CONTINUE;
            }
            String folder = key(dir) + "/";
            return folder.startsWith(prefix) || prefix.startsWith(folder)
                    ? FileVisitResult.CONTINUE
                    : FileVisitResult.SKIP_SUBTREE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            if (attrs.isRegularFile() && !file.getFileName().toString().startsWith(ObjectKeys.RESERVED_PREFIX)) {
                String key = key(file);
                if (key.startsWith(prefix)) {
                    found.add(new ObjectInfo(key, attrs.size()));
                }
            }
            return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
            if (e instanceof NoSuchFileException) {
                return FileVisitResult.CONTINUE; // deleted while listing
            }
            throw e;
        }

        private String key(Path path) {
            Path relative = root.relativize(path);
            StringBuilder key = new StringBuilder();
            for (Path name : relative) {
                if (!key.isEmpty()) {
                    key.append('/');
                }
                key.append(name);
            }
            return key.toString();
        }
    }
}
