-- An item's `@updated` register (when it last changed) kept every write it ever had: one row per
-- save, the largest table of a workspace after years of edits. Only its newest write is read
-- (it is never compared for conflicts: it has no base), so older ones are dropped here, and the
-- store drops them as each new one is written.
DELETE FROM sync_fields
 WHERE field = '@updated'
   AND hlc < (SELECT MAX(g.hlc) FROM sync_fields g WHERE g.entity_id = sync_fields.entity_id AND g.field = '@updated');
