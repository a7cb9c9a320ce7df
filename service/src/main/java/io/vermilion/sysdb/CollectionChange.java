package io.vermilion.sysdb;

import java.util.function.UnaryOperator;

/**
 * A validated modification of a collection. A null field means "leave unchanged";
 * {@code clearMetadata} sets the metadata to none (Chroma's update with only null values);
 * {@code configurationChange} turns the stored configuration JSON into the new one.
 */
public record CollectionChange(
        String newName, String newMetadataJson, boolean clearMetadata, UnaryOperator<String> configurationChange) {}
