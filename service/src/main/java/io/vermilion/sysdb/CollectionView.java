package io.vermilion.sysdb;

import java.util.UUID;

/** An immutable copy of a collection's catalog entry, with the names of its tenant and database. */
public record CollectionView(
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

    static CollectionView of(CollectionEntity c, DatabaseEntity d) {
        return new CollectionView(
                c.id, c.name, d.tenant, d.name, d.id, c.metadata, c.configuration, c.dimension, c.logPosition, c.version);
    }
}
