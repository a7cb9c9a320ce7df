package io.vermilion.sysdb;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.OffsetDateTime;
import java.util.UUID;

/** A row of {@code databases}: a named group of collections inside one tenant. */
@Entity
@Table(name = "databases")
public class DatabaseEntity extends PanacheEntityBase {

    @Id
    public UUID id;

    public String name;

    public String tenant;

    @Column(name = "created_at", insertable = false, updatable = false)
    public OffsetDateTime createdAt;
}
