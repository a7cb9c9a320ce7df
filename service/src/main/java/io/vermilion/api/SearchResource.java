package io.vermilion.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
import io.vermilion.catalog.LogCatalog;
import io.vermilion.catalog.VersionCatalog;
import io.vermilion.embedding.DefaultEmbeddingFunction;
import io.vermilion.embedding.EmbeddingPool;
import io.vermilion.embedding.MiniLmEmbedder;
import io.vermilion.error.ChromaException;
import io.vermilion.executor.IndexingStatus;
import io.vermilion.executor.SearchExecutor;
import io.vermilion.executor.SparseIdf;
import io.vermilion.filter.WhereParser;
import io.vermilion.gateway.Quota;
import io.vermilion.gateway.QuotaLimits;
import io.vermilion.gateway.Quotas;
import io.vermilion.log.DimensionMismatchException;
import io.vermilion.model.RankExpr;
import io.vermilion.model.RecordParts;
import io.vermilion.model.SearchHit;
import io.vermilion.model.SearchRequest;
import io.vermilion.record.MetadataValue;
import io.vermilion.record.Record;
import io.vermilion.sysdb.CollectionEntry;
import io.vermilion.sysdb.CollectionLookup;
import jakarta.inject.Named;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;

/**
 * Chroma's Search API and indexing status for a collection: {@code POST .../search} runs each search of the body
 * over one view of the collection (compacted version plus log tail, or the version alone at {@code index_only}),
 * so every acknowledged write is visible; {@code GET .../indexing_status} reports compaction progress in log
 * operations. Parsing and answering run on worker threads; a text {@code $knn} query on a collection embedded on
 * the server is embedded on the embedding pool.
 */
@Path("/api/v2")
@Produces(MediaType.APPLICATION_JSON)
public class SearchResource {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final String BASE = "/tenants/{tenant}/databases/{database}/collections/{id}";

    private final CollectionLookup lookup;
    private final Records records;
    private final Quotas quotas;
    private final ExecutorService workers;
    private final LogCatalog log;
    private final VersionCatalog versions;
    private final EmbeddingPool embedding;

    public SearchResource(CollectionLookup lookup, Records records, Quotas quotas,
            @Named("readers") ExecutorService workers, LogCatalog log, VersionCatalog versions,
            EmbeddingPool embedding) {
        this.embedding = embedding;
        this.lookup = lookup;
        this.records = records;
        this.quotas = quotas;
        this.workers = workers;
        this.log = log;
        this.versions = versions;
    }

    @POST
    @Path(BASE + "/search")
    public Uni<ObjectNode> search(@PathParam("tenant") String tenant, @PathParam("database") String database,
            @PathParam("id") String id, String body) {
        return Uni.createFrom().item(() -> JsonBody.object(body)).runSubscriptionOn(workers).flatMap(req -> {
            List<JsonNode> nodes = SearchPayloads.searches(req);
            ReadLevel level = SearchPayloads.readLevel(req);
            SearchTextQueries texts = SearchTextQueries.find(req);
            texts.standIn(MiniLmEmbedder.DIMENSION);
            List<SearchPayloads.Parsed> searches = parse(nodes);
            return quotas.forTenant(tenant).invoke(limits -> checkQuotas(limits, searches))
                    .flatMap(limits -> collection(tenant, database, id))
                    .flatMap(c -> {
                        if (!texts.isEmpty() && !DefaultEmbeddingFunction.isServerEmbedded(c.configuration())) {
                            throw ChromaException.invalid("A $knn query given as text needs a collection embedded on "
                                    + "the server (its configuration's embedding_function is Chroma's default); "
                                    + "provide the query vector");
                        }
                        check(c, searches);
                        if (texts.isEmpty()) {
                            return run(c, searches, level);
                        }
                        return embedding.embed(texts.texts()).emitOn(workers).flatMap(vectors -> {
                            texts.embedded(vectors);
                            return run(c, parse(nodes), level);
                        });
                    });
        });
    }

    private static List<SearchPayloads.Parsed> parse(List<JsonNode> nodes) {
        List<SearchPayloads.Parsed> searches = new ArrayList<>(nodes.size());
        for (int i = 0; i < nodes.size(); i++) {
            searches.add(SearchPayloads.parse(nodes.get(i), i));
        }
        return searches;
    }

    private static void check(CollectionEntry c, List<SearchPayloads.Parsed> searches) {
        java.util.Set<String> sparseIndexed = SparseIndexSchemas.indexedKeys(c.configuration().json());
        for (SearchPayloads.Parsed s : searches) {
            if (s.filter() != null) {
                WhereParser.requireIndexed(s.filter());
            }
            if (s.rank() != null) {
                for (RankExpr.Knn knn : s.rank().knns()) {
                    if (knn.text() != null) {
                        continue; // BM25 over #document: the text index always exists
                    }
                    if (knn.query() == null) {
                        if (!sparseIndexed.contains(knn.key())) {
                            throw SparseIndexSchemas.notIndexed(knn.key()); // as Chroma: only over a sparse index
                        }
                        continue; // sparse: no dimension to check
                    }
                    RecordWrites.requireIndexable("query", knn.query().length);
                    if (c.dimension() != null && c.dimension() != knn.query().length) {
                        throw new DimensionMismatchException(c.dimension(), knn.query().length);
                    }
                }
            }
        }
    }

    private Uni<ObjectNode> run(CollectionEntry c, List<SearchPayloads.Parsed> searches, ReadLevel level) {
        return records.readView(c, level, view -> {
            List<List<SearchHit>> results = new ArrayList<>(searches.size());
            boolean empty = c.dimension() == null && view.count() == 0;
            java.util.Set<String> bm25 = SparseIndexSchemas.bm25Keys(c.configuration().json());
            for (SearchPayloads.Parsed s : searches) {
                results.add(empty && s.rank() != null ? List.of() : SearchExecutor.search(view,
                        new SearchRequest(s.filter(), SparseIdf.apply(view, s.rank(), bm25), s.groupBy(), s.offset(),
                                s.limit(), c.configuration().space(), c.configuration().efSearch(),
                                new RecordParts(s.select().metadata(), s.select().document(), s.select().embedding()))));
            }
            return response(searches, results);
        });
    }

    @GET
    @Path(BASE + "/indexing_status")
    public Uni<ObjectNode> indexingStatus(@PathParam("tenant") String tenant, @PathParam("database") String database,
            @PathParam("id") String id) {
        return collection(tenant, database, id)
                .flatMap(c -> Uni.createFrom().completionStage(() -> IndexingStatus.of(log, versions, c.id())))
                .map(status -> {
                    ObjectNode o = F.objectNode();
                    o.put("op_indexing_progress", status.progress());
                    o.put("num_unindexed_ops", status.unindexedOps());
                    o.put("num_indexed_ops", status.indexedOps());
                    o.put("total_ops", status.totalOps());
                    return o;
                });
    }

    /** Chroma's search quotas: payloads per request, knn leaves and their limits, page limit, group_by keys. */
    private static void checkQuotas(QuotaLimits limits, List<SearchPayloads.Parsed> searches) {
        limits.check(Quota.NUM_SEARCH_PAYLOADS, "Search", searches.size());
        for (SearchPayloads.Parsed s : searches) {
            if (s.limit() != null) {
                limits.check(Quota.LIMIT_VALUE, "Search", s.limit());
            }
            if (s.rank() != null) {
                List<RankExpr.Knn> knns = s.rank().knns();
                limits.check(Quota.NUM_RANK_KNN, "Search", knns.size());
                for (RankExpr.Knn knn : knns) {
                    limits.check(Quota.RANK_KNN_LIMIT, "Search", knn.limit());
                }
            }
            if (s.groupBy() != null) {
                limits.check(Quota.NUM_GROUP_BY_KEYS, "Search", s.groupBy().keys().size());
                limits.check(Quota.NUM_AGGREGATE_KEYS, "Search", s.groupBy().aggregateKeys().size());
            }
        }
    }

    /** Chroma's {@code SearchResponse}: one row per search; a column is null unless the search selected it. */
    static ObjectNode response(List<SearchPayloads.Parsed> searches, List<List<SearchHit>> results) {
        ArrayNode ids = F.arrayNode();
        ArrayNode documents = F.arrayNode();
        ArrayNode embeddings = F.arrayNode();
        ArrayNode metadatas = F.arrayNode();
        ArrayNode scores = F.arrayNode();
        ArrayNode select = F.arrayNode();
        for (int i = 0; i < searches.size(); i++) {
            SearchPayloads.Select keys = searches.get(i).select();
            List<SearchHit> hits = results.get(i);
            ArrayNode rowIds = F.arrayNode();
            ArrayNode rowDocuments = F.arrayNode();
            ArrayNode rowEmbeddings = F.arrayNode();
            ArrayNode rowMetadatas = F.arrayNode();
            ArrayNode rowScores = F.arrayNode();
            for (SearchHit hit : hits) {
                Record r = hit.record();
                rowIds.add(r.id());
                rowDocuments.add(r.document() == null ? F.nullNode() : F.textNode(r.document()));
                rowEmbeddings.add(RecordJson.embedding(r.embedding()));
                rowMetadatas.add(selectedMetadata(r, keys));
                // As serde_json writes a non-finite float: null (log of a negative, division by zero).
                rowScores.add(Float.isFinite(hit.score()) ? F.numberNode(hit.score()) : F.nullNode());
            }
            ids.add(rowIds);
            documents.add(keys.document() ? rowDocuments : F.nullNode());
            embeddings.add(keys.embedding() ? rowEmbeddings : F.nullNode());
            metadatas.add(keys.metadata() ? rowMetadatas : F.nullNode());
            scores.add(keys.score() ? rowScores : F.nullNode());
            ArrayNode rowSelect = F.arrayNode();
            keys.keys().forEach(rowSelect::add);
            select.add(rowSelect);
        }
        ObjectNode o = F.objectNode();
        o.set("ids", ids);
        o.set("documents", documents);
        o.set("embeddings", embeddings);
        o.set("metadatas", metadatas);
        o.set("scores", scores);
        o.set("select", select);
        return o;
    }

    /** The record's metadata cut to the selected keys (all with {@code #metadata}); null when nothing is left. */
    private static JsonNode selectedMetadata(Record r, SearchPayloads.Select keys) {
        if (r.metadata() == null) {
            return F.nullNode();
        }
        Map<String, MetadataValue> kept = new LinkedHashMap<>();
        List<String> wanted = keys.metadataKeys();
        r.metadata().forEach((k, v) -> {
            if (v != null && !k.startsWith("chroma:") && (keys.allMetadata() || wanted.contains(k))) {
                kept.put(k, v);
            }
        });
        return kept.isEmpty() ? F.nullNode() : RecordJson.metadata(kept);
    }

    private Uni<CollectionEntry> collection(String tenant, String database, String id) {
        Names.requireDatabasePathSegment(database);
        UUID uuid = CollectionResource.parseUuid(id, "Collection ID is not a valid UUIDv4");
        return lookup.get(tenant, database, uuid).emitOn(workers);
    }

}
