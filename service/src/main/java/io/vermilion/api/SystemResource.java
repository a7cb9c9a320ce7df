package io.vermilion.api;

import io.vermilion.error.ErrorCode;
import io.vermilion.error.ChromaException;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.health.SmallRyeHealthReporter;
import io.smallrye.mutiny.Uni;
import io.vermilion.config.VermilionConfig;
import io.vermilion.gateway.AuthFilter;
import io.vermilion.gateway.Caller;
import io.vermilion.gateway.CallerContext;
import io.vermilion.gateway.Public;
import io.vermilion.gateway.Quota;
import io.vermilion.gateway.Quotas;
import io.vermilion.gateway.Requires;
import io.vermilion.gateway.Role;
import io.vermilion.sysdb.Catalog;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;

/** Chroma's system endpoints: heartbeat, version, health, pre-flight checks, identity and reset. */
@Path("/api/v2")
@Produces(MediaType.APPLICATION_JSON)
public class SystemResource {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    /** The version Chroma's frontend reports; clients only display it. */
    static final String VERSION = "1.0.0";

    private final AuthFilter auth;
    private final CallerContext callerContext;
    private final Quotas quotas;
    private final SmallRyeHealthReporter health;

    private final VermilionConfig config;
    private final Catalog catalog;
    private final Records records;

    public SystemResource(AuthFilter auth, CallerContext callerContext, Quotas quotas, SmallRyeHealthReporter health,
            VermilionConfig config, Catalog catalog, Records records) {
        this.health = health;
        this.auth = auth;
        this.callerContext = callerContext;
        this.quotas = quotas;
        this.config = config;
        this.catalog = catalog;
        this.records = records;
    }

    @GET
    @Public
    public ObjectNode root() {
        return heartbeat();
    }

    @GET
    @Public
    @Path("/heartbeat")
    public ObjectNode heartbeat() {
        Instant now = Instant.now();
        return F.objectNode().put("nanosecond heartbeat", now.getEpochSecond() * 1_000_000_000L + now.getNano());
    }

    @GET
    @Public
    @Path("/version")
    public String version() {
        return "\"" + VERSION + "\"";
    }

    /**
     * Chroma's health check, answered from this replica's readiness (the checks of {@code /q/health/ready}: the
     * catalog's PostgreSQL and whether the object store takes writes): 200 when ready, else 503, with Chroma's body.
     */
    @GET
    @Public
    @Path("/healthcheck")
    public Uni<Response> healthcheck() {
        return health.getReadinessAsync().map(readiness -> {
            boolean ready = !readiness.isDown();
            ObjectNode body = F.objectNode().put("is_executor_ready", ready).put("is_log_client_ready", ready);
            return Response.status(ready ? 200 : 503).type(MediaType.APPLICATION_JSON).entity(body).build();
        });
    }

    /**
     * {@code max_batch_size} is the records-per-write limit of the caller: its tenant's quota when auth is on (a key
     * sent to this public route names the tenant; without one, the default quota), the server-wide limit otherwise.
     */
    @GET
    @Public
    @Path("/pre-flight-checks")
    public Uni<ObjectNode> preFlightChecks() {
        return quotas.forCaller(callerContext.get()).map(limits -> F.objectNode()
                .put("max_batch_size", Math.min(limits.of(Quota.NUM_RECORDS), Integer.MAX_VALUE))
                .put("supports_base64_encoding", true));
    }

    @GET
    @Path("/auth/identity")
    public ObjectNode identity() {
        if (!auth.enabled()) {
            ObjectNode id = F.objectNode().put("user_id", "").put("tenant", "default_tenant");
            id.putArray("databases").add("default_database");
            return id;
        }
        Caller caller = callerContext.get();
        ObjectNode id = F.objectNode()
                .put("user_id", caller == Caller.BOOTSTRAP ? "admin" : String.valueOf(caller.keyId()))
                .put("tenant", caller.tenant());
        var dbs = id.putArray("databases");
        if (caller.databases() == null) {
            dbs.add(Caller.ALL);
        } else {
            caller.databases().forEach(dbs::add);
        }
        return id;
    }

    /**
     * Chroma's reset: deletes every tenant, database and collection and answers {@code true}, when the settings allow
     * it ({@link ResetGate}); refused with a 403 naming the setting otherwise.
     */
    @POST
    @Requires(value = Role.ADMIN, global = true)
    @Path("/reset")
    public Uni<Boolean> reset() {
        String refusal = ResetGate.refusal(config.allowReset(), config.allowResetWithAuth(), auth.enabled());
        if (refusal != null) {
            throw new ChromaException(ErrorCode.PERMISSION_DENIED, refusal);
        }
        return catalog.reset().map(ids -> {
            ids.forEach(records::dropped);
            return true;
        });
    }
}
