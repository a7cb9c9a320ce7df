-- Vermilion catalog, version 1: tenants, databases, collections.
CREATE TABLE tenants (
    name          TEXT PRIMARY KEY,
    resource_name TEXT,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE databases (
    id         UUID PRIMARY KEY,
    name       TEXT NOT NULL,
    tenant     TEXT NOT NULL REFERENCES tenants (name) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT databases_tenant_name_key UNIQUE (tenant, name)
);

CREATE TABLE collections (
    id            UUID PRIMARY KEY,
    name          TEXT NOT NULL,
    database_id   UUID NOT NULL REFERENCES databases (id) ON DELETE CASCADE,
    metadata      TEXT,
    configuration TEXT NOT NULL,
    dimension     INTEGER,
    log_position  BIGINT NOT NULL DEFAULT 0,
    version       INTEGER NOT NULL DEFAULT 0,
    created_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at    TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT collections_database_name_key UNIQUE (database_id, name)
);

INSERT INTO tenants (name) VALUES ('default_tenant');
INSERT INTO databases (id, name, tenant)
VALUES ('00000000-0000-0000-0000-000000000000', 'default_database', 'default_tenant');
