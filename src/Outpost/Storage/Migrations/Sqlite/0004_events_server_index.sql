-- The relay asks for due events whose server has no earlier event waiting for a retry, and a retry
-- holds back the later events of its server: both look events up by server, in id order.
CREATE INDEX events_server ON events (server, id);
