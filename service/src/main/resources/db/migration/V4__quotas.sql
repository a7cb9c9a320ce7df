-- Vermilion catalog, version 4: per-tenant quota overrides and the rate limiter's token buckets.

-- A tenant's limits where they differ from the defaults; names as in Chroma's quota code (num_records, ...).
CREATE TABLE tenant_quotas (
    tenant     TEXT        NOT NULL REFERENCES tenants (name) ON DELETE CASCADE,
    name       TEXT        NOT NULL,
    value      BIGINT      NOT NULL CHECK (value >= 0),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant, name)
);

-- Token buckets shared by every replica (Bucket4j's PostgreSQL proxy manager, SELECT ... FOR UPDATE): one row per
-- API key or tenant, its state serialized by Bucket4j, expires_at (epoch milliseconds) once it would be full again.
CREATE TABLE rate_limit_buckets (
    id         TEXT PRIMARY KEY,
    state      BYTEA,
    expires_at BIGINT
);
CREATE INDEX rate_limit_buckets_expires_at ON rate_limit_buckets (expires_at);
