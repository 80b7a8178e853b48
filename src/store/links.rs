//! The links derived from bodies, and their targets.

use rusqlite::params;

use super::*;
use crate::error::Result;
use crate::model::Link;

impl Tx<'_> {
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
}
