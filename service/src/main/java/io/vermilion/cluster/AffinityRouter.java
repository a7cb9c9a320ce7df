package io.vermilion.cluster;

import io.vermilion.error.ErrorCode;
import io.vermilion.error.ErrorResponses;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sends a collection's record requests (add, upsert, update, delete, get, query, count, search) to the replica that
 * owns the collection ({@link Membership#owner}) before anything else handles them here - authentication, rate limits and
 * quotas run once, on the owner. A forwarded request carries {@value #HOP} and is never forwarded again; when the
 * owner cannot be reached it is served here instead, and if the owner fails after taking the request the client gets
 * a 503 (which the front retries elsewhere). Every response says which replica served it ({@value #SERVED_BY}).
 */
@ApplicationScoped
public class AffinityRouter {

    public static final String HOP = "x-vermilion-forwarded-by";
    public static final String SERVED_BY = "x-vermilion-replica";
    private static final Pattern RECORD_ROUTE = Pattern.compile(
            "^/api/v2/tenants/[^/]+/databases/[^/]+/collections/([^/]+)/(add|upsert|update|delete|get|query|count|search)$");
    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "host", "transfer-encoding",
            "upgrade", "te", "trailer", "proxy-connection");

    private final Membership membership;
    private final Vertx vertx;
    private HttpClient client;

    public AffinityRouter(Membership membership, Vertx vertx) {
        this.membership = membership;
        this.vertx = vertx;
    }

    /** The collection a path addresses when it is a record route, else null. */
    static String collectionOf(String path) {
        Matcher m = RECORD_ROUTE.matcher(path == null ? "" : path);
        return m.matches() ? m.group(1) : null;
    }

    void install(@Observes Router router) {
        if (!membership.enabled()) {
            return;
        }
        client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(1_000).setKeepAlive(true)
                .setMaxPoolSize(64));
        router.route().order(Integer.MIN_VALUE + 10).handler(this::route);
    }

    private void route(RoutingContext rc) {
        HttpServerRequest request = rc.request();
        String collection = collectionOf(request.path());
        String owner = collection == null || request.getHeader(HOP) != null ? null
                : membership.owner(collection).filter(o -> !o.equals(membership.self())).orElse(null);
        if (owner == null) {
            serveHere(rc);
            return;
        }
        request.pause();
        RequestOptions options = new RequestOptions().setMethod(request.method())
                .setAbsoluteURI(owner + request.uri()).setConnectTimeout(1_000);
        request.headers().forEach(h -> {
            if (!HOP_BY_HOP.contains(h.getKey().toLowerCase())) {
                options.addHeader(h.getKey(), h.getValue());
            }
        });
        options.putHeader(HOP, membership.self());
        client.request(options).onComplete(connected -> {
            if (connected.failed()) {
                serveHere(rc); // the owner does not answer: serve it here (the body has not been read)
                return;
            }
            var forwarded = connected.result();
            if ("chunked".equalsIgnoreCase(request.getHeader("transfer-encoding"))) {
                forwarded.setChunked(true);
            }
            forwarded.send(request).onComplete(answered -> {
                if (answered.failed()) {
                    if (!rc.response().headWritten()) {
                        rc.response().setStatusCode(503).putHeader("content-type", "application/json")
                                .end(ErrorResponses.body(ErrorCode.UNAVAILABLE, "The replica owning collection "
                                        + collection + " failed while serving the request; retry").toString());
                    }
                    return;
                }
                relay(answered.result(), rc);
            });
        });
    }

    private void serveHere(RoutingContext rc) {
        rc.response().putHeader(SERVED_BY, membership.self());
        rc.next();
    }

    private static void relay(HttpClientResponse answer, RoutingContext rc) {
        rc.response().setStatusCode(answer.statusCode()).setStatusMessage(answer.statusMessage());
        MultiMap headers = rc.response().headers();
        answer.headers().forEach(h -> {
            if (!HOP_BY_HOP.contains(h.getKey().toLowerCase())) {
                headers.add(h.getKey(), h.getValue());
            }
        });
        if (answer.getHeader("content-length") == null) {
            rc.response().setChunked(true);
        }
        answer.pipeTo(rc.response());
    }
}
