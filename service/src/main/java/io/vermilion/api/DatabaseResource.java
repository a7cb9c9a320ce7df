package io.vermilion.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
import io.vermilion.sysdb.Catalog;
import io.vermilion.sysdb.DatabaseEntity;
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

/** Databases of a tenant: create, list, get, delete (which deletes their collections too). */
@Path("/api/v2")
@Produces(MediaType.APPLICATION_JSON)
public class DatabaseResource {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private final Catalog catalog;
    private final Records records;
    private final TenantGuard tenantGuard;

    public DatabaseResource(Catalog catalog, Records records, TenantGuard tenantGuard) {
        this.catalog = catalog;
        this.records = records;
        this.tenantGuard = tenantGuard;
    }

    @POST
    @Requires(value = Role.READ_WRITE, tenantWide = true)
    @Path("/tenants/{tenant}/databases")
    public Uni<ObjectNode> create(@PathParam("tenant") String tenant, String body) {
        String name = JsonBody.requiredString(JsonBody.object(body), "name");
        Names.requireDatabaseName(name);
        return catalog.createDatabase(tenant, name).map(v -> F.objectNode());
    }

    @GET
    @Path("/tenants/{tenant}/databases")
    public Uni<ArrayNode> list(
            @PathParam("tenant") String tenant, @QueryParam("limit") String limit, @QueryParam("offset") String offset) {
        Integer l = QueryParams.u32("limit", limit);
        Integer o = QueryParams.u32("offset", offset);
        return catalog.listDatabases(tenant, l, o == null ? 0 : o).map(list -> {
            ArrayNode out = F.arrayNode();
            list.stream().filter(d -> tenantGuard.allows(d.tenant, d.name)).forEach(d -> out.add(render(d)));
            return out;
        });
    }

    @GET
    @Path("/tenants/{tenant}/databases/{database}")
    public Uni<ObjectNode> get(@PathParam("tenant") String tenant, @PathParam("database") String database) {
        Names.requireDatabasePathSegment(database);
        return catalog.getDatabase(tenant, database).map(DatabaseResource::render);
    }

    @DELETE
    @Requires(value = Role.READ_WRITE, tenantWide = true)
    @Path("/tenants/{tenant}/databases/{database}")
    public Uni<ObjectNode> delete(@PathParam("tenant") String tenant, @PathParam("database") String database) {
        Names.requireDatabasePathSegment(database);
        return catalog.deleteDatabase(tenant, database).map(ids -> {
            ids.forEach(records::dropped);
            return F.objectNode();
        });
    }

    private static ObjectNode render(DatabaseEntity d) {
        return F.objectNode().put("id", d.id.toString()).put("name", d.name).put("tenant", d.tenant);
    }
}
