//! Items: one by id, lookups by title, alias and id prefix, lists and counts.

use rusqlite::{params, OptionalExtension};

use super::*;
use crate::error::Result;
use crate::model::{Fields, Item, Kind};

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

impl Tx<'_> {
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
}
