-- Version 5: co-creation. The change log (`changes`) holds every known op, local and remote; the
-- tables below are the merge state folded from it (derived: replaying the log rebuilds them).

-- Last-writer-wins registers: every write of every scalar field (title, kind fields, positions,
-- deleted, a person's name and perspective), keyed by the op's hybrid logical clock. The value
-- of a field is the row with the greatest hlc. `base` is the hlc the writer had seen for that field,
-- which tells a concurrent write (a conflict) from a sequential one.
CREATE TABLE sync_fields (
    entity_id TEXT NOT NULL,
    field     TEXT NOT NULL,
    hlc       TEXT NOT NULL,
    base      TEXT,
    value     TEXT NOT NULL,                   -- JSON
    author    TEXT NOT NULL,
    PRIMARY KEY (entity_id, field, hlc)
) STRICT, WITHOUT ROWID;

-- Add-wins (observed-remove) sets: tags and aliases. Every add is tagged with the op's hlc (its
-- dot); a remove names the dots it saw, so a concurrent add survives.
CREATE TABLE sync_dots (
    entity_id TEXT NOT NULL,
    set_name  TEXT NOT NULL,                   -- tags, aliases
    elem      TEXT NOT NULL,
    dot       TEXT NOT NULL,
    removed   INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (entity_id, set_name, elem, dot)
) STRICT, WITHOUT ROWID;

-- The merged text CRDT (a Y.Text document, yrs update encoding) of each item's body.
CREATE TABLE crdt_state (
    item_id TEXT PRIMARY KEY,
    state   BLOB NOT NULL
) STRICT;

-- How far this workspace has read (and, for its own device, written) each device's log on the
-- shared storage: the last segment applied and its hash. Advances only over an unbroken run.
CREATE TABLE sync_cursors (
    device TEXT PRIMARY KEY,
    seq    INTEGER NOT NULL,
    hash   TEXT NOT NULL
) STRICT;

-- Segments that failed a check (truncated, corrupt, forked, a reused number). Re-checked on every
-- sync: a file a sync tool is still copying becomes good by itself.
CREATE TABLE sync_quarantine (
    path       TEXT PRIMARY KEY,
    reason     TEXT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen  TEXT NOT NULL
) STRICT;

-- Remote ops stamped too far in the future to be obeyed yet; applied once the clock catches up.
CREATE TABLE sync_held (
    hlc       TEXT PRIMARY KEY,
    device    TEXT NOT NULL,
    author    TEXT NOT NULL,
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    op        TEXT NOT NULL,
    payload   TEXT NOT NULL,
    reason    TEXT NOT NULL
) STRICT;

-- Concurrent writes to the same field: the merge kept the winner, and the loser is kept here so a
-- disagreement is never hidden.
CREATE TABLE conflicts (
    id            INTEGER PRIMARY KEY,
    entity_id     TEXT NOT NULL,
    field         TEXT NOT NULL,
    winner_hlc    TEXT NOT NULL,
    winner_value  TEXT NOT NULL,
    winner_author TEXT NOT NULL,
    loser_hlc     TEXT NOT NULL,
    loser_value   TEXT NOT NULL,
    loser_author  TEXT NOT NULL,
    detected      TEXT NOT NULL,
    UNIQUE (entity_id, field, winner_hlc, loser_hlc)
) STRICT;
CREATE INDEX changes_device ON changes(device, seq);
