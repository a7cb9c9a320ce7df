package io.vermilion.api;

import io.vermilion.gateway.Public;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** Chroma's answer to the retired v1 API: 410 Gone with the "Unimplemented" notice. */
@Path("/api/v1")
public class LegacyV1Resource {

    private static Response gone() {
        return Response.status(410)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity("{\"error\":\"Unimplemented\",\"message\":\"The v1 API is deprecated. Please use /v2 apis\"}")
                .build();
    }

    @GET
    @Public
    @Path("{rest: .*}")
    public Response get() {
        return gone();
    }

    @PUT
    @Public
    @Path("{rest: .*}")
    public Response put() {
        return gone();
    }

    @DELETE
    @Public
    @Path("{rest: .*}")
    public Response delete() {
        return gone();
    }

    @PATCH
    @Public
    @Path("{rest: .*}")
    public Response patch() {
        return gone();
    }
}
