-- What this workspace knows the shared storage holds besides the log: a file's bytes by hash
-- (`blob:<sha256>`, stored as `files/<h[0..2]>/<sha256>`) and a file's row (`row:<id>`, stored as
-- `attachments/<device>/<id>.json`), sent by this device or read from the storage. A sync sends
-- each once, and never sends what the storage has.
CREATE TABLE sync_files (
    name TEXT PRIMARY KEY
) STRICT, WITHOUT ROWID;
