//! What the search index reads: an item with everything its document needs, and the index queue.

use super::*;
use crate::error::Result;
use crate::model::{Fields, Kind};

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
/// The tables [`index_doc_cols`] reads beside `items i`: its author and its kind's fields (the
/// exports read the same).
macro_rules! item_joins {
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
pub(super) use item_joins;
/// Every live item, ready for the index.
const INDEX_DOC_SQL: &str = concat!(index_doc_cols!(), "\n FROM items i", item_joins!(), "\n WHERE i.deleted = 0");
/// The live items among the ids of the JSON list `?1`, ready for the index: the list leads, so
/// a few queued items never walk every live one.
pub(super) const INDEX_DOCS_BY_IDS_SQL: &str =
    concat!(index_doc_cols!(), "\n FROM json_each(?1) AS k CROSS JOIN items i ON i.id = k.value", item_joins!(), "\n WHERE i.deleted = 0");

/// The live resolutions resolving each friction, with their decision: `(friction, resolution…)`.
const RESOLUTIONS_SQL: &str = "SELECT DISTINCT l.target_id, r.id, r.title, rf.decision, rf.rationale, r.created
 FROM links l JOIN items r ON r.id = l.source_id AND r.deleted = 0
 LEFT JOIN resolution_fields rf ON rf.item_id = r.id
 WHERE l.rel = 'resolves' AND l.target_id IS NOT NULL AND ?1 IS NULL
 ORDER BY l.target_id, r.created, r.id";
/// [`RESOLUTIONS_SQL`] for the frictions of the JSON list `?1` only: the list leads, then the
/// links to each, so a few queued frictions never walk every live item.
pub(super) const RESOLUTIONS_OF_SQL: &str = "SELECT DISTINCT l.target_id, r.id, r.title, rf.decision, rf.rationale, r.created
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
