//! Whole-database operations: backup, restore, reading another database file, and the checks `doctor` runs.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension};

use super::*;
use crate::error::{Error, Result};
use crate::history;

/// Whole-database operations: backup, restore and the checks `doctor` runs.
impl Store {
    /// Writes a consistent, compacted copy of the database to `out` (which must not exist).
    /// Safe while other processes read and write: it runs inside one read transaction.
    pub fn backup_to(&self, out: &Path) -> Result<()> {
        let path = out.to_str().ok_or_else(|| Error::invalid(format!("{}: the backup path is not valid UTF-8", out.display())))?;
        self.conn.execute("VACUUM INTO ?1", [path])?;
        Ok(())
    }

    /// Replaces this database's content with the database at `from`, page by page, while the
    /// connection stays open (other processes see the restored content on their next read).
    pub fn restore_from(&mut self, from: &Path) -> Result<()> {
        self.writes += 1;
        self.conn.restore(rusqlite::MAIN_DB, from, None::<fn(rusqlite::backup::Progress)>)?;
        Ok(())
    }

    /// Rows SQLite's foreign-key check reports, as text.
    pub fn foreign_key_problems(&self) -> Result<Vec<String>> {
        let mut st = self.conn.prepare("PRAGMA foreign_key_check")?;
        let rows = st.query_map([], |r| {
            Ok(format!(
                "{} row {} refers to a missing {}",
                r.get::<_, String>(0)?,
                r.get::<_, Option<i64>>(1)?.unwrap_or(-1),
                r.get::<_, String>(2)?
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// Reads another database file without changing it (a backup being checked before a restore).
pub struct Peek {
    conn: Connection,
}

impl Peek {
    pub fn open(path: &Path) -> Result<Peek> {
        let conn =
            Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
        Ok(Peek { conn })
    }

    pub fn schema_version(&self) -> Result<i64> {
        Ok(self.conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
    }

    pub fn integrity_check(&self) -> Result<Vec<String>> {
        let mut st = self.conn.prepare("PRAGMA integrity_check")?;
        let rows = st.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The workspace name and item count, if this is a Mellanrum database.
    pub fn describe(&self) -> Result<(String, i64)> {
        let name: String = self.conn.query_row("SELECT value FROM meta WHERE key = 'name'", [], |r| r.get(0))?;
        let items: i64 = self.conn.query_row("SELECT COUNT(*) FROM items WHERE deleted = 0", [], |r| r.get(0))?;
        Ok((name, items))
    }
}

/// Queries of `doctor`.
impl Tx<'_> {
    /// Ids of items, live ones only unless `deleted`.
    pub fn item_ids(&self, deleted: bool) -> Result<Vec<String>> {
        let mut st = self.tx.prepare_cached("SELECT id FROM items WHERE deleted = 0 OR ?1 ORDER BY id")?;
        let rows = st.query_map([deleted], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Items of a kind with its own fields whose field row is missing.
    pub fn items_missing_fields(&self) -> Result<Vec<String>> {
        let mut st = self.tx.prepare_cached(
            "SELECT id FROM items i WHERE
               (kind = 'signal' AND NOT EXISTS (SELECT 1 FROM signal_fields f WHERE f.item_id = i.id)) OR
               (kind = 'insight' AND NOT EXISTS (SELECT 1 FROM insight_fields f WHERE f.item_id = i.id)) OR
               (kind = 'friction' AND NOT EXISTS (SELECT 1 FROM friction_fields f WHERE f.item_id = i.id)) OR
               (kind = 'resolution' AND NOT EXISTS (SELECT 1 FROM resolution_fields f WHERE f.item_id = i.id)) OR
               (kind = 'goal' AND NOT EXISTS (SELECT 1 FROM goal_fields f WHERE f.item_id = i.id)) OR
               (kind = 'meeting' AND NOT EXISTS (SELECT 1 FROM meeting_fields f WHERE f.item_id = i.id))
             ORDER BY id",
        )?;
        let rows = st.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Items with no revision at all.
    pub fn items_without_revision(&self) -> Result<Vec<String>> {
        let mut st = self
            .tx
            .prepare_cached("SELECT id FROM items i WHERE NOT EXISTS (SELECT 1 FROM revisions r WHERE r.item_id = i.id) ORDER BY id")?;
        let rows = st.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every item's stored revisions that changed its body (oldest first) with its current body,
    /// item by item: what `doctor` walks to check that every past body can be read back.
    pub fn each_body_history(&self, mut f: impl FnMut(&str, &str, &[history::Stored]) -> Result<()>) -> Result<()> {
        let mut st = self.tx.prepare(
            "SELECT r.item_id, r.changes, r.body_back, r.keyframe FROM revisions r
             WHERE r.body_back IS NOT NULL OR r.layout = 1 ORDER BY r.item_id, r.rev",
        )?;
        let mut body = self.tx.prepare_cached("SELECT body FROM items WHERE id = ?1")?;
        let mut rows = st.query([])?;
        let mut id = String::new();
        let mut stored: Vec<history::Stored> = Vec::new();
        let mut flush = |id: &str, stored: &mut Vec<history::Stored>| -> Result<()> {
            if !stored.is_empty() {
                let current: String = body.query_row([id], |r| r.get(0)).optional()?.unwrap_or_default();
                f(id, &current, stored)?;
                stored.clear();
            }
            Ok(())
        };
        while let Some(r) = rows.next()? {
            let item: String = r.get(0)?;
            if item != id {
                flush(&id, &mut stored)?;
                id = item;
            }
            stored.push(history::Stored { changes: r.get(1)?, body_back: r.get(2)?, keyframe: r.get(3)? });
        }
        flush(&id, &mut stored)
    }

    /// Queues every item for the search index (after a restore, say).
    pub fn queue_all_items(&self) -> Result<usize> {
        Ok(self.tx.execute("INSERT INTO index_queue(item_id) SELECT id FROM items", [])?)
    }
}
