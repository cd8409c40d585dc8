-- Leases shared by the replicas: "leader" (background work runs once) and "replica/{id}" (liveness).
CREATE TABLE leases (
    name       text        PRIMARY KEY,
    holder     text        NOT NULL,
    expires_at timestamptz NOT NULL
);

-- The replica that made a server's last phase change, and so owns its next step (finishing a start
-- or a stop). When that replica is gone, the leader finishes or cleans up for it.
ALTER TABLE servers ADD COLUMN owner text;
