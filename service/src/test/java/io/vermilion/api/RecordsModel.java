package io.vermilion.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The reference model for the records property test: one Chroma collection's records, kept in a plain list and
 * scanned naively, with Chroma's write, filter and distance semantics (shared/reference/chroma-api-v2.md §6–§8)
 * written out again here, independently of the engine. Distances are computed in double precision. Not thread-safe.
 *
 * <p>Metadata values are Java values: {@code Long}, {@code Double}, {@code String}, {@code Boolean} and
 * {@code List} of those; a request may also carry a {@code BigInteger} (beyond i64, stored as a float) and mixed
 * int/float lists (stored as floats).
 *
 * <p>Where the reference is silent, the model follows what the engine's tests assert: scalar operators never match
 * array values; a new record whose metadata is left without keys has none; deleting keys of a record that has no
 * metadata keeps none; a where clause on {@code chroma:document} / {@code chroma:uri} sees the document / uri.
 */
final class RecordsModel {

    enum Space {
        L2("l2"), COSINE("cosine"), IP("ip");

        final String wire;

        Space(String wire) {
            this.wire = wire;
        }
    }

    /** A stored record; {@code metadata} null means none. */
    static final class Rec {
        final String id;
        float[] embedding;
        Map<String, Object> metadata;
        String document;
        String uri;

        Rec(String id) {
            this.id = id;
        }
    }

    /**
     * One record of a write request as sent: a null field was absent or null on the wire; a null metadata value
     * asks to delete that key (upsert and update only).
     */
    record Item(String id, float[] embedding, Map<String, Object> metadata, String document, String uri) {}

    /** A query hit: the record and its exact distance. */
    record Hit(Rec rec, double distance) {}

    final Space space;
    /** Fixed by the first write that carries an embedding (an update of missing ids too); null until then. */
    private Integer dimension;
    private final List<Rec> records = new ArrayList<>();

    RecordsModel(Space space) {
        this.space = space;
    }

    // ---- writes ----

    void add(List<Item> items) {
        fixDimension(items);
        for (Item item : items) {
            if (find(item.id()) == null) {
                insert(item);
            }
        }
    }

    void upsert(List<Item> items) {
        fixDimension(items);
        for (Item item : items) {
            Rec existing = find(item.id());
            if (existing == null) {
                insert(item);
            } else {
                merge(existing, item);
            }
        }
    }

    void update(List<Item> items) {
        fixDimension(items);
        for (Item item : items) {
            Rec existing = find(item.id());
            if (existing != null) {
                merge(existing, item);
            }
        }
    }

    /** Delete by ids: Chroma answers with the number of ids sent, duplicates and unknown ids included. */
    int deleteIds(List<String> ids) {
        for (String id : ids) {
            records.removeIf(r -> r.id.equals(id));
        }
        return ids.size();
    }

    /** Delete by filter (ANDed with ids when given), at most {@code limit}: answers the number deleted. */
    int deleteWhere(List<String> ids, JsonNode where, JsonNode whereDocument, Integer limit) {
        List<Rec> victims = get(ids, where, whereDocument, limit, 0);
        records.removeAll(victims);
        return victims.size();
    }

    private void fixDimension(List<Item> items) {
        if (dimension == null) {
            for (Item item : items) {
                if (item.embedding() != null) {
                    dimension = item.embedding().length;
                    return;
                }
            }
        }
    }

    private void insert(Item item) {
        Rec rec = new Rec(item.id());
        rec.embedding = item.embedding();
        rec.document = item.document();
        rec.uri = item.uri();
        if (item.metadata() != null) {
            Map<String, Object> m = applyDelta(new LinkedHashMap<>(), item.metadata());
            rec.metadata = m.isEmpty() ? null : m;
        }
        records.add(rec);
    }

    private static void merge(Rec rec, Item item) {
        if (item.embedding() != null) {
            rec.embedding = item.embedding();
        }
        if (item.document() != null) {
            rec.document = item.document();
        }
        if (item.uri() != null) {
            rec.uri = item.uri();
        }
        if (item.metadata() != null) {
            if (rec.metadata == null) {
                Map<String, Object> m = applyDelta(new LinkedHashMap<>(), item.metadata());
                rec.metadata = m.isEmpty() ? null : m; // deleting keys of a record without metadata keeps none
            } else {
                rec.metadata = applyDelta(new LinkedHashMap<>(rec.metadata), item.metadata()); // may become {}
            }
        }
    }

    /** Sets or deletes keys as the wire asks: null deletes, an empty array is dropped (no change). */
    private static Map<String, Object> applyDelta(Map<String, Object> target, Map<String, Object> delta) {
        for (Map.Entry<String, Object> e : delta.entrySet()) {
            Object v = e.getValue();
            if (v == null) {
                target.remove(e.getKey());
            } else if (v instanceof List<?> list && list.isEmpty()) {
                continue;
            } else {
                target.put(e.getKey(), stored(v));
            }
        }
        return target;
    }

    /** The value as Chroma stores it: integers beyond i64 become floats, mixed int/float arrays become floats. */
    static Object stored(Object v) {
        if (v instanceof BigInteger big) {
            return big.doubleValue();
        }
        if (v instanceof Integer i) {
            return (long) i;
        }
        if (v instanceof List<?> list) {
            boolean anyDouble = list.stream().anyMatch(x -> x instanceof Double);
            List<Object> out = new ArrayList<>();
            for (Object x : list) {
                out.add(anyDouble && x instanceof Long l ? (Object) (double) l : x);
            }
            return out;
        }
        return v;
    }

    private Rec find(String id) {
        for (Rec r : records) {
            if (r.id.equals(id)) {
                return r;
            }
        }
        return null;
    }

    // ---- reads ----

    int count() {
        return records.size();
    }

    /** Dimension as the collection reports it. */
    Integer dimension() {
        return dimension;
    }

    /** Records passing the filters, in insertion order, after {@code offset}, at most {@code limit}. */
    List<Rec> get(List<String> ids, JsonNode where, JsonNode whereDocument, Integer limit, int offset) {
        List<Rec> out = new ArrayList<>();
        int skipped = 0;
        for (Rec r : records) {
            if (!passes(r, ids, where, whereDocument)) {
                continue;
            }
            if (skipped < offset) {
                skipped++;
                continue;
            }
            if (limit != null && out.size() >= limit) {
                break;
            }
            out.add(r);
        }
        return out;
    }

    /** Every record passing the filters, nearest first (ties in insertion order). */
    List<Hit> rank(float[] query, List<String> ids, JsonNode where, JsonNode whereDocument) {
        List<Hit> hits = new ArrayList<>();
        for (Rec r : records) {
            if (r.embedding != null && passes(r, ids, where, whereDocument)) {
                hits.add(new Hit(r, distance(space, query, r.embedding)));
            }
        }
        hits.sort(Comparator.comparingDouble(Hit::distance));
        return hits;
    }

    /** The record with this id, or null. */
    Rec record(String id) {
        return find(id);
    }

    /** The records, one a line, for failure messages (embeddings left out). */
    String describe() {
        StringBuilder sb = new StringBuilder();
        for (Rec r : records) {
            sb.append("  ").append(r.id).append(" metadata=").append(r.metadata).append(" document=")
                    .append(r.document).append(" uri=").append(r.uri).append('\n');
        }
        return sb.toString();
    }

    List<Rec> all() {
        return List.copyOf(records);
    }

    private static boolean passes(Rec r, List<String> ids, JsonNode where, JsonNode whereDocument) {
        if (ids != null && !ids.contains(r.id)) {
            return false;
        }
        if (where != null && !where(where, r)) {
            return false;
        }
        return whereDocument == null || document(whereDocument, r.document);
    }

    static double distance(Space space, float[] q, float[] v) {
        double dot = 0;
        double qq = 0;
        double vv = 0;
        double l2 = 0;
        for (int i = 0; i < q.length; i++) {
            dot += (double) q[i] * v[i];
            qq += (double) q[i] * q[i];
            vv += (double) v[i] * v[i];
            l2 += ((double) q[i] - v[i]) * ((double) q[i] - v[i]);
        }
        return switch (space) {
            case L2 -> l2;
            case IP -> 1 - dot;
            case COSINE -> 1 - dot / (Math.sqrt(qq) * Math.sqrt(vv));
        };
    }

    // ---- filters: a naive evaluator over the JSON the test sends ----

    /** Evaluates a {@code where} node (already known to be valid) against a record. */
    static boolean where(JsonNode node, Rec r) {
        String key = node.fieldNames().next();
        JsonNode value = node.get(key);
        if (key.equals("$and")) {
            for (JsonNode child : value) {
                if (!where(child, r)) {
                    return false;
                }
            }
            return true;
        }
        if (key.equals("$or")) {
            for (JsonNode child : value) {
                if (where(child, r)) {
                    return true;
                }
            }
            return false;
        }
        if (key.equals("#document")) {
            return document(value, r.document);
        }
        Object stored = switch (key) {
            case "chroma:document" -> r.document; // Chroma keeps the document and uri as these metadata keys
            case "chroma:uri" -> r.uri;
            default -> r.metadata == null ? null : r.metadata.get(key);
        };
        if (!value.isObject()) {
            return equal(stored, value);
        }
        String op = value.fieldNames().next();
        JsonNode operand = value.get(op);
        return switch (op) {
            case "$eq" -> equal(stored, operand);
            case "$ne" -> !equal(stored, operand);
            case "$gt", "$gte", "$lt", "$lte" -> range(stored, op, operand);
            case "$in" -> in(stored, operand);
            case "$nin" -> !in(stored, operand);
            case "$contains" -> arrayHas(stored, operand);
            case "$not_contains" -> !arrayHas(stored, operand);
            default -> throw new IllegalArgumentException("the generator does not make " + op);
        };
    }

    /**
     * Scalar equality. Arrays and missing keys are never equal; int vs float compare as numbers, except that a
     * float operand meets a stored int truncated toward zero (Chroma does {@code f as i64}).
     */
    private static boolean equal(Object stored, JsonNode operand) {
        if (operand.isTextual()) {
            return stored instanceof String s && s.equals(operand.textValue());
        }
        if (operand.isBoolean()) {
            return stored instanceof Boolean b && b == operand.booleanValue();
        }
        Integer c = numericCompare(stored, operand);
        return c != null && c == 0;
    }

    private static boolean range(Object stored, String op, JsonNode operand) {
        Integer c = numericCompare(stored, operand);
        if (c == null) {
            return false;
        }
        return switch (op) {
            case "$gt" -> c > 0;
            case "$gte" -> c >= 0;
            case "$lt" -> c < 0;
            default -> c <= 0;
        };
    }

    /** Sign of stored − operand, or null when they are not both numbers. */
    private static Integer numericCompare(Object stored, JsonNode operand) {
        if (operand.isIntegralNumber()) {
            long o = operand.longValue();
            if (stored instanceof Long l) {
                return Long.signum(Long.compare(l, o));
            }
            if (stored instanceof Double d) {
                return d < o ? -1 : d > o ? 1 : 0;
            }
            return null;
        }
        if (operand.isFloatingPointNumber()) {
            double o = operand.doubleValue();
            if (stored instanceof Long l) {
                long truncated = (long) o;
                return Long.signum(Long.compare(l, truncated));
            }
            if (stored instanceof Double d) {
                return d < o ? -1 : d > o ? 1 : 0;
            }
            return null;
        }
        return null;
    }

    /** {@code $in}: the first element fixes the list's type; a float list takes ints as floats. */
    private static boolean in(Object stored, JsonNode list) {
        boolean floats = list.get(0).isFloatingPointNumber();
        for (JsonNode element : list) {
            JsonNode e = floats ? DoubleNode.valueOf(element.doubleValue()) : element;
            if (equal(stored, e)) {
                return true;
            }
        }
        return false;
    }

    /** {@code $contains} on metadata: an array value holding an element of the very same type and value. */
    private static boolean arrayHas(Object stored, JsonNode operand) {
        if (!(stored instanceof List<?> list)) {
            return false;
        }
        for (Object e : list) {
            boolean same = operand.isTextual() ? e instanceof String s && s.equals(operand.textValue())
                    : operand.isBoolean() ? e instanceof Boolean b && b == operand.booleanValue()
                    : operand.isIntegralNumber() ? e instanceof Long l && l == operand.longValue()
                    : e instanceof Double d && d == operand.doubleValue();
            if (same) {
                return true;
            }
        }
        return false;
    }

    /** Evaluates a {@code where_document} node against a document (null: the record has none). */
    static boolean document(JsonNode node, String doc) {
        String key = node.fieldNames().next();
        JsonNode value = node.get(key);
        return switch (key) {
            case "$and" -> {
                for (JsonNode child : value) {
                    if (!document(child, doc)) {
                        yield false;
                    }
                }
                yield true;
            }
            case "$or" -> {
                for (JsonNode child : value) {
                    if (document(child, doc)) {
                        yield true;
                    }
                }
                yield false;
            }
            case "$contains" -> doc != null && doc.contains(value.textValue());
            case "$not_contains" -> doc == null || !doc.contains(value.textValue());
            case "$regex" -> doc != null && Pattern.compile(value.textValue()).matcher(doc).find();
            case "$not_regex" -> doc == null || !Pattern.compile(value.textValue()).matcher(doc).find();
            default -> throw new IllegalArgumentException("the generator does not make " + key);
        };
    }
}
