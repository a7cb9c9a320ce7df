package io.vermilion.sysdb;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vermilion.error.ChromaException;
import io.vermilion.error.ErrorCode;
import io.vermilion.resilience.CatalogCall;
import io.vermilion.resilience.Failures;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * The catalog of tenants, databases and collections in PostgreSQL. Every method runs in its own reactive
 * transaction and fails with a {@link ChromaException} worded as Chroma words it; nothing here blocks. Every call is
 * guarded ({@link CatalogCall}): reads are retried after transient failures, writes only when they cannot have been
 * applied. A committed change or delete of a collection row is applied to this replica's {@link CatalogCache} before
 * the call completes (other replicas hear of it from the {@link CatalogFeed}).
 */
@ApplicationScoped
@CatalogCall
public class Catalog {

    @Inject
    CatalogCache cache;

    private static final String UNIQUE_VIOLATION = "23505";
    /** Creates with get_or_create that find the name taken and then gone again before giving up (a 409). */
    private static final int CREATE_RACE_ATTEMPTS = 10;
    /** The tenant and database every fresh catalog holds (V1__catalog.sql), recreated by {@link #reset()}. */
    private static final String DEFAULT_TENANT = "default_tenant";
    private static final String DEFAULT_DATABASE = "default_database";
    private static final String DEFAULT_DATABASE_ID = "00000000-0000-0000-0000-000000000000";

    // ---- tenants ----

    public Uni<Void> createTenant(String name) {
        return Panache.withTransaction(() -> TenantEntity.<TenantEntity>findById(name).flatMap(existing -> {
                    if (existing != null) {
                        return Uni.createFrom().failure(tenantExists(name));
                    }
                    TenantEntity t = new TenantEntity();
                    t.name = name;
                    return t.persist().replaceWithVoid();
                }))
                .onFailure(Catalog::isUniqueViolation)
                .transform(e -> tenantExists(name));
    }

    @CatalogCall(idempotent = true)
    public Uni<TenantEntity> getTenant(String name) {
        return Panache.withSession(() -> TenantEntity.<TenantEntity>findById(name))
                .onItem()
                .ifNull()
                .failWith(() -> ChromaException.notFound("Tenant [" + name + "] not found"));
    }

    public Uni<Void> updateTenant(String name, String resourceName) {
        return Panache.withTransaction(() -> TenantEntity.<TenantEntity>findById(name).flatMap(t -> {
            if (t == null) {
                return Uni.createFrom().failure(ChromaException.notFound("Tenant [" + name + "] not found"));
            }
            if (t.resourceName != null && !t.resourceName.equals(resourceName)) {
                return Uni.createFrom()
                        .failure(ChromaException.conflict("Tenant [" + name + "] already has a resource name"));
            }
            t.resourceName = resourceName;
            return Uni.createFrom().voidItem();
        }));
    }

    // ---- databases ----

    public Uni<Void> createDatabase(String tenant, String name) {
        return Panache.withTransaction(() -> TenantEntity.<TenantEntity>findById(tenant).flatMap(t -> {
                    if (t == null) {
                        return Uni.createFrom().failure(ChromaException.notFound("Tenant [" + tenant + "] not found"));
                    }
                    return findDatabase(tenant, name).flatMap(existing -> {
                        if (existing != null) {
                            return Uni.createFrom().failure(databaseExists(name));
                        }
                        DatabaseEntity d = new DatabaseEntity();
                        d.id = UUID.randomUUID();
                        d.tenant = tenant;
                        d.name = name;
                        return d.persist().replaceWithVoid();
                    });
                }))
                .onFailure(Catalog::isUniqueViolation)
                .transform(e -> databaseExists(name));
    }

    @CatalogCall(idempotent = true)
    public Uni<List<DatabaseEntity>> listDatabases(String tenant, Integer limit, int offset) {
        if (limit != null && limit == 0) {
            return Uni.createFrom().item(List.of());
        }
        return Panache.withSession(() -> {
            var query = DatabaseEntity.<DatabaseEntity>find("tenant = ?1 order by createdAt, id", tenant);
            return limit == null
                    ? query.list().map(all -> all.subList(Math.min(offset, all.size()), all.size()))
                    : query.range(offset, offset + limit - 1).list();
        });
    }

    @CatalogCall(idempotent = true)
    public Uni<DatabaseEntity> getDatabase(String tenant, String name) {
        return Panache.withSession(() -> findDatabase(tenant, name))
                .onItem()
                .ifNull()
                .failWith(() -> ChromaException.notFound("Database [" + name + "] not found. Are you sure it exists?"));
    }

    /** Deletes the database and its collections; returns the ids of the deleted collections. */
    public Uni<List<UUID>> deleteDatabase(String tenant, String name) {
        return Panache.withTransaction(() -> findDatabase(tenant, name).flatMap(d -> {
            if (d == null) {
                return Uni.createFrom().failure(ChromaException.notFound("Database [" + name + "] not found"));
            }
            return CollectionEntity.<CollectionEntity>find("databaseId", d.id).list().flatMap(cols -> {
                List<UUID> ids = cols.stream().map(c -> c.id).toList();
                return CollectionEntity.delete("databaseId", d.id).flatMap(n -> d.delete()).replaceWith(ids);
            });
        })).invoke(ids -> ids.forEach(cache::deleted));
    }

    // ---- collections ----

    /**
     * Creates a collection, or with {@code getOrCreate} returns the existing one of that name unchanged. Concurrent
     * creates of one name have one winner: without {@code getOrCreate} the others are refused (409), with it they
     * return the winner's collection - and should the winner's collection be deleted before they read it, they try
     * again to create it.
     */
    public Uni<CollectionEntry> createCollection(
            String tenant, String database, String name, String metadataJson, String configurationJson, boolean getOrCreate) {
        return createCollection(tenant, database, name, metadataJson, configurationJson, getOrCreate, CREATE_RACE_ATTEMPTS);
    }

    private Uni<CollectionEntry> createCollection(String tenant, String database, String name, String metadataJson,
            String configurationJson, boolean getOrCreate, int attemptsLeft) {
        return Panache.withTransaction(() -> requireDatabaseForCreate(tenant, database).flatMap(d ->
                        findCollection(d.id, name).flatMap(existing -> {
                            if (existing != null) {
                                return getOrCreate
                                        ? Uni.createFrom().item(CollectionEntry.of(existing, d))
                                        : Uni.createFrom().failure(collectionExists(name));
                            }
                            CollectionEntity c = new CollectionEntity();
                            c.id = UUID.randomUUID();
                            c.name = name;
                            c.databaseId = d.id;
                            c.metadata = metadataJson;
                            c.configuration = configurationJson;
                            c.updatedAt = OffsetDateTime.now();
                            return c.persist().map(ignored -> CollectionEntry.of(c, d));
                        })))
                .onFailure(Catalog::isUniqueViolation)
                .recoverWithUni(e -> {
                    if (!getOrCreate) {
                        return Uni.createFrom().failure(collectionExists(name));
                    }
                    // another request inserted the name between our look and our insert: the winner's row is the answer
                    return Panache.withSession(() -> findByName(tenant, database, name)).flatMap(winner -> {
                        if (winner != null) {
                            return Uni.createFrom().item(winner);
                        }
                        return attemptsLeft > 1 // ... and it was deleted again since
                                ? createCollection(tenant, database, name, metadataJson, configurationJson, true,
                                        attemptsLeft - 1)
                                : Uni.createFrom().failure(collectionExists(name));
                    });
                });
    }

    @CatalogCall(idempotent = true)
    public Uni<List<CollectionEntry>> listCollections(String tenant, String database, Integer limit, int offset) {
        if (limit != null && limit == 0) {
            return Uni.createFrom().item(List.of());
        }
        return Panache.withSession(() -> findDatabase(tenant, database).flatMap(d -> {
            if (d == null) {
                return Uni.createFrom().item(List.<CollectionEntry>of());
            }
            var query = CollectionEntity.<CollectionEntity>find("databaseId = ?1 order by id", d.id);
            Uni<List<CollectionEntity>> rows = limit == null
                    ? query.list().map(all -> all.subList(Math.min(offset, all.size()), all.size()))
                    : query.range(offset, offset + limit - 1).list();
            return rows.map(list -> list.stream().map(c -> CollectionEntry.of(c, d)).toList());
        }));
    }

    @CatalogCall(idempotent = true)
    public Uni<Long> countCollections(String tenant, String database) {
        return Panache.withSession(() -> findDatabase(tenant, database)
                .flatMap(d -> d == null ? Uni.createFrom().item(0L) : CollectionEntity.count("databaseId", d.id)));
    }

    @CatalogCall(idempotent = true)
    public Uni<CollectionEntry> getCollectionByName(String tenant, String database, String name) {
        return Panache.withSession(() -> findByName(tenant, database, name))
                .onItem()
                .ifNull()
                .failWith(() -> collectionMissing(name));
    }

    /** Looks a collection up by id within the given tenant and database. */
    @CatalogCall(idempotent = true)
    public Uni<CollectionEntry> getCollectionById(String tenant, String database, UUID id) {
        return Panache.withSession(() -> findById(id))
                .map(v -> v != null && v.tenant().equals(tenant) && v.database().equals(database) ? v : null)
                .onItem()
                .ifNull()
                .failWith(() -> collectionMissing(id.toString()));
    }

    /** Resolves {@code tenant_resource_name:database:collection}; the tenant part may also be the tenant's name. */
    @CatalogCall(idempotent = true)
    public Uni<CollectionEntry> getCollectionByCrn(String tenantPart, String database, String name) {
        return Panache.withSession(() -> TenantEntity.<TenantEntity>find("resourceName", tenantPart)
                        .firstResult()
                        .map(t -> t != null ? t.name : tenantPart)
                        .flatMap(tenant -> findDatabase(tenant, database))
                        .flatMap(d -> d == null
                                ? Uni.createFrom().<CollectionEntry>nullItem()
                                : findCollection(d.id, name).map(c -> c == null ? null : CollectionEntry.of(c, d))))
                .onItem()
                .ifNull()
                .failWith(() -> collectionMissing(tenantPart + ":" + database + ":" + name));
    }

    public Uni<Void> modifyCollection(String tenant, String database, UUID id, CollectionChange change) {
        return Panache.withTransaction(() -> CollectionEntity.<CollectionEntity>findById(id).flatMap(c -> {
                    if (c == null) {
                        return Uni.createFrom().failure(ChromaException.notFound("Collection [" + id + "] does not exist."));
                    }
                    Uni<Void> nameFree = Uni.createFrom().voidItem();
                    if (change.newName() != null && !change.newName().equals(c.name)) {
                        nameFree = findCollection(c.databaseId, change.newName()).flatMap(other -> other != null
                                ? Uni.createFrom().failure(collectionExists(change.newName()))
                                : Uni.createFrom().voidItem());
                    }
                    return nameFree.invoke(() -> {
                        if (change.newName() != null) {
                            c.name = change.newName();
                        }
                        if (change.clearMetadata()) {
                            c.metadata = null;
                        } else if (change.newMetadataJson() != null) {
                            c.metadata = change.newMetadataJson();
                        }
                        if (change.configurationChange() != null) {
                            c.configuration = change.configurationChange().apply(c.configuration);
                        }
                        c.updatedAt = OffsetDateTime.now();
                    });
                }))
                .onFailure(Catalog::isUniqueViolation)
                .transform(e -> collectionExists(change.newName()))
                .invoke(() -> cache.rowChanged(id));
    }

    /**
     * Deletes the collection; returns its id. Of concurrent deletes of one collection one succeeds and the others find
     * it missing: the row is deleted by a statement that counts what it deleted, so a delete that waited for another's
     * row lock sees the row gone instead of failing.
     */
    public Uni<UUID> deleteCollection(String tenant, String database, String name) {
        return Panache.withTransaction(() -> findDatabase(tenant, database).flatMap(d -> d == null
                        ? Uni.createFrom().<CollectionEntity>nullItem()
                        : findCollection(d.id, name))
                .flatMap(c -> c == null
                        ? Uni.createFrom().<UUID>failure(collectionMissing(name))
                        : CollectionEntity.delete("id", c.id).flatMap(deleted -> deleted == 0
                                ? Uni.createFrom().<UUID>failure(collectionMissing(name))
                                : Uni.createFrom().item(c.id))))
                .invoke(cache::deleted);
    }

    // ---- reset ----

    /**
     * Deletes every tenant, database and collection (with their API keys, quotas, log and version rows) and recreates
     * the default tenant and database, as Chroma's reset does; returns the ids of the deleted collections.
     */
    public Uni<List<UUID>> reset() {
        return Panache.withTransaction(() -> Panache.getSession().flatMap(session -> session
                .createNativeQuery("SELECT CAST(id AS TEXT) FROM collections", String.class).getResultList()
                .flatMap(ids -> session.createNativeQuery("DELETE FROM tenants").executeUpdate()
                        .flatMap(n -> session.createNativeQuery("DELETE FROM rate_limit_buckets").executeUpdate())
                        .flatMap(n -> session.createNativeQuery("INSERT INTO tenants (name) VALUES ('"
                                + DEFAULT_TENANT + "')").executeUpdate())
                        .flatMap(n -> session.createNativeQuery("INSERT INTO databases (id, name, tenant) VALUES ('"
                                + DEFAULT_DATABASE_ID + "', '" + DEFAULT_DATABASE + "', '" + DEFAULT_TENANT + "')")
                                .executeUpdate())
                        .map(n -> ids.stream().map(UUID::fromString).toList()))))
                .invoke(ids -> ids.forEach(cache::deleted));
    }

    // ---- helpers ----

    private static Uni<DatabaseEntity> findDatabase(String tenant, String name) {
        return DatabaseEntity.<DatabaseEntity>find("tenant = ?1 and name = ?2", tenant, name).firstResult();
    }

    private static Uni<CollectionEntity> findCollection(UUID databaseId, String name) {
        return CollectionEntity.<CollectionEntity>find("databaseId = ?1 and name = ?2", databaseId, name)
                .firstResult();
    }

    private static Uni<CollectionEntry> findByName(String tenant, String database, String name) {
        return findDatabase(tenant, database).flatMap(d -> d == null
                ? Uni.createFrom().<CollectionEntry>nullItem()
                : findCollection(d.id, name).map(c -> c == null ? null : CollectionEntry.of(c, d)));
    }

    private static Uni<CollectionEntry> findById(UUID id) {
        return CollectionEntity.<CollectionEntity>findById(id).flatMap(c -> c == null
                ? Uni.createFrom().nullItem()
                : DatabaseEntity.<DatabaseEntity>findById(c.databaseId).map(d -> CollectionEntry.of(c, d)));
    }

    private static Uni<DatabaseEntity> requireDatabaseForCreate(String tenant, String database) {
        return findDatabase(tenant, database)
                .onItem()
                .ifNull()
                .failWith(() -> ChromaException.invalid("Database [" + database + "] does not exist"));
    }

    private static boolean isUniqueViolation(Throwable e) {
        return UNIQUE_VIOLATION.equals(Failures.sqlState(e));
    }

    private static ChromaException tenantExists(String name) {
        return new ChromaException(ErrorCode.ALREADY_EXISTS, "Tenant [" + name + "] already exists");
    }

    private static ChromaException databaseExists(String name) {
        return new ChromaException(ErrorCode.ALREADY_EXISTS, "Database [" + name + "] already exists");
    }

    private static ChromaException collectionExists(String name) {
        return new ChromaException(ErrorCode.ALREADY_EXISTS, "Collection [" + name + "] already exists");
    }

    private static ChromaException collectionMissing(String name) {
        return ChromaException.notFound("Collection [" + name + "] does not exist");
    }
}
