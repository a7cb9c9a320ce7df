package io.vermilion.api;

import io.vermilion.error.ChromaException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Uni;
import io.vermilion.log.DimensionMismatchException;
import io.vermilion.model.GetRequest;
import io.vermilion.model.QueryRequest;
import io.vermilion.filter.Where;
import io.vermilion.filter.WhereDocument;
import io.vermilion.filter.WhereDocumentParser;
import io.vermilion.filter.WhereParser;
import io.vermilion.record.LogRecord;
import io.vermilion.record.Operation;
import io.vermilion.record.Record;
import io.vermilion.sysdb.CollectionLookup;
import io.vermilion.sysdb.CollectionEntry;
import io.vermilion.embedding.DefaultEmbeddingFunction;
import io.vermilion.embedding.EmbeddingPool;
import io.vermilion.embedding.MiniLmEmbedder;
import io.vermilion.gateway.Quota;
import io.vermilion.gateway.QuotaLimits;
import io.vermilion.gateway.Quotas;
import io.vermilion.gateway.Requires;
import io.vermilion.gateway.Role;
import io.vermilion.model.CollectionReader;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import jakarta.inject.Named;

/**
 * Record routes of a collection: add, upsert, update, delete, count, get and query. Writes are validated whole,
 * then go through the durable log and are answered only once committed; reads see every acknowledged write.
 */
@Path("/api/v2")
@Produces(MediaType.APPLICATION_JSON)
public class RecordResource {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final String BASE = "/tenants/{tenant}/databases/{database}/collections/{id}";

    private final CollectionLookup lookup;
    private final Records records;
    private final Quotas quotas;
    private final ExecutorService workers;
    private final EmbeddingPool embedding;

    public RecordResource(CollectionLookup lookup, Records records, Quotas quotas,
            @Named("readers") ExecutorService workers, EmbeddingPool embedding) {
        this.lookup = lookup;
        this.records = records;
        this.quotas = quotas;
        this.workers = workers;
        this.embedding = embedding;
    }

    @POST
    @Requires(Role.READ_WRITE)
    @Path(BASE + "/add")
    public Uni<Response> add(@PathParam("tenant") String t, @PathParam("database") String d, @PathParam("id") String id,
            String body) {
        return write(t, d, id, body, Operation.ADD).map(v -> Response.status(201).entity(F.objectNode()).build());
    }

    @POST
    @Requires(Role.READ_WRITE)
    @Path(BASE + "/upsert")
    public Uni<ObjectNode> upsert(@PathParam("tenant") String t, @PathParam("database") String d,
            @PathParam("id") String id, String body) {
        return write(t, d, id, body, Operation.UPSERT).map(v -> F.objectNode());
    }

    @POST
    @Requires(Role.READ_WRITE)
    @Path(BASE + "/update")
    public Uni<ObjectNode> update(@PathParam("tenant") String t, @PathParam("database") String d,
            @PathParam("id") String id, String body) {
        return write(t, d, id, body, Operation.UPDATE).map(v -> F.objectNode());
    }

    private Uni<Void> write(String tenant, String database, String id, String body, Operation op) {
        return parsed(body, "embeddings", true).flatMap(req -> quotas.forTenant(tenant).flatMap(limits -> collection(tenant, database, id)
                .flatMap(c -> {
                    boolean serverEmbedded = DefaultEmbeddingFunction.isServerEmbedded(c.configuration());
                    List<LogRecord> parsed = RecordWrites.parse(req, op, limits, serverEmbedded);
                    requireDimension(c, parsed.stream().map(LogRecord::embedding).filter(e -> e != null).findFirst()
                            .map(e -> e.length).orElse(-1));
                    if (parsed.isEmpty()) {
                        return Uni.createFrom().voidItem();
                    }
                    return withServerEmbeddings(c, parsed, serverEmbedded).flatMap(batch -> append(c, batch, op, limits));
                })));
    }

    /**
     * The records with an embedding computed for each document that came without one, when the collection is
     * embedded on the server (for an update too: a changed document with no embedding is embedded again, as Chroma's
     * clients do); unchanged otherwise. Delivered on a worker thread.
     */
    private Uni<List<LogRecord>> withServerEmbeddings(CollectionEntry c, List<LogRecord> parsed, boolean serverEmbedded) {
        List<Integer> missing = new ArrayList<>();
        for (int i = 0; i < parsed.size(); i++) {
            if (serverEmbedded && parsed.get(i).embedding() == null && parsed.get(i).document() != null) {
                missing.add(i);
            }
        }
        if (missing.isEmpty()) {
            return Uni.createFrom().item(parsed);
        }
        for (LogRecord r : parsed) {
            if (r.embedding() != null && r.embedding().length != MiniLmEmbedder.DIMENSION) {
                throw ChromaException.invalid("Inconsistent dimensions in provided embeddings");
            }
        }
        requireDimension(c, MiniLmEmbedder.DIMENSION);
        List<String> texts = missing.stream().map(i -> parsed.get(i).document()).toList();
        return embedding.embed(texts).emitOn(workers).map(vectors -> {
            List<LogRecord> out = new ArrayList<>(parsed);
            for (int k = 0; k < missing.size(); k++) {
                LogRecord r = parsed.get(missing.get(k));
                out.set(missing.get(k), new LogRecord(r.operation(), r.id(), vectors.get(k), r.metadata(), r.document(),
                        r.uri()));
            }
            return out;
        });
    }

    private Uni<Void> append(CollectionEntry c, List<LogRecord> batch, Operation op, QuotaLimits limits) {
        if (op == Operation.UPDATE || !limits.limits(Quota.COLLECTION_SIZE_RECORDS)) {
            return records.append(c.id(), batch);
        }
        return records.read(c, reader -> {
                    checkCollectionSize(reader, batch, limits, RecordWrites.action(op));
                    return true;
                })
                .flatMap(ok -> records.append(c.id(), batch));
    }

    /**
     * Refuses a write that would take the collection over its size quota, counting only the ids it does not hold
     * yet (an add of an existing id changes nothing, an upsert of one updates it). Checked against the state the
     * write is about to join; concurrent writes may overshoot the limit by their own sizes.
     */
    private static void checkCollectionSize(CollectionReader reader, List<LogRecord> batch, QuotaLimits limits,
            String action) {
        long limit = limits.of(Quota.COLLECTION_SIZE_RECORDS);
        long count = reader.count();
        if (count + batch.size() <= limit) {
            return;
        }
        Set<String> ids = new LinkedHashSet<>();
        batch.forEach(r -> ids.add(r.id()));
        reader.get(new GetRequest(List.copyOf(ids), null, null, null, 0, false)).forEach(r -> ids.remove(r.id()));
        if (!ids.isEmpty()) {
            limits.check(Quota.COLLECTION_SIZE_RECORDS, action, count + ids.size());
        }
    }

    @POST
    @Requires(Role.READ_WRITE)
    @Path(BASE + "/delete")
    public Uni<ObjectNode> delete(@PathParam("tenant") String tenant, @PathParam("database") String database,
            @PathParam("id") String id, String body) {
        return parsed(body).flatMap(req -> {
            List<String> ids = optionalIds(req);
            Where where = where(req);
            WhereDocument whereDocument = whereDocument(req);
            Integer limit = JsonBody.optionalU32(req, "limit");
            return collection(tenant, database, id).flatMap(c -> {
                boolean filtered = where != null || whereDocument != null;
                if (where != null) {
                    WhereParser.requireIndexed(where);
                }
                if (!filtered && limit != null) {
                    throw ChromaException.validation("limit, where", "limit can only be specified when a where clause is provided");
                }
                if (!filtered && ids == null) {
                    return Uni.createFrom().item(deleted(0));
                }
                if (!filtered && ids.isEmpty()) {
                    throw ChromaException.validation("ids, where", "Either ids or where must be specified");
                }
                if (!filtered) {
                    List<LogRecord> batch = ids.stream().map(LogRecord::delete).toList();
                    return records.append(c.id(), batch).map(v -> deleted(ids.size()));
                }
                return records.read(c, reader -> reader.get(new GetRequest(ids, where, whereDocument, limit, 0, false)))
                        .flatMap(matches -> {
                            if (matches.isEmpty()) {
                                return Uni.createFrom().item(deleted(0));
                            }
                            List<LogRecord> batch = matches.stream().map(r -> LogRecord.delete(r.id())).toList();
                            return records.append(c.id(), batch).map(v -> deleted(matches.size()));
                        });
            });
        });
    }

    private static ObjectNode deleted(int n) {
        return F.objectNode().put("deleted", n);
    }

    static String unknownReadLevel(String given) {
        return ReadLevel.unknown(given);
    }

    @GET
    @Path(BASE + "/count")
    public Uni<Integer> count(@PathParam("tenant") String tenant, @PathParam("database") String database,
            @PathParam("id") String id, @QueryParam("read_level") String readLevel) {
        ReadLevel level = readLevel == null ? ReadLevel.INDEX_AND_WAL : ReadLevel.named(readLevel);
        if (level == null) {
            throw ChromaException.invalid("Failed to deserialize query string: " + unknownReadLevel(readLevel));
        }
        return collection(tenant, database, id).flatMap(c -> records.readView(c, level, CollectionReader::count));
    }

    @POST
    @Path(BASE + "/get")
    public Uni<ObjectNode> get(@PathParam("tenant") String tenant, @PathParam("database") String database,
            @PathParam("id") String id, String body) {
        return parsed(body).flatMap(req -> {
            List<String> ids = optionalIds(req);
            Where where = where(req);
            WhereDocument whereDocument = whereDocument(req);
            Integer limit = JsonBody.optionalU32(req, "limit");
            Integer offset = JsonBody.optionalU32(req, "offset");
            List<String> include = Include.names(req, Include.GET_DEFAULT);
            ReadLevel level = SearchPayloads.readLevel(req);
            return quotas.forTenant(tenant).invoke(limits -> {
                if (limit != null) {
                    limits.check(Quota.LIMIT_VALUE, "Get", limit);
                }
            }).flatMap(limits -> collection(tenant, database, id)).flatMap(c -> {
                if (where != null) {
                    WhereParser.requireIndexed(where);
                }
                return records.read(c, level, reader -> RecordJson.getResponse(
                        reader.get(new GetRequest(ids, where, whereDocument, limit, offset == null ? 0 : offset,
                                include.contains("embeddings"))), include));
            });
        });
    }

    @POST
    @Path(BASE + "/query")
    public Uni<ObjectNode> query(@PathParam("tenant") String tenant, @PathParam("database") String database,
            @PathParam("id") String id, String body) {
        return parsed(body, "query_embeddings", false).flatMap(streamed -> {
            ObjectNode req = streamed.fields();
            List<String> texts = queryTexts(req, streamed.vectors() != null);
            List<float[]> given = texts != null ? null
                    : streamed.vectors() != null ? streamed.vectors() : queryEmbeddings(req);
            int queryCount = texts == null ? given.size() : texts.size();
            Integer nResults = JsonBody.optionalU32(req, "n_results");
            List<String> ids = optionalIds(req);
            Where where = where(req);
            WhereDocument whereDocument = whereDocument(req);
            List<String> include = Include.names(req, Include.QUERY_DEFAULT);
            ReadLevel level = SearchPayloads.readLevel(req);
            return quotas.forTenant(tenant).invoke(limits -> {
                limits.check(Quota.NUM_QUERY_EMBEDDINGS, "Query", queryCount);
                if (nResults != null) {
                    limits.check(Quota.NUM_RESULTS, "Query", nResults);
                }
            }).flatMap(limits -> collection(tenant, database, id)).flatMap(c -> {
                if (where != null) {
                    WhereParser.requireIndexed(where);
                }
                if (texts == null) {
                    return query(c, given, nResults, ids, where, whereDocument, include, level);
                }
                if (!DefaultEmbeddingFunction.isServerEmbedded(c.configuration())) {
                    throw ChromaException.invalid("query_texts needs a collection embedded on the server (its "
                            + "configuration's embedding_function is Chroma's default); provide query_embeddings");
                }
                requireDimension(c, MiniLmEmbedder.DIMENSION);
                return embedding.embed(texts).emitOn(workers).flatMap(queries -> query(c, queries, nResults, ids,
                        where, whereDocument, include, level));
            });
        });
    }

    private Uni<ObjectNode> query(CollectionEntry c, List<float[]> queries, Integer nResults, List<String> ids,
            Where where, WhereDocument whereDocument, List<String> include, ReadLevel level) {
        for (float[] q : queries) {
            for (float v : q) {
                if (!Float.isFinite(v)) {
                    throw ChromaException.validation("query_embeddings", "Embeddings must not contain NaN or Infinity values");
                }
            }
            RecordWrites.requireIndexable("query_embeddings", q.length);
            requireDimension(c, q.length);
        }
        var distance = c.configuration().space();
        int efSearch = c.configuration().efSearch();
        int n = nResults == null ? 10 : nResults;
        return records.read(c, level, reader -> {
            if (c.dimension() == null && reader.count() == 0) {
                List<List<io.vermilion.model.QueryHit>> empty = new ArrayList<>();
                queries.forEach(q -> empty.add(List.of()));
                return RecordJson.queryResponse(empty, include);
            }
            return RecordJson.queryResponse(
                    reader.query(new QueryRequest(queries, n, ids, where, whereDocument, distance, efSearch,
                            include.contains("embeddings"))),
                    include);
        });
    }

    /**
     * Vermilion's extension: {@code query_texts}, strings embedded on the server, in place of {@code query_embeddings}
     * (null when absent; both given is a 400 — {@code streamedEmbeddings}: the body's query_embeddings were streamed
     * out of {@code req} already).
     */
    private static List<String> queryTexts(ObjectNode req, boolean streamedEmbeddings) {
        JsonNode v = JsonBody.optional(req, "query_texts");
        if (v == null) {
            return null;
        }
        if (streamedEmbeddings || JsonBody.optional(req, "query_embeddings") != null) {
            throw ChromaException.invalid("Provide query_embeddings or query_texts, not both");
        }
        return RecordWrites.stringList(v, "query_texts", false);
    }

    private static List<float[]> queryEmbeddings(ObjectNode req) {
        JsonNode v = JsonBody.required(req, "query_embeddings");
        if (!v.isArray()) {
            throw ChromaException.shape("query_embeddings", "invalid type: " + JsonBody.describe(v) + ", expected a sequence");
        }
        List<float[]> out = new ArrayList<>(v.size());
        for (int i = 0; i < v.size(); i++) {
            JsonNode e = v.get(i);
            if (!e.isArray()) {
                throw ChromaException.shape("query_embeddings[" + i + "]",
                        "invalid type: " + JsonBody.describe(e) + ", expected a sequence");
            }
            out.add(RecordWrites.floats(e, "query_embeddings[" + i + "]"));
        }
        return out;
    }

    /** The optional {@code ids} filter of a read or delete: null means no id filter. */
    private static List<String> optionalIds(ObjectNode req) {
        JsonNode v = JsonBody.optional(req, "ids");
        return v == null ? null : RecordWrites.stringList(v, "ids", false);
    }

    private static Where where(ObjectNode req) {
        JsonNode w = JsonBody.optional(req, "where");
        return w == null ? null : WhereParser.parseSyntax(w);
    }

    private static WhereDocument whereDocument(ObjectNode req) {
        JsonNode w = JsonBody.optional(req, "where_document");
        return w == null ? null : WhereDocumentParser.parse(w);
    }

    /** Refuses embeddings of another width than the collection's (a negative width: none given). */
    private static void requireDimension(CollectionEntry c, int dimension) {
        if (dimension >= 0 && c.dimension() != null && c.dimension() != dimension) {
            throw new DimensionMismatchException(c.dimension(), dimension);
        }
    }

    /**
     * The collection named by the path, delivered on a worker thread: everything after the lookup (validation,
     * encoding, filtering) is CPU work that must not run on the event loop.
     */
    private Uni<CollectionEntry> collection(String tenant, String database, String id) {
        Names.requireDatabasePathSegment(database);
        UUID uuid = CollectionResource.parseUuid(id, "Collection ID is not a valid UUIDv4");
        return lookup.get(tenant, database, uuid).emitOn(workers);
    }

    /** Parses the body as a JSON object on a worker thread (a 400 or 422 before anything is looked up). */
    private Uni<ObjectNode> parsed(String body) {
        return Uni.createFrom().item(() -> JsonBody.object(body)).runSubscriptionOn(workers);
    }

    /** As {@link #parsed(String)}, with {@code field}'s embeddings streamed into float arrays (or base64 strings). */
    private Uni<EmbeddingsBody> parsed(String body, String field, boolean base64) {
        return Uni.createFrom().item(() -> EmbeddingsBody.parse(body, field, base64)).runSubscriptionOn(workers);
    }
}
