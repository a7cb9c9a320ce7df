package io.vermilion.sysdb;

import io.vermilion.catalog.VersionRef;
import io.vermilion.model.CollectionConfiguration;
import java.util.UUID;

/**
 * An immutable copy of a collection's catalog entry, with the names of its tenant and database, and its
 * configuration parsed once as the row is read. {@code logPosition}, {@code dimension} and {@code compacted} (the
 * current compacted version, null if none) are the collection's read state as {@link CollectionLookup} found it, at
 * least as new as every write acknowledged before the lookup; entries from {@link Catalog} carry no compacted version.
 */
public record CollectionEntry(
        UUID id,
        String name,
        String tenant,
        String database,
        UUID databaseId,
        String metadataJson,
        CollectionConfiguration configuration,
        Integer dimension,
        long logPosition,
        int version,
        VersionRef compacted) {

    static CollectionEntry of(CollectionEntity c, DatabaseEntity d) {
        return new CollectionEntry(
                c.id, c.name, d.tenant, d.name, d.id, c.metadata,
                CollectionConfiguration.parse(c.configuration, c.metadata), c.dimension, c.logPosition, c.version,
                null);
    }
}
