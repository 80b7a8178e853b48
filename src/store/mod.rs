//! The store: the SQLite database that is the single source of truth.
//!
//! All SQL of Mellanrum lives in this module. Callers get a [`Tx`] inside [`Store::write`] (an
//! immediate transaction: everything in it lands or nothing does) or [`Store::read`] (a consistent
//! snapshot), and call its typed methods; the rules of the domain live in the callers.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use rusqlite_migration::{Migrations, M};

use crate::error::{Error, Result};
use crate::history;
use crate::model::{Fields, Item, Kind, Link, Person, Rel};

mod write;
use write::{unpack_payload, unpack_state};
pub use write::{ChangeInsert, Packed, PackedPayload, RecordStats, RevisionInsert, UpgradeReport};

/// The migrations, in order. Append-only: a released migration is never edited.
pub const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/01-init/up.sql"),
    include_str!("../../migrations/02-index-queue/up.sql"),
    include_str!("../../migrations/04-import-sources/up.sql"),
    include_str!("../../migrations/05-calendar-events/up.sql"),
    include_str!("../../migrations/06-sync/up.sql"),
    include_str!("../../migrations/07-live-item-indexes/up.sql"),
    include_str!("../../migrations/08-lens-item-index/up.sql"),
    include_str!("../../migrations/09-compact-history/up.sql"),
    include_str!("../../migrations/10-one-updated-register/up.sql"),
    include_str!("../../migrations/11-attachments/up.sql"),
    include_str!("../../migrations/12-consent-rounds/up.sql"),
    include_str!("../../migrations/13-sync-files/up.sql"),
    include_str!("../../migrations/14-retired-practices/up.sql"),
];

/// The schema version from which the record is compact (migration 09, `history`).
const COMPACT_RECORD: i64 = 8;

fn migrations() -> Migrations<'static> {
    Migrations::new(MIGRATIONS.iter().map(|sql| M::up(sql)).collect())
}

/// How long a writer waits for another process's transaction before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// An open workspace database.
/// How a commit reaches the disk; see [`Store::set_durability`] and docs/RELIABILITY.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    Normal,
    Full,
}

pub struct Store {
    conn: Connection,
    /// Write transactions begun through this store (see [`Store::generation`]).
    writes: u64,
    /// SQLite's work on this connection while counted (see [`Store::count_steps`]).
    steps: Arc<AtomicU64>,
    /// Two more connections to the same file, for [`Store::read_beside`]: one that reads on a
    /// second thread and one that holds the write lock while both reads begin. Opened when first
    /// needed; `Err(())` once they could not be (an in-memory database).
    beside: Option<std::result::Result<(Connection, Connection), ()>>,
}

/// How many virtual-machine instructions SQLite runs between two calls of the step counter.
const STEP_PERIOD: i32 = 64;

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
        // Room for every statement the save, import and merge paths use, so none is parsed again
        // per item (the default keeps 16, fewer than one import batch cycles through).
        conn.set_prepared_statement_cache_capacity(256);
        conn.pragma_update(None, "journal_mode", "WAL")?;
        // Every commit is fsynced: a save that was reported survives power loss too, not only a
        // killed process (measured cost and the reasoning: docs/RELIABILITY.md, "Durability").
        conn.pragma_update(None, "synchronous", "FULL")?;
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
        // A database older than the compact record (migration 09) has its record rewritten by
        // `Store::upgrade`; a new one has nothing to rewrite.
        let now: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if now >= COMPACT_RECORD && found < COMPACT_RECORD {
            let state = if found == 0 { "done" } else { "pending" };
            conn.execute("INSERT OR IGNORE INTO meta(key, value) VALUES ('upgrade_record', ?1)", [state])?;
        }
        Ok(Store { conn, writes: 0, steps: Arc::new(AtomicU64::new(0)), beside: None })
    }

    /// Sets how a commit reaches the disk for this connection (WAL mode either way). `Full` (the
    /// default): every commit is fsynced, so it survives power loss and OS crashes. `Normal`: a
    /// commit survives the process being killed at any moment, but a power loss or OS crash may
    /// undo the commits since the last checkpoint (never corrupting the file). For benchmarks.
    pub fn set_durability(&mut self, d: Durability) -> Result<()> {
        self.conn.pragma_update(None, "synchronous", if d == Durability::Full { "FULL" } else { "NORMAL" })?;
        Ok(())
    }

    /// Moves everything in the write-ahead log into the database file and empties the log (so
    /// the file's size is the database's).
    pub fn checkpoint(&self) -> Result<()> {
        self.conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<i64> {
        Ok(self.conn.pragma_query_value(None, "user_version", |r| r.get(0))?)
    }

    /// Changes whenever the database may have changed: a write through this store (counted here)
    /// or a commit by any other connection or process (SQLite's `data_version`). What is derived
    /// from the store and kept in memory (the lens graph) is valid while this stays the same.
    pub fn generation(&self) -> Result<(u64, i64)> {
        let v: i64 = self.conn.pragma_query_value(None, "data_version", |r| r.get(0))?;
        Ok((self.writes, v))
    }

    /// Sets SQLite's page cache of this connection to `kib` KiB. Long imports raise it: their
    /// batches insert into indexes (link targets, title keys) at scattered places, and a page that
    /// stays cached is neither read again nor spilled to the log before the batch commits.
    pub fn set_cache_kib(&self, kib: i64) -> Result<()> {
        self.conn.pragma_update(None, "cache_size", -kib)?;
        Ok(())
    }

    /// The page cache size of this connection, in KiB.
    pub fn cache_kib(&self) -> Result<i64> {
        let v: i64 = self.conn.pragma_query_value(None, "cache_size", |r| r.get(0))?;
        // Negative means KiB, positive means pages.
        Ok(if v < 0 { -v } else { v * self.conn.pragma_query_value(None, "page_size", |r| r.get::<_, i64>(0))? / 1024 })
    }

    /// Where this connection keeps its temporary data: 0 as built (files), 1 files, 2 memory.
    /// Imports keep it in memory: a multi-row insert keeps a journal of its own (to undo just that
    /// statement), and in a file that journal costs a write for every page the insert touches.
    pub fn temp_store(&self) -> Result<i64> {
        Ok(self.conn.pragma_query_value(None, "temp_store", |r| r.get(0))?)
    }

    /// Sets [`Store::temp_store`] for this connection.
    pub fn set_temp_store(&self, mode: i64) -> Result<()> {
        self.conn.pragma_update(None, "temp_store", mode)?;
        Ok(())
    }

    /// Starts or stops counting the work SQLite does on this connection: the virtual-machine
    /// instructions its statements run (every row an index or table walk visits costs several),
    /// read with [`Store::steps`]. It measures how the work of an operation grows with the size of
    /// the workspace without timing anything (tests, benchmarks); off by default.
    pub fn count_steps(&mut self, on: bool) -> Result<()> {
        if on {
            let steps = Arc::clone(&self.steps);
            self.conn.progress_handler(
                STEP_PERIOD,
                Some(move || {
                    steps.fetch_add(STEP_PERIOD as u64, Ordering::Relaxed);
                    false
                }),
            )?;
        } else {
            self.conn.progress_handler(0, None::<fn() -> bool>)?;
        }
        Ok(())
    }

    /// Virtual-machine instructions run while counted (see [`Store::count_steps`]), to within
    /// a few dozen per statement.
    pub fn steps(&self) -> u64 {
        self.steps.load(Ordering::Relaxed)
    }

    /// Runs `f` in an immediate write transaction: committed if it returns `Ok`, rolled back otherwise.
    pub fn write<T>(&mut self, f: impl FnOnce(&Tx) -> Result<T>) -> Result<T> {
        self.writes += 1;
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

    /// Runs `here` on this thread and `beside` on a second one, each in a read transaction of its
    /// own connection, both reading the same committed state: a large read (the lens's) split in
    /// two takes the time of the longer half. The two reads begin while a third connection holds
    /// the write lock, so no commit can fall between them; the lock is let go as soon as both
    /// have begun (microseconds), and neither read holds up a writer after that.
    ///
    /// When that lock is taken at the moment (a writer is committing) or no second connection can
    /// be opened, both run here, one after the other, in one transaction: the same answer, later.
    pub fn read_beside<H, B>(&mut self, here: impl FnOnce(&Tx) -> Result<H>, beside: impl FnOnce(&Tx) -> Result<B> + Send) -> Result<(H, B)>
    where
        B: Send,
    {
        if self.beside.is_none() {
            self.beside = Some(self.open_beside().map_err(|_| ()));
        }
        let Some(Ok((reader, holder))) = self.beside.as_mut() else {
            return self.read(|tx| Ok((here(tx)?, beside(tx)?)));
        };
        // No waiting for the lock: a writer that has it now commits a state this read may as well
        // miss, and the read goes on the one connection instead.
        if holder.execute_batch("BEGIN IMMEDIATE").is_err() {
            return self.read(|tx| Ok((here(tx)?, beside(tx)?)));
        }
        let (began, begun) = std::sync::mpsc::channel::<Result<()>>();
        let out = std::thread::scope(|scope| {
            let other = scope.spawn(move || -> Result<B> {
                let tx = match reader.transaction().map_err(Error::from).and_then(|tx| begin_read(&tx).map(|()| tx)) {
                    Ok(tx) => {
                        let _ = began.send(Ok(()));
                        tx
                    }
                    Err(e) => {
                        let _ = began.send(Err(Error::Corrupt(format!("a second reader could not begin: {e}"))));
                        return Err(e);
                    }
                };
                let out = beside(&Tx { tx: &tx })?;
                tx.commit()?;
                Ok(out)
            });
            let tx = self.conn.transaction_with_behavior(TransactionBehavior::Deferred);
            let mine = tx.map_err(Error::from).and_then(|tx| begin_read(&tx).map(|()| tx));
            // Both reads have their snapshot (or failed): the lock goes.
            let theirs = begun.recv().unwrap_or_else(|_| Err(Error::Corrupt("the second reader stopped".into())));
            let released = holder.execute_batch("ROLLBACK");
            let tx = mine?;
            theirs?;
            released?;
            let h = here(&Tx { tx: &tx })?;
            tx.commit()?;
            let b = other.join().unwrap_or_else(|e| std::panic::resume_unwind(e))?;
            Ok((h, b))
        });
        out
    }

    fn open_beside(&self) -> Result<(Connection, Connection)> {
        let path = match self.conn.path() {
            Some(p) if !p.is_empty() => p.to_string(),
            _ => return Err(Error::Corrupt("an in-memory database has no second connection".into())),
        };
        let reader =
            Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
        reader.busy_timeout(BUSY_TIMEOUT)?;
        reader.set_prepared_statement_cache_capacity(64);
        let holder =
            Connection::open_with_flags(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
        holder.busy_timeout(Duration::ZERO)?;
        Ok((reader, holder))
    }

    /// Runs SQLite's own consistency check; `ok` when the file is sound.
    pub fn integrity_check(&self) -> Result<Vec<String>> {
        let mut st = self.conn.prepare("PRAGMA integrity_check")?;
        let rows = st.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// Makes a read transaction take its snapshot now (SQLite takes it at the first read).
fn begin_read(tx: &rusqlite::Transaction) -> Result<()> {
    tx.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()))?;
    Ok(())
}

// ---- lookups by key -----------------------------------------------------------------------
//
// What an import (and a save) looks up once per item: an item by id, by where it came from, a
// signal by its external reference, items and links by title or alias. Each must read its own
// index, whatever other indexes the items table gains: SQLite has no statistics here (nothing runs
// ANALYZE), so it judges an index by its shape alone, and it once walked every live item through
// the covering index `items_lens (deleted, id, …)` to find one reference, because that index
// satisfies `deleted = 0` and `ORDER BY id` at once — an import quadratic in the workspace's size.
// So the table looked up by key is named with `INDEXED BY` (preparing fails if that index cannot
// serve it) and comes first through `CROSS JOIN` (SQLite keeps a CROSS JOIN's order); the item it
// names is then found by its id. Lookups by every column of a unique key (`items.id`,
// `item_sources (origin, path)`, `calendar_events (uid, recurrence_id)`) take that key's index
// before any cost is weighed. `plan_tests` holds each of them to its plan, with and without
// statistics and beside indexes made to tempt the planner.

const ITEM_SQL: &str = "SELECT id, kind, title, body, author, created, updated, deleted FROM items WHERE id = ?1";

const ITEM_BY_SOURCE_SQL: &str = "SELECT item_id FROM item_sources WHERE origin = ?1 AND path = ?2";

const CALENDAR_ITEM_SQL: &str = "SELECT item_id FROM calendar_events WHERE uid = ?1 AND recurrence_id = ?2";

const SIGNAL_BY_REF_SQL: &str = "SELECT s.item_id FROM signal_fields AS s INDEXED BY signal_ref
     CROSS JOIN items AS i ON i.id = s.item_id
     WHERE s.ref = ?1 AND i.deleted = 0 ORDER BY s.item_id LIMIT 1";

const IDS_BY_TITLE_KEY_SQL: &str = "SELECT id, kind FROM items INDEXED BY items_title_key WHERE title_key = ?1 AND deleted = 0 ORDER BY id";

const IDS_BY_ALIAS_KEY_SQL: &str = "SELECT i.id, i.kind FROM aliases AS a INDEXED BY aliases_key
     CROSS JOIN items AS i ON i.id = a.item_id
     WHERE a.alias_key = ?1 AND i.deleted = 0 ORDER BY i.id";

const IDS_BY_TITLE_KEYS_SQL: &str = "SELECT i.title_key, i.id, i.kind FROM json_each(?1) AS k
     CROSS JOIN items AS i INDEXED BY items_title_key ON i.title_key = k.value
     WHERE i.deleted = 0 ORDER BY i.title_key, i.id";

const IDS_BY_ALIAS_KEYS_SQL: &str = "SELECT a.alias_key, i.id, i.kind FROM json_each(?1) AS k
     CROSS JOIN aliases AS a INDEXED BY aliases_key ON a.alias_key = k.value
     CROSS JOIN items AS i ON i.id = a.item_id
     WHERE i.deleted = 0 ORDER BY a.alias_key, i.id";

const LINKS_WITH_KEYS_SQL: &str =
    "SELECT l.id, l.source_id, l.rel, l.target, l.target_id, l.heading, l.alias, l.embed, l.line, l.problem, s.kind
     FROM json_each(?1) AS k
     CROSS JOIN links AS l INDEXED BY links_key ON l.target_key = k.value
     CROSS JOIN items AS s ON s.id = l.source_id";

fn links_with_key_sql() -> String {
    format!(
        "SELECT id, {LINK_COLS} FROM links INDEXED BY links_key WHERE target_key = ?1
         AND EXISTS (SELECT 1 FROM items s WHERE s.id = source_id AND s.deleted = 0)"
    )
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

/// One file as it was added to the workspace (see `crate::attach`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AttachmentRow {
    pub id: String,
    /// Where it sits in the workspace's tree of files, e.g. `Attachments/chart.png`.
    pub path: String,
    /// sha256 of its bytes, lower-case hex.
    pub hash: String,
    pub size: u64,
    pub media_type: String,
    /// The id of the person who added it.
    pub added_by: String,
    pub added_at: String,
}

/// A short row for lists.
#[derive(Debug, Clone)]
pub struct ItemRow {
    pub id: String,
    pub kind: Kind,
    pub title: String,
    pub status: Option<String>,
    pub updated: String,
    /// A signal's day observed, customer, source and the start of its quote (or else its body).
    pub signal: Option<SignalCols>,
}

/// What a list row shows of a signal.
#[derive(Debug, Clone)]
pub struct SignalCols {
    pub date: Option<String>,
    pub customer: Option<String>,
    pub source: Option<String>,
    pub text: String,
}

fn kind_of(s: &str) -> rusqlite::Result<Kind> {
    s.parse().map_err(|e: Error| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e)))
}

fn rel_of(s: &str) -> rusqlite::Result<Rel> {
    s.parse().map_err(|e: Error| rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e)))
}

const LINK_COLS: &str = "source_id, rel, target, target_id, heading, alias, embed, line, problem";

fn link_row(r: &rusqlite::Row) -> rusqlite::Result<Link> {
    link_at(r, 0)
}

/// A link from the row's [`LINK_COLS`], starting at column `at`.
fn link_at(r: &rusqlite::Row, at: usize) -> rusqlite::Result<Link> {
    Ok(Link {
        source_id: r.get(at)?,
        rel: rel_of(&r.get::<_, String>(at + 1)?)?,
        target: r.get(at + 2)?,
        target_id: r.get(at + 3)?,
        heading: r.get(at + 4)?,
        alias: r.get(at + 5)?,
        embed: r.get(at + 6)?,
        line: r.get::<_, i64>(at + 7)? as usize,
        problem: r.get(at + 8)?,
    })
}

impl Tx<'_> {
    // ---- meta -------------------------------------------------------------------------------

    pub fn meta(&self, key: &str) -> Result<Option<String>> {
        Ok(self.tx.prepare_cached("SELECT value FROM meta WHERE key = ?1")?.query_row([key], |r| r.get(0)).optional()?)
    }

    pub fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        self.tx
            .execute("INSERT INTO meta(key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value", [key, value])?;
        Ok(())
    }

    // ---- attachments ------------------------------------------------------------------------

    fn attachment_row(r: &rusqlite::Row) -> rusqlite::Result<AttachmentRow> {
        Ok(AttachmentRow {
            id: r.get(0)?,
            path: r.get(1)?,
            hash: r.get(2)?,
            size: r.get::<_, i64>(3)? as u64,
            media_type: r.get(4)?,
            added_by: r.get(5)?,
            added_at: r.get(6)?,
        })
    }

    /// Every attachment row, oldest first (a later row at the same path is a newer version).
    pub fn attachments(&self) -> Result<Vec<AttachmentRow>> {
        let mut st = self
            .tx
            .prepare_cached("SELECT id, path, hash, size, media_type, added_by, added_at FROM attachments ORDER BY added_at, rowid")?;
        let rows = st.query_map([], Self::attachment_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The row of the file at `path` (any case) holding `hash`, if it was added.
    pub fn attachment_at(&self, path: &str, hash: &str) -> Result<Option<AttachmentRow>> {
        Ok(self
            .tx
            .prepare_cached(
                "SELECT id, path, hash, size, media_type, added_by, added_at FROM attachments WHERE path_key = ?1 AND hash = ?2",
            )?
            .query_row([path.to_lowercase().as_str(), hash], Self::attachment_row)
            .optional()?)
    }

    /// The distinct hashes of every attachment row.
    pub fn attachment_hashes(&self) -> Result<Vec<String>> {
        let mut st = self.tx.prepare_cached("SELECT DISTINCT hash FROM attachments ORDER BY hash")?;
        let rows = st.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    // ---- people -----------------------------------------------------------------------------

    pub fn insert_person(&self, p: &Person) -> Result<()> {
        self.tx
            .prepare_cached("INSERT INTO people(id, name, name_key, perspective, created) VALUES (?1, ?2, ?3, ?4, ?5)")?
            .execute(params![p.id, p.name, p.name.to_lowercase(), p.perspective, p.created])?;
        Ok(())
    }

    pub fn update_person(&self, p: &Person) -> Result<()> {
        self.tx.prepare_cached("UPDATE people SET name = ?2, name_key = ?3, perspective = ?4 WHERE id = ?1")?.execute(params![
            p.id,
            p.name,
            p.name.to_lowercase(),
            p.perspective
        ])?;
        Ok(())
    }

    fn person_row(r: &rusqlite::Row) -> rusqlite::Result<Person> {
        Ok(Person { id: r.get(0)?, name: r.get(1)?, perspective: r.get(2)?, created: r.get(3)? })
    }

    pub fn person_by_name(&self, name: &str) -> Result<Option<Person>> {
        Ok(self
            .tx
            .prepare_cached("SELECT id, name, perspective, created FROM people WHERE name_key = ?1")?
            .query_row([name.trim().to_lowercase()], Self::person_row)
            .optional()?)
    }

    pub fn person(&self, id: &str) -> Result<Option<Person>> {
        Ok(self
            .tx
            .prepare_cached("SELECT id, name, perspective, created FROM people WHERE id = ?1")?
            .query_row([id], Self::person_row)
            .optional()?)
    }

    pub fn people(&self) -> Result<Vec<Person>> {
        let mut st = self.tx.prepare_cached("SELECT id, name, perspective, created FROM people ORDER BY name_key")?;
        let rows = st.query_map([], Self::person_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    // ---- items ------------------------------------------------------------------------------

    fn get_fields(&self, id: &str, kind: Kind) -> Result<Fields> {
        let t = self.tx;
        let mut f = Fields::default();
        let (sql, names): (&str, &[&str]) = match kind {
            Kind::Note => return Ok(f),
            Kind::Signal => ("SELECT source, customer, date, ref, quote FROM signal_fields WHERE item_id = ?1", Kind::Signal.field_names()),
            Kind::Insight => ("SELECT status FROM insight_fields WHERE item_id = ?1", Kind::Insight.field_names()),
            Kind::Friction => ("SELECT status, severity FROM friction_fields WHERE item_id = ?1", Kind::Friction.field_names()),
            Kind::Resolution => (
                "SELECT decision, rationale, agreed_by, decided_on, retires, practice_owner, hours_freed, review_30, review_90
                 FROM resolution_fields WHERE item_id = ?1",
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
        if kind == Kind::Resolution {
            if let Some(r) = self.round(id)? {
                r.store(&mut f);
            }
        }
        Ok(f)
    }

    /// A resolution's consent round, if one was opened.
    pub fn round(&self, id: &str) -> Result<Option<crate::model::Round>> {
        use crate::model::{Answer, Override, Round};
        let t = self.tx;
        let row = t
            .prepare_cached(
                "SELECT state, opened, asked, with_people, closed, override_by, override_reason FROM rounds WHERE item_id = ?1",
            )?
            .query_row([id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, Option<String>>(6)?,
                ))
            })
            .optional()?;
        let Some((state, opened, asked, with, closed, by, why)) = row else { return Ok(None) };
        let mut round = Round {
            state,
            opened,
            asked: serde_json::from_str(&asked)?,
            with: serde_json::from_str(&with)?,
            closed,
            overridden: by.zip(why).map(|(by, reason)| Override { by, reason }),
            answers: Default::default(),
        };
        let mut st = t.prepare_cached(
            "SELECT person_id, answer, reason, perspective, friction, at FROM round_answers WHERE item_id = ?1 ORDER BY person_id",
        )?;
        let rows = st.query_map([id], |r| {
            Ok((
                r.get::<_, String>(0)?,
                Answer { answer: r.get(1)?, reason: r.get(2)?, perspective: r.get(3)?, friction: r.get(4)?, at: r.get(5)? },
            ))
        })?;
        for row in rows {
            let (pid, a) = row?;
            round.answers.insert(pid, a);
        }
        Ok(Some(round))
    }

    /// The ids of resolutions whose consent round is open.
    pub fn open_rounds(&self) -> Result<Vec<String>> {
        let mut st = self.tx.prepare_cached("SELECT item_id FROM rounds WHERE state = 'open' ORDER BY item_id")?;
        let rows = st.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Loads an item (deleted ones too).
    pub fn item(&self, id: &str) -> Result<Option<Item>> {
        let t = self.tx;
        let row = t
            .prepare_cached(ITEM_SQL)?
            .query_row([id], |r| {
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
        let mut fields = self.get_fields(&id, kind)?;
        fields.props = self.props(&id)?;
        Ok(Some(Item { id, kind, title, body, tags, aliases, fields, author, created, updated, deleted }))
    }

    fn strings(&self, sql: &str, arg: &str) -> Result<Vec<String>> {
        let mut st = self.tx.prepare_cached(sql)?;
        let rows = st.query_map([arg], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Live items whose title matches `key` (case-folded), oldest first.
    pub fn ids_by_title_key(&self, key: &str) -> Result<Vec<(String, Kind)>> {
        self.id_kinds(IDS_BY_TITLE_KEY_SQL, key)
    }

    /// Live items with an alias matching `key`, oldest first.
    pub fn ids_by_alias_key(&self, key: &str) -> Result<Vec<(String, Kind)>> {
        self.id_kinds(IDS_BY_ALIAS_KEY_SQL, key)
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
            "SELECT i.id, i.kind, i.title, COALESCE(ff.status, inf.status), i.updated,
                    COALESCE(sf.date, substr(i.created, 1, 10)), sf.customer, sf.source, substr(COALESCE(NULLIF(sf.quote, ''), i.body), 1, 400)
             FROM items i
             LEFT JOIN friction_fields ff ON ff.item_id = i.id
             LEFT JOIN insight_fields inf ON inf.item_id = i.id
             LEFT JOIN signal_fields sf ON i.kind = 'signal' AND sf.item_id = i.id
             WHERE (?1 IS NULL OR i.kind = ?1)
               AND (?2 IS NULL OR EXISTS (SELECT 1 FROM tags t WHERE t.item_id = i.id AND t.tag = ?2))
               AND (i.deleted = 0 OR ?3)
             ORDER BY i.updated DESC, i.id DESC",
        )?;
        let rows = st.query_map(params![kind.map(Kind::as_str), tag, include_deleted], |r| {
            let kind = kind_of(&r.get::<_, String>(1)?)?;
            let signal = if kind == Kind::Signal {
                Some(SignalCols {
                    date: r.get(5)?,
                    customer: r.get(6)?,
                    source: r.get(7)?,
                    text: r.get::<_, Option<String>>(8)?.unwrap_or_default(),
                })
            } else {
                None
            };
            Ok(ItemRow { id: r.get(0)?, kind, title: r.get(2)?, status: r.get(3)?, updated: r.get(4)?, signal })
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
            .prepare_cached("SELECT title, kind, deleted FROM items WHERE id = ?1")?
            .query_row([id], |r| Ok((r.get(0)?, kind_of(&r.get::<_, String>(1)?)?, r.get(2)?)))
            .optional()?)
    }

    // ---- links ------------------------------------------------------------------------------

    /// Replaces the links derived from `source_id`'s body.
    pub fn replace_links(&self, source_id: &str, links: &[Link]) -> Result<()> {
        self.tx.prepare_cached("DELETE FROM links WHERE source_id = ?1")?.execute([source_id])?;
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
        let mut st = self.tx.prepare_cached(&links_with_key_sql())?;
        let rows = st.query_map([key], |r| Ok((r.get::<_, i64>(0)?, link_at(r, 1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Sets the resolution of one stored link.
    pub fn set_link_target(&self, link_rowid: i64, target_id: Option<&str>, problem: Option<&str>) -> Result<()> {
        self.tx
            .prepare_cached("UPDATE links SET target_id = ?2, problem = ?3 WHERE id = ?1")?
            .execute(params![link_rowid, target_id, problem])?;
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

// ---- bulk writes: the rows of an import batch, one multi-row INSERT per table ----------------

/// Rows per multi-row INSERT of a bulk write (at most 10 columns each: far below SQLite's limit of
/// bound parameters per statement).
const BULK_ROWS: usize = 64;

/// `VALUES (?,…),(?,…)` for `rows` rows of `cols` columns.
fn values_sql(cols: usize, rows: usize) -> String {
    let one = format!("({})", vec!["?"; cols].join(","));
    vec![one; rows].join(",")
}

impl Tx<'_> {
    /// Inserts `rows` with `head` (`INSERT INTO t(a, b)`) and `tail` (an `ON CONFLICT` clause or
    /// nothing), [`BULK_ROWS`] rows per statement; the rows land in the order given.
    fn insert_many<const N: usize>(&self, head: &str, tail: &str, rows: &[[&dyn rusqlite::ToSql; N]]) -> Result<()> {
        let mut chunks = rows.chunks_exact(BULK_ROWS);
        if rows.len() >= BULK_ROWS {
            let mut st = self.tx.prepare_cached(&format!("{head} VALUES {} {tail}", values_sql(N, BULK_ROWS)))?;
            for c in &mut chunks {
                st.execute(rusqlite::params_from_iter(c.iter().flatten()))?;
            }
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut st = self.tx.prepare_cached(&format!("{head} VALUES {} {tail}", values_sql(N, 1)))?;
            for r in rest {
                st.execute(rusqlite::params_from_iter(r.iter()))?;
            }
        }
        Ok(())
    }

    /// Records where imported items came from: `(item id, origin, path)`.
    pub fn set_sources(&self, rows: &[(String, String, String)]) -> Result<()> {
        let rows: Vec<[&dyn rusqlite::ToSql; 3]> = rows.iter().map(|(i, o, p)| [i as &dyn rusqlite::ToSql, o, p]).collect();
        self.insert_many(
            "INSERT INTO item_sources(item_id, origin, path)",
            "ON CONFLICT(item_id) DO UPDATE SET origin = excluded.origin, path = excluded.path",
            &rows,
        )
    }

    /// Queues items for the search index, in order.
    pub fn queue_index_many(&self, ids: &[String]) -> Result<()> {
        let rows: Vec<[&dyn rusqlite::ToSql; 1]> = ids.iter().map(|i| [i as &dyn rusqlite::ToSql]).collect();
        self.insert_many("INSERT INTO index_queue(item_id)", "", &rows)
    }

    /// Inserts links derived from bodies (of sources that have none stored yet), in order.
    pub fn insert_links(&self, links: &[Link]) -> Result<()> {
        let keys: Vec<(String, i64, &str)> =
            links.iter().map(|l| (crate::model::title_key(&l.target), l.line as i64, l.rel.as_str())).collect();
        let rows: Vec<[&dyn rusqlite::ToSql; 10]> = links
            .iter()
            .zip(&keys)
            .map(|(l, (k, line, rel))| {
                [&l.source_id as &dyn rusqlite::ToSql, rel, &l.target, k, &l.target_id, &l.heading, &l.alias, &l.embed, line, &l.problem]
            })
            .collect();
        self.insert_many(
            "INSERT INTO links(source_id, rel, target, target_key, target_id, heading, alias, embed, line, problem)",
            "",
            &rows,
        )
    }

    /// Live items whose title key is one of `keys`: `(key, id, kind)`, by key and then oldest first.
    /// `keys` are distinct (a key given twice would give its items twice).
    pub fn ids_by_title_keys(&self, keys: &[&str]) -> Result<Vec<(String, String, Kind)>> {
        self.keyed_id_kinds(IDS_BY_TITLE_KEYS_SQL, keys)
    }

    /// Live items with an alias key among `keys` (distinct): `(key, id, kind)`, by key and then oldest first.
    pub fn ids_by_alias_keys(&self, keys: &[&str]) -> Result<Vec<(String, String, Kind)>> {
        self.keyed_id_kinds(IDS_BY_ALIAS_KEYS_SQL, keys)
    }

    fn keyed_id_kinds(&self, sql: &str, keys: &[&str]) -> Result<Vec<(String, String, Kind)>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let mut st = self.tx.prepare_cached(sql)?;
        let rows = st.query_map([serde_json::to_string(keys)?], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, kind_of(&r.get::<_, String>(2)?)?))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Links whose written target matches one of `keys`, with their source's kind, from every
    /// item, deleted ones too: re-resolving them all keeps the links table a function of the
    /// current items, whatever order changes arrived in (a deleted item's links are right again
    /// the moment it is restored).
    pub fn links_with_keys(&self, keys: &[&str]) -> Result<Vec<(i64, Link, Kind)>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let mut st = self.tx.prepare_cached(LINKS_WITH_KEYS_SQL)?;
        let rows = st
            .query_map([serde_json::to_string(keys)?], |r| Ok((r.get::<_, i64>(0)?, link_at(r, 1)?, kind_of(&r.get::<_, String>(10)?)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

// ---- knowledge in and out: imports and exports ----------------------------------------------

/// An item as exports read it, with its author's name and perspective, streamed in id order.
#[derive(Debug, Clone)]
pub struct ExportItem {
    pub item: Item,
    pub author_name: String,
    pub perspective: String,
    /// A resolution's consent round: `open` or `closed`.
    pub round: Option<String>,
}

/// A resolved link between two live items, as maps draw it: one per (source, target, relation),
/// with how many times the source's body mentions it.
#[derive(Debug, Clone)]
pub struct EdgeRow {
    pub source_id: String,
    pub target_id: String,
    pub rel: Rel,
    pub count: i64,
}

const EXPORT_ITEM_SQL: &str = "
    SELECT i.id, i.kind, i.title, CASE WHEN ?1 THEN i.body ELSE '' END, i.author, i.created, i.updated,
      (SELECT json_group_array(tag) FROM tags WHERE item_id = i.id),
      (SELECT json_group_array(alias) FROM aliases WHERE item_id = i.id),
      (SELECT json_group_object(key, json(value)) FROM item_props WHERE item_id = i.id),
      (SELECT json_group_object(perspective, position) FROM friction_positions WHERE item_id = i.id),
      json_object('source', sf.source, 'customer', sf.customer, 'date', sf.date, 'ref', sf.ref, 'quote', sf.quote,
        'status', COALESCE(inf.status, ff.status), 'severity', ff.severity,
        'decision', rf.decision, 'rationale', rf.rationale, 'agreed_by', rf.agreed_by, 'decided_on', rf.decided_on, 'retires', rf.retires,
        'practice_owner', rf.practice_owner, 'hours_freed', rf.hours_freed, 'review_30', rf.review_30, 'review_90', rf.review_90,
        'horizon', gf.horizon, 'owner', gf.owner,
        'start', mf.start, 'end', mf.\"end\", 'attendees', mf.attendees, 'location', mf.location),
      COALESCE(p.name, ''), COALESCE(p.perspective, ''),
      (SELECT state FROM rounds WHERE item_id = i.id)
    FROM items i
    LEFT JOIN signal_fields sf ON sf.item_id = i.id
    LEFT JOIN insight_fields inf ON inf.item_id = i.id
    LEFT JOIN friction_fields ff ON ff.item_id = i.id
    LEFT JOIN resolution_fields rf ON rf.item_id = i.id
    LEFT JOIN goal_fields gf ON gf.item_id = i.id
    LEFT JOIN meeting_fields mf ON mf.item_id = i.id
    LEFT JOIN people p ON p.id = i.author
    WHERE i.deleted = 0
    ORDER BY i.id";

fn json_col<T: serde::de::DeserializeOwned + Default>(r: &rusqlite::Row, i: usize) -> rusqlite::Result<T> {
    match r.get::<_, Option<String>>(i)? {
        None => Ok(T::default()),
        Some(s) => {
            serde_json::from_str(&s).map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e)))
        }
    }
}

impl Tx<'_> {
    /// Writes an item's extra properties (replacing the ones it had).
    pub fn put_props(&self, id: &str, props: &std::collections::BTreeMap<String, serde_json::Value>) -> Result<()> {
        match self.tx.prepare_cached("DELETE FROM item_props WHERE item_id = ?1") {
            Ok(mut st) => {
                st.execute([id])?;
            }
            // A database opened at an older schema (before properties existed) has none to clear.
            Err(e) if props.is_empty() && e.to_string().contains("no such table: item_props") => return Ok(()),
            Err(e) => return Err(e.into()),
        }
        let mut st = self.tx.prepare_cached("INSERT INTO item_props(item_id, key, value) VALUES (?1, ?2, ?3)")?;
        for (k, v) in props {
            st.execute(params![id, k, v.to_string()])?;
        }
        Ok(())
    }

    /// An item's extra properties.
    pub fn props(&self, id: &str) -> Result<std::collections::BTreeMap<String, serde_json::Value>> {
        let mut st = self.tx.prepare_cached("SELECT key, value FROM item_props WHERE item_id = ?1 ORDER BY key")?;
        let rows = st.query_map([id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = std::collections::BTreeMap::new();
        for row in rows {
            let (k, v) = row?;
            out.insert(k, serde_json::from_str(&v)?);
        }
        Ok(out)
    }

    /// The item imported from `path` of `origin`, if any (deleted ones too).
    pub fn item_by_source(&self, origin: &str, path: &str) -> Result<Option<String>> {
        let mut st = self.tx.prepare_cached(ITEM_BY_SOURCE_SQL)?;
        Ok(st.query_row([origin, path], |r| r.get(0)).optional()?)
    }

    /// Records where an imported item came from.
    pub fn set_source(&self, id: &str, origin: &str, path: &str) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO item_sources(item_id, origin, path) VALUES (?1, ?2, ?3)
             ON CONFLICT(item_id) DO UPDATE SET origin = excluded.origin, path = excluded.path",
            )?
            .execute([id, origin, path])?;
        Ok(())
    }

    /// The live signal whose external reference is `reference`, oldest first.
    pub fn signal_by_ref(&self, reference: &str) -> Result<Option<String>> {
        let mut st = self.tx.prepare_cached(SIGNAL_BY_REF_SQL)?;
        Ok(st.query_row([reference], |r| r.get(0)).optional()?)
    }

    /// Streams every live item in id order, with bodies when `with_body`; `f` returns `false` to stop.
    pub fn each_export_item(&self, with_body: bool, mut f: impl FnMut(ExportItem) -> Result<bool>) -> Result<()> {
        let mut st = self.tx.prepare_cached(EXPORT_ITEM_SQL)?;
        let mut rows = st.query([with_body])?;
        while let Some(r) = rows.next()? {
            let kind = kind_of(&r.get::<_, String>(1)?)?;
            let mut tags: Vec<String> = json_col(r, 7)?;
            tags.sort();
            let mut aliases: Vec<String> = json_col(r, 8)?;
            aliases.sort_by_key(|a| crate::model::title_key(a));
            let props: std::collections::BTreeMap<String, serde_json::Value> = json_col(r, 9)?;
            let positions: std::collections::BTreeMap<String, String> = json_col(r, 10)?;
            let all: std::collections::BTreeMap<String, Option<String>> = json_col(r, 11)?;
            let mut fields =
                Fields { positions: if kind == Kind::Friction { positions } else { Default::default() }, props, ..Default::default() };
            for name in kind.field_names() {
                if let Some(Some(v)) = all.get(*name) {
                    fields.values.insert((*name).to_string(), v.clone());
                }
            }
            let item = Item {
                id: r.get(0)?,
                kind,
                title: r.get(2)?,
                body: r.get(3)?,
                tags,
                aliases,
                fields,
                author: r.get(4)?,
                created: r.get(5)?,
                updated: r.get(6)?,
                deleted: false,
            };
            if !f(ExportItem { item, author_name: r.get(12)?, perspective: r.get(13)?, round: r.get(14)? })? {
                break;
            }
        }
        Ok(())
    }

    /// Streams the resolved links between live items, one row per (source, target, relation).
    pub fn each_edge(&self, mut f: impl FnMut(EdgeRow) -> Result<()>) -> Result<()> {
        let mut st = self.tx.prepare_cached(
            "SELECT l.source_id, l.target_id, l.rel, COUNT(*) FROM links l
             JOIN items s ON s.id = l.source_id AND s.deleted = 0
             JOIN items t ON t.id = l.target_id AND t.deleted = 0
             GROUP BY l.source_id, l.target_id, l.rel ORDER BY l.source_id, l.target_id, l.rel",
        )?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            f(EdgeRow { source_id: r.get(0)?, target_id: r.get(1)?, rel: rel_of(&r.get::<_, String>(2)?)?, count: r.get(3)? })?;
        }
        Ok(())
    }

    /// How many rows [`Tx::each_edge`] streams: resolved (source, target, relation) triples between live items.
    pub fn edge_count(&self) -> Result<usize> {
        let n: i64 = self
            .tx
            .prepare_cached(
                "SELECT COUNT(*) FROM (SELECT DISTINCT l.source_id, l.target_id, l.rel FROM links l
             JOIN items s ON s.id = l.source_id AND s.deleted = 0
             JOIN items t ON t.id = l.target_id AND t.deleted = 0)",
            )?
            .query_row([], |r| r.get(0))?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// Links out of the live items imported from `origin`: `(all, unresolved)`.
    pub fn link_counts_of_origin(&self, origin: &str) -> Result<(i64, i64)> {
        Ok(self
            .tx
            .prepare_cached(
                "SELECT COUNT(*), COUNT(*) - COUNT(l.target_id) FROM links l
             JOIN item_sources s ON s.item_id = l.source_id JOIN items i ON i.id = l.source_id
             WHERE s.origin = ?1 AND i.deleted = 0",
            )?
            .query_row([origin], |r| Ok((r.get(0)?, r.get(1)?)))?)
    }

    /// The targets (as written) of the unresolved links out of the live items imported from `origin`.
    pub fn unresolved_targets_of_origin(&self, origin: &str) -> Result<Vec<String>> {
        let mut st = self.tx.prepare_cached(
            "SELECT l.target FROM links l JOIN item_sources s ON s.item_id = l.source_id JOIN items i ON i.id = l.source_id
             WHERE s.origin = ?1 AND i.deleted = 0 AND l.target_id IS NULL",
        )?;
        let rows = st.query_map([origin], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The last clock timestamp this workspace handed out, as text.
    pub fn last_hlc(&self) -> Result<Option<String>> {
        self.meta("hlc")
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

/// The columns of an item ready for the index (see [`index_doc_row`]).
macro_rules! index_doc_cols {
    () => {
        "SELECT i.id, i.kind, i.title, i.body, i.created, COALESCE(p.name, ''), COALESCE(p.perspective, ''),
   (SELECT json_group_array(tag) FROM tags WHERE item_id = i.id),
   (SELECT json_group_array(alias) FROM aliases WHERE item_id = i.id),
   (SELECT json_group_array(json_array(perspective, position)) FROM friction_positions WHERE item_id = i.id),
   sf.source, sf.customer, sf.date, sf.ref, sf.quote,
   COALESCE(ff.status, inf.status), ff.severity,
   rf.decision, rf.rationale, rf.agreed_by, rf.decided_on, rf.retires,
   gf.horizon, gf.owner,
   mf.start, mf.\"end\", mf.attendees, mf.location"
    };
}
/// The tables [`index_doc_cols`] reads beside `items i`.
macro_rules! index_doc_joins {
    () => {
        "
 LEFT JOIN people p ON p.id = i.author
 LEFT JOIN signal_fields sf ON sf.item_id = i.id
 LEFT JOIN insight_fields inf ON inf.item_id = i.id
 LEFT JOIN friction_fields ff ON ff.item_id = i.id
 LEFT JOIN resolution_fields rf ON rf.item_id = i.id
 LEFT JOIN goal_fields gf ON gf.item_id = i.id
 LEFT JOIN meeting_fields mf ON mf.item_id = i.id"
    };
}
/// Every live item, ready for the index.
const INDEX_DOC_SQL: &str = concat!(index_doc_cols!(), "\n FROM items i", index_doc_joins!(), "\n WHERE i.deleted = 0");
/// The live items among the ids of the JSON list `?1`, ready for the index: the list leads, so
/// a few queued items never walk every live one.
const INDEX_DOCS_BY_IDS_SQL: &str = concat!(
    index_doc_cols!(),
    "\n FROM json_each(?1) AS k CROSS JOIN items i ON i.id = k.value",
    index_doc_joins!(),
    "\n WHERE i.deleted = 0"
);

/// The live resolutions resolving each friction, with their decision: `(friction, resolution…)`.
const RESOLUTIONS_SQL: &str = "SELECT DISTINCT l.target_id, r.id, r.title, rf.decision, rf.rationale, r.created
 FROM links l JOIN items r ON r.id = l.source_id AND r.deleted = 0
 LEFT JOIN resolution_fields rf ON rf.item_id = r.id
 WHERE l.rel = 'resolves' AND l.target_id IS NOT NULL AND ?1 IS NULL
 ORDER BY l.target_id, r.created, r.id";
/// [`RESOLUTIONS_SQL`] for the frictions of the JSON list `?1` only: the list leads, then the
/// links to each, so a few queued frictions never walk every live item.
const RESOLUTIONS_OF_SQL: &str = "SELECT DISTINCT l.target_id, r.id, r.title, rf.decision, rf.rationale, r.created
 FROM json_each(?1) AS k CROSS JOIN links l ON l.target_id = k.value AND l.rel = 'resolves'
 JOIN items r ON r.id = l.source_id AND r.deleted = 0
 LEFT JOIN resolution_fields rf ON rf.item_id = r.id
 ORDER BY l.target_id, r.created, r.id";
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
        Ok(self.tx.prepare_cached("SELECT COUNT(*) FROM items WHERE deleted = 0")?.query_row([], |r| r.get::<_, i64>(0))? as u64)
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
        let mut st = self.tx.prepare_cached(INDEX_DOCS_BY_IDS_SQL)?;
        let rows = st.query_map([&list], index_doc_row)?;
        let mut out: Vec<IndexDoc> = rows.collect::<rusqlite::Result<_>>()?;
        for d in out.iter_mut().filter(|d| d.kind == Kind::Friction) {
            d.resolutions = resolutions.remove(&d.id).unwrap_or_default();
        }
        Ok(out)
    }

    /// The live resolutions resolving each friction (all frictions, or those in the JSON list `ids`).
    fn resolutions_of(&self, ids: Option<&str>) -> Result<std::collections::HashMap<String, Vec<ResolutionText>>> {
        let sql = if ids.is_some() { RESOLUTIONS_OF_SQL } else { RESOLUTIONS_SQL };
        let mut st = self.tx.prepare_cached(sql)?;
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
        Ok(self.tx.prepare_cached("SELECT COUNT(*) FROM index_queue WHERE seq > ?1")?.query_row([seq], |r| r.get::<_, i64>(0))? as usize)
    }

    /// The highest sequence number the index queue ever handed out (0 when none).
    pub fn index_queue_high(&self) -> Result<i64> {
        Ok(self
            .tx
            .prepare_cached("SELECT COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'index_queue'), 0)")?
            .query_row([], |r| r.get(0))?)
    }

    /// Removes the index-queue entries up to `seq` (the index holds them).
    pub fn index_queue_trim(&self, seq: i64) -> Result<()> {
        self.tx.prepare_cached("DELETE FROM index_queue WHERE seq <= ?1")?.execute([seq])?;
        Ok(())
    }

    /// Queues every live item created by `person_id` (their name or perspective changed).
    pub fn queue_index_authored_by(&self, person_id: &str) -> Result<()> {
        self.tx
            .prepare_cached("INSERT INTO index_queue(item_id) SELECT id FROM items WHERE author = ?1 AND deleted = 0")?
            .execute([person_id])?;
        Ok(())
    }
}

// ---- trace and the integration lens -----------------------------------------------------------

/// An item as trace and the lens see it: what the figures need and nothing more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeRow {
    pub id: String,
    pub kind: Kind,
    pub title: String,
    /// The person id of the creator.
    pub author: String,
    pub created: String,
    /// A friction's or an insight's status.
    pub status: Option<String>,
    pub severity: Option<String>,
    /// A signal's source, customer and observed date.
    pub source: Option<String>,
    pub customer: Option<String>,
    pub date: Option<String>,
    /// A resolution's decision date and the practice it retires.
    pub decided_on: Option<String>,
    pub retires: Option<String>,
    /// A meeting's time (RFC 3339, UTC), attendees, and whether it is tagged `all-day`.
    pub start: Option<String>,
    pub end: Option<String>,
    pub attendees: Option<String>,
    pub all_day: bool,
}

/// A resolved link between two live items.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct EdgeLink {
    pub source_id: String,
    pub target_id: String,
    pub rel: Rel,
}

/// A field of an item that trace and the lens read, besides its id, kind, title, author and creation time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeField {
    /// A friction's or an insight's status.
    Status,
    Severity,
    /// A signal's source, customer and observed date.
    Source,
    Customer,
    Date,
    /// A resolution's decision date and the practice it retires.
    DecidedOn,
    Retires,
    /// A meeting's start and end (RFC 3339, UTC) and attendees.
    Start,
    End,
    Attendees,
    /// The item is tagged `all-day` (no value).
    AllDay,
}

impl NodeField {
    /// The fields with a value, in this order.
    pub const VALUED: [NodeField; 10] = [
        NodeField::Status,
        NodeField::Severity,
        NodeField::Source,
        NodeField::Customer,
        NodeField::Date,
        NodeField::DecidedOn,
        NodeField::Retires,
        NodeField::Start,
        NodeField::End,
        NodeField::Attendees,
    ];
}

const NODE_SQL: &str = "SELECT i.id, i.kind, i.title, i.author, i.created,
       COALESCE(ff.status, inf.status), ff.severity, sf.source, sf.customer, sf.date,
       rf.decided_on, rf.retires, mf.start, mf.\"end\", mf.attendees,
       i.kind = 'meeting' AND EXISTS (SELECT 1 FROM tags t WHERE t.item_id = i.id AND t.tag = 'all-day')
  FROM items i
  LEFT JOIN friction_fields ff ON i.kind = 'friction' AND ff.item_id = i.id
  LEFT JOIN insight_fields inf ON i.kind = 'insight' AND inf.item_id = i.id
  LEFT JOIN signal_fields sf ON i.kind = 'signal' AND sf.item_id = i.id
  LEFT JOIN resolution_fields rf ON i.kind = 'resolution' AND rf.item_id = i.id
  LEFT JOIN meeting_fields mf ON i.kind = 'meeting' AND mf.item_id = i.id
 WHERE i.deleted = 0";

fn node_row(r: &rusqlite::Row) -> rusqlite::Result<NodeRow> {
    Ok(NodeRow {
        id: r.get(0)?,
        kind: kind_of(&r.get::<_, String>(1)?)?,
        title: r.get(2)?,
        author: r.get(3)?,
        created: r.get(4)?,
        status: r.get(5)?,
        severity: r.get(6)?,
        source: r.get(7)?,
        customer: r.get(8)?,
        date: r.get(9)?,
        decided_on: r.get(10)?,
        retires: r.get(11)?,
        start: r.get(12)?,
        end: r.get(13)?,
        attendees: r.get(14)?,
        all_day: r.get(15)?,
    })
}

const EDGE_SQL: &str = "SELECT DISTINCT l.source_id, l.target_id, l.rel FROM links l
  JOIN items s ON s.id = l.source_id AND s.deleted = 0
  JOIN items t ON t.id = l.target_id AND t.deleted = 0
 WHERE l.target_id IS NOT NULL";

fn edge_row(r: &rusqlite::Row) -> rusqlite::Result<EdgeLink> {
    Ok(EdgeLink { source_id: r.get(0)?, target_id: r.get(1)?, rel: rel_of(&r.get::<_, String>(2)?)? })
}

/// A fast hasher for maps keyed by ids (FxHash's multiply-rotate): item ids are not chosen by an
/// attacker who could profit from collisions, and SipHash costs more than the lookups it guards.
#[derive(Default, Clone, Copy)]
pub struct FastHasher(u64);

impl std::hash::Hasher for FastHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x517c_c1b7_2722_0a95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let w = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
            self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }
    fn write_u8(&mut self, b: u8) {
        self.write(&[b]);
    }
    fn write_usize(&mut self, n: usize) {
        self.write(&n.to_le_bytes());
    }
}

/// A hash map with [`FastHasher`].
pub type FastMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<FastHasher>>;

/// A relation name as stored, without allocating for the known ones.
fn rel_fast(s: &str) -> Result<Rel> {
    Ok(match s {
        "references" => Rel::References,
        "evidence" => Rel::Evidence,
        "resolves" => Rel::Resolves,
        "advances" => Rel::Advances,
        "supports" => Rel::Supports,
        "contradicts" => Rel::Contradicts,
        "derived-from" => Rel::DerivedFrom,
        other => other.parse().map_err(|e: Error| Error::Corrupt(format!("link relation: {e}")))?,
    })
}

fn text_ref<'r>(r: &'r rusqlite::Row, i: usize) -> rusqlite::Result<&'r str> {
    r.get_ref(i)?.as_str().map_err(|e| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e)))
}

impl Tx<'_> {
    /// Every live item as trace and the lens see it, without an allocation per row: calls
    /// `item(id, kind, title, author, created)` for each live item in storage order. Together with
    /// [`Tx::each_node_field`], one scan of the items and one of each field table (sequential
    /// reads, no lookups per row).
    pub fn each_node(&self, mut item: impl FnMut(&str, Kind, &str, &str, &str)) -> Result<()> {
        {
            let mut st = self.tx.prepare_cached("SELECT id, kind, title, author, created FROM items WHERE deleted = 0")?;
            let mut rows = st.query([])?;
            while let Some(r) = rows.next()? {
                let kind = match text_ref(r, 1)? {
                    "note" => Kind::Note,
                    "signal" => Kind::Signal,
                    "insight" => Kind::Insight,
                    "friction" => Kind::Friction,
                    "resolution" => Kind::Resolution,
                    "goal" => Kind::Goal,
                    "meeting" => Kind::Meeting,
                    other => kind_of(other)?,
                };
                item(text_ref(r, 0)?, kind, text_ref(r, 2)?, text_ref(r, 3)?, text_ref(r, 4)?);
            }
        }
        Ok(())
    }

    /// Calls `field(item id, kind, field, value)` for each row of the kinds' field tables (deleted
    /// items' too: the caller drops ids it does not know; `kind` is the table's), in the order
    /// friction, insight, signal, resolution, meeting, then [`NodeField::AllDay`] (kind `None`) for
    /// each item tagged `all-day`. A later value of the same field replaces an earlier one.
    pub fn each_node_field(&self, mut field: impl FnMut(&str, Option<Kind>, NodeField, Option<&str>)) -> Result<()> {
        fn opt_ref<'r>(r: &'r rusqlite::Row, i: usize) -> rusqlite::Result<Option<&'r str>> {
            Ok(match r.get_ref(i)? {
                rusqlite::types::ValueRef::Null => None,
                _ => Some(text_ref(r, i)?),
            })
        }
        use NodeField as F;
        let tables: [(&str, Option<Kind>, &[NodeField]); 6] = [
            ("SELECT item_id, status, severity FROM friction_fields", Some(Kind::Friction), &[F::Status, F::Severity]),
            ("SELECT item_id, status FROM insight_fields", Some(Kind::Insight), &[F::Status]),
            ("SELECT item_id, source, customer, date FROM signal_fields", Some(Kind::Signal), &[F::Source, F::Customer, F::Date]),
            ("SELECT item_id, decided_on, retires FROM resolution_fields", Some(Kind::Resolution), &[F::DecidedOn, F::Retires]),
            ("SELECT item_id, start, \"end\", attendees FROM meeting_fields", Some(Kind::Meeting), &[F::Start, F::End, F::Attendees]),
            ("SELECT item_id FROM tags WHERE tag = 'all-day'", None, &[]),
        ];
        for (sql, kind, cols) in tables {
            let mut st = self.tx.prepare_cached(sql)?;
            let mut rows = st.query([])?;
            while let Some(r) = rows.next()? {
                let id = text_ref(r, 0)?;
                if cols.is_empty() {
                    field(id, kind, F::AllDay, None);
                }
                for (c, &f) in cols.iter().enumerate() {
                    field(id, kind, f, opt_ref(r, c + 1)?);
                }
            }
        }
        Ok(())
    }

    /// One live item, as trace sees it.
    pub fn node(&self, id: &str) -> Result<Option<NodeRow>> {
        let mut st = self.tx.prepare_cached(&format!("{NODE_SQL} AND i.id = ?1"))?;
        Ok(st.query_row([id], node_row).optional()?)
    }

    /// Calls `f(source, target, relation)` for every resolved link, once per line that writes it;
    /// the caller drops links whose ends are not live items.
    pub fn each_resolved_link(&self, mut f: impl FnMut(&str, &str, Rel)) -> Result<()> {
        let mut st = self.tx.prepare_cached("SELECT source_id, target_id, rel FROM links WHERE target_id IS NOT NULL")?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            f(text_ref(r, 0)?, text_ref(r, 1)?, rel_fast(text_ref(r, 2)?)?);
        }
        Ok(())
    }

    /// The resolved links between live items that start or end at `id`.
    pub fn edges_at(&self, id: &str) -> Result<Vec<EdgeLink>> {
        let mut st = self.tx.prepare_cached(&format!("{EDGE_SQL} AND l.source_id = ?1 UNION {EDGE_SQL} AND l.target_id = ?1"))?;
        let rows = st.query_map([id], edge_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Calls `f(item id, perspective)` for every position of a friction, and `f(item id, agreed_by)`
    /// for every resolution that names who agreed (deleted items too; the caller drops them).
    pub fn each_stance(&self, mut position: impl FnMut(&str, &str), mut agreed: impl FnMut(&str, &str)) -> Result<()> {
        let mut st = self.tx.prepare_cached("SELECT item_id, perspective FROM friction_positions")?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            position(text_ref(r, 0)?, text_ref(r, 1)?);
        }
        let mut st =
            self.tx.prepare_cached("SELECT item_id, agreed_by FROM resolution_fields WHERE agreed_by IS NOT NULL AND agreed_by != ''")?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            agreed(text_ref(r, 0)?, text_ref(r, 1)?);
        }
        Ok(())
    }

    /// Calls `f(resolution id, hours freed)` for every resolution that retires a practice and
    /// says how many hours per month it freed (deleted ones too; the caller drops them).
    pub fn each_hours_freed(&self, mut f: impl FnMut(&str, &str)) -> Result<()> {
        let mut st = self.tx.prepare_cached(
            "SELECT item_id, hours_freed FROM resolution_fields
             WHERE hours_freed IS NOT NULL AND retires IS NOT NULL AND trim(retires) != ''",
        )?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            f(text_ref(r, 0)?, text_ref(r, 1)?);
        }
        Ok(())
    }

    /// The ids of live resolutions that retire a practice.
    pub fn retiring_resolutions(&self) -> Result<Vec<String>> {
        let mut st = self.tx.prepare_cached(
            "SELECT rf.item_id FROM resolution_fields rf CROSS JOIN items i ON i.id = rf.item_id
             WHERE rf.retires IS NOT NULL AND trim(rf.retires) != '' AND i.deleted = 0 ORDER BY rf.item_id",
        )?;
        let rows = st.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Calls `f(friction id, updated)` for every live friction that is open or exploring.
    pub fn each_unsettled_friction(&self, mut f: impl FnMut(&str, &str)) -> Result<()> {
        let mut st = self.tx.prepare_cached(
            "SELECT i.id, i.updated FROM friction_fields ff CROSS JOIN items i ON i.id = ff.item_id
             WHERE ff.status IN ('open', 'exploring') AND i.deleted = 0",
        )?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            f(text_ref(r, 0)?, text_ref(r, 1)?);
        }
        Ok(())
    }

    /// Calls `f(resolution id, opened, asked perspectives as JSON, answered perspectives as JSON)`
    /// for every open consent round (deleted resolutions too; the caller drops them).
    pub fn each_open_round(&self, mut f: impl FnMut(&str, &str, &str, &str)) -> Result<()> {
        let mut st = self.tx.prepare_cached(
            "SELECT r.item_id, r.opened, r.asked,
               (SELECT json_group_array(a.perspective) FROM round_answers a WHERE a.item_id = r.item_id)
             FROM rounds r WHERE r.state = 'open'",
        )?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            f(text_ref(r, 0)?, text_ref(r, 1)?, text_ref(r, 2)?, text_ref(r, 3)?);
        }
        Ok(())
    }

    /// Calls `f(item id, person id)` for every revision (several per pair, deleted items too).
    pub fn each_contribution(&self, mut f: impl FnMut(&str, &str)) -> Result<()> {
        let mut st = self.tx.prepare_cached("SELECT item_id, author FROM revisions")?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            f(text_ref(r, 0)?, text_ref(r, 1)?);
        }
        Ok(())
    }
}

// ---- calendar import ------------------------------------------------------------------------------

impl Tx<'_> {
    /// The meeting imported from occurrence `recurrence_id` ('' for a single event) of event `uid`.
    pub fn calendar_item(&self, uid: &str, recurrence_id: &str) -> Result<Option<String>> {
        let mut st = self.tx.prepare_cached(CALENDAR_ITEM_SQL)?;
        Ok(st.query_row([uid, recurrence_id], |r| r.get(0)).optional()?)
    }

    /// Records which calendar event a meeting came from.
    pub fn set_calendar_item(&self, item_id: &str, uid: &str, recurrence_id: &str) -> Result<()> {
        self.tx.execute(
            "INSERT INTO calendar_events(item_id, uid, recurrence_id) VALUES (?1, ?2, ?3)
             ON CONFLICT(item_id) DO UPDATE SET uid = excluded.uid, recurrence_id = excluded.recurrence_id",
            [item_id, uid, recurrence_id],
        )?;
        Ok(())
    }

    /// Every meeting imported from event `uid`: `(item id, recurrence id)`, in recurrence order.
    pub fn calendar_items_of(&self, uid: &str) -> Result<Vec<(String, String)>> {
        let mut st = self.tx.prepare_cached("SELECT item_id, recurrence_id FROM calendar_events WHERE uid = ?1 ORDER BY recurrence_id")?;
        let rows = st.query_map([uid], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

// ---- sync: the merge state and the cursors over the shared storage ------------------------------

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
#[derive(Debug, Clone)]
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

fn change_row(r: &rusqlite::Row) -> rusqlite::Result<ChangeRow> {
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

impl Tx<'_> {
    pub fn delete_meta(&self, key: &str) -> Result<()> {
        self.tx.execute("DELETE FROM meta WHERE key = ?1", [key])?;
        Ok(())
    }
}

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

/// One row of the merge state, as a snapshot carries it.
#[derive(Debug, Clone, PartialEq)]
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

#[cfg(test)]
mod durability_tests {
    use super::*;

    #[test]
    fn a_workspace_database_fsyncs_every_commit_in_wal_mode() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("t.db")).unwrap();
        let mode: String = store.conn.pragma_query_value(None, "journal_mode", |r| r.get(0)).unwrap();
        let sync: i64 = store.conn.pragma_query_value(None, "synchronous", |r| r.get(0)).unwrap();
        assert_eq!((mode.as_str(), sync), ("wal", 2), "WAL with synchronous=FULL (2)");
        store.set_durability(Durability::Normal).unwrap();
        let sync: i64 = store.conn.pragma_query_value(None, "synchronous", |r| r.get(0)).unwrap();
        assert_eq!(sync, 1);
    }
}

#[cfg(test)]
mod plan_tests {
    use super::*;

    /// The lines of SQLite's plan for `sql` that read a table or an index.
    fn plan(conn: &Connection, sql: &str) -> Vec<String> {
        let mut st = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap_or_else(|e| panic!("{e}: {sql}"));
        let nulls = std::iter::repeat_n(rusqlite::types::Null, st.parameter_count());
        let rows = st.query_map(rusqlite::params_from_iter(nulls), |r| r.get::<_, String>(3)).unwrap();
        rows.map(Result::unwrap).filter(|l| l.starts_with("SEARCH") || l.starts_with("SCAN")).collect()
    }

    /// Holds a lookup to its plan: it starts by searching `first`, and every table after it is
    /// searched by a key too — no line walks a table or an index, apart from the list of keys given
    /// (`json_each`), and none searches by `deleted` alone (every live item).
    fn check_lookup(conn: &Connection, what: &str, sql: &str, first: &str) -> std::result::Result<(), String> {
        let lines = plan(conn, sql);
        let tables: Vec<&String> = lines.iter().filter(|l| !l.contains("VIRTUAL TABLE")).collect();
        if !tables.first().is_some_and(|l| l.starts_with(first)) {
            return Err(format!("{what}: starts with {:?}, not `{first}`: {lines:?}", tables.first()));
        }
        if let Some(l) = tables.iter().find(|l| !l.starts_with("SEARCH") || l.ends_with("(deleted=?)")) {
            return Err(format!("{what}: `{l}` reads every row: {lines:?}"));
        }
        if let Some(l) = lines.iter().find(|l| l.contains("VIRTUAL TABLE") && !l.starts_with("SCAN k ")) {
            return Err(format!("{what}: `{l}`: only the keys given may be walked: {lines:?}"));
        }
        Ok(())
    }

    fn assert_all(conn: &Connection, when: &str) {
        let link_key = links_with_key_sql();
        let cases: &[(&str, &str, &str)] = &[
            ("an item by id", ITEM_SQL, "SEARCH items USING INDEX sqlite_autoindex_items_1 (id=?)"),
            (
                "an item by where it came from",
                ITEM_BY_SOURCE_SQL,
                "SEARCH item_sources USING INDEX sqlite_autoindex_item_sources_2 (origin=? AND path=?)",
            ),
            (
                "a meeting by its event",
                CALENDAR_ITEM_SQL,
                "SEARCH calendar_events USING INDEX sqlite_autoindex_calendar_events_2 (uid=? AND recurrence_id=?)",
            ),
            ("a signal by reference", SIGNAL_BY_REF_SQL, "SEARCH s USING INDEX signal_ref (ref=?)"),
            ("items by title", IDS_BY_TITLE_KEY_SQL, "SEARCH items USING INDEX items_title_key (title_key=?)"),
            ("items by alias", IDS_BY_ALIAS_KEY_SQL, "SEARCH a USING INDEX aliases_key (alias_key=?)"),
            ("items by titles", IDS_BY_TITLE_KEYS_SQL, "SEARCH i USING INDEX items_title_key (title_key=?)"),
            ("items by aliases", IDS_BY_ALIAS_KEYS_SQL, "SEARCH a USING INDEX aliases_key (alias_key=?)"),
            ("links by targets", LINKS_WITH_KEYS_SQL, "SEARCH l USING INDEX links_key (target_key=?)"),
            ("links by target", link_key.as_str(), "SEARCH links USING INDEX links_key (target_key=?)"),
            ("queued items for the index", INDEX_DOCS_BY_IDS_SQL, "SEARCH i USING"),
            ("the resolutions of queued frictions", RESOLUTIONS_OF_SQL, "SEARCH l USING INDEX links_target (target_id=?)"),
        ];
        for (what, sql, first) in cases {
            check_lookup(conn, &format!("{what} ({when})"), sql, first).unwrap_or_else(|e| panic!("{e}"));
        }
    }

    /// Every lookup an import makes per item reads its own index: on a fresh workspace, once SQLite
    /// has statistics of a large one, and beside indexes that would serve `deleted = 0` and the
    /// order of ids better than the key (as `items_lens` did for the reference).
    #[test]
    fn every_lookup_by_key_reads_its_own_index() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.db")).unwrap();
        let c = &store.conn;
        assert_all(c, "a new workspace");
        c.execute_batch(
            "INSERT INTO people(id, name, name_key, perspective, created) VALUES ('p', 'Anna', 'anna', 'Sales', '2026');
             WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 60)
             INSERT INTO people(id, name, name_key, perspective, created) SELECT 'p' || x, 'P' || x, 'p' || x, 'Sales', '2026' FROM n;
             WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 3000)
             INSERT INTO items(id, kind, title, title_key, author, created, updated, deleted)
               SELECT printf('id%06d', x), 'signal', 'T' || x, 't' || (x % 100), 'p', '2026', '2026', x % 50 = 0 FROM n;
             INSERT INTO signal_fields(item_id, ref) SELECT id, 'R' || (rowid % 7) FROM items;
             INSERT INTO aliases(item_id, alias, alias_key) SELECT id, 'A', 'a' || (rowid % 3) FROM items;
             INSERT INTO item_sources(item_id, origin, path) SELECT id, 'signals', 'R' || rowid FROM items;
             INSERT INTO links(source_id, rel, target, target_key, target_id, line) SELECT id, 'references', 'T', 't' || (rowid % 5), printf('id%06d', rowid % 3000 + 1), 1 FROM items;
             INSERT INTO calendar_events(item_id, uid, recurrence_id) SELECT id, 'u' || (rowid % 3), rowid FROM items;",
        )
        .unwrap();
        assert_all(c, "3,000 items, no statistics");
        c.execute_batch("ANALYZE").unwrap();
        assert_all(c, "with statistics");
        c.execute_batch(
            "DROP TABLE sqlite_stat1;
             CREATE INDEX tempt_items ON items(deleted, id, title_key, kind, title);
             CREATE INDEX tempt_signals ON signal_fields(item_id, ref);
             CREATE INDEX tempt_aliases ON aliases(alias_key, item_id, alias);
             CREATE INDEX tempt_links ON links(source_id, target_key, id);",
        )
        .unwrap();
        assert_all(c, "beside tempting indexes");
        c.execute_batch("ANALYZE").unwrap();
        assert_all(c, "beside tempting indexes, with statistics");
    }

    /// The test above can tell: the lookup by reference as it was written before walks every live item.
    #[test]
    fn the_old_lookup_by_reference_is_caught() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.db")).unwrap();
        let old = "SELECT s.item_id FROM signal_fields s JOIN items i ON i.id = s.item_id WHERE s.ref = ?1 AND i.deleted = 0 ORDER BY i.id LIMIT 1";
        let found = check_lookup(&store.conn, "old", old, "SEARCH s USING INDEX signal_ref (ref=?)");
        assert!(found.as_ref().is_err_and(|e| e.contains("items_lens")), "{found:?}");
    }
}
