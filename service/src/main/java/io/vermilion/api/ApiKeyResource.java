package io.vermilion.api;

import io.vermilion.error.ChromaException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
import io.vermilion.gateway.ApiKeys;
import io.vermilion.gateway.CallerContext;
import io.vermilion.gateway.TenantGuard;
import io.vermilion.gateway.Requires;
import io.vermilion.gateway.Role;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import java.util.UUID;

/**
 * Administration of API keys: create (the secret is returned once), list, revoke. The bootstrap key manages every
 * tenant; a tenant's admin key manages its own tenant's keys and cannot hand out more than it has. An admin key
 * limited to some databases sees, creates and revokes only keys limited to some of those databases.
 */
@Path("/api/v2/admin")
@Produces(MediaType.APPLICATION_JSON)
public class ApiKeyResource {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private final ApiKeys keys;
    private final CallerContext callerContext;
    private final TenantGuard tenantGuard;

    public ApiKeyResource(ApiKeys keys, CallerContext callerContext, TenantGuard tenantGuard) {
        this.keys = keys;
        this.callerContext = callerContext;
        this.tenantGuard = tenantGuard;
    }

    @POST
    @Path("/keys")
    @Requires(Role.ADMIN)
    public Uni<ObjectNode> create(String body) {
        ObjectNode req = JsonBody.object(body);
        String tenant = JsonBody.requiredString(req, "tenant");
        Names.requireTenantName("tenant", tenant);
        String roleName = JsonBody.requiredString(req, "role");
        Role role = Role.fromWire(roleName);
        if (role == null) {
            throw ChromaException.shape("role", "unknown variant `" + roleName
                    + "`, expected one of `admin`, `read_write`, `read_only`");
        }
        JsonNode dbNode = JsonBody.optional(req, "databases");
        List<String> databases = dbNode == null ? null : RecordWrites.stringList(dbNode, "databases", false);
        if (databases != null && databases.isEmpty()) {
            throw ChromaException.validation("databases", "Give at least one database, or omit it for every database");
        }
        tenantGuard.requireKeyScope(tenant, databases);
        return keys.create(tenant, role, databases).map(created -> {
            ObjectNode out = F.objectNode().put("id", created.id().toString()).put("key", created.key())
                    .put("tenant", created.tenant()).put("role", created.role().wire());
            putDatabases(out, created.databases());
            return out;
        });
    }

    @GET
    @Path("/keys")
    @Requires(Role.ADMIN)
    public Uni<ArrayNode> list(@QueryParam("tenant") String tenant) {
        if (tenant == null || tenant.isEmpty()) {
            throw ChromaException.invalid("Failed to deserialize query string: missing field `tenant`");
        }
        tenantGuard.requireTenant(tenant);
        return keys.list(tenant).map(all -> {
            ArrayNode out = F.arrayNode();
            for (ApiKeys.Listed k : all) {
                if (!tenantGuard.allowsKey(k.tenant(), k.databases())) {
                    continue;
                }
                ObjectNode o = out.addObject().put("id", k.id().toString()).put("tenant", k.tenant())
                        .put("role", k.role().wire()).put("created_at", k.createdAt());
                putDatabases(o, k.databases());
                if (k.revokedAt() == null) {
                    o.putNull("revoked_at");
                } else {
                    o.put("revoked_at", k.revokedAt());
                }
            }
            return out;
        });
    }

    @DELETE
    @Path("/keys/{id}")
    @Requires(Role.ADMIN)
    public Uni<ObjectNode> revoke(@PathParam("id") String id) {
        UUID uuid = CollectionResource.parseUuid(id, "Validation error: id: Invalid API key ID format, expected UUID");
        return keys.revoke(uuid, callerContext.get()).map(v -> F.objectNode());
    }

    private static void putDatabases(ObjectNode out, List<String> databases) {
        if (databases == null) {
            out.putNull("databases");
        } else {
            ArrayNode a = out.putArray("databases");
            databases.forEach(a::add);
        }
    }
}
