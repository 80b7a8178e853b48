-- Files that came with the knowledge: screenshots, PDFs, recordings. The bytes are kept in the
-- workspace folder, content-addressed (`files/<sha256[0..2]>/<sha256>`), written once; a row here
-- is one file as added: where it sits in the workspace's tree of files (what links name, as in an
-- Obsidian vault) and what it holds. Rows are never changed or removed: a file added again at the
-- same path with other content is a new row (the newest one is what links reach), so every file a
-- past revision of a body links to keeps its row, and its bytes.
CREATE TABLE attachments (
    id          TEXT PRIMARY KEY,                 -- UUID v7
    path        TEXT NOT NULL,                    -- e.g. Attachments/chart.png (safe parts joined by /)
    path_key    TEXT NOT NULL,                    -- lower-cased path
    name_key    TEXT NOT NULL,                    -- lower-cased last part of the path
    hash        TEXT NOT NULL,                    -- sha256 of the bytes, lower-case hex
    size        INTEGER NOT NULL,
    media_type  TEXT NOT NULL,
    added_by    TEXT NOT NULL,                    -- a person's id
    added_at    TEXT NOT NULL,
    UNIQUE (path_key, hash)
) STRICT;

CREATE INDEX attachments_by_name ON attachments(name_key);
CREATE INDEX attachments_by_hash ON attachments(hash);
