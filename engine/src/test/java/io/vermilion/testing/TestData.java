package io.vermilion.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vermilion.record.MetadataValue;
import io.vermilion.record.Record;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Short builders for test records, metadata and JSON. */
public final class TestData {

    public static final ObjectMapper MAPPER = new ObjectMapper();

    private TestData() {}

    /** JSON with single quotes standing for double quotes, e.g. {@code json("{'a': {'$gt': 1}}")}. */
    public static JsonNode json(String singleQuoted) {
        try {
            return MAPPER.readTree(singleQuoted.replace('\'', '"'));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(singleQuoted, e);
        }
    }

    /** Metadata from alternating keys and Java values: String, Integer/Long, Double, Boolean, List, or null. */
    public static Map<String, MetadataValue> md(Object... keysAndValues) {
        Map<String, MetadataValue> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], value(keysAndValues[i + 1]));
        }
        return map;
    }

    public static MetadataValue value(Object v) {
        return switch (v) {
            case null -> null;
            case String s -> new MetadataValue.Str(s);
            case Integer i -> new MetadataValue.Int(i);
            case Long l -> new MetadataValue.Int(l);
            case Double d -> new MetadataValue.Flt(d);
            case Boolean b -> new MetadataValue.Bool(b);
            case List<?> list -> {
                List<MetadataValue> elements = new ArrayList<>();
                for (Object e : list) {
                    elements.add(value(e));
                }
                yield new MetadataValue.Array(elements);
            }
            default -> throw new IllegalArgumentException(v.getClass().toString());
        };
    }

    public static Record rec(String id, Map<String, MetadataValue> metadata, String document) {
        return new Record(id, new float[] {0f, 0f}, metadata, document, null);
    }

    public static Record rec(String id, float[] embedding) {
        return new Record(id, embedding, null, null, null);
    }

    public static float[] vec(float... components) {
        return components;
    }

    public static List<String> ids(List<Record> records) {
        return records.stream().map(Record::id).toList();
    }
}
