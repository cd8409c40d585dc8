-- The same table as Migrations/Sqlite/0005_event_deliveries.sql, in PostgreSQL types.
CREATE TABLE event_deliveries (
    id          bigint      PRIMARY KEY,
    hub         text        NOT NULL,
    server      text        NOT NULL,
    body        text        NOT NULL,
    attempts    integer     NOT NULL,
    outcome     text        NOT NULL,
    created_at  timestamptz NOT NULL,
    finished_at timestamptz NOT NULL
);
CREATE INDEX event_deliveries_server ON event_deliveries (server, id);
CREATE INDEX event_deliveries_finished ON event_deliveries (finished_at);
