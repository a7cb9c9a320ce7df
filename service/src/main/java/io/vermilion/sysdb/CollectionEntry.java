package io.vermilion.sysdb;

import java.util.UUID;

/** An immutable copy of a collection's catalog entry, with the names of its tenant and database. */
public record CollectionEntry(
        UUID id,
        String name,
        String tenant,
        String database,
        UUID databaseId,
        String metadataJson,
        String configurationJson,
        Integer dimension,
        long logPosition,
        int version) {

    static CollectionEntry of(CollectionEntity c, DatabaseEntity d) {
        return new CollectionEntry(
                c.id, c.name, d.tenant, d.name, d.id, c.metadata, c.configuration, c.dimension, c.logPosition, c.version);
    }
}
