//! Revisions, the activity feed, the change log read in order, and the index queue's one entry point.

use rusqlite::{params, OptionalExtension};

use super::*;
use crate::error::Result;
use crate::history;
use crate::model::{Kind, Person};

/// One revision of an item, as `history` shows it.
#[derive(Debug, Clone)]
pub struct RevisionRow {
    pub rev: i64,
    pub at: String,
    pub hlc: String,
    pub author: String,
    pub op: String,
}

/// A revision as the activity feed shows it.
#[derive(Debug, Clone)]
pub struct ActivityRow {
    pub seq: i64,
    pub item_id: String,
    pub title: String,
    pub kind: Kind,
    pub author: String,
    pub perspective: String,
    pub op: String,
    pub changes: String,
    pub at: String,
    /// The item's revision number (1: it was created here, or arrived through sync).
    pub rev: i64,
    /// Whether the revision changed the body (which `changes` does not carry).
    pub body_changed: bool,
}

/// One entry of the change log.
/// Read from a snapshot's `h` record (a held change): the fields after `seq`, as a JSON array.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct ChangeRow {
    /// Its place in this device's change log (0 for a change not logged here).
    #[serde(skip)]
    pub seq: i64,
    pub hlc: String,
    pub device: String,
    pub author: String,
    pub entity: String,
    pub entity_id: String,
    pub op: String,
    pub payload: String,
}

impl Tx<'_> {
    pub fn next_rev(&self, item_id: &str) -> Result<i64> {
        Ok(self
            .tx
            .prepare_cached("SELECT COALESCE(MAX(rev), 0) + 1 FROM revisions WHERE item_id = ?1")?
            .query_row([item_id], |r| r.get(0))?)
    }

    /// An item's revisions, oldest first, as stored (see [`history::expand`]).
    pub fn revisions(&self, item_id: &str) -> Result<Vec<(RevisionRow, history::Stored)>> {
        let mut st = self.tx.prepare_cached(
            "SELECT r.rev, r.at, r.hlc, COALESCE(p.name, r.author), r.op, r.changes, r.body_back, r.keyframe
             FROM revisions r LEFT JOIN people p ON p.id = r.author WHERE r.item_id = ?1 ORDER BY r.rev",
        )?;
        let rows = st.query_map([item_id], |r| {
            Ok((
                RevisionRow { rev: r.get(0)?, at: r.get(1)?, hlc: r.get(2)?, author: r.get(3)?, op: r.get(4)? },
                history::Stored { changes: r.get(5)?, body_back: r.get(6)?, keyframe: r.get(7)? },
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// An item's current body ("" when there is no such item).
    pub fn body_of(&self, item_id: &str) -> Result<String> {
        Ok(self
            .tx
            .prepare_cached("SELECT body FROM items WHERE id = ?1")?
            .query_row([item_id], |r| r.get(0))
            .optional()?
            .unwrap_or_default())
    }

    /// Revisions after `after` (a revision row id) by anyone but `except_author`, newest first:
    /// `(row id, item id, title, kind, author's name, author's perspective, op, changes, at)`.
    pub fn activity_after(&self, after: i64, except_author: &str, limit: usize) -> Result<Vec<ActivityRow>> {
        let mut st = self.tx.prepare_cached(
            "SELECT r.id, r.item_id, i.title, i.kind, COALESCE(p.name, r.author), COALESCE(p.perspective, ''), r.op, r.changes, r.at, r.rev, r.body_back IS NOT NULL
             FROM revisions r JOIN items i ON i.id = r.item_id LEFT JOIN people p ON p.id = r.author
             WHERE r.id > ?1 AND r.author <> ?2 ORDER BY r.id DESC LIMIT ?3",
        )?;
        let rows = st.query_map(params![after, except_author, limit as i64], |r| {
            Ok(ActivityRow {
                seq: r.get(0)?,
                item_id: r.get(1)?,
                title: r.get(2)?,
                kind: kind_of(&r.get::<_, String>(3)?)?,
                author: r.get(4)?,
                perspective: r.get(5)?,
                op: r.get(6)?,
                changes: r.get(7)?,
                at: r.get(8)?,
                rev: r.get(9)?,
                body_changed: r.get(10)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// How many revisions after `after` were made by anyone but `except_author`, and the newest
    /// revision row id of all.
    pub fn activity_count(&self, after: i64, except_author: &str) -> Result<(i64, i64)> {
        let n = self
            .tx
            .prepare_cached("SELECT COUNT(*) FROM revisions WHERE id > ?1 AND author <> ?2")?
            .query_row(params![after, except_author], |r| r.get(0))?;
        let last = self.tx.prepare_cached("SELECT COALESCE(MAX(id), 0) FROM revisions")?.query_row([], |r| r.get(0))?;
        Ok((n, last))
    }

    /// People who changed an item, in the order they first did.
    pub fn contributors(&self, item_id: &str) -> Result<Vec<Person>> {
        let mut st = self.tx.prepare_cached(
            "SELECT p.id, p.name, p.perspective, p.created FROM people p
             JOIN (SELECT author, MIN(rev) AS first FROM revisions WHERE item_id = ?1 GROUP BY author) r ON r.author = p.id
             ORDER BY r.first",
        )?;
        let rows = st.query_map([item_id], Self::person_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The change log from `after_seq` on, oldest first.
    pub fn changes_since(&self, after_seq: i64, limit: usize) -> Result<Vec<ChangeRow>> {
        let mut st = self.tx.prepare_cached(
            "SELECT seq, hlc, device, author, entity, entity_id, op, payload, body FROM changes WHERE seq > ?1 ORDER BY seq LIMIT ?2",
        )?;
        let rows = st.query_map(params![after_seq, limit as i64], change_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Live signals that no live insight uses as evidence.
    pub fn unused_signal_ids(&self) -> Result<Vec<String>> {
        let mut st = self.tx.prepare_cached(
            "SELECT i.id FROM items i WHERE i.kind = 'signal' AND i.deleted = 0 AND NOT EXISTS (
                SELECT 1 FROM links l JOIN items s ON s.id = l.source_id
                WHERE l.target_id = i.id AND l.rel = 'evidence' AND s.deleted = 0)",
        )?;
        let rows = st.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The sequence number of the newest change-log entry (0 for none).
    pub fn last_change_seq(&self) -> Result<i64> {
        Ok(self.tx.query_row("SELECT COALESCE(MAX(seq), 0) FROM changes", [], |r| r.get(0))?)
    }

    /// Queues an item for the search index.
    pub fn queue_index(&self, item_id: &str) -> Result<()> {
        self.tx.prepare_cached("INSERT INTO index_queue(item_id) VALUES (?1)")?.execute([item_id])?;
        Ok(())
    }
}
