-- Version 5 (calendar import): which calendar event each imported meeting came from, so importing
-- the same calendar again updates its meetings instead of duplicating them.
CREATE TABLE calendar_events (
    item_id       TEXT PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
    uid           TEXT NOT NULL,               -- the event's UID
    recurrence_id TEXT NOT NULL,               -- an occurrence's original start (UTC, RFC 3339); '' for a single event
    UNIQUE (uid, recurrence_id)
) STRICT;
