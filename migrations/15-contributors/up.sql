-- Version 15: who contributed to which item, once per (item, author) pair, kept beside every
-- revision by the write path. The lens reads these pairs instead of every revision, so its first
-- view does not grow with the length of the history (2.1 million revisions after twenty edits of
-- 100,000 notes, against 100,000 pairs).
CREATE TABLE contributors (
    item_id TEXT NOT NULL,
    author  TEXT NOT NULL,
    PRIMARY KEY (item_id, author)
) STRICT, WITHOUT ROWID;

INSERT OR IGNORE INTO contributors(item_id, author) SELECT item_id, author FROM revisions ORDER BY item_id, author;
