package io.vermilion.client;

import io.vermilion.client.generated.model.AddCollectionRecordsPayload;
import io.vermilion.client.generated.model.DeleteCollectionRecordsPayload;
import io.vermilion.client.generated.model.EmbeddingFunctionConfiguration;
import io.vermilion.client.generated.model.GetResponse;
import io.vermilion.client.generated.model.HnswConfiguration;
import io.vermilion.client.generated.model.IndexStatusResponse;
import io.vermilion.client.generated.model.QueryResponse;
import io.vermilion.client.generated.model.SearchRequestPayload;
import io.vermilion.client.generated.model.SearchResponse;
import io.vermilion.client.generated.model.UpdateCollectionRecordsPayload;
import io.vermilion.client.generated.model.UpdateCollectionRequest;
import io.vermilion.client.generated.model.UpsertCollectionRecordsPayload;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * A collection of records, addressed by its id: reads and writes go to the server on every call, and every write is
 * durable when it returns and visible to the next read. {@link #name()} and {@link #metadata()} are as of when this
 * object was fetched, updated by {@link #modify}. Thread-safe.
 */
public final class Collection {

    private final Apis apis;
    private final UUID id;
    private final String tenant;
    private final String database;
    private final Space space;
    private final boolean serverEmbedded;
    private final EmbeddingFunction embeddingFunction;
    private volatile String name;
    private volatile Map<String, Object> metadata;

    Collection(Apis apis, io.vermilion.client.generated.model.Collection c) {
        this(apis, c, null);
    }

    Collection(Apis apis, io.vermilion.client.generated.model.Collection c, EmbeddingFunction embeddingFunction) {
        this.apis = apis;
        this.embeddingFunction = embeddingFunction;
        EmbeddingFunctionConfiguration ef = c.getConfigurationJson() == null ? null
                : c.getConfigurationJson().getEmbeddingFunction();
        this.serverEmbedded = ef != null && ef.getType() == EmbeddingFunctionConfiguration.TypeEnum.KNOWN
                && "default".equals(ef.getName());
        this.id = c.getId();
        this.tenant = c.getTenant();
        this.database = c.getDatabase();
        this.name = c.getName();
        this.metadata = Values.metadata((Map<?, ?>) c.getMetadata());
        HnswConfiguration hnsw = c.getConfigurationJson() == null ? null : c.getConfigurationJson().getHnsw();
        this.space = hnsw == null || hnsw.getSpace() == null ? Space.L2 : Space.fromValue(hnsw.getSpace().getValue());
    }

    public UUID id() {
        return id;
    }

    public String name() {
        return name;
    }

    /** The collection's metadata (unmodifiable), or null if it has none. */
    public Map<String, Object> metadata() {
        return metadata;
    }

    public String tenant() {
        return tenant;
    }

    public String database() {
        return database;
    }

    /** The distance function its queries use. */
    public Space space() {
        return space;
    }

    /**
     * Whether the server embeds this collection's documents and query texts: its configuration names Chroma's
     * {@code default} embedding function (all-MiniLM-L6-v2).
     */
    public boolean serverEmbedded() {
        return serverEmbedded;
    }

    /** The function that embeds texts on the client, or null (texts are sent as they are). */
    public EmbeddingFunction embeddingFunction() {
        return embeddingFunction;
    }

    // ---- writes ---------------------------------------------------------------------------------------------------

    /**
     * Adds new records. Embeddings are required, unless documents are given and this collection has an
     * {@link EmbeddingFunction} (which embeds them here) or is {@linkplain #serverEmbedded() embedded on the server}
     * (which embeds them there). The whole batch is refused if any record is invalid.
     */
    public void add(Records records) {
        records = embedded(records);
        AddCollectionRecordsPayload body = new AddCollectionRecordsPayload()
                .ids(records.ids())
                .embeddings(records.embeddings())
                .documents(records.documents())
                .uris(records.uris())
                .metadatas(rawMetadatas(records));
        Calls.call(() -> apis.records.collectionAdd(tenant, database, id, body));
    }

    /** Adds the records that are new and updates the others (metadata is merged key by key). */
    public void upsert(Records records) {
        records = embedded(records);
        UpsertCollectionRecordsPayload body = new UpsertCollectionRecordsPayload()
                .ids(records.ids())
                .embeddings(records.embeddings())
                .documents(records.documents())
                .uris(records.uris())
                .metadatas(rawMetadatas(records));
        Calls.call(() -> apis.records.collectionUpsert(tenant, database, id, body));
    }

    /** Changes existing records: the columns given replace theirs, metadata is merged key by key. */
    public void update(Records records) {
        records = embedded(records);
        UpdateCollectionRecordsPayload body = new UpdateCollectionRecordsPayload()
                .ids(records.ids())
                .embeddings(records.embeddings())
                .documents(records.documents())
                .uris(records.uris())
                .metadatas(rawMetadatas(records));
        Calls.call(() -> apis.records.collectionUpdate(tenant, database, id, body));
    }

    /** Deletes these records; returns the server's count, which for ids alone is the number of ids sent. */
    public long delete(List<String> ids) {
        return delete(Objects.requireNonNull(ids, "ids"), null, null);
    }

    /** Deletes the records whose metadata matches {@code where}; returns how many matched. */
    public long deleteWhere(Map<String, Object> where) {
        return delete(null, Objects.requireNonNull(where, "where"), null);
    }

    /**
     * Deletes the records that match every part given (ids, metadata filter, document filter). At least one part
     * must be given. Returns the server's count: with a filter, the records that matched; with ids alone, the number
     * of ids sent (unknown ones included).
     */
    public long delete(List<String> ids, Map<String, Object> where, Map<String, Object> whereDocument) {
        if (ids == null && where == null && whereDocument == null) {
            throw new IllegalArgumentException("delete needs ids, where or whereDocument");
        }
        DeleteCollectionRecordsPayload body = new DeleteCollectionRecordsPayload()
                .ids(ids)
                .where(where)
                .whereDocument(whereDocument);
        return Calls.call(() -> apis.records.collectionDelete(tenant, database, id, body)).getDeleted();
    }

    // ---- reads ----------------------------------------------------------------------------------------------------

    /**
     * Runs {@code searches} over one view of the collection (every acknowledged write included). Text {@code $knn}
     * queries ({@link Rank#knn(String, int)}) are embedded by the {@link EmbeddingFunction} if there is one.
     */
    public SearchResult search(Search... searches) {
        return search((ReadLevel) null, searches);
    }

    /** As {@link #search(Search...)}, seeing the collection at {@code level} (null: the server's default). */
    public SearchResult search(ReadLevel level, Search... searches) {
        SearchRequestPayload body = new SearchRequestPayload().readLevel(level == null ? null : level.generated())
                .searches(java.util.Arrays.stream(searches)
                .map(s -> embeddingFunction == null || s.rank() == null ? s
                        : s.withRank(s.rank().withTextsEmbedded(text -> embed(List.of(text)).get(0))))
                .map(Search::toPayload).toList());
        SearchResponse r = Calls.call(() -> apis.records.collectionSearch(tenant, database, id, body));
        return new SearchResult(r.getIds(), r.getDocuments(),
                Values.map(r.getEmbeddings(), row -> Values.map(row, Collection::numbers)),
                Values.map(r.getMetadatas(), row -> Values.map(row, Values::metadata)), r.getScores(), r.getSelect());
    }

    private static float[] numbers(List<?> values) {
        if (values == null) {
            return null;
        }
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = ((Number) values.get(i)).floatValue();
        }
        return out;
    }

    /** Log operations compacted into the index, still only in the log, and in total. */
    public IndexStatusResponse indexingStatus() {
        return Calls.call(() -> apis.records.indexingStatus(tenant, database, id));
    }

    /** How many records the collection holds. */
    public long count() {
        return Calls.call(() -> apis.records.collectionCount(tenant, database, id, null));
    }

    /** How many records the collection holds, as seen at {@code level}. */
    public long count(ReadLevel level) {
        return Calls.call(() -> apis.records.collectionCount(tenant, database, id, level.generated()));
    }

    /** Every record, with its documents and metadatas. */
    public GetResult get() {
        return get(GetRequest.all());
    }

    /** These records (those that exist), with their documents and metadatas. */
    public GetResult get(List<String> ids) {
        return get(GetRequest.all().withIds(ids));
    }

    public GetResult get(GetRequest request) {
        GetResponse r = Calls.call(() -> apis.records.collectionGet(tenant, database, id, request));
        return new GetResult(r.getIds(), Values.map(r.getEmbeddings(), Values::toFloats), r.getDocuments(),
                r.getUris(), Values.map(r.getMetadatas(), Values::metadata), includes(r.getInclude()));
    }

    /** The {@code nResults} nearest records to one embedding. */
    public QueryResult query(float[] queryEmbedding, int nResults) {
        return query(QueryRequest.of(queryEmbedding).withNResults(nResults));
    }

    /** The {@code nResults} nearest records to each embedding. */
    public QueryResult query(List<float[]> queryEmbeddings, int nResults) {
        return query(QueryRequest.of(queryEmbeddings).withNResults(nResults));
    }

    /** The {@code nResults} nearest records to each text (see {@link QueryRequest#ofTexts}). */
    public QueryResult queryTexts(List<String> queryTexts, int nResults) {
        return query(QueryRequest.ofTexts(queryTexts).withNResults(nResults));
    }

    public QueryResult query(QueryRequest request) {
        if (request.queryTexts() != null && embeddingFunction != null) {
            request = request.withEmbeddings(embed(request.queryTexts()));
        }
        QueryRequest sent = request;
        QueryResponse r = Calls.call(() -> apis.records.collectionQuery(tenant, database, id, sent));
        return new QueryResult(r.getIds(),
                Values.map(r.getEmbeddings(), perQuery -> Values.map(perQuery, Values::toFloats)),
                r.getDocuments(), r.getUris(),
                Values.map(r.getMetadatas(), perQuery -> Values.map(perQuery, Values::metadata)),
                r.getDistances(), includes(r.getInclude()));
    }

    // ---- the collection itself ------------------------------------------------------------------------------------

    /**
     * Renames the collection and/or replaces its metadata (nothing is merged; a null value drops its key). A null
     * argument leaves that part as it is. This object's {@link #name()} and {@link #metadata()} follow.
     */
    public void modify(String newName, Map<String, Object> newMetadata) {
        UpdateCollectionRequest body = new UpdateCollectionRequest().newName(newName);
        if (newMetadata != null) {
            body.newMetadata(new LinkedHashMap<>(newMetadata));
        }
        Calls.call(() -> apis.collections.updateCollection(id, tenant, database, body));
        if (newName != null) {
            name = newName;
        }
        if (newMetadata != null) {
            Map<String, Object> kept = Values.asSent(body.getNewMetadata()); // integers as Long, floats as Double
            kept.values().removeIf(Objects::isNull);
            metadata = kept.isEmpty() ? null : Values.metadata(kept);
        }
    }

    @Override
    public String toString() {
        return "Collection[" + name + ", id=" + id + ", tenant=" + tenant + ", database=" + database + "]";
    }

    /** Records whose documents the embedding function embeds, when there is one and no embeddings are given. */
    private Records embedded(Records records) {
        if (embeddingFunction == null || records.embeddings() != null || records.documents() == null) {
            return records;
        }
        if (records.documents().contains(null)) {
            throw new IllegalArgumentException("every record needs a document to embed when no embeddings are given");
        }
        return records.withEmbeddings(embed(records.documents()));
    }

    private List<float[]> embed(List<String> texts) {
        List<float[]> vectors = embeddingFunction.embed(texts);
        if (vectors == null || vectors.size() != texts.size()) {
            throw new IllegalStateException("the embedding function returned " + (vectors == null ? "null" : vectors.size()
                    + " embeddings") + " for " + texts.size() + " texts");
        }
        return vectors;
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static List<Map> rawMetadatas(Records records) {
        return (List<Map>) (List) records.metadatas(); // the generated payloads type metadatas as raw maps
    }

    private static List<Include> includes(List<io.vermilion.client.generated.model.Include> include) {
        return Values.map(include, i -> Include.fromValue(i.getValue()));
    }
}
