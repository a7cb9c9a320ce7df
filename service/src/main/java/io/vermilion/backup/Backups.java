package io.vermilion.backup;

import io.vermilion.catalog.FragmentRef;
import io.vermilion.catalog.VersionCatalog;
import io.vermilion.config.VermilionConfig;
import io.vermilion.env.Environment;
import io.vermilion.error.ChromaException;
import io.vermilion.storage.ObjectNotFoundException;
import io.vermilion.storage.ObjectStore;
import io.vermilion.sysdb.BackupRows;
import io.vermilion.version.ManifestReader;
import io.vermilion.version.VersionFile;
import io.vermilion.version.VersionManifest;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import org.jboss.logging.Logger;

/**
 * Backs up a tenant or one database to a folder or S3 prefix, and restores such a backup into this deployment. A
 * backup captures each collection at one (version, log position) pair while holding its compaction lease, so no
 * compaction publishes and no garbage collection deletes what is being copied; it copies every object the rows
 * reference (version manifest, blocks, index files, log fragments after the version) under {@code objects/}, each
 * checked against the manifest it came from, and writes {@code backup.json} last: a folder without it is no backup.
 * A restore checks everything first (manifest checksum, no collection in the way), copies every object back verifying
 * size and CRC32C (deleting what it copied if any is missing or corrupted), then inserts all catalog rows in one
 * transaction. Blocking: call from a worker thread, never the event loop.
 */
@ApplicationScoped
public class Backups {

    private static final Logger LOG = Logger.getLogger(Backups.class);
    private static final Duration LEASE_RETRY = Duration.ofMillis(200);

    /** What a backup or restore did. */
    public record Summary(String location, int collections, int objects, long bytes) {}

    private final ObjectStore store;
    private final VersionCatalog versions;
    private final BackupRows rows;
    private final VermilionConfig config;
    private final Environment environment = Environment.system();
    private final Clock clock = environment.clock();

    public Backups(ObjectStore store, VersionCatalog versions, BackupRows rows, VermilionConfig config) {
        this.store = store;
        this.versions = versions;
        this.rows = rows;
        this.config = config;
    }

    // ---- backup ----

    /** Backs up tenant {@code tenant} (every database) or only its database {@code database} to {@code location}. */
    public Summary backup(String tenant, String database, String location) {
        BackupRows.TenantRow tenantRow = rows.tenant(tenant).await().indefinitely();
        if (tenantRow == null) {
            throw ChromaException.notFound("Tenant [" + tenant + "] not found");
        }
        List<BackupRows.DatabaseRow> databases = rows.databases(tenant, database).await().indefinitely();
        if (database != null && databases.isEmpty()) {
            throw ChromaException.notFound("Database [" + database + "] not found");
        }
        try (BackupLocation to = BackupLocation.open(location, config, false)) {
            ObjectStore dest = to.store();
            boolean empty;
            try {
                empty = join(dest.list(BackupManifest.FILE)).isEmpty()
                        && join(dest.list(BackupManifest.OBJECTS)).isEmpty();
            } catch (RuntimeException e) {
                throw ChromaException.invalid("Backup location " + location + " cannot be used: " + e.getMessage());
            }
            if (!empty) {
                throw ChromaException.conflict("Backup location " + location + " is not empty; back up to a new one");
            }
            List<BackupRows.CollectionRows> collections = new ArrayList<>();
            Map<String, BackupManifest.StoredObject> objects = new LinkedHashMap<>();
            for (BackupRows.DatabaseRow db : databases) {
                for (UUID id : rows.collections(db.id()).await().indefinitely()) {
                    BackupRows.CollectionRows copied = backupCollection(id, dest, objects);
                    if (copied != null) {
                        collections.add(copied);
                    }
                }
            }
            BackupManifest manifest = new BackupManifest(clock.instant(), tenant, database, List.of(tenantRow),
                    databases, collections, List.copyOf(objects.values()));
            join(dest.put(BackupManifest.FILE, manifest.toJson()));
            long bytes = objects.values().stream().mapToLong(BackupManifest.StoredObject::size).sum();
            LOG.infof("Backed up %s%s to %s: %d collections, %d objects, %d bytes", tenant,
                    database == null ? "" : "/" + database, location, collections.size(), objects.size(), bytes);
            return new Summary(location, collections.size(), objects.size(), bytes);
        }
    }

    /** Copies one collection at one point under its lease; null if it was deleted meanwhile. */
    private BackupRows.CollectionRows backupCollection(UUID id, ObjectStore dest,
            Map<String, BackupManifest.StoredObject> objects) {
        String holder = "backup-" + UUID.randomUUID();
        Duration lease = config.backup().lease();
        if (!lease(id, holder, lease)) {
            return null; // deleted since it was listed
        }
        try {
            BackupRows.CollectionRows snapshot = rows.snapshot(id).await().indefinitely();
            if (snapshot == null) {
                return null;
            }
            Map<String, VersionFile> keys = new LinkedHashMap<>();
            if (snapshot.version() != null) {
                String manifestKey = snapshot.version().manifestKey();
                byte[] bytes = join(store.get(manifestKey));
                VersionManifest manifest = new ManifestReader().read(bytes, manifestKey);
                keys.put(manifestKey, null);
                manifest.files().forEach(file -> keys.put(file.key(), file));
            }
            for (FragmentRef fragment : snapshot.fragments()) {
                keys.put(fragment.key(), null);
            }
            keys.keySet().removeAll(objects.keySet()); // forks share objects: each is copied once
            java.util.concurrent.atomic.AtomicLong renewed = new java.util.concurrent.atomic.AtomicLong(environment.nanoTime());
            copy(keys, objects, key -> {
                byte[] bytes = join(store.get(key));
                VersionFile expected = keys.get(key);
                if (expected != null && !expected.matches(bytes)) {
                    throw new IllegalStateException("object " + key + " differs from its version manifest");
                }
                join(dest.put(BackupManifest.OBJECTS + key, bytes));
                long now = environment.nanoTime();
                long last = renewed.get();
                if (now - last > lease.toNanos() / 3 && renewed.compareAndSet(last, now)
                        && !join(versions.renewLease(id, holder, lease))) {
                    throw new IllegalStateException("lost the lease on collection " + id + " while copying it");
                }
                return BackupManifest.StoredObject.of(key, bytes);
            });
            return snapshot;
        } finally {
            join(versions.releaseLease(id, holder));
        }
    }

    /** Takes the collection's lease, waiting for a running compaction; false if the collection no longer exists. */
    private boolean lease(UUID id, String holder, Duration lease) {
        long deadline = environment.nanoTime() + config.backup().leaseWait().toNanos();
        while (!join(versions.tryAcquireLease(id, holder, lease))) {
            if (!rows.exists(id).await().indefinitely()) {
                return false;
            }
            if (environment.nanoTime() > deadline) {
                throw ChromaException.conflict("Collection [" + id + "] stayed leased by a compaction for "
                        + config.backup().leaseWait() + " (vermilion.backup.lease-wait); retry the backup");
            }
            try {
                Thread.sleep(LEASE_RETRY);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for a lease", e);
            }
        }
        return true;
    }

    private interface Copy {
        BackupManifest.StoredObject copy(String key);
    }

    /** Copies {@code keys} with bounded parallelism, adding what was copied to {@code done} in key order. */
    private void copy(Map<String, ?> keys, Map<String, BackupManifest.StoredObject> done, Copy copy) {
        Semaphore slots = new Semaphore(Math.max(1, config.backup().parallelism()));
        Map<String, CompletableFuture<BackupManifest.StoredObject>> running = new LinkedHashMap<>();
        for (String key : keys.keySet()) {
            slots.acquireUninterruptibly();
            running.put(key, CompletableFuture.supplyAsync(() -> copy.copy(key), Thread::startVirtualThread)
                    .whenComplete((ok, failed) -> slots.release()));
        }
        // Every copy has ended before any failure is reported, so a caller cleaning up sees all that was written.
        CompletableFuture.allOf(running.values().toArray(CompletableFuture[]::new)).exceptionally(failed -> null).join();
        for (Map.Entry<String, CompletableFuture<BackupManifest.StoredObject>> copied : running.entrySet()) {
            done.put(copied.getKey(), join(copied.getValue()));
        }
    }

    // ---- restore ----

    /**
     * Restores the backup at {@code location} into this deployment; a database backup may go into another tenant and
     * database ({@code intoTenant}/{@code intoDatabase}, both or neither). Refuses (409) if any of its collections
     * exists already; a missing, truncated or corrupted backup is a 400. Either everything is restored or nothing.
     */
    public Summary restore(String location, String intoTenant, String intoDatabase) {
        try (BackupLocation from = BackupLocation.open(location, config, true)) {
            ObjectStore source = from.store();
            byte[] file;
            try {
                file = join(source.get(BackupManifest.FILE));
            } catch (ObjectNotFoundException e) {
                throw ChromaException.invalid("No backup at " + location + ": " + BackupManifest.FILE
                        + " is missing (an unfinished backup writes it last)");
            } catch (RuntimeException e) {
                throw ChromaException.invalid("Backup location " + location + " cannot be read: " + e.getMessage());
            }
            BackupManifest manifest;
            try {
                manifest = BackupManifest.parse(file);
            } catch (CorruptBackupException e) {
                throw ChromaException.invalid("Backup at " + location + " is corrupted: " + e.getMessage());
            }
            List<BackupRows.TenantRow> tenants = manifest.tenants();
            List<BackupRows.DatabaseRow> databases = manifest.databases();
            if (intoTenant != null) {
                if (manifest.database() == null || databases.size() != 1) {
                    throw ChromaException.invalid("Only a backup of one database can be restored into another");
                }
                tenants = List.of(new BackupRows.TenantRow(intoTenant, null));
                databases = List.of(new BackupRows.DatabaseRow(databases.get(0).id(), intoDatabase, intoTenant));
            }
            List<BackupRows.Conflict> conflicts = rows.conflicts(databases, manifest.collections()).await()
                    .indefinitely();
            if (!conflicts.isEmpty()) {
                throw ChromaException.conflict("Refusing to restore over existing collections: "
                        + String.join(", ", conflicts.stream().map(BackupRows.Conflict::description).toList()));
            }
            Set<String> written = java.util.concurrent.ConcurrentHashMap.newKeySet();
            try {
                Map<String, BackupManifest.StoredObject> listed = new LinkedHashMap<>();
                manifest.objects().forEach(o -> listed.put(o.key(), o));
                copy(listed, new LinkedHashMap<>(), key -> {
                    BackupManifest.StoredObject expected = listed.get(key);
                    byte[] bytes;
                    try {
                        bytes = join(source.get(BackupManifest.OBJECTS + key));
                    } catch (ObjectNotFoundException e) {
                        throw new CorruptBackupException("object " + key + " is missing from the backup");
                    }
                    if (!expected.matches(bytes)) {
                        throw new CorruptBackupException("object " + key + " is corrupted (" + bytes.length
                                + " bytes, size or CRC32C differs from " + BackupManifest.FILE + ")");
                    }
                    if (!join(store.putIfAbsent(key, bytes))) {
                        byte[] there = join(store.get(key));
                        if (!expected.matches(there)) {
                            throw new IllegalStateException("object " + key + " already exists in the store with"
                                    + " other content");
                        }
                    } else {
                        written.add(key);
                    }
                    return expected;
                });
                rows.restore(tenants, databases, manifest.collections()).await().indefinitely();
            } catch (RuntimeException e) {
                for (String key : written) {
                    join(store.delete(key));
                }
                RuntimeException cause = unwrap(e);
                if (cause instanceof CorruptBackupException corrupt) {
                    throw ChromaException.invalid("Backup at " + location + " is corrupted: " + corrupt.getMessage()
                            + "; nothing was restored");
                }
                if (cause instanceof io.vertx.pgclient.PgException pg && "23505".equals(pg.getSqlState())) {
                    throw ChromaException.conflict("Refusing to restore over existing collections (one was created"
                            + " during the restore); nothing was restored");
                }
                throw cause;
            }
            long bytes = manifest.objects().stream().mapToLong(BackupManifest.StoredObject::size).sum();
            LOG.infof("Restored %s: %d collections, %d objects, %d bytes", location, manifest.collections().size(),
                    manifest.objects().size(), bytes);
            return new Summary(location, manifest.collections().size(), manifest.objects().size(), bytes);
        }
    }

    private static RuntimeException unwrap(RuntimeException e) {
        Throwable t = e;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t instanceof RuntimeException r ? r : e;
    }

    private static <T> T join(java.util.concurrent.CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().join();
        } catch (CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }
}
