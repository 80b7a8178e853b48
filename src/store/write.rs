//! The SQL that writes the record of items: the items with their fields, tags and aliases, their
//! revisions, the change log and the merge state. Nothing else in Mellanrum writes those tables
//! (`tests/tidy.rs` holds to it); the one write path (`crate::write`) calls these methods, and
//! sync folds remote ops into the merge state through them.

use rusqlite::params;

use super::{ChangeRow, FieldWrite, Store, Tx};
use crate::error::{Error, Result};
use crate::history;
use crate::model::{Fields, Item, Kind, Round};

/// A revision to insert with [`Tx::insert_revisions`].
#[derive(Debug, Clone)]
pub struct RevisionInsert {
    pub item_id: String,
    pub rev: i64,
    pub at: String,
    pub hlc: String,
    pub author: String,
    pub op: &'static str,
    pub record: history::Record,
}

/// A change-log entry to append with [`Tx::append_changes`].
#[derive(Debug, Clone)]
pub struct ChangeInsert {
    pub hlc: String,
    pub device: String,
    pub author: String,
    pub entity: &'static str,
    pub entity_id: String,
    pub op: &'static str,
    pub payload: String,
}

impl Tx<'_> {
    /// Records a file added to the workspace (its bytes are in the file store already). A row for
    /// the same path and content is there already: nothing is written and false returned.
    pub fn insert_attachment(&self, a: &super::AttachmentRow) -> Result<bool> {
        let name_key = a.path.rsplit('/').next().unwrap_or(&a.path).to_lowercase();
        let n = self
            .tx
            .prepare_cached(
                "INSERT OR IGNORE INTO attachments(id, path, path_key, name_key, hash, size, media_type, added_by, added_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![a.id, a.path, a.path.to_lowercase(), name_key, a.hash, a.size as i64, a.media_type, a.added_by, a.added_at])?;
        Ok(n == 1)
    }

    /// Writes an item's whole state (row, own fields, tags, aliases), inserting or replacing it.
    pub fn put_item(&self, item: &Item) -> Result<()> {
        self.put_item_over(None, item)
    }

    /// Writes an item over its stored state `old`: the row, and only the parts (tags, aliases, own
    /// fields) that differ from `old` (all of them without `old`).
    pub fn put_item_over(&self, old: Option<&Item>, item: &Item) -> Result<()> {
        let t = self.tx;
        t.prepare_cached(
            "INSERT INTO items(id, kind, title, title_key, body, author, created, updated, deleted)
             VALUES (:id, :kind, :title, :title_key, :body, :author, :created, :updated, :deleted)
             ON CONFLICT(id) DO UPDATE SET title = excluded.title, title_key = excluded.title_key,
               body = excluded.body, updated = excluded.updated, deleted = excluded.deleted",
        )?
        .execute(rusqlite::named_params! {
            ":id": item.id, ":kind": item.kind.as_str(), ":title": item.title,
            ":title_key": crate::model::title_key(&item.title), ":body": item.body, ":author": item.author,
            ":created": item.created, ":updated": item.updated, ":deleted": item.deleted,
        })?;
        let old = old.filter(|o| o.id == item.id && o.kind == item.kind);
        if old.is_none_or(|o| o.tags != item.tags) {
            t.prepare_cached("DELETE FROM tags WHERE item_id = ?1")?.execute([&item.id])?;
            let mut st = t.prepare_cached("INSERT OR IGNORE INTO tags(item_id, tag) VALUES (?1, ?2)")?;
            for tag in &item.tags {
                st.execute([&item.id, tag])?;
            }
        }
        if old.is_none_or(|o| o.aliases != item.aliases) {
            t.prepare_cached("DELETE FROM aliases WHERE item_id = ?1")?.execute([&item.id])?;
            let mut st = t.prepare_cached("INSERT OR IGNORE INTO aliases(item_id, alias, alias_key) VALUES (?1, ?2, ?3)")?;
            for a in &item.aliases {
                st.execute([&item.id, a, &crate::model::title_key(a)])?;
            }
        }
        if old.is_none_or(|o| o.fields.values != item.fields.values || o.fields.positions != item.fields.positions) {
            self.put_fields(&item.id, item.kind, &item.fields)?;
        }
        if old.is_none_or(|o| o.fields.props != item.fields.props) {
            self.put_props(&item.id, &item.fields.props)?;
        }
        if old.map_or(!item.fields.round.is_empty(), |o| o.fields.round != item.fields.round) {
            self.put_round(&item.id, &item.fields)?;
        }
        Ok(())
    }

    /// Writes a resolution's consent round (its registers in [`Fields::round`]) into `rounds` and
    /// `round_answers`.
    fn put_round(&self, id: &str, f: &Fields) -> Result<()> {
        let t = self.tx;
        t.prepare_cached("DELETE FROM rounds WHERE item_id = ?1")?.execute([id])?;
        t.prepare_cached("DELETE FROM round_answers WHERE item_id = ?1")?.execute([id])?;
        let Some(r) = Round::of(f) else { return Ok(()) };
        let (by, why) = r.overridden.as_ref().map(|o| (o.by.as_str(), o.reason.as_str())).unzip();
        t.prepare_cached(
            "INSERT INTO rounds(item_id, state, opened, asked, with_people, closed, override_by, override_reason)
             VALUES (?1,?2,?3,?4,?5,?6,?7,?8)",
        )?
        .execute(params![
            id,
            if r.is_open() { "open" } else { "closed" },
            r.opened,
            serde_json::to_string(&r.asked)?,
            serde_json::to_string(&r.with)?,
            r.closed,
            by,
            why
        ])?;
        let mut st = t.prepare_cached(
            "INSERT INTO round_answers(item_id, person_id, answer, reason, perspective, friction, at) VALUES (?1,?2,?3,?4,?5,?6,?7)",
        )?;
        for (pid, a) in &r.answers {
            st.execute(params![id, pid, a.answer, a.reason, a.perspective, a.friction, a.at])?;
        }
        Ok(())
    }

    fn put_fields(&self, id: &str, kind: Kind, f: &Fields) -> Result<()> {
        let t = self.tx;
        let g = |n: &str| f.get(n);
        match kind {
            Kind::Note => {}
            Kind::Signal => {
                t.prepare_cached(
                    "INSERT OR REPLACE INTO signal_fields(item_id, source, customer, date, ref, quote) VALUES (?1,?2,?3,?4,?5,?6)",
                )?
                .execute(params![id, g("source"), g("customer"), g("date"), g("ref"), g("quote")])?;
            }
            Kind::Insight => {
                t.prepare_cached("INSERT OR REPLACE INTO insight_fields(item_id, status) VALUES (?1, ?2)")?
                    .execute(params![id, g("status").unwrap_or("hypothesis")])?;
            }
            Kind::Friction => {
                t.prepare_cached("INSERT OR REPLACE INTO friction_fields(item_id, status, severity) VALUES (?1, ?2, ?3)")?
                    .execute(params![id, g("status").unwrap_or("open"), g("severity").unwrap_or("medium")])?;
                t.prepare_cached("DELETE FROM friction_positions WHERE item_id = ?1")?.execute([id])?;
                let mut st = t.prepare_cached("INSERT INTO friction_positions(item_id, perspective, position) VALUES (?1, ?2, ?3)")?;
                for (p, pos) in &f.positions {
                    st.execute([id, p, pos])?;
                }
            }
            Kind::Resolution => {
                t.prepare_cached(
                    "INSERT OR REPLACE INTO resolution_fields(item_id, decision, rationale, agreed_by, decided_on, retires,
                       practice_owner, hours_freed, review_30, review_90)
                     VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)",
                )?
                .execute(params![
                    id,
                    g("decision"),
                    g("rationale"),
                    g("agreed_by"),
                    g("decided_on"),
                    g("retires"),
                    g("practice_owner"),
                    g("hours_freed"),
                    g("review_30"),
                    g("review_90")
                ])?;
            }
            Kind::Goal => {
                t.prepare_cached("INSERT OR REPLACE INTO goal_fields(item_id, horizon, owner) VALUES (?1, ?2, ?3)")?.execute(params![
                    id,
                    g("horizon"),
                    g("owner")
                ])?;
            }
            Kind::Meeting => {
                t.prepare_cached(
                    "INSERT OR REPLACE INTO meeting_fields(item_id, start, \"end\", attendees, location) VALUES (?1,?2,?3,?4,?5)",
                )?
                .execute(params![id, g("start"), g("end"), g("attendees"), g("location")])?;
            }
        }
        Ok(())
    }

    /// Inserts a revision as [`history::record`] made it.
    #[allow(clippy::too_many_arguments)]
    pub fn insert_revision(
        &self,
        item_id: &str,
        rev: i64,
        at: &str,
        hlc: &str,
        author: &str,
        op: &str,
        rec: &history::Record,
    ) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO revisions(item_id, rev, at, hlc, author, op, changes, snapshot, layout, body_back, keyframe)
                 VALUES (?1,?2,?3,?4,?5,?6,?7,'',2,?8,?9)",
            )?
            .execute(params![item_id, rev, at, hlc, author, op, rec.changes, rec.body_back, rec.keyframe])?;
        self.tx.prepare_cached(CONTRIBUTOR_SQL)?.execute([item_id, author])?;
        Ok(())
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
        let packed = pack_payload(payload);
        self.tx
            .prepare_cached(
                "INSERT INTO changes(hlc, device, author, entity, entity_id, op, payload, body) VALUES (?1,?2,?3,?4,?5,?6,?7,?8)",
            )?
            .execute(params![hlc, device, author, entity, entity_id, op, packed.0, packed.1])?;
        Ok(())
    }

    /// Writes items that are not in the store yet (new ids): their rows, tags, aliases, own fields,
    /// positions and properties, as [`Tx::put_item`] writes each, with a few statements for all.
    pub fn insert_new_items(&self, items: &[Item]) -> Result<()> {
        use rusqlite::ToSql;
        let keys: Vec<String> = items.iter().map(|i| crate::model::title_key(&i.title)).collect();
        let kinds: Vec<&str> = items.iter().map(|i| i.kind.as_str()).collect();
        let rows: Vec<[&dyn ToSql; 9]> = items
            .iter()
            .zip(&keys)
            .zip(&kinds)
            .map(|((i, k), kind)| [&i.id as &dyn ToSql, kind, &i.title, k, &i.body, &i.author, &i.created, &i.updated, &i.deleted])
            .collect();
        self.insert_many("INSERT INTO items(id, kind, title, title_key, body, author, created, updated, deleted)", "", &rows)?;

        let tags: Vec<[&dyn ToSql; 2]> =
            items.iter().flat_map(|i| i.tags.iter().map(move |t| [&i.id as &dyn ToSql, t as &dyn ToSql])).collect();
        self.insert_many("INSERT OR IGNORE INTO tags(item_id, tag)", "", &tags)?;

        let alias_keys: Vec<(&String, &String, String)> =
            items.iter().flat_map(|i| i.aliases.iter().map(move |a| (&i.id, a, crate::model::title_key(a)))).collect();
        let aliases: Vec<[&dyn ToSql; 3]> = alias_keys.iter().map(|(id, a, k)| [id as &dyn ToSql, a, k]).collect();
        self.insert_many("INSERT OR IGNORE INTO aliases(item_id, alias, alias_key)", "", &aliases)?;

        // Own fields, one table per kind (the same columns and defaults as `put_fields`).
        let of = |k: Kind| items.iter().filter(move |i| i.kind == k);
        let sig: Vec<[Option<&str>; 5]> =
            of(Kind::Signal).map(|i| ["source", "customer", "date", "ref", "quote"].map(|n| i.fields.get(n))).collect();
        let rows: Vec<[&dyn ToSql; 6]> =
            of(Kind::Signal).zip(&sig).map(|(i, v)| [&i.id as &dyn ToSql, &v[0], &v[1], &v[2], &v[3], &v[4]]).collect();
        self.insert_many("INSERT OR REPLACE INTO signal_fields(item_id, source, customer, date, ref, quote)", "", &rows)?;
        let ins: Vec<&str> = of(Kind::Insight).map(|i| i.fields.get("status").unwrap_or("hypothesis")).collect();
        let rows: Vec<[&dyn ToSql; 2]> = of(Kind::Insight).zip(&ins).map(|(i, s)| [&i.id as &dyn ToSql, s]).collect();
        self.insert_many("INSERT OR REPLACE INTO insight_fields(item_id, status)", "", &rows)?;
        let fr: Vec<[&str; 2]> =
            of(Kind::Friction).map(|i| [i.fields.get("status").unwrap_or("open"), i.fields.get("severity").unwrap_or("medium")]).collect();
        let rows: Vec<[&dyn ToSql; 3]> = of(Kind::Friction).zip(&fr).map(|(i, v)| [&i.id as &dyn ToSql, &v[0], &v[1]]).collect();
        self.insert_many("INSERT OR REPLACE INTO friction_fields(item_id, status, severity)", "", &rows)?;
        let rows: Vec<[&dyn ToSql; 3]> = of(Kind::Friction)
            .flat_map(|i| i.fields.positions.iter().map(move |(p, pos)| [&i.id as &dyn ToSql, p as &dyn ToSql, pos as &dyn ToSql]))
            .collect();
        self.insert_many("INSERT INTO friction_positions(item_id, perspective, position)", "", &rows)?;
        let res: Vec<[Option<&str>; 9]> = of(Kind::Resolution)
            .map(|i| {
                ["decision", "rationale", "agreed_by", "decided_on", "retires", "practice_owner", "hours_freed", "review_30", "review_90"]
                    .map(|n| i.fields.get(n))
            })
            .collect();
        let rows: Vec<[&dyn ToSql; 10]> = of(Kind::Resolution)
            .zip(&res)
            .map(|(i, v)| [&i.id as &dyn ToSql, &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8]])
            .collect();
        self.insert_many(
            "INSERT OR REPLACE INTO resolution_fields(item_id, decision, rationale, agreed_by, decided_on, retires,
               practice_owner, hours_freed, review_30, review_90)",
            "",
            &rows,
        )?;
        let goal: Vec<[Option<&str>; 2]> = of(Kind::Goal).map(|i| ["horizon", "owner"].map(|n| i.fields.get(n))).collect();
        let rows: Vec<[&dyn ToSql; 3]> = of(Kind::Goal).zip(&goal).map(|(i, v)| [&i.id as &dyn ToSql, &v[0], &v[1]]).collect();
        self.insert_many("INSERT OR REPLACE INTO goal_fields(item_id, horizon, owner)", "", &rows)?;
        let meet: Vec<[Option<&str>; 4]> =
            of(Kind::Meeting).map(|i| ["start", "end", "attendees", "location"].map(|n| i.fields.get(n))).collect();
        let rows: Vec<[&dyn ToSql; 5]> =
            of(Kind::Meeting).zip(&meet).map(|(i, v)| [&i.id as &dyn ToSql, &v[0], &v[1], &v[2], &v[3]]).collect();
        self.insert_many("INSERT OR REPLACE INTO meeting_fields(item_id, start, \"end\", attendees, location)", "", &rows)?;

        for i in items.iter().filter(|i| !i.fields.round.is_empty()) {
            self.put_round(&i.id, &i.fields)?;
        }
        let props: Vec<(&String, &String, String)> =
            items.iter().flat_map(|i| i.fields.props.iter().map(move |(k, v)| (&i.id, k, v.to_string()))).collect();
        let rows: Vec<[&dyn ToSql; 3]> = props.iter().map(|(id, k, v)| [id as &dyn ToSql, k, v]).collect();
        self.insert_many("INSERT INTO item_props(item_id, key, value)", "", &rows)
    }

    /// Inserts revisions, in order.
    pub fn insert_revisions(&self, revs: &[RevisionInsert]) -> Result<()> {
        let rows: Vec<[&dyn rusqlite::ToSql; 11]> = revs
            .iter()
            .map(|r| {
                let rec = &r.record;
                [
                    &r.item_id as &dyn rusqlite::ToSql,
                    &r.rev,
                    &r.at,
                    &r.hlc,
                    &r.author,
                    &r.op,
                    &rec.changes,
                    &"",
                    &2i64,
                    &rec.body_back,
                    &rec.keyframe,
                ]
            })
            .collect();
        self.insert_many(
            "INSERT INTO revisions(item_id, rev, at, hlc, author, op, changes, snapshot, layout, body_back, keyframe)",
            "",
            &rows,
        )?;
        let mut pairs: Vec<(&str, &str)> = revs.iter().map(|r| (r.item_id.as_str(), r.author.as_str())).collect();
        pairs.sort_unstable();
        pairs.dedup();
        let rows: Vec<[&dyn rusqlite::ToSql; 2]> = pairs.iter().map(|(i, a)| [i as &dyn rusqlite::ToSql, a]).collect();
        self.insert_many("INSERT OR IGNORE INTO contributors(item_id, author)", "", &rows)
    }

    /// Appends to the change log, in order.
    pub fn append_changes(&self, changes: &[ChangeInsert]) -> Result<()> {
        self.append_changes_packed(changes, &Packed::payloads(changes))
    }

    /// [`Tx::append_changes`] with the payloads packed already ([`Packed::new`]).
    pub fn append_changes_packed(&self, changes: &[ChangeInsert], packed: &[PackedPayload<'_>]) -> Result<()> {
        let rows: Vec<[&dyn rusqlite::ToSql; 8]> = changes
            .iter()
            .zip(packed)
            .map(|(c, (p, b))| [&c.hlc as &dyn rusqlite::ToSql, &c.device, &c.author, &c.entity, &c.entity_id, &c.op, p, b])
            .collect();
        self.insert_many("INSERT INTO changes(hlc, device, author, entity, entity_id, op, payload, body)", "", &rows)
    }

    /// Register writes `(entity, field, write)` of entities new to this database, each as
    /// [`Tx::put_field_write`] writes it (a new entity has no older `@updated` to drop).
    pub fn put_field_writes(&self, writes: &[(String, String, FieldWrite)]) -> Result<()> {
        let rows: Vec<[&dyn rusqlite::ToSql; 6]> =
            writes.iter().map(|(e, f, w)| [e as &dyn rusqlite::ToSql, f, &w.hlc, &w.base, &w.value, &w.author]).collect();
        self.insert_many("INSERT OR IGNORE INTO sync_fields(entity_id, field, hlc, base, value, author)", "", &rows)
    }

    /// Set additions `(entity, set, element, dot)`, each as [`Tx::add_dot`] writes it.
    pub fn add_dots(&self, dots: &[(String, &'static str, String, String)]) -> Result<()> {
        let rows: Vec<[&dyn rusqlite::ToSql; 5]> = dots.iter().map(|(e, s, x, d)| [e as &dyn rusqlite::ToSql, s, x, d, &0i64]).collect();
        self.insert_many("INSERT OR IGNORE INTO sync_dots(entity_id, set_name, elem, dot, removed)", "", &rows)
    }

    /// Body document states `(item id, state)`, each as [`Tx::set_crdt_state`] writes it.
    pub fn set_crdt_states(&self, states: &[(String, Vec<u8>)]) -> Result<()> {
        self.set_crdt_states_packed(states, &Packed::states(states))
    }

    /// [`Tx::set_crdt_states`] with the states packed already ([`Packed::new`]).
    pub fn set_crdt_states_packed(&self, states: &[(String, Vec<u8>)], packed: &[(Vec<u8>, i64)]) -> Result<()> {
        let rows: Vec<[&dyn rusqlite::ToSql; 3]> =
            states.iter().zip(packed).map(|((i, _), (s, p))| [i as &dyn rusqlite::ToSql, s, p]).collect();
        self.insert_many(
            "INSERT INTO crdt_state(item_id, state, packed)",
            "ON CONFLICT(item_id) DO UPDATE SET state = excluded.state, packed = excluded.packed",
            &rows,
        )
    }

    /// Inserts an op received from another device; false when it was known already.
    pub fn insert_remote_change(&self, c: &ChangeRow) -> Result<bool> {
        let packed = pack_payload(&c.payload);
        let n = self
            .tx
            .prepare_cached(
                "INSERT OR IGNORE INTO changes(hlc, device, author, entity, entity_id, op, payload, body) VALUES (?1,?2,?3,?4,?5,?6,?7,?8)",
            )?
            .execute(params![c.hlc, c.device, c.author, c.entity, c.entity_id, c.op, packed.0, packed.1])?;
        Ok(n == 1)
    }

    /// Records a write of a field; false when this exact write was known.
    ///
    /// `@updated` (when the entity last changed) keeps only its newest write: it has no base and
    /// takes part in no conflict, so an older write is never read again — kept, it would add a
    /// row to every save for ever.
    pub fn put_field_write(&self, entity_id: &str, field: &str, w: &FieldWrite) -> Result<bool> {
        let n = self
            .tx
            .prepare_cached("INSERT OR IGNORE INTO sync_fields(entity_id, field, hlc, base, value, author) VALUES (?1,?2,?3,?4,?5,?6)")?
            .execute(params![entity_id, field, w.hlc, w.base, w.value, w.author])?;
        if field == "@updated" && n == 1 {
            self.tx
                .prepare_cached(
                    "DELETE FROM sync_fields WHERE entity_id = ?1 AND field = '@updated'
                     AND hlc < (SELECT MAX(hlc) FROM sync_fields WHERE entity_id = ?1 AND field = '@updated')",
                )?
                .execute([entity_id])?;
        }
        Ok(n == 1)
    }

    /// Records an add of `elem` tagged `dot` (a remove that arrived first keeps it removed).
    pub fn add_dot(&self, entity_id: &str, set: &str, elem: &str, dot: &str) -> Result<()> {
        self.tx
            .prepare_cached("INSERT OR IGNORE INTO sync_dots(entity_id, set_name, elem, dot, removed) VALUES (?1,?2,?3,?4,0)")?
            .execute(params![entity_id, set, elem, dot])?;
        Ok(())
    }

    /// Records that the add `dot` of `elem` was removed.
    pub fn remove_dot(&self, entity_id: &str, set: &str, elem: &str, dot: &str) -> Result<()> {
        self.tx
            .prepare_cached(
                "INSERT INTO sync_dots(entity_id, set_name, elem, dot, removed) VALUES (?1,?2,?3,?4,1)
                 ON CONFLICT DO UPDATE SET removed = 1",
            )?
            .execute(params![entity_id, set, elem, dot])?;
        Ok(())
    }

    pub fn set_crdt_state(&self, item_id: &str, state: &[u8]) -> Result<()> {
        let packed = pack_state(state);
        self.tx
            .prepare_cached(
                "INSERT INTO crdt_state(item_id, state, packed) VALUES (?1, ?2, ?3)
                 ON CONFLICT(item_id) DO UPDATE SET state = excluded.state, packed = excluded.packed",
            )?
            .execute(params![item_id, packed.0, packed.1])?;
        Ok(())
    }
}

// ---- compact storage of large values -----------------------------------------------------------

/// A change-log payload as stored: the payload without its body update, and that update packed.
pub type PackedPayload<'a> = (std::borrow::Cow<'a, str>, Option<Vec<u8>>);

/// A batch's body states and change-log payloads in their stored, compressed form. Packing is
/// pure work with no database in it, so a batch can pack on one thread while its other rows are
/// written on another.
pub struct Packed<'a> {
    pub states: Vec<(Vec<u8>, i64)>,
    pub payloads: Vec<PackedPayload<'a>>,
}

impl<'a> Packed<'a> {
    pub fn new(states: &[(String, Vec<u8>)], changes: &'a [ChangeInsert]) -> Packed<'a> {
        Packed { states: Packed::states(states), payloads: Packed::payloads(changes) }
    }

    fn states(states: &[(String, Vec<u8>)]) -> Vec<(Vec<u8>, i64)> {
        states.iter().map(|(_, s)| pack_state(s)).collect()
    }

    fn payloads(changes: &'a [ChangeInsert]) -> Vec<PackedPayload<'a>> {
        changes.iter().map(|c| pack_payload(&c.payload)).collect()
    }
}

/// Values at least this long are stored zstd-compressed.
pub(super) const PACK_FROM: usize = 128;

/// A body document's state as stored: `(bytes, packed)`.
pub(super) fn pack_state(state: &[u8]) -> (Vec<u8>, i64) {
    if state.len() >= PACK_FROM {
        (history::pack(state), 1)
    } else {
        (state.to_vec(), 0)
    }
}

pub(super) fn unpack_state(state: Vec<u8>, packed: i64) -> Result<Vec<u8>> {
    if packed == 1 {
        history::unpack(&state)
    } else {
        Ok(state)
    }
}

/// Where a payload written by this program keeps its body update: `"@body":"<base64>"`.
pub(super) const BODY_KEY: &str = "\"@body\":\"";

/// A change-log payload as stored: `(payload, body)`. A large `@body` (a base64 yrs update) is
/// kept aside as its raw bytes, zstd-compressed, and its place in the payload left empty; any
/// other payload is stored as it is. [`unpack_payload`] gives back the very same text.
pub(super) fn pack_payload(payload: &str) -> (std::borrow::Cow<'_, str>, Option<Vec<u8>>) {
    use base64::Engine;
    let Some(at) = payload.find(BODY_KEY) else { return (payload.into(), None) };
    let start = at + BODY_KEY.len();
    let Some(len) = payload[start..].find('"') else { return (payload.into(), None) };
    if len < PACK_FROM {
        return (payload.into(), None);
    }
    let Ok(raw) = base64::engine::general_purpose::STANDARD.decode(&payload[start..start + len]) else { return (payload.into(), None) };
    // Only a value that encodes back to the same text is taken apart.
    if base64::engine::general_purpose::STANDARD.encode(&raw).len() != len {
        return (payload.into(), None);
    }
    let rest = format!("{}{}", &payload[..start], &payload[start + len..]);
    (rest.into(), Some(history::pack(&raw)))
}

/// Undoes [`pack_payload`].
pub(super) fn unpack_payload(payload: String, body: Option<Vec<u8>>) -> Result<String> {
    use base64::Engine;
    let Some(body) = body else { return Ok(payload) };
    let raw = history::unpack(&body)?;
    let Some(at) = payload.find(BODY_KEY) else {
        return Err(Error::Corrupt("a change-log entry has a body update but no place for it".into()));
    };
    let start = at + BODY_KEY.len();
    let b64 = base64::engine::general_purpose::STANDARD.encode(raw);
    let mut out = String::with_capacity(payload.len() + b64.len());
    out.push_str(&payload[..start]);
    out.push_str(&b64);
    out.push_str(&payload[start..]);
    Ok(out)
}

// ---- the upgrade of an older workspace's record --------------------------------------------------

/// Rows the upgrade rewrites per transaction.
const UPGRADE_BATCH: usize = 2000;

/// What [`Store::upgrade`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct UpgradeReport {
    /// Revisions rewritten as deltas, change-log entries and body documents compressed.
    pub revisions: u64,
    pub changes: u64,
    pub documents: u64,
    /// The database file before and after (bytes).
    pub bytes_before: u64,
    pub bytes_after: u64,
}

/// How much room the parts of the record take (`mellanrum info`).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct RecordStats {
    pub revisions: u64,
    /// The current bodies.
    pub body_bytes: u64,
    /// Revisions: what changed, body deltas and keyframes (and whole copies not upgraded yet).
    pub history_bytes: u64,
    /// The change log sync replicates.
    pub log_bytes: u64,
    /// The bodies' merged text documents.
    pub document_bytes: u64,
    /// The database file.
    pub database_bytes: u64,
}

impl Store {
    /// How much room the parts of the record take.
    pub fn record_stats(&mut self) -> Result<RecordStats> {
        let database_bytes = self.db_bytes()?;
        self.read(|tx| {
            let one = |sql: &str| -> Result<i64> { Ok(tx.tx.query_row(sql, [], |r| r.get(0))?) };
            Ok(RecordStats {
                revisions: one("SELECT COUNT(*) FROM revisions")? as u64,
                body_bytes: one("SELECT COALESCE(SUM(length(CAST(body AS BLOB))), 0) FROM items")? as u64,
                history_bytes: one("SELECT COALESCE(SUM(length(CAST(changes AS BLOB)) + length(CAST(snapshot AS BLOB))
                        + COALESCE(length(CAST(body_back AS BLOB)), 0) + COALESCE(length(keyframe), 0)), 0) FROM revisions")?
                    as u64,
                log_bytes: one("SELECT COALESCE(SUM(length(CAST(payload AS BLOB)) + COALESCE(length(body), 0)), 0) FROM changes")? as u64,
                document_bytes: one("SELECT COALESCE(SUM(length(state)), 0) FROM crdt_state")? as u64,
                database_bytes,
            })
        })
    }

    fn db_bytes(&self) -> Result<u64> {
        let pages: i64 = self.conn.pragma_query_value(None, "page_count", |r| r.get(0))?;
        let size: i64 = self.conn.pragma_query_value(None, "page_size", |r| r.get(0))?;
        Ok((pages * size) as u64)
    }

    /// How many rows the upgrade of an older record still has to rewrite (0: nothing to do).
    pub fn upgrade_pending(&mut self) -> Result<u64> {
        self.read(|tx| {
            let q = |sql: &str, cursor: &str| -> Result<i64> {
                let after: i64 = tx.meta(cursor)?.and_then(|v| v.parse().ok()).unwrap_or(0);
                Ok(tx.tx.query_row(sql, [after], |r| r.get(0))?)
            };
            let state = tx.meta("upgrade_record")?;
            let revs: i64 = tx.tx.query_row("SELECT COUNT(*) FROM revisions WHERE layout = 1", [], |r| r.get(0))?;
            if state.as_deref() == Some("done") || (state.is_none() && revs == 0) {
                return Ok(0);
            }
            let changes = q("SELECT COUNT(*) FROM changes WHERE seq > ?1", "upgrade_changes_after")?;
            let docs = q("SELECT COUNT(*) FROM crdt_state WHERE rowid > ?1", "upgrade_documents_after")?;
            Ok((revs + changes + docs).max(1) as u64)
        })
    }

    /// Rewrites a record kept by an older Mellanrum in the compact layout (migration 09): every
    /// revision as a delta ([`history`]), every large body update of the change log and every body
    /// document compressed; then gives the space back (`VACUUM`). Runs in batches, each its own
    /// transaction, with cursors in `meta`, so a killed upgrade goes on where it stopped and loses
    /// nothing. `progress(done, total)` follows it. Returns `None` when there was nothing to do.
    pub fn upgrade(&mut self, progress: &mut dyn FnMut(u64, u64)) -> Result<Option<UpgradeReport>> {
        let total = self.upgrade_pending()?;
        // Tests make the batches small, so a kill can fall between any two of them.
        let batch = std::env::var("MELLANRUM_UPGRADE_BATCH").ok().and_then(|v| v.parse().ok()).unwrap_or(UPGRADE_BATCH);
        let vacuum_left = self.read(|tx| tx.meta("upgrade_vacuum"))?.is_some();
        if total == 0 && !vacuum_left {
            return Ok(None);
        }
        let mut report = UpgradeReport { bytes_before: self.db_bytes()?, ..Default::default() };
        let mut done = 0u64;
        progress(done, total);
        if total > 0 {
            loop {
                let n = self.write(|tx| tx.upgrade_revisions(batch))?;
                if n == 0 {
                    break;
                }
                report.revisions += n;
                done += n;
                progress(done.min(total), total);
            }
            loop {
                let n = self.write(|tx| tx.upgrade_changes(batch))?;
                if n.0 == 0 {
                    break;
                }
                report.changes += n.1;
                done += n.0;
                progress(done.min(total), total);
            }
            loop {
                let n = self.write(|tx| tx.upgrade_documents(batch))?;
                if n.0 == 0 {
                    break;
                }
                report.documents += n.1;
                done += n.0;
                progress(done.min(total), total);
            }
            self.write(|tx| {
                tx.set_meta("upgrade_record", "done")?;
                tx.set_meta("upgrade_vacuum", "1")
            })?;
        }
        // The space the old record took goes back to the file system. VACUUM is atomic: killed, it
        // leaves the database as it was, and the next open runs it again.
        self.conn.execute_batch("VACUUM")?;
        self.write(|tx| tx.delete_meta("upgrade_vacuum"))?;
        report.bytes_after = self.db_bytes()?;
        progress(total, total);
        Ok(Some(report))
    }
}

impl Tx<'_> {
    /// Rewrites up to `n` revisions of the old layout as [`history::record`] writes them; returns
    /// how many.
    fn upgrade_revisions(&self, n: usize) -> Result<u64> {
        let mut st = self.tx.prepare("SELECT id, rev, changes FROM revisions WHERE layout = 1 ORDER BY id LIMIT ?1")?;
        let rows: Vec<(i64, i64, String)> =
            st.query_map([n as i64], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<rusqlite::Result<_>>()?;
        let mut up =
            self.tx.prepare("UPDATE revisions SET changes = ?2, snapshot = '', layout = 2, body_back = ?3, keyframe = ?4 WHERE id = ?1")?;
        for (id, rev, changes) in &rows {
            let mut map: serde_json::Map<String, serde_json::Value> = serde_json::from_str(changes)
                .map_err(|e| Error::Corrupt(format!("revision {rev} (row {id}) of the history is not valid JSON: {e}")))?;
            let (back, keyframe) = match map.remove("body") {
                Some(b) => {
                    let new = b.get("new").and_then(|v| v.as_str()).unwrap_or_default().to_string();
                    let old = b.get("old").and_then(|v| v.as_str());
                    let kf = (rev % history::KEYFRAME_EVERY == 0).then(|| history::pack(new.as_bytes()));
                    (Some(history::body_back(&new, old)), kf)
                }
                None => (None, None),
            };
            up.execute(params![id, serde_json::Value::Object(map).to_string(), back, keyframe])?;
        }
        Ok(rows.len() as u64)
    }

    /// Compresses the body updates of up to `n` change-log entries after the cursor; returns
    /// `(entries looked at, entries compressed)`.
    fn upgrade_changes(&self, n: usize) -> Result<(u64, u64)> {
        let after: i64 = self.meta("upgrade_changes_after")?.and_then(|v| v.parse().ok()).unwrap_or(0);
        let mut st = self.tx.prepare("SELECT seq, payload FROM changes WHERE seq > ?1 AND body IS NULL ORDER BY seq LIMIT ?2")?;
        let rows: Vec<(i64, String)> =
            st.query_map(params![after, n as i64], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
        let mut up = self.tx.prepare("UPDATE changes SET payload = ?2, body = ?3 WHERE seq = ?1")?;
        let mut packed = 0;
        for (seq, payload) in &rows {
            if let (p, Some(b)) = pack_payload(payload) {
                up.execute(params![seq, p, b])?;
                packed += 1;
            }
        }
        if let Some((last, _)) = rows.last() {
            self.set_meta("upgrade_changes_after", &last.to_string())?;
        }
        Ok((rows.len() as u64, packed))
    }

    /// Compresses up to `n` body documents after the cursor; returns `(looked at, compressed)`.
    fn upgrade_documents(&self, n: usize) -> Result<(u64, u64)> {
        let after: i64 = self.meta("upgrade_documents_after")?.and_then(|v| v.parse().ok()).unwrap_or(0);
        let mut st = self.tx.prepare("SELECT rowid, state, packed FROM crdt_state WHERE rowid > ?1 ORDER BY rowid LIMIT ?2")?;
        let rows: Vec<(i64, Vec<u8>, i64)> =
            st.query_map(params![after, n as i64], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?.collect::<rusqlite::Result<_>>()?;
        let mut up = self.tx.prepare("UPDATE crdt_state SET state = ?2, packed = ?3 WHERE rowid = ?1")?;
        let mut packed = 0;
        for (rowid, state, p) in &rows {
            if *p == 0 && state.len() >= PACK_FROM {
                let (s, p) = pack_state(state);
                up.execute(params![rowid, s, p])?;
                packed += 1;
            }
        }
        if let Some((last, _, _)) = rows.last() {
            self.set_meta("upgrade_documents_after", &last.to_string())?;
        }
        Ok((rows.len() as u64, packed))
    }
}

/// Who contributed to an item: kept beside every revision (migration 15), read by the lens.
const CONTRIBUTOR_SQL: &str = "INSERT OR IGNORE INTO contributors(item_id, author) VALUES (?1, ?2)";
