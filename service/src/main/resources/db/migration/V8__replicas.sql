-- Vermilion catalog, version 8: cluster membership (see ReplicaRows and io.vermilion.cluster.Membership).
-- Each api replica with affinity routing on heartbeats its row about once a second; a row whose heartbeat is older
-- than a few seconds is a dead member. Times come from PostgreSQL's now(), so replicas agree on who is alive.
CREATE TABLE replicas (
    id           TEXT        PRIMARY KEY,
    address      TEXT        NOT NULL,
    heartbeat_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX replicas_heartbeat ON replicas (heartbeat_at);
