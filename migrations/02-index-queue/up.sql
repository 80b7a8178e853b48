-- Version 2: a queue of items whose search-index entry is out of date. Every save adds a row in
-- the same transaction; whichever process holds the index writer drains it. The index is derived:
-- losing it (or this queue) only costs a rebuild.
CREATE TABLE index_queue (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id TEXT NOT NULL
) STRICT;

-- Contributors are read per item by author; keep that lookup fast at 100k items.
CREATE INDEX revisions_author ON revisions(item_id, author);
