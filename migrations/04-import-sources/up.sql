-- Version 4: properties beyond a kind's own fields, and where imported items came from.

-- Properties an item carries besides its kind's fields (e.g. the front matter of an imported note).
CREATE TABLE item_props (
    item_id TEXT NOT NULL REFERENCES items(id) ON DELETE CASCADE,
    key     TEXT NOT NULL,
    value   TEXT NOT NULL,                      -- JSON
    PRIMARY KEY (item_id, key)
) STRICT;

-- Where an imported item came from, so importing the same source again updates it instead of
-- duplicating it: a vault file (origin 'vault:<folder>', path relative to it) or a signal
-- (origin 'signals', path the external reference).
CREATE TABLE item_sources (
    item_id TEXT PRIMARY KEY REFERENCES items(id) ON DELETE CASCADE,
    origin  TEXT NOT NULL,
    path    TEXT NOT NULL,
    UNIQUE (origin, path)
) STRICT;
