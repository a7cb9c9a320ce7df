package io.vermilion.api;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vermilion.gateway.AuthFilter;
import io.vermilion.gateway.Caller;
import io.vermilion.gateway.CallerContext;
import io.vermilion.gateway.Public;
import io.vermilion.gateway.Requires;
import io.vermilion.gateway.Role;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;

/** Chroma's system endpoints: heartbeat, version, health, pre-flight checks, identity and reset. */
@Path("/api/v2")
@Produces(MediaType.APPLICATION_JSON)
public class SystemResource {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    /** The version Chroma's frontend reports; clients only display it. */
    static final String VERSION = "1.0.0";
    /** The largest batch the clients are told to send (Chroma's local server reports 5461). */
    static final int MAX_BATCH_SIZE = 5461;

    private final AuthFilter auth;
    private final CallerContext callerContext;

    public SystemResource(AuthFilter auth, CallerContext callerContext) {
        this.auth = auth;
        this.callerContext = callerContext;
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

    @GET
    @Public
    @Path("/healthcheck")
    public ObjectNode healthcheck() {
        return F.objectNode().put("is_executor_ready", true).put("is_log_client_ready", true);
    }

    @GET
    @Public
    @Path("/pre-flight-checks")
    public ObjectNode preFlightChecks() {
        return F.objectNode().put("max_batch_size", MAX_BATCH_SIZE).put("supports_base64_encoding", true);
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

    @POST
    @Requires(value = Role.ADMIN, global = true)
    @Path("/reset")
    public void reset() {
        throw new ChromaException(ErrorCode.PERMISSION_DENIED, "Reset is disabled by config");
    }
}
