package io.vermilion.client;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vermilion.client.generated.ApiClient;
import io.vermilion.client.generated.api.CollectionApi;
import io.vermilion.client.generated.api.DatabaseApi;
import io.vermilion.client.generated.api.RecordApi;
import io.vermilion.client.generated.api.SystemApi;
import io.vermilion.client.generated.api.TenantApi;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Map;

/**
 * The generated API objects one client (and every client and collection derived from it) shares, over one
 * {@link HttpClient}. Thread-safe: they hold only immutable settings and that client.
 */
final class Apis {

    final URI baseUrl;
    final HttpClient http;
    final SystemApi system;
    final TenantApi tenants;
    final DatabaseApi databases;
    final CollectionApi collections;
    final RecordApi records;

    Apis(URI baseUrl, Map<String, String> headers, Duration connectTimeout, Duration timeout) {
        this.baseUrl = baseUrl;
        HttpClient.Builder http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout);
        this.http = http.build();
        ApiClient client = new ApiClient(http, objectMapper(), baseUrl.toString()) {
            @Override
            public HttpClient getHttpClient() {
                return Apis.this.http; // one connection pool for all the API objects, not one each
            }
        };
        if (timeout != null) {
            client.setReadTimeout(timeout);
        }
        Map<String, String> fixed = Map.copyOf(headers);
        if (!fixed.isEmpty()) {
            client.setRequestInterceptor(request -> fixed.forEach(request::setHeader));
        }
        this.system = new SystemApi(client);
        this.tenants = new TenantApi(client);
        this.databases = new DatabaseApi(client);
        this.collections = new CollectionApi(client);
        this.records = new RecordApi(client);
    }

    /**
     * The generated client's mapper, with two changes: untyped integers (metadata values) are read as {@code Long},
     * so integers and floats stay apart as on the server; and null map values are written, because a null metadata
     * value means "delete this key" in upsert, update and modify.
     */
    static ObjectMapper objectMapper() {
        ObjectMapper mapper = ApiClient.createDefaultObjectMapper();
        mapper.setDefaultPropertyInclusion(
                JsonInclude.Value.construct(JsonInclude.Include.NON_NULL, JsonInclude.Include.ALWAYS));
        mapper.enable(DeserializationFeature.USE_LONG_FOR_INTS);
        return mapper;
    }
}
