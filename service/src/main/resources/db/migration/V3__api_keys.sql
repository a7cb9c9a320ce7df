-- Vermilion catalog, version 3: API keys. Only a SHA-256 of each key is stored; the key itself is shown once.
CREATE TABLE api_keys (
    id         UUID PRIMARY KEY,
    key_hash   TEXT NOT NULL UNIQUE,
    tenant     TEXT NOT NULL REFERENCES tenants (name) ON DELETE CASCADE,
    databases  TEXT[],            -- null: every database of the tenant
    role       TEXT NOT NULL CHECK (role IN ('admin', 'read_write', 'read_only')),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    revoked_at TIMESTAMPTZ
);
CREATE INDEX api_keys_tenant ON api_keys (tenant);
