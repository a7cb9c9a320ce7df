package io.vermilion.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

import io.vermilion.env.Environment;

/**
 * The local-disk level of {@link CachedObjectStore}: a folder of object copies bounded by bytes, evicting the least
 * recently used. Thread-safe; methods block on file I/O. Survives restarts: opening indexes the files already there
 * (recency from their modification time, which a read refreshes). Writes are atomic (temp file + rename) but not
 * fsynced; every file carries a length + CRC32C trailer, so a torn, truncated or corrupted file is never served: it is
 * deleted and reads as a miss. One process per folder.
 *
 * <p>File layout, named {@code <h[0..2]>/<h>} where h is the hex SHA-256 of the key's UTF-8 bytes:
 * {@code payload | key (UTF-8) | u32 key length | u64 payload length | u32 CRC32C(payload, key) | u32 magic "VMC1"},
 * integers big-endian. The stored key guards against hash collisions.
 */
public final class CacheFolder {

    private static final System.Logger LOG = System.getLogger(CacheFolder.class.getName());
    private static final int MAGIC = 0x564D4331; // "VMC1"
    /** Bytes after the key: key length, payload length, CRC32C, magic. */
    static final int TRAILER_BYTES = 4 + 8 + 4 + 4;

    private final Path root;
    private final long capacityBytes;
    private final Object lock = new Object();
    /** File name (hash) to file size, least recently used first. Guarded by {@link #lock}. */
    private final LinkedHashMap<String, Long> lru = new LinkedHashMap<>(16, 0.75f, true);
    private long sizeBytes; // guarded by lock
    private final Environment environment;
    private final AtomicLong corruptFiles = new AtomicLong();

    /** Opens (creating if needed) the folder and indexes what it holds, evicting down to {@code capacityBytes}. */
    public CacheFolder(Path root, long capacityBytes) {
        this(root, capacityBytes, Environment.system());
    }

    /** As above, stamping use times and naming temp files with {@code environment}. */
    public CacheFolder(Path root, long capacityBytes, Environment environment) {
        this.environment = Objects.requireNonNull(environment, "environment");
        if (capacityBytes < 0) {
            throw new IllegalArgumentException("negative capacity: " + capacityBytes);
        }
        this.root = root.toAbsolutePath().normalize();
        this.capacityBytes = capacityBytes;
        try {
            Files.createDirectories(this.root);
            index();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open cache folder " + this.root, e);
        }
    }

    /** Bytes a cached object of this size takes on disk, as counted against the capacity. */
    public static long fileSize(String key, int payloadBytes) {
        return (long) payloadBytes + key.getBytes(StandardCharsets.UTF_8).length + TRAILER_BYTES;
    }

    /** Whether the key has a file (which may still turn out corrupt when read). */
    public boolean contains(String key) {
        synchronized (lock) {
            return lru.containsKey(name(key));
        }
    }

    /** The cached object, or null if absent or corrupt (a corrupt file is deleted). A hit makes it most recent. */
    public byte[] read(String key) {
        String name = name(key);
        synchronized (lock) {
            if (lru.get(name) == null) {
                return null;
            }
        }
        Path path = path(name);
        byte[] file;
        try {
            file = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            forget(name, false);
            return null;
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot read cache file " + path + ", treating as a miss", e);
            return null;
        }
        byte[] payload = decode(key, file);
        if (payload == null) {
            corruptFiles.incrementAndGet();
            LOG.log(System.Logger.Level.WARNING, "corrupt cache file for '" + key + "' deleted: " + path);
            forget(name, true);
            return null;
        }
        try {
            Files.setLastModifiedTime(path, FileTime.fromMillis(environment.clock().millis()));
        } catch (IOException e) {
            // best effort: only the recency order after a restart suffers
        }
        return payload;
    }

    /**
     * Stores a copy of the object, replacing any previous one, and evicts least recently used files down to the
     * capacity. Best effort: an object larger than the whole capacity, or a failed write, leaves no file for the key.
     */
    public void write(String key, byte[] payload) {
        String name = name(key);
        byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
        long size = (long) payload.length + keyBytes.length + TRAILER_BYTES;
        if (size > capacityBytes) {
            forget(name, true);
            return;
        }
        Path path = path(name);
        Path temp = path.resolveSibling(ObjectKeys.RESERVED_PREFIX + environment.newId());
        try {
            Files.createDirectories(path.getParent());
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer[] buffers = {ByteBuffer.wrap(payload), ByteBuffer.wrap(keyBytes), trailer(payload, keyBytes)};
                long remaining = size;
                while (remaining > 0) {
                    remaining -= channel.write(buffers);
                }
            }
            synchronized (lock) {
                Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                Long previous = lru.put(name, size);
                sizeBytes += size - (previous == null ? 0 : previous);
                evictOverCapacity();
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "cannot write cache file " + path, e);
            forget(name, true);
        } finally {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException e) {
                // left for the next open to clean up
            }
        }
    }

    /** Deletes the key's file, if any. */
    public void remove(String key) {
        forget(name(key), true);
    }

    /** Bytes held, counting keys and trailers. */
    public long sizeBytes() {
        synchronized (lock) {
            return sizeBytes;
        }
    }

    public int fileCount() {
        synchronized (lock) {
            return lru.size();
        }
    }

    public long capacityBytes() {
        return capacityBytes;
    }

    /** Corrupt files found (and deleted) by reads since this instance opened. */
    public long corruptFiles() {
        return corruptFiles.get();
    }

    @Override
    public String toString() {
        return "CacheFolder[" + root + "]";
    }

    private void forget(String name, boolean deleteFile) {
        synchronized (lock) {
            Long size = lru.remove(name);
            if (size != null) {
                sizeBytes -= size;
            }
            if (deleteFile) {
                try {
                    Files.deleteIfExists(path(name));
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.WARNING, "cannot delete cache file " + path(name), e);
                }
            }
        }
    }

    /** Guarded by lock. Never evicts the most recent entry, which alone always fits. */
    private void evictOverCapacity() {
        Iterator<Map.Entry<String, Long>> it = lru.entrySet().iterator();
        while (sizeBytes > capacityBytes && it.hasNext()) {
            Map.Entry<String, Long> eldest = it.next();
            it.remove();
            sizeBytes -= eldest.getValue();
            try {
                Files.deleteIfExists(path(eldest.getKey()));
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot delete evicted cache file " + path(eldest.getKey()), e);
            }
        }
    }

    private record Found(String name, long size, long modified) {}

    private void index() throws IOException {
        List<Found> found = new ArrayList<>();
        try (Stream<Path> files = Files.find(root, 2, (p, a) -> a.isRegularFile())) {
            for (Path file : (Iterable<Path>) files::iterator) {
                String name = file.getFileName().toString();
                if (name.startsWith(ObjectKeys.RESERVED_PREFIX)) {
                    Files.deleteIfExists(file); // a write interrupted by a crash
                } else if (isCacheFileName(name) && file.getParent().getFileName() != null
                        && file.getParent().getFileName().toString().equals(name.substring(0, 2))
                        && file.getParent().getParent().equals(root)) {
                    BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
                    found.add(new Found(name, attributes.size(), attributes.lastModifiedTime().toMillis()));
                }
            }
        }
        found.sort(Comparator.comparingLong(Found::modified).thenComparing(Found::name));
        synchronized (lock) {
            for (Found f : found) {
                lru.put(f.name(), f.size());
                sizeBytes += f.size();
            }
            evictOverCapacity();
        }
    }

    private static boolean isCacheFileName(String name) {
        if (name.length() != 64) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            if (Character.digit(name.charAt(i), 16) < 0 || Character.isUpperCase(name.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** Where the key's file is (whether or not it exists); for tests. */
    Path fileOf(String key) {
        return path(name(key));
    }

    private Path path(String name) {
        return root.resolve(name.substring(0, 2)).resolve(name);
    }

    private static String name(String key) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha.digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JDK has SHA-256
        }
    }

    private static ByteBuffer trailer(byte[] payload, byte[] keyBytes) {
        return ByteBuffer.allocate(TRAILER_BYTES).order(ByteOrder.BIG_ENDIAN)
                .putInt(keyBytes.length).putLong(payload.length).putInt(crc(payload, payload.length, keyBytes))
                .putInt(MAGIC).flip();
    }

    private static int crc(byte[] file, int payloadLength, byte[] keyBytes) {
        CRC32C crc = new CRC32C();
        crc.update(file, 0, payloadLength);
        crc.update(keyBytes);
        return (int) crc.getValue();
    }

    /** The payload if {@code file} is a whole, intact cache file for {@code key}, else null. */
    private static byte[] decode(String key, byte[] file) {
        if (file.length < TRAILER_BYTES) {
            return null;
        }
        ByteBuffer trailer = ByteBuffer.wrap(file, file.length - TRAILER_BYTES, TRAILER_BYTES).order(ByteOrder.BIG_ENDIAN);
        int keyLength = trailer.getInt();
        long payloadLength = trailer.getLong();
        int storedCrc = trailer.getInt();
        int magic = trailer.getInt();
        byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
        if (magic != MAGIC || keyLength != keyBytes.length || payloadLength < 0
                || payloadLength + keyLength + TRAILER_BYTES != file.length) {
            return null;
        }
        int payloadEnd = (int) payloadLength;
        if (!Arrays.equals(file, payloadEnd, payloadEnd + keyLength, keyBytes, 0, keyLength)) {
            return null;
        }
        // CRC over the payload as stored followed by the key as stored (equal to keyBytes, checked above).
        if (crc(file, payloadEnd, keyBytes) != storedCrc) {
            return null;
        }
        return Arrays.copyOf(file, payloadEnd);
    }
}
