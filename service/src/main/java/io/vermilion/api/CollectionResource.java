package io.vermilion.api;

import io.vermilion.error.ErrorCode;
import io.vermilion.error.ChromaException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
import io.vermilion.backup.VersionRestorer;
import io.vermilion.sysdb.Catalog;
import io.vermilion.sysdb.PgForkCatalog;
import io.vermilion.sysdb.CollectionChange;
import io.vermilion.sysdb.CollectionEntry;
import io.vermilion.gateway.TenantGuard;
import io.vermilion.gateway.Quota;
import io.vermilion.gateway.QuotaExceededException;
import io.vermilion.gateway.Quotas;
import io.vermilion.gateway.Requires;
import io.vermilion.gateway.Role;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.UUID;

/**
 * Collections of a database: create (with get_or_create), list, count, get by name / id / CRN, modify by id,
 * delete by name, fork (copy-on-write, optionally as of a retained version) and count forks — the paths and quirks of
 * Chroma's v2 API — plus the retained versions and an in-place restore to one of them (Vermilion extensions).
 */
@Path("/api/v2")
@Produces(MediaType.APPLICATION_JSON)
public class CollectionResource {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final String BASE = "/tenants/{tenant}/databases/{database}";
    private final Catalog catalog;
    private final Records records;
    private final TenantGuard tenantGuard;
    private final Quotas quotas;
    private final PgForkCatalog forks;
    private final VersionRestorer restorer;

    public CollectionResource(Catalog catalog, Records records, TenantGuard tenantGuard, Quotas quotas,
            PgForkCatalog forks, VersionRestorer restorer) {
        this.forks = forks;
        this.restorer = restorer;
        this.catalog = catalog;
        this.records = records;
        this.tenantGuard = tenantGuard;
        this.quotas = quotas;
    }

    @POST
    @Requires(Role.READ_WRITE)
    @Path(BASE + "/collections")
    public Uni<ObjectNode> create(
            @PathParam("tenant") String tenant, @PathParam("database") String database, String body) {
        Names.requireDatabasePathSegment(database);
        ObjectNode req = JsonBody.object(body);
        String name = JsonBody.requiredString(req, "name");
        ObjectNode metadata = CollectionMetadata.forCreate(JsonBody.optional(req, "metadata"));
        JsonNode configuration = JsonBody.optional(req, "configuration");
        boolean getOrCreate = JsonBody.optionalBoolean(req, "get_or_create", false);
        Names.requireCollectionName("name", name);
        ObjectNode stored = CollectionSchemas.apply(JsonBody.optional(req, "schema"),
                CollectionConfigs.forCreate(configuration, metadata));
        return withinCollectionQuota(tenant, database, name, getOrCreate).flatMap(existing -> existing != null
                ? Uni.createFrom().item(existing)
                : catalog.createCollection(
                        tenant,
                        database,
                        name,
                        metadata == null ? null : JsonBody.write(metadata),
                        JsonBody.write(stored),
                        getOrCreate))
                .map(CollectionJson::render);
    }

    /**
     * Refuses a new collection in a database that already holds its tenant's quota of them; with get_or_create an
     * existing collection of that name is still returned (as the item; null when the create may go ahead).
     * Concurrent creates may overshoot the limit by one each.
     */
    private Uni<CollectionEntry> withinCollectionQuota(String tenant, String database, String name, boolean getOrCreate) {
        return quotas.forTenant(tenant).flatMap(limits -> {
            if (!limits.limits(Quota.NUM_COLLECTIONS)) {
                return Uni.createFrom().nullItem();
            }
            return catalog.countCollections(tenant, database).flatMap(count -> {
                long limit = limits.of(Quota.NUM_COLLECTIONS);
                if (count < limit) {
                    return Uni.createFrom().nullItem();
                }
                ChromaException refused =
                        new QuotaExceededException(Quota.NUM_COLLECTIONS, "Create Collection", count + 1, limit);
                if (!getOrCreate) {
                    return Uni.createFrom().failure(refused);
                }
                return catalog.getCollectionByName(tenant, database, name)
                        .onFailure(ChromaException.class).transform(e -> refused);
            });
        });
    }

    @GET
    @Path(BASE + "/collections")
    public Uni<ArrayNode> list(
            @PathParam("tenant") String tenant,
            @PathParam("database") String database,
            @QueryParam("limit") String limit,
            @QueryParam("offset") String offset) {
        Names.requireDatabasePathSegment(database);
        Integer l = QueryParams.u32("limit", limit);
        Integer o = QueryParams.u32("offset", offset);
        return catalog.listCollections(tenant, database, l, o == null ? 0 : o).map(list -> {
            ArrayNode out = F.arrayNode();
            list.forEach(c -> out.add(CollectionJson.render(c)));
            return out;
        });
    }

    @GET
    @Path(BASE + "/collections_count")
    public Uni<Long> count(@PathParam("tenant") String tenant, @PathParam("database") String database) {
        Names.requireDatabasePathSegment(database);
        return catalog.countCollections(tenant, database);
    }

    @GET
    @Path(BASE + "/collections/{name}")
    public Uni<ObjectNode> getByName(
            @PathParam("tenant") String tenant, @PathParam("database") String database, @PathParam("name") String name) {
        Names.requireDatabasePathSegment(database);
        return catalog.getCollectionByName(tenant, database, name).map(CollectionJson::render);
    }

    @GET
    @Path(BASE + "/collections/by-id/{id}")
    public Uni<ObjectNode> getById(
            @PathParam("tenant") String tenant, @PathParam("database") String database, @PathParam("id") String id) {
        Names.requireDatabasePathSegment(database);
        UUID uuid = parseUuid(id, "Validation error: collection_id: Invalid collection ID format, expected UUID");
        return catalog.getCollectionById(tenant, database, uuid).map(CollectionJson::render);
    }

    @GET
    @Path("/collections/{crn}")
    public Uni<ObjectNode> getByCrn(@PathParam("crn") String crn) {
        String[] parts = crn.split(":", -1);
        if (parts.length != 3 || parts[0].isEmpty() || parts[1].isEmpty() || parts[2].isEmpty()) {
            throw ChromaException.validation("crn",
                    "CRN must be in the format <tenant_resource_name>:<database_name>:<collection_name> with non-empty parts");
        }
        return catalog.getCollectionByCrn(parts[0], parts[1], parts[2]).map(c -> {
            if (!tenantGuard.allows(c.tenant(), c.database())) {
                // Another tenant's collection looks exactly like a missing one.
                throw ChromaException.notFound("Collection [" + crn + "] does not exist");
            }
            return CollectionJson.render(c);
        });
    }

    @PUT
    @Requires(Role.READ_WRITE)
    @Path(BASE + "/collections/{id}")
    public Uni<ObjectNode> modify(
            @PathParam("tenant") String tenant,
            @PathParam("database") String database,
            @PathParam("id") String id,
            String body) {
        Names.requireDatabasePathSegment(database);
        ObjectNode req = JsonBody.object(body);
        String newName = JsonBody.optionalString(req, "new_name");
        JsonNode newMetadata = JsonBody.optional(req, "new_metadata");
        JsonNode newConfiguration = JsonBody.optional(req, "new_configuration");
        UUID uuid = parseUuid(id, "Collection ID is not a valid UUIDv4");
        if (newName != null) {
            Names.requireCollectionName("new_name", newName);
        }
        ObjectNode metadata = newMetadata == null ? null : CollectionMetadata.forUpdate(newMetadata);
        if (newConfiguration != null) {
            // Validate before touching anything, so a bad configuration leaves the collection as it was.
            CollectionConfigs.forUpdate(CollectionConfigs.forCreate(null, null), newConfiguration);
        }
        CollectionChange change = new CollectionChange(
                newName,
                metadata == null || metadata.isEmpty() ? null : JsonBody.write(metadata),
                metadata != null && metadata.isEmpty(),
                newConfiguration == null ? null : stored -> JsonBody.write(
                        CollectionConfigs.forUpdate((ObjectNode) JsonBody.read(stored), newConfiguration)));
        return catalog.getCollectionById(tenant, database, uuid)
                .onFailure(ChromaException.class)
                .transform(e -> ChromaException.notFound("Collection [" + uuid + "] does not exist."))
                .flatMap(c -> catalog.modifyCollection(tenant, database, uuid, change))
                .map(v -> F.objectNode());
    }

    @DELETE
    @Requires(Role.READ_WRITE)
    @Path(BASE + "/collections/{name}")
    public Uni<ObjectNode> delete(
            @PathParam("tenant") String tenant, @PathParam("database") String database, @PathParam("name") String name) {
        Names.requireDatabasePathSegment(database);
        return catalog.deleteCollection(tenant, database, name).map(id -> {
            records.dropped(id);
            return F.objectNode();
        });
    }

    // ---- Chroma Cloud-only collection endpoints: answered as Chroma's single-node server answers them ----

    @POST
    @Requires(Role.READ_WRITE)
    @Path(BASE + "/collections/{id}/fork")
    public Uni<ObjectNode> fork(
            @PathParam("tenant") String tenant, @PathParam("database") String database, @PathParam("id") String id,
            String body) {
        ObjectNode req = JsonBody.object(body);
        String newName = JsonBody.requiredString(req, "new_name");
        Names.requireCollectionName("new_name", newName);
        PgForkCatalog.ForkPoint point = ForkRequests.point(req);
        return existing(tenant, database, id).flatMap(source -> quotas.forTenant(tenant).flatMap(limits -> {
            long limit = limits.limits(Quota.NUM_FORKS) ? limits.of(Quota.NUM_FORKS) : Quota.NUM_FORKS.cloudDefault();
            return forks.fork(source.id(), source.databaseId(), newName, point, limit)
                    .flatMap(result -> switch (result) {
                        case PgForkCatalog.ForkResult.Forked forked ->
                                catalog.getCollectionById(tenant, database, forked.id()).map(CollectionJson::render);
                        case PgForkCatalog.ForkResult.SourceMissing missing -> Uni.createFrom().failure(
                                ChromaException.notFound("Collection [" + source.id() + "] does not exist"));
                        case PgForkCatalog.ForkResult.VersionMissing missing -> Uni.createFrom().failure(
                                ChromaException.notFound("Collection [" + source.id() + "] has no retained "
                                        + missing.asked()));
                        case PgForkCatalog.ForkResult.NameTaken taken -> Uni.createFrom().failure(
                                new ChromaException(ErrorCode.ALREADY_EXISTS,
                                        "Collection [" + newName + "] already exists"));
                        case PgForkCatalog.ForkResult.LimitReached reached -> Uni.createFrom().failure(
                                new QuotaExceededException(Quota.NUM_FORKS, "Fork Collection", reached.edges() + 1,
                                        limit));
                    });
        }));
    }

    @GET
    @Path(BASE + "/collections/{id}/fork_count")
    public Uni<ObjectNode> forkCount(
            @PathParam("tenant") String tenant, @PathParam("database") String database, @PathParam("id") String id) {
        return existing(tenant, database, id)
                .flatMap(c -> forks.forkCount(c.id()))
                .map(count -> F.objectNode().put("count", count));
    }

    /** Vermilion extension: the versions the collection retains (time travel), oldest first, the last one current. */
    @GET
    @Path(BASE + "/collections/{id}/versions")
    public Uni<ObjectNode> versions(
            @PathParam("tenant") String tenant, @PathParam("database") String database, @PathParam("id") String id) {
        return existing(tenant, database, id).flatMap(c -> forks.versions(c.id())).map(list -> {
            ObjectNode out = F.objectNode();
            ArrayNode versions = out.putArray("versions");
            for (PgForkCatalog.RetainedVersion v : list) {
                versions.addObject()
                        .put("version", v.version())
                        .put("log_position", v.logEndOffset())
                        .put("published_at", v.publishedAt().toString())
                        .put("current", v.current());
            }
            return out;
        });
    }

    /**
     * Vermilion extension: restores the collection in place to a retained version ({@code {"version": N}}) or to the
     * version current at a time ({@code {"as_of": t}}): a new version with exactly that version's records is published,
     * so records written after it are gone. 404 for a missing collection or version, 400 outside the retention window.
     */
    @POST
    @Requires(Role.READ_WRITE)
    @Path(BASE + "/collections/{id}/restore")
    public Uni<ObjectNode> restore(
            @PathParam("tenant") String tenant, @PathParam("database") String database, @PathParam("id") String id,
            String body) {
        PgForkCatalog.ForkPoint point = ForkRequests.point(JsonBody.object(body));
        if (point.version() == null && point.asOf() == null) {
            throw ChromaException.invalid("Give the version to restore (version) or a time (as_of)");
        }
        return existing(tenant, database, id)
                .flatMap(c -> restorer.restore(c.id(), point.version(), point.asOf()))
                .map(restored -> F.objectNode()
                        .put("version", restored.version())
                        .put("restored_version", restored.restoredFrom())
                        .put("log_position", restored.logPosition()));
    }

    private Uni<CollectionEntry> existing(String tenant, String database, String id) {
        Names.requireDatabasePathSegment(database);
        UUID uuid = parseUuid(id, "Collection ID is not a valid UUIDv4");
        return catalog.getCollectionById(tenant, database, uuid);
    }

    static UUID parseUuid(String raw, String message) {
        try {
            if (raw.length() != 36) {
                throw new IllegalArgumentException();
            }
            return UUID.fromString(raw);
        } catch (IllegalArgumentException e) {
            throw ChromaException.invalid(message);
        }
    }
}
