//! Trace and the integration lens: live items, their fields and resolved links, read without an
//! allocation per row.

use rusqlite::OptionalExtension;

use super::*;
use crate::error::{Error, Result};
use crate::model::{Kind, Rel};

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

pub(super) fn node_row(r: &rusqlite::Row) -> rusqlite::Result<NodeRow> {
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

/// The hasher of maps keyed by ids (rustc-hash's FxHasher): item ids are not chosen by an attacker
/// who could profit from collisions, and SipHash costs more than the lookups it guards.
pub use rustc_hash::FxHasher as FastHasher;

/// A hash map with [`FastHasher`].
pub type FastMap<K, V> = rustc_hash::FxHashMap<K, V>;

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

    /// At least as many as the live items (the largest row number of the items table, at most a
    /// few million): room to read them into, found without reading them.
    pub fn items_at_most(&self) -> Result<usize> {
        let n: Option<i64> = self.tx.query_row("SELECT max(rowid) FROM items", [], |r| r.get(0))?;
        Ok(n.unwrap_or(0).clamp(0, 4_000_000) as usize)
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

    /// Calls `f(item id, person id)` once for every person who wrote a revision of an item
    /// (deleted items too), grouped by item.
    pub fn each_contribution(&self, mut f: impl FnMut(&str, &str)) -> Result<()> {
        let mut st = self.tx.prepare_cached("SELECT item_id, author FROM contributors")?;
        let mut rows = st.query([])?;
        while let Some(r) = rows.next()? {
            f(text_ref(r, 0)?, text_ref(r, 1)?);
        }
        Ok(())
    }
}
