-- Hubs whose credentials were added with `outpost hub add` (hubs from configuration are not stored).
CREATE TABLE hubs (
    name          TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL
);

-- One row per server a hub started. Secrets (spec with the hub token, backend handle) are encrypted.
CREATE TABLE servers (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    hub             TEXT    NOT NULL,
    name            TEXT    NOT NULL,
    start_id        TEXT    NOT NULL,
    user_name       TEXT    NOT NULL,
    user_id         INTEGER NOT NULL,
    backend         TEXT    NOT NULL,
    flavor          TEXT,
    resource_name   TEXT    NOT NULL,
    phase           TEXT    NOT NULL,
    spec            BLOB    NOT NULL,
    handle          BLOB,
    service_address TEXT,
    exit_code       INTEGER,
    error           TEXT,
    start_date      TEXT    NOT NULL,
    end_date        TEXT,
    last_update     TEXT    NOT NULL,
    UNIQUE (hub, name, start_id)
);
CREATE INDEX servers_phase ON servers (phase);

-- Outbox of progress events: stored before they are sent, deleted once the hub has them.
CREATE TABLE events (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    hub             TEXT    NOT NULL,
    server          TEXT    NOT NULL,
    url             TEXT    NOT NULL,
    token           BLOB    NOT NULL,
    body            TEXT    NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT    NOT NULL,
    created_at      TEXT    NOT NULL
);
CREATE INDEX events_due ON events (next_attempt_at);
