//! The lens's rows (migration 16): one encoded row per live item, kept up to date lazily — the
//! triggers mark an item stale when a table the lens reads of it changes, and the lens encodes
//! the stale items again (`crate::lens::rows`) before it reads.

use rusqlite::params;

use super::*;
use crate::error::Result;
use crate::model::Rel;

/// What the lens reads of one stale item, from the tables the triggers watch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LensSource {
    /// A tombstone (or an item gone): its lens row is removed.
    pub deleted: bool,
    pub node: NodeRow,
    /// A resolution's `agreed_by`, when not empty.
    pub agreed_by: Option<String>,
    /// Its resolved links `(target id, relation)`, once per line that writes them, in body order.
    pub links: Vec<(String, Rel)>,
    /// The person ids of who wrote a revision of it.
    pub contributors: Vec<String>,
    /// The perspectives holding a position in it (a friction), in the order they were written.
    pub positions: Vec<String>,
}

const STALE_NODES: &str = "SELECT i.id, i.kind, i.title, i.author, i.created,
       COALESCE(ff.status, inf.status), ff.severity, sf.source, sf.customer, sf.date,
       rf.decided_on, rf.retires, mf.start, mf.\"end\", mf.attendees,
       i.kind = 'meeting' AND EXISTS (SELECT 1 FROM tags t WHERE t.item_id = i.id AND t.tag = 'all-day'),
       i.deleted, NULLIF(rf.agreed_by, '')
  FROM lens_stale s CROSS JOIN items i ON i.id = s.item_id
  LEFT JOIN friction_fields ff ON i.kind = 'friction' AND ff.item_id = i.id
  LEFT JOIN insight_fields inf ON i.kind = 'insight' AND inf.item_id = i.id
  LEFT JOIN signal_fields sf ON i.kind = 'signal' AND sf.item_id = i.id
  LEFT JOIN resolution_fields rf ON i.kind = 'resolution' AND rf.item_id = i.id
  LEFT JOIN meeting_fields mf ON i.kind = 'meeting' AND mf.item_id = i.id";

impl Tx<'_> {
    /// How many items wait to be encoded again.
    pub fn lens_stale_count(&self) -> Result<usize> {
        let n: i64 = self.tx.prepare_cached("SELECT count(*) FROM lens_stale")?.query_row([], |r| r.get(0))?;
        Ok(n as usize)
    }

    /// What the lens reads of every stale item that still exists (tombstones included, marked).
    pub fn stale_lens_sources(&self) -> Result<Vec<LensSource>> {
        let mut out: Vec<LensSource> = Vec::new();
        let mut at: FastMap<String, usize> = FastMap::default();
        {
            let mut st = self.tx.prepare_cached(STALE_NODES)?;
            let mut rows = st.query([])?;
            while let Some(r) = rows.next()? {
                // The columns of `NODE_SQL` first, then the tombstone and who agreed.
                let node = super::lens::node_row(r)?;
                at.insert(node.id.clone(), out.len());
                out.push(LensSource {
                    deleted: r.get(16)?,
                    node,
                    agreed_by: r.get(17)?,
                    links: Vec::new(),
                    contributors: Vec::new(),
                    positions: Vec::new(),
                });
            }
        }
        let mut each = |sql: &str, f: &mut dyn FnMut(&mut LensSource, &rusqlite::Row) -> Result<()>| -> Result<()> {
            let mut st = self.tx.prepare_cached(sql)?;
            let mut rows = st.query([])?;
            while let Some(r) = rows.next()? {
                let id: String = r.get(0)?;
                if let Some(&i) = at.get(&id) {
                    f(&mut out[i], r)?;
                }
            }
            Ok(())
        };
        each(
            "SELECT l.source_id, l.target_id, l.rel FROM lens_stale s CROSS JOIN links l ON l.source_id = s.item_id
              WHERE l.target_id IS NOT NULL ORDER BY l.source_id, l.line, l.id",
            &mut |src, r| {
                src.links.push((r.get(1)?, rel_of(&r.get::<_, String>(2)?)?));
                Ok(())
            },
        )?;
        each("SELECT c.item_id, c.author FROM lens_stale s CROSS JOIN contributors c ON c.item_id = s.item_id", &mut |src, r| {
            src.contributors.push(r.get(1)?);
            Ok(())
        })?;
        each(
            "SELECT p.item_id, p.perspective FROM lens_stale s CROSS JOIN friction_positions p ON p.item_id = s.item_id
              ORDER BY p.item_id, p.rowid",
            &mut |src, r| {
                src.positions.push(r.get(1)?);
                Ok(())
            },
        )?;
        Ok(out)
    }

    /// Keeps `data` as the lens row of item `id`.
    pub fn put_lens_row(&self, id: &str, data: &[u8]) -> Result<()> {
        self.tx.prepare_cached("INSERT OR REPLACE INTO lens_rows(item_id, data) VALUES (?1, ?2)")?.execute(params![id, data])?;
        Ok(())
    }

    /// Removes the lens row of item `id` (a tombstone).
    pub fn delete_lens_row(&self, id: &str) -> Result<()> {
        self.tx.prepare_cached("DELETE FROM lens_rows WHERE item_id = ?1")?.execute([id])?;
        Ok(())
    }

    /// Every item is encoded again: none is stale any more.
    pub fn clear_lens_stale(&self) -> Result<()> {
        self.tx.execute("DELETE FROM lens_stale", [])?;
        Ok(())
    }

    /// Drops every lens row and marks every item stale (the rows' format changed).
    pub fn reset_lens_rows(&self) -> Result<()> {
        self.tx.execute("DELETE FROM lens_rows", [])?;
        self.tx.execute("INSERT OR IGNORE INTO lens_stale(item_id) SELECT id FROM items", [])?;
        Ok(())
    }

    /// Calls `f(row)` for every lens row, in the order of their ids.
    pub fn each_lens_row(&self, mut f: impl FnMut(&[u8]) -> Result<()>) -> Result<()> {
        let mut st = self.tx.prepare_cached("SELECT data FROM lens_rows")?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            f(r.get_ref(0)?.as_blob().map_err(rusqlite::Error::from)?)?;
        }
        Ok(())
    }
}
