//! Sync: the merge state, the cursors over the shared storage, quarantine, held ops and conflicts.

use rusqlite::{params, OptionalExtension};

use super::*;
use crate::error::Result;
use crate::model::Person;

/// One write of one field (a last-writer-wins register entry).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldWrite {
    pub hlc: String,
    pub base: Option<String>,
    /// JSON.
    pub value: String,
    pub author: String,
}

/// A concurrent write that lost, as `conflicts` lists it.
/// Read from a snapshot's `x` record: the fields in this order, as a JSON array.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct ConflictRow {
    pub entity_id: String,
    pub field: String,
    pub winner_hlc: String,
    pub winner_value: String,
    pub winner_author: String,
    pub loser_hlc: String,
    pub loser_value: String,
    pub loser_author: String,
    pub detected: String,
}

pub(super) fn change_row(r: &rusqlite::Row) -> rusqlite::Result<ChangeRow> {
    Ok(ChangeRow {
        seq: r.get(0)?,
        hlc: r.get(1)?,
        device: r.get(2)?,
        author: r.get(3)?,
        entity: r.get(4)?,
        entity_id: r.get(5)?,
        op: r.get(6)?,
        payload: unpack_payload(r.get(7)?, r.get(8)?)
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(8, rusqlite::types::Type::Blob, Box::new(e)))?,
    })
}

impl Tx<'_> {
    /// True when the change log holds an op with this clock.
    pub fn has_change(&self, hlc: &str) -> Result<bool> {
        Ok(self.tx.query_row("SELECT 1 FROM changes WHERE hlc = ?1", [hlc], |_| Ok(())).optional()?.is_some())
    }

    /// This device's ops after local `after_seq`, oldest first (what a push sends).
    pub fn device_changes_since(&self, device: &str, after_seq: i64, limit: usize) -> Result<Vec<ChangeRow>> {
        let mut st = self.tx.prepare_cached(
            "SELECT seq, hlc, device, author, entity, entity_id, op, payload, body FROM changes
             WHERE device = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
        )?;
        let rows = st.query_map(params![device, after_seq, limit as i64], change_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every op of the change log in clock order (a full replay).
    pub fn all_changes_by_hlc(&self) -> Result<Vec<ChangeRow>> {
        let mut st =
            self.tx.prepare_cached("SELECT seq, hlc, device, author, entity, entity_id, op, payload, body FROM changes ORDER BY hlc")?;
        let rows = st.query_map([], change_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The payloads of an entity's ops, in clock order.
    pub fn entity_payloads(&self, entity_id: &str) -> Result<Vec<String>> {
        let mut st = self.tx.prepare_cached("SELECT payload, body FROM changes WHERE entity_id = ?1 ORDER BY hlc")?;
        let rows = st.query_map([entity_id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Option<Vec<u8>>>(1)?)))?;
        rows.map(|r| {
            let (p, b) = r?;
            unpack_payload(p, b)
        })
        .collect()
    }

    /// Ids of items and people that have no merge state yet (written before sync existed).
    pub fn entities_without_sync_state(&self) -> Result<Vec<(String, String)>> {
        let mut st = self.tx.prepare_cached(
            "SELECT 'item', id FROM items WHERE NOT EXISTS (SELECT 1 FROM sync_fields f WHERE f.entity_id = items.id)
             UNION ALL
             SELECT 'person', id FROM people WHERE NOT EXISTS (SELECT 1 FROM sync_fields f WHERE f.entity_id = people.id)",
        )?;
        let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    // ---- registers ----

    /// The newest write of a field.
    pub fn field_winner(&self, entity_id: &str, field: &str) -> Result<Option<FieldWrite>> {
        let mut st = self.tx.prepare_cached(
            "SELECT hlc, base, value, author FROM sync_fields WHERE entity_id = ?1 AND field = ?2 ORDER BY hlc DESC LIMIT 1",
        )?;
        Ok(st
            .query_row([entity_id, field], |r| Ok(FieldWrite { hlc: r.get(0)?, base: r.get(1)?, value: r.get(2)?, author: r.get(3)? }))
            .optional()?)
    }

    /// Every write of a field, oldest first.
    pub fn field_writes(&self, entity_id: &str, field: &str) -> Result<Vec<FieldWrite>> {
        let mut st =
            self.tx.prepare_cached("SELECT hlc, base, value, author FROM sync_fields WHERE entity_id = ?1 AND field = ?2 ORDER BY hlc")?;
        let rows =
            st.query_map([entity_id, field], |r| Ok(FieldWrite { hlc: r.get(0)?, base: r.get(1)?, value: r.get(2)?, author: r.get(3)? }))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The winning value of every field of an entity: `(field, write)`.
    pub fn field_winners(&self, entity_id: &str) -> Result<Vec<(String, FieldWrite)>> {
        let mut st = self.tx.prepare_cached(
            "SELECT field, hlc, base, value, author FROM sync_fields f WHERE entity_id = ?1
             AND hlc = (SELECT MAX(hlc) FROM sync_fields g WHERE g.entity_id = f.entity_id AND g.field = f.field) ORDER BY field",
        )?;
        let rows = st.query_map([entity_id], |r| {
            Ok((r.get::<_, String>(0)?, FieldWrite { hlc: r.get(1)?, base: r.get(2)?, value: r.get(3)?, author: r.get(4)? }))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    // ---- add-wins sets ----

    /// The live adds of `elem` (what a remove observes).
    pub fn live_dots(&self, entity_id: &str, set: &str, elem: &str) -> Result<Vec<String>> {
        let mut st =
            self.tx.prepare_cached("SELECT dot FROM sync_dots WHERE entity_id = ?1 AND set_name = ?2 AND elem = ?3 AND removed = 0")?;
        let rows = st.query_map([entity_id, set, elem], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The elements of a set with at least one live add, sorted.
    pub fn set_members(&self, entity_id: &str, set: &str) -> Result<Vec<String>> {
        let mut st = self
            .tx
            .prepare_cached("SELECT DISTINCT elem FROM sync_dots WHERE entity_id = ?1 AND set_name = ?2 AND removed = 0 ORDER BY elem")?;
        let rows = st.query_map([entity_id, set], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    // ---- text CRDT state ----

    pub fn crdt_state(&self, item_id: &str) -> Result<Option<Vec<u8>>> {
        let row: Option<(Vec<u8>, i64)> = self
            .tx
            .prepare_cached("SELECT state, packed FROM crdt_state WHERE item_id = ?1")?
            .query_row([item_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        row.map(|(s, p)| unpack_state(s, p)).transpose()
    }

    // ---- people ----

    /// Everyone else with the same case-folded name.
    pub fn people_named(&self, name: &str) -> Result<Vec<Person>> {
        let mut st = self.tx.prepare_cached("SELECT id, name, perspective, created FROM people WHERE name_key = ?1 ORDER BY id")?;
        let rows = st.query_map([name.trim().to_lowercase()], Self::person_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    // ---- cursors, quarantine, held ops ----

    pub fn cursor(&self, device: &str) -> Result<Option<(i64, String)>> {
        Ok(self
            .tx
            .query_row("SELECT seq, hash FROM sync_cursors WHERE device = ?1", [device], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?)
    }

    pub fn cursors(&self) -> Result<Vec<(String, i64, String)>> {
        let mut st = self.tx.prepare_cached("SELECT device, seq, hash FROM sync_cursors ORDER BY device")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn set_cursor(&self, device: &str, seq: i64, hash: &str) -> Result<()> {
        self.tx.execute(
            "INSERT INTO sync_cursors(device, seq, hash) VALUES (?1, ?2, ?3)
             ON CONFLICT(device) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
            params![device, seq, hash],
        )?;
        Ok(())
    }

    pub fn quarantine(&self, path: &str, reason: &str, now: &str) -> Result<()> {
        self.tx.execute(
            "INSERT INTO sync_quarantine(path, reason, first_seen, last_seen) VALUES (?1, ?2, ?3, ?3)
             ON CONFLICT(path) DO UPDATE SET reason = excluded.reason, last_seen = excluded.last_seen",
            params![path, reason, now],
        )?;
        Ok(())
    }

    pub fn unquarantine(&self, path: &str) -> Result<()> {
        self.tx.execute("DELETE FROM sync_quarantine WHERE path = ?1", [path])?;
        Ok(())
    }

    /// The names of what this workspace knows the shared storage holds besides the log
    /// (`blob:<sha256>`, `row:<attachment id>`).
    pub fn sync_files(&self) -> Result<std::collections::HashSet<String>> {
        let mut st = self.tx.prepare_cached("SELECT name FROM sync_files")?;
        let rows = st.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Notes that the shared storage holds `name`.
    pub fn set_sync_file(&self, name: &str) -> Result<()> {
        self.tx.prepare_cached("INSERT OR IGNORE INTO sync_files(name) VALUES (?1)")?.execute([name])?;
        Ok(())
    }

    /// `(path, reason, first_seen)` of every quarantined file.
    pub fn quarantined(&self) -> Result<Vec<(String, String, String)>> {
        let mut st = self.tx.prepare_cached("SELECT path, reason, first_seen FROM sync_quarantine ORDER BY path")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    pub fn hold_change(&self, c: &ChangeRow, reason: &str) -> Result<()> {
        self.tx.execute(
            "INSERT OR IGNORE INTO sync_held(hlc, device, author, entity, entity_id, op, payload, reason) VALUES (?1,?2,?3,?4,?5,?6,?7,?8)",
            params![c.hlc, c.device, c.author, c.entity, c.entity_id, c.op, c.payload, reason],
        )?;
        Ok(())
    }

    /// Held ops, oldest first; they are removed from the hold (the caller holds again what is still too new).
    pub fn take_held(&self) -> Result<Vec<ChangeRow>> {
        let rows: Vec<ChangeRow> = {
            let mut st = self
                .tx
                .prepare_cached("SELECT 0, hlc, device, author, entity, entity_id, op, payload, NULL FROM sync_held ORDER BY hlc")?;
            let rows = st.query_map([], change_row)?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        self.tx.execute("DELETE FROM sync_held", [])?;
        Ok(rows)
    }

    pub fn held_count(&self) -> Result<i64> {
        Ok(self.tx.query_row("SELECT COUNT(*) FROM sync_held", [], |r| r.get(0))?)
    }

    // ---- conflicts ----

    /// Records a lost concurrent write; false when it was known.
    pub fn insert_conflict(&self, c: &ConflictRow) -> Result<bool> {
        let n = self.tx.execute(
            "INSERT OR IGNORE INTO conflicts(entity_id, field, winner_hlc, winner_value, winner_author, loser_hlc, loser_value, loser_author, detected)
             VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)",
            params![
                c.entity_id,
                c.field,
                c.winner_hlc,
                c.winner_value,
                c.winner_author,
                c.loser_hlc,
                c.loser_value,
                c.loser_author,
                c.detected
            ],
        )?;
        Ok(n == 1)
    }

    /// Every recorded conflict, newest first.
    pub fn conflicts(&self) -> Result<Vec<ConflictRow>> {
        let mut st = self.tx.prepare_cached(
            "SELECT entity_id, field, winner_hlc, winner_value, winner_author, loser_hlc, loser_value, loser_author, detected
             FROM conflicts ORDER BY winner_hlc DESC, field",
        )?;
        let rows = st.query_map([], |r| {
            Ok(ConflictRow {
                entity_id: r.get(0)?,
                field: r.get(1)?,
                winner_hlc: r.get(2)?,
                winner_value: r.get(3)?,
                winner_author: r.get(4)?,
                loser_hlc: r.get(5)?,
                loser_value: r.get(6)?,
                loser_author: r.get(7)?,
                detected: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// One row of the merge state, as a snapshot carries it.
/// Read from a snapshot's `d` record: the fields in this order, as a JSON array.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct DotRow {
    pub entity_id: String,
    pub set: String,
    pub elem: String,
    pub dot: String,
    pub removed: bool,
}

impl Tx<'_> {
    // ---- snapshots: the whole merge state, read and joined ----

    /// Every register write: `(entity, field, write)`.
    pub fn all_field_writes(&self) -> Result<Vec<(String, String, FieldWrite)>> {
        let mut st =
            self.tx.prepare_cached("SELECT entity_id, field, hlc, base, value, author FROM sync_fields ORDER BY entity_id, field, hlc")?;
        let rows = st.query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, FieldWrite { hlc: r.get(2)?, base: r.get(3)?, value: r.get(4)?, author: r.get(5)? }))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every add (and removal) of a set element.
    pub fn all_dots(&self) -> Result<Vec<DotRow>> {
        let mut st = self
            .tx
            .prepare_cached("SELECT entity_id, set_name, elem, dot, removed FROM sync_dots ORDER BY entity_id, set_name, elem, dot")?;
        let rows = st.query_map([], |r| {
            Ok(DotRow { entity_id: r.get(0)?, set: r.get(1)?, elem: r.get(2)?, dot: r.get(3)?, removed: r.get::<_, i64>(4)? != 0 })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every body document state.
    pub fn all_crdt_states(&self) -> Result<Vec<(String, Vec<u8>)>> {
        let mut st = self.tx.prepare_cached("SELECT item_id, state, packed FROM crdt_state ORDER BY item_id")?;
        let rows = st.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?, r.get::<_, i64>(2)?)))?;
        rows.map(|r| {
            let (id, s, p) = r?;
            Ok((id, unpack_state(s, p)?))
        })
        .collect()
    }

    /// Held ops, oldest first, left in the hold.
    pub fn held(&self) -> Result<Vec<ChangeRow>> {
        let mut st =
            self.tx.prepare_cached("SELECT 0, hlc, device, author, entity, entity_id, op, payload, NULL FROM sync_held ORDER BY hlc")?;
        let rows = st.query_map([], change_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// True when some other device's log has been read here.
    pub fn has_remote_cursor(&self, device: &str) -> Result<bool> {
        Ok(self.tx.query_row("SELECT 1 FROM sync_cursors WHERE device <> ?1 LIMIT 1", [device], |_| Ok(())).optional()?.is_some())
    }
}

impl Tx<'_> {
    /// Every entity with merge state.
    pub fn entities_with_fields(&self) -> Result<std::collections::HashSet<String>> {
        let mut st = self.tx.prepare_cached("SELECT DISTINCT entity_id FROM sync_fields")?;
        let rows = st.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
