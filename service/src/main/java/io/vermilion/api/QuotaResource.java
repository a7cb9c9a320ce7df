package io.vermilion.api;

import io.vermilion.error.ChromaException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
import io.vermilion.gateway.Quota;
import io.vermilion.gateway.Quotas;
import io.vermilion.gateway.Requires;
import io.vermilion.gateway.Role;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A tenant's quotas: read them (the tenant's admins and the bootstrap key), and set or remove overrides of the
 * defaults (the bootstrap key only). The answer names every quota's limit for the tenant, its overrides, and
 * whether quotas are enforced at all (only with auth on).
 */
@Path("/api/v2/admin/tenants/{tenant}/quotas")
@Produces(MediaType.APPLICATION_JSON)
public class QuotaResource {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private final Quotas quotas;

    public QuotaResource(Quotas quotas) {
        this.quotas = quotas;
    }

    @GET
    @Requires(Role.ADMIN)
    public Uni<ObjectNode> get(@PathParam("tenant") String tenant) {
        return quotas.overrides(tenant).map(overrides -> render(tenant, overrides));
    }

    /** Body: quota name to a new limit, or to null to go back to the default. Applied all at once, or not at all. */
    @PUT
    @Requires(value = Role.ADMIN, global = true)
    public Uni<ObjectNode> set(@PathParam("tenant") String tenant, String body) {
        ObjectNode req = JsonBody.object(body);
        Map<Quota, Long> changes = new EnumMap<>(Quota.class);
        for (Iterator<String> it = req.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            Quota quota = Quota.byKey(name).orElseThrow(() -> ChromaException.shape("", "unknown field `" + name
                    + "`, expected one of " + Arrays.stream(Quota.values()).map(q -> "`" + q.key() + "`")
                            .collect(Collectors.joining(", "))));
            JsonNode value = req.get(name);
            if (!value.isNull()) {
                JsonBody.optionalU32(req, name); // refuses anything but 0 ..= 2^32-1 as Chroma's u32 does
            }
            changes.put(quota, value.isNull() ? null : value.longValue());
        }
        return quotas.update(tenant, changes).map(overrides -> render(tenant, overrides));
    }

    private ObjectNode render(String tenant, Map<Quota, Long> overrides) {
        ObjectNode out = F.objectNode().put("tenant", tenant).put("enforced", quotas.enforced());
        ObjectNode limits = out.putObject("limits");
        var effective = quotas.defaults().with(overrides);
        for (Quota q : Quota.values()) {
            limits.put(q.key(), effective.of(q));
        }
        ObjectNode set = out.putObject("overrides");
        overrides.forEach((q, v) -> set.put(q.key(), v));
        return out;
    }
}
