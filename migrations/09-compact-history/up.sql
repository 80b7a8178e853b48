-- History as deltas (src/history.rs). A revision written from this version on keeps only what
-- changed: its scalar fields' old and new values in `changes`, a body change as a backward delta
-- in `body_back`, every 64th body whole in `keyframe`, and an empty `snapshot`. Older revisions
-- (`layout` 1: the body's old and new text in `changes`, the whole item in `snapshot`) are
-- rewritten the same way by the upgrade that runs when a workspace opens (`Store::upgrade`), in
-- batches, each its own transaction, so a killed upgrade goes on where it stopped.
ALTER TABLE revisions ADD COLUMN layout INTEGER NOT NULL DEFAULT 1;
ALTER TABLE revisions ADD COLUMN body_back TEXT;
ALTER TABLE revisions ADD COLUMN keyframe BLOB;
CREATE INDEX revisions_old_layout ON revisions(id) WHERE layout = 1;

-- The body's merged text document, zstd-compressed when `packed` is 1.
ALTER TABLE crdt_state ADD COLUMN packed INTEGER NOT NULL DEFAULT 0;

-- The yrs update of a change's body edit, zstd-compressed, when the payload's `@body` is kept
-- here (the payload then holds `"@body":""` in its place).
ALTER TABLE changes ADD COLUMN body BLOB;
