package io.vermilion.sysdb;

/**
 * A validated modification of a collection. A null field means "leave unchanged";
 * {@code clearMetadata} sets the metadata to none (Chroma's update with only null values).
 */
public record CollectionChange(String newName, String newMetadataJson, boolean clearMetadata, String newConfigurationJson) {}
