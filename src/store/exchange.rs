//! Knowledge in and out: what imports look up and what exports stream.

use rusqlite::{params, OptionalExtension};

use super::index_docs::item_joins;
use super::*;
use crate::error::Result;
use crate::model::{Fields, Item, Kind, Rel};

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

const EXPORT_ITEM_SQL: &str = concat!(
    "
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
    FROM items i",
    item_joins!(),
    "
    WHERE i.deleted = 0
    ORDER BY i.id"
);

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
