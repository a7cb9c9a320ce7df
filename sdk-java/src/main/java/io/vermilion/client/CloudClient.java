package io.vermilion.client;

import java.util.Objects;

/**
 * A client that authenticates with an API key, sent as {@value #TOKEN_HEADER} on every request (as Chroma Cloud
 * clients send it), scoped to the key's tenant and database.
 *
 * <pre>{@code
 * CloudClient client = new CloudClient("https://vermilion.example.com", apiKey, "acme", "production");
 * }</pre>
 */
public final class CloudClient extends VermilionClient {

    public static final String TOKEN_HEADER = "x-chroma-token";

    public CloudClient(String baseUrl, String apiKey, String tenant, String database) {
        this(VermilionClient.builder().baseUrl(baseUrl).tenant(tenant).database(database), apiKey);
    }

    /** With the other settings (timeouts, headers) of this builder, which is not changed. */
    public CloudClient(VermilionClient.Builder builder, String apiKey) {
        super(builder.copy().header(TOKEN_HEADER, requireKey(apiKey)));
    }

    private static String requireKey(String apiKey) {
        if (Objects.requireNonNull(apiKey, "apiKey").isBlank()) {
            throw new IllegalArgumentException("apiKey is blank");
        }
        return apiKey;
    }
}
