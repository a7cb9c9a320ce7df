package io.vermilion.sysdb;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * A row of {@code collections}. Metadata and configuration are stored as JSON text exactly as the API
 * returns them; {@code logPosition} is the next log offset to be written for the collection. The log columns are
 * read-only here so that a rename never overwrites a concurrent commit.
 */
@Entity
@Table(name = "collections")
public class CollectionEntity extends PanacheEntityBase {

    @Id
    public UUID id;

    public String name;

    @Column(name = "database_id")
    public UUID databaseId;

    /** JSON object text, or null for no metadata. */
    public String metadata;

    /** JSON object text of the full configuration (hnsw parameters and embedding function). */
    public String configuration;

    /** Fixed by the first write with embeddings; owned by the log path, never written through this entity. */
    @Column(insertable = false, updatable = false)
    public Integer dimension;

    /** Owned by the log path (see {@code PgLogCatalog}), never written through this entity. */
    @Column(name = "log_position", insertable = false, updatable = false)
    public long logPosition;

    @Column(insertable = false, updatable = false)
    public int version;

    @Column(name = "created_at", insertable = false, updatable = false)
    public OffsetDateTime createdAt;

    @Column(name = "updated_at")
    public OffsetDateTime updatedAt;
}
