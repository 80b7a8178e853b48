-- Mellanrum schema, version 1. Append-only: a released migration is never edited;
-- changes come as a new numbered folder.

-- Workspace-wide settings: name, this device's id, the clock, the current person.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE people (
    id          TEXT PRIMARY KEY,              -- UUID v7
    name        TEXT NOT NULL,
    name_key    TEXT NOT NULL UNIQUE,          -- lower-cased name
    perspective TEXT NOT NULL,                 -- discipline or department, e.g. Sales
    created     TEXT NOT NULL
) STRICT;

CREATE TABLE items (
    id         TEXT PRIMARY KEY,               -- UUID v7
    kind       TEXT NOT NULL CHECK (kind IN ('note','signal','insight','friction','resolution','goal','meeting')),
    title      TEXT NOT NULL,
    title_key  TEXT NOT NULL,                  -- case-folded title, what [[links]] match
    body       TEXT NOT NULL DEFAULT '',
    author     TEXT NOT NULL REFERENCES people(id),
    created    TEXT NOT NULL,
    updated    TEXT NOT NULL,
    deleted    INTEGER NOT NULL DEFAULT 0      -- a tombstone; `restore` brings it back
) STRICT;
CREATE INDEX items_title_key ON items(title_key);
CREATE INDEX items_kind ON items(kind, updated);

CREATE TABLE aliases (
    item_id   TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    alias     TEXT NOT NULL,
    alias_key TEXT NOT NULL,
    PRIMARY KEY (item_id, alias_key)
) STRICT;
CREATE INDEX aliases_key ON aliases(alias_key);

CREATE TABLE tags (
    item_id TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    tag     TEXT NOT NULL,
    PRIMARY KEY (item_id, tag)
) STRICT;
CREATE INDEX tags_tag ON tags(tag);

-- Kind-specific fields, one table per kind, real columns.
CREATE TABLE signal_fields (
    item_id  TEXT PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
    source   TEXT CHECK (source IN ('interview','support','survey','sales','review','usage','market','other')),
    customer TEXT,
    date     TEXT,                               -- YYYY-MM-DD, when it was observed
    ref      TEXT,                               -- external reference (ticket id, URL)
    quote    TEXT                                -- the customer's own words
) STRICT;
CREATE INDEX signal_ref ON signal_fields(ref);

CREATE TABLE insight_fields (
    item_id TEXT PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
    status  TEXT NOT NULL CHECK (status IN ('hypothesis','validated','invalidated'))
) STRICT;

CREATE TABLE friction_fields (
    item_id  TEXT PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
    status   TEXT NOT NULL CHECK (status IN ('open','exploring','resolved','parked')),
    severity TEXT NOT NULL CHECK (severity IN ('low','medium','high','critical'))
) STRICT;

CREATE TABLE friction_positions (
    item_id     TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    perspective TEXT NOT NULL,
    position    TEXT NOT NULL,
    PRIMARY KEY (item_id, perspective)
) STRICT;

CREATE TABLE resolution_fields (
    item_id    TEXT PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
    decision   TEXT,
    rationale  TEXT,
    agreed_by  TEXT,                             -- comma-separated names
    decided_on TEXT,                             -- YYYY-MM-DD
    retires    TEXT                              -- the old practice this decision retires
) STRICT;

CREATE TABLE goal_fields (
    item_id TEXT PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
    horizon TEXT,
    owner   TEXT
) STRICT;

CREATE TABLE meeting_fields (
    item_id   TEXT PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
    start     TEXT,                              -- RFC 3339, UTC
    "end"     TEXT,
    attendees TEXT,                              -- comma-separated names
    location  TEXT
) STRICT;

-- Links are derived from bodies on every save. target_id is NULL while unresolved.
CREATE TABLE links (
    id         INTEGER PRIMARY KEY,
    source_id  TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    rel        TEXT NOT NULL CHECK (rel IN ('references','evidence','resolves','advances','supports','contradicts','derived-from')),
    target     TEXT NOT NULL,                   -- the target as written
    target_key TEXT NOT NULL,                   -- case-folded, what resolution matches
    target_id  TEXT REFERENCES items(id) ON DELETE SET NULL,
    heading    TEXT,
    alias      TEXT,
    embed      INTEGER NOT NULL DEFAULT 0,
    line       INTEGER NOT NULL,
    problem    TEXT                             -- why a matching item was not linked (a broken rule)
) STRICT;
CREATE INDEX links_source ON links(source_id);
CREATE INDEX links_target ON links(target_id);
CREATE INDEX links_key ON links(target_key);

-- Every saved state of an item: nothing is ever lost.
CREATE TABLE revisions (
    id       INTEGER PRIMARY KEY,
    item_id  TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    rev      INTEGER NOT NULL,
    at       TEXT NOT NULL,
    hlc      TEXT NOT NULL,
    author   TEXT NOT NULL REFERENCES people(id),
    op       TEXT NOT NULL,                     -- create, update, delete, restore
    changes  TEXT NOT NULL,                     -- JSON: {field: {"old": …, "new": …}}
    snapshot TEXT NOT NULL,                     -- JSON: the whole item after the change
    UNIQUE (item_id, rev)
) STRICT;

-- The append-only change log that sync replicates. Ordered by hybrid logical clock.
CREATE TABLE changes (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    hlc     TEXT NOT NULL UNIQUE,
    device  TEXT NOT NULL,
    author  TEXT NOT NULL,                      -- person id
    entity  TEXT NOT NULL CHECK (entity IN ('item','person','workspace')),
    entity_id TEXT NOT NULL,
    op      TEXT NOT NULL,                      -- create, update, delete, restore
    payload TEXT NOT NULL                       -- JSON: the fields this change set, with their new values
) STRICT;
CREATE INDEX changes_entity ON changes(entity_id);
