-- The same tables as Migrations/Sqlite/0001_initial.sql, in PostgreSQL types.

-- Hubs whose credentials were added with `outpost hub add` (hubs from configuration are not stored).
CREATE TABLE hubs (
    name          text        PRIMARY KEY,
    password_hash text        NOT NULL,
    created_at    timestamptz NOT NULL
);

-- One row per server a hub started. Secrets (spec with the hub token, backend handle) are encrypted.
CREATE TABLE servers (
    id              bigserial   PRIMARY KEY,
    hub             text        NOT NULL,
    name            text        NOT NULL,
    start_id        text        NOT NULL,
    user_name       text        NOT NULL,
    user_id         bigint      NOT NULL,
    backend         text        NOT NULL,
    flavor          text,
    resource_name   text        NOT NULL,
    phase           text        NOT NULL,
    spec            bytea       NOT NULL,
    handle          bytea,
    service_address text,
    exit_code       integer,
    error           text,
    start_date      timestamptz NOT NULL,
    end_date        timestamptz,
    last_update     timestamptz NOT NULL,
    UNIQUE (hub, name, start_id)
);
CREATE INDEX servers_phase ON servers (phase);

-- Outbox of progress events: stored before they are sent, deleted once the hub has them.
CREATE TABLE events (
    id              bigserial   PRIMARY KEY,
    hub             text        NOT NULL,
    server          text        NOT NULL,
    url             text        NOT NULL,
    token           bytea       NOT NULL,
    body            text        NOT NULL,
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL,
    created_at      timestamptz NOT NULL
);
CREATE INDEX events_due ON events (next_attempt_at);
