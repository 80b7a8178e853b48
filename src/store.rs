//! The store: the SQLite database that is the single source of truth.
//!
//! All SQL of Mellanrum lives in this module. Callers get a [`Tx`] inside [`Store::write`] (an
//! immediate transaction: everything in it lands or nothing does) or [`Store::read`] (a consistent
//! snapshot), and call its typed methods; the rules of the domain live in the callers.

use std::path::Path;
use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use rusqlite_migration::{Migrations, M};

use crate::error::{Error, Result};
use crate::model::{Fields, Item, Kind, Link, Person, Rel};

/// The migrations, in order. Append-only: a released migration is never edited.
pub const MIGRATIONS: &[&str] = &[include_str!("../migrations/01-init/up.sql"), include_str!("../migrations/02-index-queue/up.sql")];

fn migrations() -> Migrations<'static> {
    Migrations::new(MIGRATIONS.iter().map(|sql| M::up(sql)).collect())
}

/// How long a writer waits for another process's transaction before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// An open workspace database.
pub struct Store {
    conn: Connection,
}

impl Store {
    /// Opens (creating if needed) the database at `path` and brings it to the current schema.
    pub fn open(path: &Path) -> Result<Store> {
        Store::open_at(path, None)
    }

    /// Opens the database and migrates it to `version` (all migrations when `None`).
    /// Tests use this to make a database as an older Mellanrum left it.
    pub fn open_at(path: &Path, version: Option<usize>) -> Result<Store> {
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        let found: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        let known = MIGRATIONS.len() as i64;
        if found > known {
            return Err(Error::TooNew { found, known });
        }
        // Migrating takes the write lock; a second process opening at the same moment waits.
        let m = migrations();
        match version {
            None => m.to_latest(&mut conn)?,
            Some(v) => m.to_version(&mut conn, v)?,
        }
        Ok(Store { conn })
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<i64> {
        Ok(self.conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
    }

    /// Runs `f` in an immediate write transaction: committed if it returns `Ok`, rolled back otherwise.
    pub fn write<T>(&mut self, f: impl FnOnce(&Tx) -> Result<T>) -> Result<T> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&Tx { tx: &tx })?;
        tx.commit()?;
        Ok(out)
    }

    /// Runs `f` on a consistent snapshot of the database.
    pub fn read<T>(&mut self, f: impl FnOnce(&Tx) -> Result<T>) -> Result<T> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Deferred)?;
        let out = f(&Tx { tx: &tx })?;
        tx.commit()?;
        Ok(out)
    }

    /// Runs SQLite's own consistency check; `ok` when the file is sound.
    pub fn integrity_check(&self) -> Result<Vec<String>> {
        let mut st = self.conn.prepare("PRAGMA integrity_check")?;
        let rows = st.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// A transaction on the store, with one typed method per query.
pub struct Tx<'a> {
    tx: &'a rusqlite::Transaction<'a>,
}

/// One revision of an item, as `history` shows it.
#[derive(Debug, Clone)]
pub struct RevisionRow {
    pub rev: i64,
    pub at: String,
    pub hlc: String,
    pub author: String,
    pub op: String,
    pub changes: String,
}

/// One entry of the change log.
#[derive(Debug, Clone)]
pub struct ChangeRow {
    pub seq: i64,
    pub hlc: String,
    pub device: String,
    pub author: String,
    pub entity: String,
    pub entity_id: String,
    pub op: String,
    pub payload: String,
}

/// A short row for lists.
#[derive(Debug, Clone)]
pub struct ItemRow {
    pub id: String,
    pub kind: Kind,
    pub title: String,
    pub status: Option<String>,
    pub updated: String,
}

/// An item as the knowledge map shows it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct GraphNodeRow {
    pub id: String,
    pub kind: Kind,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// The perspective of the item's author.
    pub perspective: String,
    pub tags: Vec<String>,
}

fn kind_of(s: &str) -> rusqlite::Result<Kind> {
    s.parse().map_err(|e: Error| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e)))
}

fn rel_of(s: &str) -> rusqlite::Result<Rel> {
    s.parse().map_err(|e: Error| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e)))
}

const LINK_COLS: &str = "source_id, rel, target, target_id, heading, alias, embed, line, problem";

fn link_row(r: &rusqlite::Row) -> rusqlite::Result<Link> {
    Ok(Link {
        source_id: r.get(0)?,
        rel: rel_of(&r.get::<_, String>(1)?)?,
        target: r.get(2)?,
        target_id: r.get(3)?,
        heading: r.get(4)?,
        alias: r.get(5)?,
        embed: r.get(6)?,
        line: r.get::<_, i64>(7)? as usize,
        problem: r.get(8)?,
    })
}

impl Tx<'_> {
    // ---- meta -------------------------------------------------------------------------------

    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        Ok(self.tx.query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0)).optional()?)
    }

    pub fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        self.tx
            .execute("INSERT INTO meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value", [key, value])?;
        Ok(())
    }

    // ---- people -----------------------------------------------------------------------------

    pub fn insert_person(&self, p: &Person) -> Result<()> {
        self.tx.execute(
            "INSERT INTO people(id, name, name_key, perspective, created) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![p.id, p.name, p.name.to_lowercase(), p.perspective, p.created],
        )?;
        Ok(())
    }

    pub fn update_person(&self, p: &Person) -> Result<()> {
        self.tx.execute(
            "UPDATE people SET name = ?2, name_key = ?3, perspective = ?4 WHERE id = ?1",
            params![p.id, p.name, p.name.to_lowercase(), p.perspective],
        )?;
        Ok(())
    }

    fn person_row(r: &rusqlite::Row) -> rusqlite::Result<Person> {
        Ok(Person { id: r.get(0)?, name: r.get(1)?, perspective: r.get(2)?, created: r.get(3)? })
    }

    pub fn person_by_name(&self, name: &str) -> Result<Option<Person>> {
        Ok(self
            .tx
            .query_row(
                "SELECT id, name, perspective, created FROM people WHERE name_key = ?1",
                [name.trim().to_lowercase()],
                Self::person_row,
            )
            .optional()?)
    }

    pub fn person(&self, id: &str) -> Result<Option<Person>> {
        Ok(self.tx.query_row("SELECT id, name, perspective, created FROM people WHERE id = ?1", [id], Self::person_row).optional()?)
    }

    pub fn people(&self) -> Result<Vec<Person>> {
        let mut st = self.tx.prepare_cached("SELECT id, name, perspective, created FROM people ORDER BY name_key")?;
        let rows = st.query_map([], Self::person_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    // ---- items ------------------------------------------------------------------------------

    /// Writes an item's whole state (row, own fields, tags, aliases), inserting or replacing it.
    pub fn put_item(&self, item: &Item) -> Result<()> {
        let t = self.tx;
        t.execute(
            "INSERT INTO items(id, kind, title, title_key, body, author, created, updated, deleted)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT(id) DO UPDATE SET title = excluded.title, title_key = excluded.title_key,
               body = excluded.body, updated = excluded.updated, deleted = excluded.deleted",
            params![
                item.id,
                item.kind.as_str(),
                item.title,
                crate::model::title_key(&item.title),
                item.body,
                item.author,
                item.created,
                item.updated,
                item.deleted
            ],
        )?;
        t.execute("DELETE FROM tags WHERE item_id = ?1", [&item.id])?;
        {
            let mut st = t.prepare_cached("INSERT OR IGNORE INTO tags(item_id, tag) VALUES (?1, ?2)")?;
            for tag in &item.tags {
                st.execute([&item.id, tag])?;
            }
        }
        t.execute("DELETE FROM aliases WHERE item_id = ?1", [&item.id])?;
        {
            let mut st = t.prepare_cached("INSERT OR IGNORE INTO aliases(item_id, alias, alias_key) VALUES (?1, ?2, ?3)")?;
            for a in &item.aliases {
                st.execute([&item.id, a, &crate::model::title_key(a)])?;
            }
        }
        self.put_fields(&item.id, item.kind, &item.fields)
    }

    fn put_fields(&self, id: &str, kind: Kind, f: &Fields) -> Result<()> {
        let t = self.tx;
        let g = |n: &str| f.get(n);
        match kind {
            Kind::Note => {}
            Kind::Signal => {
                t.execute(
                    "INSERT OR REPLACE INTO signal_fields(item_id, source, customer, date, ref, quote) VALUES (?1,?2,?3,?4,?5,?6)",
                    params![id, g("source"), g("customer"), g("date"), g("ref"), g("quote")],
                )?;
            }
            Kind::Insight => {
                t.execute(
                    "INSERT OR REPLACE INTO insight_fields(item_id, status) VALUES (?1, ?2)",
                    params![id, g("status").unwrap_or("hypothesis")],
                )?;
            }
            Kind::Friction => {
                t.execute(
                    "INSERT OR REPLACE INTO friction_fields(item_id, status, severity) VALUES (?1, ?2, ?3)",
                    params![id, g("status").unwrap_or("open"), g("severity").unwrap_or("medium")],
                )?;
                t.execute("DELETE FROM friction_positions WHERE item_id = ?1", [id])?;
                let mut st = t.prepare_cached("INSERT INTO friction_positions(item_id, perspective, position) VALUES (?1, ?2, ?3)")?;
                for (p, pos) in &f.positions {
                    st.execute([id, p, pos])?;
                }
            }
            Kind::Resolution => {
                t.execute(
                    "INSERT OR REPLACE INTO resolution_fields(item_id, decision, rationale, agreed_by, decided_on, retires)
                     VALUES (?1,?2,?3,?4,?5,?6)",
                    params![id, g("decision"), g("rationale"), g("agreed_by"), g("decided_on"), g("retires")],
                )?;
            }
            Kind::Goal => {
                t.execute(
                    "INSERT OR REPLACE INTO goal_fields(item_id, horizon, owner) VALUES (?1, ?2, ?3)",
                    params![id, g("horizon"), g("owner")],
                )?;
            }
            Kind::Meeting => {
                t.execute(
                    "INSERT OR REPLACE INTO meeting_fields(item_id, start, \"end\", attendees, location) VALUES (?1,?2,?3,?4,?5)",
                    params![id, g("start"), g("end"), g("attendees"), g("location")],
                )?;
            }
        }
        Ok(())
    }

    fn get_fields(&self, id: &str, kind: Kind) -> Result<Fields> {
        let t = self.tx;
        let mut f = Fields::default();
        let (sql, names): (&str, &[&str]) = match kind {
            Kind::Note => return Ok(f),
            Kind::Signal => ("SELECT source, customer, date, ref, quote FROM signal_fields WHERE item_id = ?1", Kind::Signal.field_names()),
            Kind::Insight => ("SELECT status FROM insight_fields WHERE item_id = ?1", Kind::Insight.field_names()),
            Kind::Friction => ("SELECT status, severity FROM friction_fields WHERE item_id = ?1", Kind::Friction.field_names()),
            Kind::Resolution => (
                "SELECT decision, rationale, agreed_by, decided_on, retires FROM resolution_fields WHERE item_id = ?1",
                Kind::Resolution.field_names(),
            ),
            Kind::Goal => ("SELECT horizon, owner FROM goal_fields WHERE item_id = ?1", Kind::Goal.field_names()),
            Kind::Meeting => {
                ("SELECT start, \"end\", attendees, location FROM meeting_fields WHERE item_id = ?1", Kind::Meeting.field_names())
            }
        };
        let mut st = t.prepare_cached(sql)?;
        let vals: Option<Vec<Option<String>>> =
            st.query_row([id], |r| (0..names.len()).map(|i| r.get::<_, Option<String>>(i)).collect()).optional()?;
        for (n, v) in names.iter().zip(vals.unwrap_or_default()) {
            if let Some(v) = v {
                f.values.insert((*n).to_string(), v);
            }
        }
        if kind == Kind::Friction {
            let mut st =
                t.prepare_cached("SELECT perspective, position FROM friction_positions WHERE item_id = ?1 ORDER BY perspective")?;
            let rows = st.query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
            for row in rows {
                let (p, pos) = row?;
                f.positions.insert(p, pos);
            }
        }
        Ok(f)
    }

    /// Loads an item (deleted ones too).
    pub fn item(&self, id: &str) -> Result<Option<Item>> {
        let t = self.tx;
        let row = t
            .query_row("SELECT id, kind, title, body, author, created, updated, deleted FROM items WHERE id = ?1", [id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    kind_of(&r.get::<_, String>(1)?)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, String>(6)?,
                    r.get::<_, bool>(7)?,
                ))
            })
            .optional()?;
        let Some((id, kind, title, body, author, created, updated, deleted)) = row else { return Ok(None) };
        let tags = self.strings("SELECT tag FROM tags WHERE item_id = ?1 ORDER BY tag", &id)?;
        let aliases = self.strings("SELECT alias FROM aliases WHERE item_id = ?1 ORDER BY alias_key", &id)?;
        let fields = self.get_fields(&id, kind)?;
        Ok(Some(Item { id, kind, title, body, tags, aliases, fields, author, created, updated, deleted }))
    }

    fn strings(&self, sql: &str, arg: &str) -> Result<Vec<String>> {
        let mut st = self.tx.prepare_cached(sql)?;
        let rows = st.query_map([arg], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Live items whose title matches `key` (case-folded), oldest first.
    pub fn ids_by_title_key(&self, key: &str) -> Result<Vec<(String, Kind)>> {
        self.id_kinds("SELECT id, kind FROM items WHERE title_key = ?1 AND deleted = 0 ORDER BY id", key)
    }

    /// Live items with an alias matching `key`, oldest first.
    pub fn ids_by_alias_key(&self, key: &str) -> Result<Vec<(String, Kind)>> {
        self.id_kinds(
            "SELECT i.id, i.kind FROM aliases a JOIN items i ON i.id = a.item_id
             WHERE a.alias_key = ?1 AND i.deleted = 0 ORDER BY i.id",
            key,
        )
    }

    /// Items (deleted ones too) whose id starts with `prefix`.
    pub fn ids_by_prefix(&self, prefix: &str) -> Result<Vec<(String, Kind)>> {
        let hi = format!("{prefix}\u{10FFFF}");
        let mut st = self.tx.prepare_cached("SELECT id, kind FROM items WHERE id >= ?1 AND id < ?2 ORDER BY id LIMIT 20")?;
        let rows = st.query_map([prefix, hi.as_str()], |r| Ok((r.get::<_, String>(0)?, kind_of(&r.get::<_, String>(1)?)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn id_kinds(&self, sql: &str, arg: &str) -> Result<Vec<(String, Kind)>> {
        let mut st = self.tx.prepare_cached(sql)?;
        let rows = st.query_map([arg], |r| Ok((r.get::<_, String>(0)?, kind_of(&r.get::<_, String>(1)?)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Live items for a list, newest first, optionally of one kind and/or carrying one tag.
    pub fn list_items(&self, kind: Option<Kind>, tag: Option<&str>, include_deleted: bool) -> Result<Vec<ItemRow>> {
        let mut st = self.tx.prepare_cached(
            "SELECT i.id, i.kind, i.title, COALESCE(ff.status, inf.status), i.updated FROM items i
             LEFT JOIN friction_fields ff ON ff.item_id = i.id
             LEFT JOIN insight_fields inf ON inf.item_id = i.id
             WHERE (?1 IS NULL OR i.kind = ?1)
               AND (?2 IS NULL OR EXISTS (SELECT 1 FROM tags t WHERE t.item_id = i.id AND t.tag = ?2))
               AND (i.deleted = 0 OR ?3)
             ORDER BY i.updated DESC, i.id DESC",
        )?;
        let rows = st.query_map(params![kind.map(Kind::as_str), tag, include_deleted], |r| {
            Ok(ItemRow { id: r.get(0)?, kind: kind_of(&r.get::<_, String>(1)?)?, title: r.get(2)?, status: r.get(3)?, updated: r.get(4)? })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Number of live items per kind.
    pub fn counts(&self) -> Result<Vec<(Kind, i64)>> {
        let mut st = self.tx.prepare_cached("SELECT kind, COUNT(*) FROM items WHERE deleted = 0 GROUP BY kind")?;
        let rows = st.query_map([], |r| Ok((kind_of(&r.get::<_, String>(0)?)?, r.get::<_, i64>(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The title and kind of an item, if it exists.
    pub fn title_of(&self, id: &str) -> Result<Option<(String, Kind, bool)>> {
        Ok(self
            .tx
            .query_row("SELECT title, kind, deleted FROM items WHERE id = ?1", [id], |r| {
                Ok((r.get(0)?, kind_of(&r.get::<_, String>(1)?)?, r.get(2)?))
            })
            .optional()?)
    }

    // ---- links ------------------------------------------------------------------------------

    /// Replaces the links derived from `source_id`'s body.
    pub fn replace_links(&self, source_id: &str, links: &[Link]) -> Result<()> {
        self.tx.execute("DELETE FROM links WHERE source_id = ?1", [source_id])?;
        let mut st = self.tx.prepare_cached(
            "INSERT INTO links(source_id, rel, target, target_key, target_id, heading, alias, embed, line, problem)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?;
        for l in links {
            st.execute(params![
                source_id,
                l.rel.as_str(),
                l.target,
                crate::model::title_key(&l.target),
                l.target_id,
                l.heading,
                l.alias,
                l.embed,
                l.line as i64,
                l.problem
            ])?;
        }
        Ok(())
    }

    /// Links out of an item, in body order.
    pub fn links_from(&self, source_id: &str) -> Result<Vec<Link>> {
        self.links_where("source_id = ?1 ORDER BY line, id", source_id)
    }

    /// Links into an item from live items.
    pub fn links_to(&self, target_id: &str) -> Result<Vec<Link>> {
        self.links_where(
            "target_id = ?1 AND EXISTS (SELECT 1 FROM items s WHERE s.id = source_id AND s.deleted = 0) ORDER BY source_id, line",
            target_id,
        )
    }

    /// Links (from live items) whose written target matches `key`, resolved or not.
    pub fn links_with_key(&self, key: &str) -> Result<Vec<(i64, Link)>> {
        let mut st = self.tx.prepare_cached(&format!(
            "SELECT id, {LINK_COLS} FROM links WHERE target_key = ?1
             AND EXISTS (SELECT 1 FROM items s WHERE s.id = source_id AND s.deleted = 0)"
        ))?;
        let rows = st.query_map([key], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                Link {
                    source_id: r.get(1)?,
                    rel: rel_of(&r.get::<_, String>(2)?)?,
                    target: r.get(3)?,
                    target_id: r.get(4)?,
                    heading: r.get(5)?,
                    alias: r.get(6)?,
                    embed: r.get(7)?,
                    line: r.get::<_, i64>(8)? as usize,
                    problem: r.get(9)?,
                },
            ))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Sets the resolution of one stored link.
    pub fn set_link_target(&self, link_rowid: i64, target_id: Option<&str>, problem: Option<&str>) -> Result<()> {
        self.tx.execute("UPDATE links SET target_id = ?2, problem = ?3 WHERE id = ?1", params![link_rowid, target_id, problem])?;
        Ok(())
    }

    /// Unresolved links from live items, grouped by the target as written.
    pub fn unresolved_links(&self) -> Result<Vec<Link>> {
        let mut st = self.tx.prepare_cached(&format!(
            "SELECT {LINK_COLS} FROM links WHERE target_id IS NULL
             AND EXISTS (SELECT 1 FROM items s WHERE s.id = source_id AND s.deleted = 0)
             ORDER BY target_key, source_id, line"
        ))?;
        let rows = st.query_map([], link_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn links_where(&self, cond: &str, arg: &str) -> Result<Vec<Link>> {
        let mut st = self.tx.prepare_cached(&format!("SELECT {LINK_COLS} FROM links WHERE {cond}"))?;
        let rows = st.query_map([arg], link_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    // ---- history ----------------------------------------------------------------------------

    pub fn next_rev(&self, item_id: &str) -> Result<i64> {
        Ok(self.tx.query_row("SELECT COALESCE(MAX(rev), 0) + 1 FROM revisions WHERE item_id = ?1", [item_id], |r| r.get(0))?)
    }

    #[allow(clippy::too_many_arguments)]
    pub fn insert_revision(
        &self,
        item_id: &str,
        rev: i64,
        at: &str,
        hlc: &str,
        author: &str,
        op: &str,
        changes: &str,
        snapshot: &str,
    ) -> Result<()> {
        self.tx.execute(
            "INSERT INTO revisions(item_id, rev, at, hlc, author, op, changes, snapshot) VALUES (?1,?2,?3,?4,?5,?6,?7,?8)",
            params![item_id, rev, at, hlc, author, op, changes, snapshot],
        )?;
        Ok(())
    }

    pub fn revisions(&self, item_id: &str) -> Result<Vec<RevisionRow>> {
        let mut st = self.tx.prepare_cached(
            "SELECT r.rev, r.at, r.hlc, COALESCE(p.name, r.author), r.op, r.changes
             FROM revisions r LEFT JOIN people p ON p.id = r.author WHERE r.item_id = ?1 ORDER BY r.rev",
        )?;
        let rows = st.query_map([item_id], |r| {
            Ok(RevisionRow { rev: r.get(0)?, at: r.get(1)?, hlc: r.get(2)?, author: r.get(3)?, op: r.get(4)?, changes: r.get(5)? })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
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

    /// Appends to the change log.
    #[allow(clippy::too_many_arguments)]
    pub fn append_change(
        &self,
        hlc: &str,
        device: &str,
        author: &str,
        entity: &str,
        entity_id: &str,
        op: &str,
        payload: &str,
    ) -> Result<()> {
        self.tx.execute(
            "INSERT INTO changes(hlc, device, author, entity, entity_id, op, payload) VALUES (?1,?2,?3,?4,?5,?6,?7)",
            params![hlc, device, author, entity, entity_id, op, payload],
        )?;
        Ok(())
    }

    /// The change log from `after_seq` on, oldest first.
    pub fn changes_since(&self, after_seq: i64, limit: usize) -> Result<Vec<ChangeRow>> {
        let mut st = self.tx.prepare_cached(
            "SELECT seq, hlc, device, author, entity, entity_id, op, payload FROM changes WHERE seq > ?1 ORDER BY seq LIMIT ?2",
        )?;
        let rows = st.query_map(params![after_seq, limit as i64], |r| {
            Ok(ChangeRow {
                seq: r.get(0)?,
                hlc: r.get(1)?,
                device: r.get(2)?,
                author: r.get(3)?,
                entity: r.get(4)?,
                entity_id: r.get(5)?,
                op: r.get(6)?,
                payload: r.get(7)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every live item with its author's perspective and tags, for the knowledge map.
    pub fn graph_nodes(&self) -> Result<Vec<GraphNodeRow>> {
        let mut st = self.tx.prepare_cached(
            "SELECT i.id, i.kind, i.title, COALESCE(ff.status, inf.status), COALESCE(p.perspective, ''),
                    (SELECT group_concat(t.tag, ' ') FROM tags t WHERE t.item_id = i.id)
             FROM items i
             LEFT JOIN people p ON p.id = i.author
             LEFT JOIN friction_fields ff ON ff.item_id = i.id
             LEFT JOIN insight_fields inf ON inf.item_id = i.id
             WHERE i.deleted = 0",
        )?;
        let rows = st.query_map([], |r| {
            Ok(GraphNodeRow {
                id: r.get(0)?,
                kind: kind_of(&r.get::<_, String>(1)?)?,
                title: r.get(2)?,
                status: r.get(3)?,
                perspective: r.get(4)?,
                tags: r.get::<_, Option<String>>(5)?.map(|t| t.split(' ').map(str::to_string).collect()).unwrap_or_default(),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Every resolved link between two live items: `(source, target, rel)`, once per triple.
    pub fn graph_edges(&self) -> Result<Vec<(String, String, Rel)>> {
        let mut st = self.tx.prepare_cached(
            "SELECT DISTINCT l.source_id, l.target_id, l.rel FROM links l
             JOIN items s ON s.id = l.source_id AND s.deleted = 0
             JOIN items t ON t.id = l.target_id AND t.deleted = 0
             WHERE l.source_id <> l.target_id",
        )?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, rel_of(&r.get::<_, String>(2)?)?)))?;
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
        self.tx.execute("INSERT INTO index_queue(item_id) VALUES (?1)", [item_id])?;
        Ok(())
    }
}

/// An item with everything the search index needs, read in one pass.
#[derive(Debug, Clone)]
pub struct IndexDoc {
    pub id: String,
    pub kind: Kind,
    pub title: String,
    pub aliases: Vec<String>,
    pub body: String,
    pub tags: Vec<String>,
    pub fields: Fields,
    /// The creator's name and perspective.
    pub author: String,
    pub perspective: String,
    pub created: String,
    /// For a friction: the live resolutions that resolve it.
    pub resolutions: Vec<ResolutionText>,
}

/// What a friction's index entry carries of a resolution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolutionText {
    pub id: String,
    pub title: String,
    pub decision: Option<String>,
    pub rationale: Option<String>,
}

const INDEX_DOC_SQL: &str = "SELECT i.id, i.kind, i.title, i.body, i.created, COALESCE(p.name, ''), COALESCE(p.perspective, ''),
   (SELECT json_group_array(tag) FROM tags WHERE item_id = i.id),
   (SELECT json_group_array(alias) FROM aliases WHERE item_id = i.id),
   (SELECT json_group_array(json_array(perspective, position)) FROM friction_positions WHERE item_id = i.id),
   sf.source, sf.customer, sf.date, sf.ref, sf.quote,
   COALESCE(ff.status, inf.status), ff.severity,
   rf.decision, rf.rationale, rf.agreed_by, rf.decided_on, rf.retires,
   gf.horizon, gf.owner,
   mf.start, mf.\"end\", mf.attendees, mf.location
 FROM items i
 LEFT JOIN people p ON p.id = i.author
 LEFT JOIN signal_fields sf ON sf.item_id = i.id
 LEFT JOIN insight_fields inf ON inf.item_id = i.id
 LEFT JOIN friction_fields ff ON ff.item_id = i.id
 LEFT JOIN resolution_fields rf ON rf.item_id = i.id
 LEFT JOIN goal_fields gf ON gf.item_id = i.id
 LEFT JOIN meeting_fields mf ON mf.item_id = i.id
 WHERE i.deleted = 0";

/// The own-field columns of [`INDEX_DOC_SQL`], from column 10 on.
const INDEX_DOC_FIELDS: &[&str] = &[
    "source",
    "customer",
    "date",
    "ref",
    "quote",
    "status",
    "severity",
    "decision",
    "rationale",
    "agreed_by",
    "decided_on",
    "retires",
    "horizon",
    "owner",
    "start",
    "end",
    "attendees",
    "location",
];

fn index_doc_row(r: &rusqlite::Row) -> rusqlite::Result<IndexDoc> {
    let json_list = |i: usize| -> rusqlite::Result<Vec<String>> {
        let s: Option<String> = r.get(i)?;
        serde_json::from_str(s.as_deref().unwrap_or("[]"))
            .map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e)))
    };
    let kind = kind_of(&r.get::<_, String>(1)?)?;
    let mut fields = Fields::default();
    for (k, name) in INDEX_DOC_FIELDS.iter().enumerate() {
        if let Some(v) = r.get::<_, Option<String>>(10 + k)? {
            if kind.field_names().contains(name) {
                fields.values.insert((*name).to_string(), v);
            }
        }
    }
    let positions: Option<String> = r.get(9)?;
    let positions: Vec<(String, String)> = serde_json::from_str(positions.as_deref().unwrap_or("[]"))
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(9, rusqlite::types::Type::Text, Box::new(e)))?;
    fields.positions = positions.into_iter().collect();
    Ok(IndexDoc {
        id: r.get(0)?,
        kind,
        title: r.get(2)?,
        body: r.get(3)?,
        created: r.get(4)?,
        author: r.get(5)?,
        perspective: r.get(6)?,
        tags: json_list(7)?,
        aliases: json_list(8)?,
        fields,
        resolutions: Vec::new(),
    })
}

impl Tx<'_> {
    // ---- the search index -------------------------------------------------------------------

    /// Number of live items.
    pub fn live_item_count(&self) -> Result<u64> {
        Ok(self.tx.query_row("SELECT COUNT(*) FROM items WHERE deleted = 0", [], |r| r.get::<_, i64>(0))? as u64)
    }

    /// Calls `f` with every live item, ready for the index, in storage order.
    pub fn each_index_doc(&self, mut f: impl FnMut(IndexDoc) -> Result<()>) -> Result<()> {
        let mut resolutions = self.resolutions_of(None)?;
        let mut st = self.tx.prepare(INDEX_DOC_SQL)?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            let mut doc = index_doc_row(r)?;
            if doc.kind == Kind::Friction {
                doc.resolutions = resolutions.remove(&doc.id).unwrap_or_default();
            }
            f(doc)?;
        }
        Ok(())
    }

    /// The live items among `ids`, ready for the index (deleted and unknown ids are left out).
    pub fn index_docs(&self, ids: &[String]) -> Result<Vec<IndexDoc>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let list = serde_json::to_string(ids)?;
        let mut resolutions = self.resolutions_of(Some(&list))?;
        let mut st = self.tx.prepare_cached(&format!("{INDEX_DOC_SQL} AND i.id IN (SELECT value FROM json_each(?1))"))?;
        let rows = st.query_map([&list], index_doc_row)?;
        let mut out: Vec<IndexDoc> = rows.collect::<rusqlite::Result<_>>()?;
        for d in out.iter_mut().filter(|d| d.kind == Kind::Friction) {
            d.resolutions = resolutions.remove(&d.id).unwrap_or_default();
        }
        Ok(out)
    }

    /// The live resolutions resolving each friction (all frictions, or those in the JSON list `ids`).
    fn resolutions_of(&self, ids: Option<&str>) -> Result<std::collections::HashMap<String, Vec<ResolutionText>>> {
        let sql = format!(
            "SELECT DISTINCT l.target_id, r.id, r.title, rf.decision, rf.rationale, r.created
             FROM links l JOIN items r ON r.id = l.source_id AND r.deleted = 0
             LEFT JOIN resolution_fields rf ON rf.item_id = r.id
             WHERE l.rel = 'resolves' AND l.target_id IS NOT NULL {}
             ORDER BY l.target_id, r.created, r.id",
            if ids.is_some() { "AND l.target_id IN (SELECT value FROM json_each(?1))" } else { "AND ?1 IS NULL" }
        );
        let mut st = self.tx.prepare_cached(&sql)?;
        let rows = st.query_map([ids], |r| {
            Ok((r.get::<_, String>(0)?, ResolutionText { id: r.get(1)?, title: r.get(2)?, decision: r.get(3)?, rationale: r.get(4)? }))
        })?;
        let mut out: std::collections::HashMap<String, Vec<ResolutionText>> = std::collections::HashMap::new();
        for row in rows {
            let (fid, res) = row?;
            out.entry(fid).or_default().push(res);
        }
        Ok(out)
    }

    /// Index-queue entries after `seq`, oldest first: `(seq, item id)`.
    pub fn index_queue_after(&self, seq: i64) -> Result<Vec<(i64, String)>> {
        let mut st = self.tx.prepare_cached("SELECT seq, item_id FROM index_queue WHERE seq > ?1 ORDER BY seq")?;
        let rows = st.query_map([seq], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The number of index-queue entries after `seq`.
    pub fn index_queue_count_after(&self, seq: i64) -> Result<usize> {
        Ok(self.tx.query_row("SELECT COUNT(*) FROM index_queue WHERE seq > ?1", [seq], |r| r.get::<_, i64>(0))? as usize)
    }

    /// The highest sequence number the index queue ever handed out (0 when none).
    pub fn index_queue_high(&self) -> Result<i64> {
        Ok(self.tx.query_row("SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'index_queue'), 0)", [], |r| r.get(0))?)
    }

    /// Removes the index-queue entries up to `seq` (the index holds them).
    pub fn index_queue_trim(&self, seq: i64) -> Result<()> {
        self.tx.execute("DELETE FROM index_queue WHERE seq <= ?1", [seq])?;
        Ok(())
    }

    /// Queues every live item created by `person_id` (their name or perspective changed).
    pub fn queue_index_authored_by(&self, person_id: &str) -> Result<()> {
        self.tx.execute("INSERT INTO index_queue(item_id) SELECT id FROM items WHERE author = ?1 AND deleted = 0", [person_id])?;
        Ok(())
    }
}
