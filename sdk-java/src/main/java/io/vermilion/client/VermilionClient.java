package io.vermilion.client;

import io.vermilion.client.generated.model.CollectionConfiguration;
import io.vermilion.client.generated.model.CreateCollectionRequest;
import io.vermilion.client.generated.model.CreateDatabaseRequest;
import io.vermilion.client.generated.model.CreateTenantRequest;
import io.vermilion.client.generated.model.EmbeddingFunctionConfiguration;
import io.vermilion.client.generated.model.HnswConfiguration;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A client of a Vermilion (or Chroma) server, scoped to one tenant and database ({@code default_tenant} and
 * {@code default_database} unless set). Thread-safe; create one and share it. {@link #withTenant} and
 * {@link #withDatabase} return clients scoped elsewhere that share this one's connections.
 *
 * <pre>{@code
 * VermilionClient client = new VermilionClient("localhost", 8000);
 * Collection docs = client.getOrCreateCollection("docs");
 * docs.add(Records.of("a").withEmbeddings(new float[] {0.1f, 0.2f}).withDocuments("hello"));
 * QueryResult hits = docs.query(new float[] {0.1f, 0.2f}, 1);
 * }</pre>
 *
 * <p>Every method throws a {@link VermilionException} (one of its subclasses for the common cases) when the server
 * refuses the request, and an {@link java.io.UncheckedIOException} when it cannot be reached.
 */
public class VermilionClient implements AutoCloseable {

    public static final String DEFAULT_TENANT = "default_tenant";
    public static final String DEFAULT_DATABASE = "default_database";

    final Apis apis;
    private final String tenant;
    private final String database;

    /** A client of {@code http://localhost:8000}. */
    public VermilionClient() {
        this("localhost", 8000);
    }

    /** A client of {@code http://host:port}. */
    public VermilionClient(String host, int port) {
        this(builder().baseUrl("http://" + host + ":" + port));
    }

    /** A client of the server at this base URL, e.g. {@code https://vermilion.example.com}. */
    public VermilionClient(String baseUrl) {
        this(builder().baseUrl(baseUrl));
    }

    protected VermilionClient(Builder builder) {
        this(new Apis(builder.baseUrl, builder.headers, builder.connectTimeout, builder.timeout), builder.tenant,
                builder.database);
    }

    private VermilionClient(Apis apis, String tenant, String database) {
        this.apis = apis;
        this.tenant = Objects.requireNonNull(tenant, "tenant");
        this.database = Objects.requireNonNull(database, "database");
    }

    public static Builder builder() {
        return new Builder();
    }

    /** This client's server, tenant and connections, in another database of the same tenant. */
    public VermilionClient withDatabase(String database) {
        return new VermilionClient(apis, tenant, database);
    }

    /** This client's server and connections, in a database of another tenant. */
    public VermilionClient withTenant(String tenant, String database) {
        return new VermilionClient(apis, tenant, database);
    }

    public URI baseUrl() {
        return apis.baseUrl;
    }

    public String tenant() {
        return tenant;
    }

    public String database() {
        return database;
    }

    // ---- system ---------------------------------------------------------------------------------------------------

    /** The server's clock, in nanoseconds since the Unix epoch; proves it is up. */
    public long heartbeat() {
        return Calls.call(() -> apis.system.heartbeat().getNanosecondHeartbeat());
    }

    /** The server's version. */
    public String version() {
        return Calls.call(apis.system::version);
    }

    // ---- tenants and databases ------------------------------------------------------------------------------------

    public void createTenant(String name) {
        Calls.call(() -> apis.tenants.createTenant(new CreateTenantRequest().name(name)));
    }

    public Tenant getTenant(String name) {
        return new Tenant(Calls.call(() -> apis.tenants.getTenant(name)).getName());
    }

    /** Creates a database in this client's tenant. */
    public void createDatabase(String name) {
        Calls.call(() -> apis.databases.createDatabase(tenant, new CreateDatabaseRequest().name(name)));
    }

    /** A database of this client's tenant. */
    public Database getDatabase(String name) {
        return database(Calls.call(() -> apis.databases.getDatabase(tenant, name)));
    }

    /** The databases of this client's tenant. */
    public List<Database> listDatabases() {
        return listDatabases(null, null);
    }

    /** At most {@code limit} databases of this client's tenant after skipping {@code offset}; null means no bound. */
    public List<Database> listDatabases(Integer limit, Integer offset) {
        return Calls.call(() -> apis.databases.listDatabases(tenant, toLong(limit), toLong(offset))).stream()
                .map(VermilionClient::database).toList();
    }

    /** Deletes a database of this client's tenant, with its collections. */
    public void deleteDatabase(String name) {
        Calls.call(() -> apis.databases.deleteDatabase(tenant, name));
    }

    // ---- collections ----------------------------------------------------------------------------------------------

    public Collection createCollection(String name) {
        return createCollection(name, null, null);
    }

    public Collection createCollection(String name, Map<String, Object> metadata) {
        return createCollection(name, metadata, null);
    }

    /**
     * Creates a collection; a {@link UniqueConstraintException} if one of that name exists.
     *
     * @param metadata its metadata (flat: strings, integers, floats, booleans), or null
     * @param space its distance function, or null for the server's default ({@link Space#L2})
     */
    public Collection createCollection(String name, Map<String, Object> metadata, Space space) {
        return create(name, metadata, space, false);
    }

    /**
     * Creates a collection whose texts are embedded by {@code embeddingFunction} on this client; with a null function,
     * one the server embeds: its configuration names Chroma's {@code default} function (all-MiniLM-L6-v2), so
     * documents written without embeddings and query texts are sent as they are and embedded by the server.
     */
    public Collection createCollection(String name, Map<String, Object> metadata, Space space,
            EmbeddingFunction embeddingFunction) {
        return create(name, metadata, space, embeddingFunction, false);
    }

    /** As {@link #createCollection(String, Map, Space, EmbeddingFunction)}, or the existing collection of this name. */
    public Collection getOrCreateCollection(String name, Map<String, Object> metadata, Space space,
            EmbeddingFunction embeddingFunction) {
        return create(name, metadata, space, embeddingFunction, true);
    }

    /** The collection of this name, its texts embedded by {@code embeddingFunction} on this client. */
    public Collection getCollection(String name, EmbeddingFunction embeddingFunction) {
        return new Collection(apis, Calls.call(() -> apis.collections.getCollection(name, tenant, database)),
                Objects.requireNonNull(embeddingFunction, "embeddingFunction"));
    }

    public Collection getOrCreateCollection(String name) {
        return getOrCreateCollection(name, null, null);
    }

    public Collection getOrCreateCollection(String name, Map<String, Object> metadata) {
        return getOrCreateCollection(name, metadata, null);
    }

    /** The collection of this name, created with this metadata and space if there is none. */
    public Collection getOrCreateCollection(String name, Map<String, Object> metadata, Space space) {
        return create(name, metadata, space, true);
    }

    /** The collection of this name; a {@link NotFoundException} if there is none. */
    public Collection getCollection(String name) {
        return new Collection(apis, Calls.call(() -> apis.collections.getCollection(name, tenant, database)));
    }

    public List<Collection> listCollections() {
        return listCollections(null, null);
    }

    /** At most {@code limit} collections after skipping {@code offset}; null means no bound. */
    public List<Collection> listCollections(Integer limit, Integer offset) {
        return Calls.call(() -> apis.collections.listCollections(tenant, database, toLong(limit), toLong(offset)))
                .stream().map(c -> new Collection(apis, c)).toList();
    }

    public long countCollections() {
        return Calls.call(() -> apis.collections.countCollections(tenant, database));
    }

    /** Deletes the collection of this name with its records; a {@link NotFoundException} if there is none. */
    public void deleteCollection(String name) {
        Calls.call(() -> apis.collections.deleteCollection(name, tenant, database));
    }

    /** Closes the connections this client shares with every client and collection derived from it. */
    @Override
    public void close() {
        apis.http.close();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + apis.baseUrl + ", tenant=" + tenant + ", database=" + database + "]";
    }

    private Collection create(String name, Map<String, Object> metadata, Space space, boolean getOrCreate) {
        CreateCollectionRequest request = new CreateCollectionRequest().name(name).getOrCreate(getOrCreate);
        if (metadata != null) {
            request.metadata(new LinkedHashMap<>(metadata));
        }
        if (space != null) {
            request._configuration(new CollectionConfiguration().hnsw(hnsw(space)));
        }
        return new Collection(apis, Calls.call(() -> apis.collections.createCollection(tenant, database, request)));
    }

    private Collection create(String name, Map<String, Object> metadata, Space space,
            EmbeddingFunction embeddingFunction, boolean getOrCreate) {
        CreateCollectionRequest request = new CreateCollectionRequest().name(name).getOrCreate(getOrCreate);
        if (metadata != null) {
            request.metadata(new LinkedHashMap<>(metadata));
        }
        CollectionConfiguration configuration = new CollectionConfiguration();
        if (space != null) {
            configuration.hnsw(hnsw(space));
        }
        if (embeddingFunction == null) {
            configuration.embeddingFunction(new EmbeddingFunctionConfiguration()
                    .type(EmbeddingFunctionConfiguration.TypeEnum.KNOWN).name("default").config(Map.of()));
        }
        request._configuration(configuration);
        return new Collection(apis, Calls.call(() -> apis.collections.createCollection(tenant, database, request)),
                embeddingFunction);
    }

    /** Only the space: the generated model starts with every default filled in, which the server would store. */
    private static HnswConfiguration hnsw(Space space) {
        return new HnswConfiguration()
                .space(io.vermilion.client.generated.model.Space.fromValue(space.value()))
                .efConstruction(null).efSearch(null).maxNeighbors(null).numThreads(null)
                .resizeFactor(null).syncThreshold(null).batchSize(null);
    }

    private static Database database(io.vermilion.client.generated.model.Database d) {
        return new Database(d.getId(), d.getName(), d.getTenant());
    }

    private static Long toLong(Integer value) {
        return value == null ? null : value.longValue();
    }

    /** Settings of a {@link VermilionClient}; every one has a default. */
    public static final class Builder {
        private URI baseUrl = URI.create("http://localhost:8000");
        private String tenant = DEFAULT_TENANT;
        private String database = DEFAULT_DATABASE;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration timeout;

        private Builder() {}

        /** The server, e.g. {@code http://localhost:8000} (the default). */
        public Builder baseUrl(String baseUrl) {
            return baseUrl(URI.create(baseUrl));
        }

        public Builder baseUrl(URI baseUrl) {
            String s = baseUrl.toString();
            this.baseUrl = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
            return this;
        }

        public Builder tenant(String tenant) {
            this.tenant = Objects.requireNonNull(tenant, "tenant");
            return this;
        }

        public Builder database(String database) {
            this.database = Objects.requireNonNull(database, "database");
            return this;
        }

        /** A header sent with every request. */
        public Builder header(String name, String value) {
            headers.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** How long to wait for a connection (default 10 s). */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
            return this;
        }

        /** How long to wait for each answer (default: no limit). */
        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        Builder copy() {
            Builder b = new Builder();
            b.baseUrl = baseUrl;
            b.tenant = tenant;
            b.database = database;
            b.headers.putAll(headers);
            b.connectTimeout = connectTimeout;
            b.timeout = timeout;
            return b;
        }

        public VermilionClient build() {
            return new VermilionClient(this);
        }
    }
}
