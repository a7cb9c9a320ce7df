package io.vermilion.backup;

import io.vermilion.config.VermilionConfig;
import io.vermilion.error.ChromaException;
import io.vermilion.storage.LocalObjectStore;
import io.vermilion.storage.ObjectStore;
import io.vermilion.storage.S3ObjectStore;
import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * Where a backup is written or read: {@code s3://bucket/prefix} (the S3 settings of {@code vermilion.backup.*},
 * falling back to {@code vermilion.storage.*}), or a folder on the server's machine ({@code file:///path} or a plain
 * path, relative to the server's working directory). Opened as an {@link ObjectStore}; closing it closes what it opened.
 */
final class BackupLocation implements AutoCloseable {

    private final ObjectStore store;
    private final AutoCloseable resource;
    private final String description;

    private BackupLocation(ObjectStore store, AutoCloseable resource, String description) {
        this.store = store;
        this.resource = resource;
        this.description = description;
    }

    /** Opens {@code location}; with {@code mustExist}, a folder that does not exist is a 400 rather than created. */
    static BackupLocation open(String location, VermilionConfig config, boolean mustExist) {
        if (location == null || location.isBlank()) {
            throw ChromaException.invalid("A backup location is required: a folder or s3://bucket/prefix");
        }
        if (location.startsWith("s3://")) {
            String rest = location.substring("s3://".length());
            int slash = rest.indexOf('/');
            String bucket = slash < 0 ? rest : rest.substring(0, slash);
            String prefix = slash < 0 ? "" : rest.substring(slash + 1);
            while (prefix.endsWith("/")) {
                prefix = prefix.substring(0, prefix.length() - 1);
            }
            if (bucket.isEmpty()) {
                throw ChromaException.invalid("Backup location " + location + " names no bucket");
            }
            VermilionConfig.Storage s = config.storage();
            VermilionConfig.Backup b = config.backup();
            URI endpoint = b.s3Endpoint().or(s::endpoint).orElse(null);
            String accessKey = b.s3AccessKey().or(s::accessKey).orElse(null);
            String secretKey = b.s3SecretKey().or(s::secretKey).orElse(accessKey == null ? null : "");
            S3AsyncClient client = S3ObjectStore.client(endpoint, b.s3Region().orElse(s.region()), accessKey,
                    secretKey, s.pathStyle());
            return new BackupLocation(new S3ObjectStore(client, bucket, prefix), client, location);
        }
        Path folder;
        try {
            folder = location.startsWith("file:") ? Path.of(URI.create(location)) : Path.of(location);
        } catch (RuntimeException e) {
            throw ChromaException.invalid("Backup location " + location + " is neither a folder nor s3://bucket/prefix");
        }
        if (mustExist && !java.nio.file.Files.isDirectory(folder)) {
            throw ChromaException.invalid("No backup at " + location + ": the folder does not exist");
        }
        ExecutorService io = Executors.newFixedThreadPool(4, Thread.ofPlatform().name("vermilion-backup-io").daemon()
                .factory());
        return new BackupLocation(new LocalObjectStore(folder.toAbsolutePath(), io), io::shutdown, location);
    }

    ObjectStore store() {
        return store;
    }

    @Override
    public String toString() {
        return description;
    }

    @Override
    public void close() {
        store.close();
        try {
            resource.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing " + description, e);
        }
    }
}
