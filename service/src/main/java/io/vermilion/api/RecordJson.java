package io.vermilion.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vermilion.model.QueryHit;
import io.vermilion.record.MetadataValue;
import io.vermilion.record.Record;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Renders get and query results in Chroma's column layout: every column key is present, null when not included;
 * embeddings and distances as float32 in shortest form; metadata keeps int vs float; internal keys are hidden.
 */
final class RecordJson {

    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final String INTERNAL_PREFIX = "chroma:";

    private RecordJson() {}

    static ObjectNode getResponse(List<Record> records, List<String> includeNames) {
        Set<Include> include = Include.of(includeNames);
        ObjectNode out = F.objectNode();
        ArrayNode ids = out.putArray("ids");
        records.forEach(r -> ids.add(r.id()));
        out.set("embeddings", include.contains(Include.EMBEDDINGS) ? column(records, r -> embedding(r.embedding())) : F.nullNode());
        out.set("documents", include.contains(Include.DOCUMENTS) ? column(records, r -> text(r.document())) : F.nullNode());
        out.set("uris", include.contains(Include.URIS) ? column(records, r -> text(r.uri())) : F.nullNode());
        out.set("metadatas", include.contains(Include.METADATAS) ? column(records, RecordJson::metadataOf) : F.nullNode());
        out.set("include", names(includeNames));
        return out;
    }

    static ObjectNode queryResponse(List<List<QueryHit>> results, List<String> includeNames) {
        Set<Include> include = Include.of(includeNames);
        ObjectNode out = F.objectNode();
        ArrayNode ids = out.putArray("ids");
        for (List<QueryHit> hits : results) {
            ArrayNode row = ids.addArray();
            hits.forEach(h -> row.add(h.record().id()));
        }
        out.set("embeddings", include.contains(Include.EMBEDDINGS) ? nested(results, h -> embedding(h.record().embedding())) : F.nullNode());
        out.set("documents", include.contains(Include.DOCUMENTS) ? nested(results, h -> text(h.record().document())) : F.nullNode());
        out.set("uris", include.contains(Include.URIS) ? nested(results, h -> text(h.record().uri())) : F.nullNode());
        out.set("metadatas", include.contains(Include.METADATAS) ? nested(results, h -> metadataOf(h.record())) : F.nullNode());
        out.set("distances", include.contains(Include.DISTANCES) ? nested(results, h -> F.numberNode(h.distance())) : F.nullNode());
        out.set("include", names(includeNames));
        return out;
    }

    private static ArrayNode names(List<String> includeNames) {
        ArrayNode a = F.arrayNode();
        includeNames.forEach(a::add);
        return a;
    }

    private static ArrayNode column(List<Record> records, java.util.function.Function<Record, JsonNode> f) {
        ArrayNode a = F.arrayNode();
        records.forEach(r -> a.add(f.apply(r)));
        return a;
    }

    private static ArrayNode nested(List<List<QueryHit>> results, java.util.function.Function<QueryHit, JsonNode> f) {
        ArrayNode a = F.arrayNode();
        for (List<QueryHit> hits : results) {
            ArrayNode row = a.addArray();
            hits.forEach(h -> row.add(f.apply(h)));
        }
        return a;
    }

    static JsonNode embedding(float[] e) {
        if (e == null) {
            return F.nullNode();
        }
        ArrayNode a = F.arrayNode(e.length);
        for (float v : e) {
            a.add(v);
        }
        return a;
    }

    private static JsonNode text(String s) {
        return s == null ? F.nullNode() : F.textNode(s);
    }

    /**
     * A record's metadata as get and query show it. Chroma keeps a URI as a metadata entry it hides when answering,
     * so a record with a URI and no metadata shows {@code {}}, not null.
     */
    private static JsonNode metadataOf(Record r) {
        if (r.metadata() == null && r.uri() != null) {
            return F.objectNode();
        }
        return metadata(r.metadata());
    }

    static JsonNode metadata(Map<String, MetadataValue> m) {
        if (m == null) {
            return F.nullNode();
        }
        ObjectNode o = F.objectNode();
        m.forEach((k, v) -> {
            if (v != null && !k.startsWith(INTERNAL_PREFIX)) {
                o.set(k, value(v));
            }
        });
        return o;
    }

    static JsonNode value(MetadataValue v) {
        return switch (v) {
            case MetadataValue.Str s -> F.textNode(s.value());
            case MetadataValue.Int i -> F.numberNode(i.value());
            case MetadataValue.Flt f -> F.numberNode(f.value());
            case MetadataValue.Bool b -> F.booleanNode(b.value());
            case MetadataValue.Array a -> {
                ArrayNode arr = F.arrayNode();
                a.elements().forEach(e -> arr.add(value(e)));
                yield arr;
            }
            case MetadataValue.Sparse sp -> {
                ObjectNode o = F.objectNode();
                o.put("#type", "sparse_vector");
                ArrayNode indices = o.putArray("indices");
                for (int index : sp.indices()) {
                    indices.add(Integer.toUnsignedLong(index));
                }
                ArrayNode values = o.putArray("values");
                for (float value : sp.values()) {
                    values.add(value);
                }
                if (sp.tokens() == null) {
                    o.putNull("tokens");
                } else {
                    ArrayNode tokens = o.putArray("tokens");
                    sp.tokens().forEach(tokens::add);
                }
                yield o;
            }
        };
    }
}
