-- Events that left the outbox, and how: kept for a while so an operator can see what a hub got
-- (`outpost events`). No URL and no token: only what was sent and its outcome.
CREATE TABLE event_deliveries (
    id          INTEGER PRIMARY KEY,
    hub         TEXT    NOT NULL,
    server      TEXT    NOT NULL,
    body        TEXT    NOT NULL,
    attempts    INTEGER NOT NULL,
    outcome     TEXT    NOT NULL,
    created_at  TEXT    NOT NULL,
    finished_at TEXT    NOT NULL
);
CREATE INDEX event_deliveries_server ON event_deliveries (server, id);
CREATE INDEX event_deliveries_finished ON event_deliveries (finished_at);
