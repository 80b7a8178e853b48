//! The store: the SQLite database that is the single source of truth.
//!
//! All SQL of Mellanrum lives in this module. Callers get a [`Tx`] inside [`Store::write`] (an
//! immediate transaction: everything in it lands or nothing does) or [`Store::read`] (a consistent
//! snapshot), and call its typed methods; the rules of the domain live in the callers.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior};
use rusqlite_migration::{Migrations, M};

use crate::error::{Error, Result};
use crate::model::{Kind, Link, Rel};

mod attachments;
mod bulk;
mod calendar;
mod doctor;
mod exchange;
mod index_docs;
mod items;
mod lens;
mod lens_rows;
mod links;
mod people;
mod revisions;
mod rounds;
mod sync;
mod write;

pub use attachments::AttachmentRow;
pub use doctor::Peek;
pub use exchange::{EdgeRow, ExportItem};
pub use index_docs::{IndexDoc, ResolutionText};
pub use items::{ItemRow, SignalCols};
pub use lens::{EdgeLink, FastHasher, FastMap, NodeField, NodeRow};
pub use lens_rows::LensSource;
pub use revisions::{ActivityRow, ChangeRow, RevisionRow};
use sync::change_row;
pub use sync::{ConflictRow, DotRow, FieldWrite};
use write::{unpack_payload, unpack_state};
pub use write::{ChangeInsert, Packed, PackedPayload, RecordStats, RevisionInsert, UpgradeReport};

/// The migrations, in order. Append-only: a released migration is never edited. `user_version`
/// counts the migrations that have run (a position in this list), not folder numbers: there is no
/// folder 03, so from `04-…` on a folder's number is one more than the version it brings a database
/// to (ARCHITECTURE.md, "Store").
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
    include_str!("../../migrations/15-contributors/up.sql"),
    include_str!("../../migrations/16-lens-rows/up.sql"),
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

/// How much of the database file SQLite reads through a memory map instead of copying each
/// page into its own cache: large reads (the lens's, a list of every item) touch the file's pages
/// where the operating system already holds them (SQLite caps it at its own limit, just under 2 GiB).
const MMAP_BYTES: i64 = 1 << 31;

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
        conn.pragma_update(None, "mmap_size", MMAP_BYTES)?;
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

    /// [`Store::write`] of what is derived from the rest and kept in the database (the lens's
    /// rows): committed without waiting for the disk, since a commit lost to a power cut loses
    /// nothing that is not derived again — the next write that waits carries it to the disk.
    pub fn write_derived<T>(&mut self, f: impl FnOnce(&Tx) -> Result<T>) -> Result<T> {
        let full: i64 = self.conn.pragma_query_value(None, "synchronous", |r| r.get(0))?;
        if full < 2 {
            return self.write(f);
        }
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        let out = self.write(f);
        self.conn.pragma_update(None, "synchronous", "FULL")?;
        out
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
        reader.pragma_update(None, "mmap_size", MMAP_BYTES)?;
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

    pub fn delete_meta(&self, key: &str) -> Result<()> {
        self.tx.execute("DELETE FROM meta WHERE key = ?1", [key])?;
        Ok(())
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

    #[test]
    fn a_write_of_derived_rows_does_not_wait_for_the_disk_and_leaves_the_store_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("t.db")).unwrap();
        let during: i64 = store.write_derived(|tx| Ok(tx.tx.pragma_query_value(None, "synchronous", |r| r.get(0))?)).unwrap();
        let after: i64 = store.conn.pragma_query_value(None, "synchronous", |r| r.get(0)).unwrap();
        assert_eq!((during, after), (1, 2), "NORMAL for the derived write, FULL again after it");
        // A failed derived write leaves it FULL too.
        assert!(store.write_derived(|_| -> Result<()> { Err(Error::Corrupt("test".into())) }).is_err());
        let after: i64 = store.conn.pragma_query_value(None, "synchronous", |r| r.get(0)).unwrap();
        assert_eq!(after, 2);
    }
}

#[cfg(test)]
mod plan_tests {
    use super::index_docs::{INDEX_DOCS_BY_IDS_SQL, RESOLUTIONS_OF_SQL};
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
