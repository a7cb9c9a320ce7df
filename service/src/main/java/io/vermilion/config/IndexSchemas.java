package io.vermilion.config;

import java.util.List;
import java.util.UUID;

import io.vermilion.catalog.CollectionMissingException;
import io.vermilion.compactor.CompactorOptions;
import io.vermilion.index.IndexSchema;
import io.vermilion.record.Record;
import io.vermilion.sysdb.PgVersionCatalog;

/**
 * The index schema a collection's next version is built with: what its {@link io.vermilion.model.CollectionConfiguration}
 * (read from the catalog) asks for. Blocks on the catalog: call it off the event loop (the compactor does).
 */
public final class IndexSchemas implements CompactorOptions.SchemaSource {

    private final PgVersionCatalog catalog;

    public IndexSchemas(PgVersionCatalog catalog) {
        this.catalog = catalog;
    }

    @Override
    public IndexSchema schemaFor(UUID collection, List<Record> records) {
        return IndexSchema.forCollection(catalog.configuration(collection).toCompletableFuture().join()
                .orElseThrow(() -> new CollectionMissingException(collection)), records);
    }
}
