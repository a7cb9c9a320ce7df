package io.vermilion.api;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vermilion.backup.Backups;
import io.vermilion.error.ChromaException;
import io.vermilion.gateway.Requires;
import io.vermilion.gateway.Role;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * Vermilion's backup administration (the bootstrap admin key only): back up a tenant or one of its databases to a
 * folder on the server's machine or an {@code s3://bucket/prefix}, and restore such a backup into this deployment.
 * Both run on a worker thread and answer when done; {@code ./vermilion backup} and {@code restore} call them.
 */
@Path("/api/v2/admin")
@Produces(MediaType.APPLICATION_JSON)
public class BackupResource {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private final Backups backups;

    public BackupResource(Backups backups) {
        this.backups = backups;
    }

    /** {@code {"tenant": T, "database": D (optional: every database of T), "to": DEST}}. */
    @POST
    @Path("/backups")
    @Requires(value = Role.ADMIN, global = true)
    public Uni<ObjectNode> backup(String body) {
        ObjectNode req = JsonBody.object(body);
        String tenant = JsonBody.requiredString(req, "tenant");
        String database = JsonBody.optionalString(req, "database");
        String to = JsonBody.requiredString(req, "to");
        return Uni.createFrom().item(() -> render(backups.backup(tenant, database, to)))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    /** {@code {"from": DEST, "tenant": T, "database": D}}, the last two (together) to restore a database elsewhere. */
    @POST
    @Path("/restores")
    @Requires(value = Role.ADMIN, global = true)
    public Uni<ObjectNode> restore(String body) {
        ObjectNode req = JsonBody.object(body);
        String from = JsonBody.requiredString(req, "from");
        String tenant = JsonBody.optionalString(req, "tenant");
        String database = JsonBody.optionalString(req, "database");
        if ((tenant == null) != (database == null)) {
            throw ChromaException.invalid("Give both tenant and database to restore into, or neither");
        }
        if (tenant != null) {
            Names.requireTenantName("tenant", tenant);
            Names.requireDatabaseName(database);
        }
        return Uni.createFrom().item(() -> render(backups.restore(from, tenant, database)))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    private static ObjectNode render(Backups.Summary summary) {
        return F.objectNode().put("location", summary.location()).put("collections", summary.collections())
                .put("objects", summary.objects()).put("bytes", summary.bytes());
    }
}
