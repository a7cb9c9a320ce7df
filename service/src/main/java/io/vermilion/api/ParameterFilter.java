package io.vermilion.api;

import io.vermilion.error.ErrorResponses;
import io.vermilion.error.ChromaException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Checks the decoded path segments and query values of every matched request before its handler runs: text that
 * cannot be stored ({@link StorableText}) and typed query values given empty ({@code ?offset=}) are a 400 in
 * Chroma's format, as Chroma's query-string parser answers them.
 */
public class ParameterFilter {

    @ServerRequestFilter
    public Response checkParameters(ContainerRequestContext ctx) {
        try {
            check(ctx.getUriInfo().getPathParameters());
            MultivaluedMap<String, String> query = ctx.getUriInfo().getQueryParameters();
            check(query);
            for (Map.Entry<String, List<String>> e : query.entrySet()) {
                if (e.getValue().contains("")) {
                    QueryParams.rejectEmpty(e.getKey());
                }
            }
            return null;
        } catch (ChromaException e) {
            return ErrorResponses.of(e.code(), e.getMessage());
        }
    }

    private static void check(MultivaluedMap<String, String> params) {
        for (Map.Entry<String, List<String>> e : params.entrySet()) {
            StorableText.requireParameter(e.getKey(), e.getKey());
            for (String v : e.getValue()) {
                StorableText.requireParameter(e.getKey(), v);
            }
        }
    }
}
