-- Leases shared by the replicas: "leader" (background work runs once) and "replica/{id}" (liveness).
CREATE TABLE leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at TEXT NOT NULL
);

-- The replica that made a server's last phase change, and so owns its next step (finishing a start
-- or a stop). When that replica is gone, the leader finishes or cleans up for it.
ALTER TABLE servers ADD COLUMN owner TEXT;
