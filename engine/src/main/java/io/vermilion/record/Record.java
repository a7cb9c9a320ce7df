package io.vermilion.record;

import java.util.Map;

/**
 * A stored record as reads see it. {@code metadata}, {@code document} and {@code uri} may be null;
 * {@code metadata} never contains null values. Arrays are never mutated after construction.
 */
public record Record(String id, float[] embedding, Map<String, MetadataValue> metadata, String document, String uri) {}
