//! Bulk writes: the rows of an import batch, one multi-row INSERT per table.

use super::*;
use crate::error::Result;
use crate::model::{Kind, Link};

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
    pub(super) fn insert_many<const N: usize>(&self, head: &str, tail: &str, rows: &[[&dyn rusqlite::ToSql; N]]) -> Result<()> {
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
