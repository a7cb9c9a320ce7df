package io.vermilion.api;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
import io.vermilion.sysdb.Catalog;
import io.vermilion.gateway.Requires;
import io.vermilion.gateway.Role;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** Tenants: create, get, and set the resource name used in collection CRNs. */
@Path("/api/v2")
@Produces(MediaType.APPLICATION_JSON)
public class TenantResource {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private final Catalog catalog;

    public TenantResource(Catalog catalog) {
        this.catalog = catalog;
    }

    @POST
    @Requires(value = Role.ADMIN, global = true)
    @Path("/tenants")
    public Uni<ObjectNode> create(String body) {
        String name = JsonBody.requiredString(JsonBody.object(body), "name");
        Names.requireTenantName(name);
        return catalog.createTenant(name).map(v -> F.objectNode());
    }

    @GET
    @Path("/tenants/{tenant}")
    public Uni<ObjectNode> get(@PathParam("tenant") String tenant) {
        return catalog.getTenant(tenant).map(t -> {
            ObjectNode out = F.objectNode().put("name", t.name);
            if (t.resourceName == null) {
                out.putNull("resource_name");
            } else {
                out.put("resource_name", t.resourceName);
            }
            return out;
        });
    }

    @PATCH
    @Requires(value = Role.ADMIN, tenantWide = true)
    @Path("/tenants/{tenant}")
    public Uni<ObjectNode> update(@PathParam("tenant") String tenant, String body) {
        String resourceName = JsonBody.requiredString(JsonBody.object(body), "resource_name");
        return catalog.updateTenant(tenant, resourceName).map(v -> F.objectNode());
    }
}
