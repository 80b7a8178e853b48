//! The merge rules. Every op — local or remote — is folded into the merge state by the same
//! function ([`fold`]), and an entity's state is read back from it ([`merged_item`],
//! [`merged_person`]):
//!
//! - scalar fields (title, a kind's own fields, a friction's positions `position.X`, a
//!   resolution's consent round `round.X` — each person's answer `round.answer.<id>` its own
//!   register —, `deleted`, a person's name and perspective) are last-writer-wins registers ordered by hybrid logical clock;
//!   two writes neither of which saw the other are a conflict, and the loser is kept in `conflicts`;
//! - the body is a text CRDT (yrs `Y.Text`): updates merge in any order;
//! - tags and aliases are add-wins (observed-remove) sets;
//! - delete is the `deleted` register: a tombstone that a later restore lifts.
//!
//! Folding is commutative and idempotent, so the state does not depend on the order in which
//! devices' logs arrive, nor on an op arriving twice.

use std::collections::BTreeMap;

use base64::Engine;
use serde_json::{json, Map, Value};

use crate::error::{Error, Result};
use crate::model::{self, Fields, Item, Kind, Person};
use crate::store::{ChangeRow, ConflictRow, FieldWrite, Tx};
use crate::sync::text;

/// The version of the op payload format that merges (`"@v": 2`).
pub const OP_VERSION: u64 = 2;

const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// Fields that are not last-writer-wins registers.
pub(crate) fn is_register(field: &str) -> bool {
    !matches!(field, "body" | "tags" | "aliases") && !field.starts_with('@')
}

fn item_registers(item: &Item) -> BTreeMap<String, Value> {
    let mut m = BTreeMap::new();
    m.insert("title".to_string(), json!(item.title));
    m.insert("deleted".to_string(), json!(item.deleted));
    for name in item.kind.field_names() {
        m.insert((*name).to_string(), item.fields.get(name).map_or(Value::Null, |v| json!(v)));
    }
    for (k, v) in &item.fields.positions {
        m.insert(format!("position.{k}"), json!(v));
    }
    for (k, v) in &item.fields.round {
        m.insert(format!("round.{k}"), json!(v));
    }
    m
}

/// Builds the op of a local save of an item and folds it into the merge state. The payload is the
/// flat map of changed fields with their new values, plus `@`-keys: `@v`, `@at` (wall time),
/// `@base` (per field, the clock of the value the writer replaced), `@body` (the yrs update of the
/// body edit, base64), `@tags` / `@aliases` (`{"add": [..], "rm": {elem: [dots]}}`), and on
/// create `@created` and `kind`.
pub(crate) fn record_local_item(tx: &Tx, device: &str, hlc: &str, author: &str, at: &str, old: Option<&Item>, new: &Item) -> Result<Value> {
    let mut p = Map::new();
    p.insert("@v".into(), json!(OP_VERSION));
    p.insert("@at".into(), json!(at));
    let mut base = Map::new();
    let before = old.map(item_registers).unwrap_or_default();
    let after = item_registers(new);
    // A field present before and absent now (a removed position) is written as null.
    let keys: std::collections::BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    for k in keys {
        let (o, n) = (before.get(k), after.get(k).cloned().unwrap_or(Value::Null));
        if o == Some(&n) || (o.is_none() && n.is_null() && old.is_some()) {
            continue;
        }
        base.insert(k.clone(), tx.field_winner(&new.id, k)?.map_or(Value::Null, |w| json!(w.hlc)));
        p.insert(k.clone(), n);
    }
    if old.is_none() {
        p.insert("kind".into(), json!(new.kind));
        p.insert("@created".into(), json!(new.created));
    }
    p.insert("@base".into(), Value::Object(base));
    // The body: the character diff applied to the item's Y.Text.
    if old.is_none_or(|o| o.body != new.body) {
        let state = tx.crdt_state(&new.id)?;
        if state.is_some() || !new.body.is_empty() {
            let doc = text::load(device, state.as_deref())?;
            if let Some(update) = text::edit(&doc, &new.body) {
                tx.set_crdt_state(&new.id, &text::state(&doc))?;
                p.insert("@body".into(), json!(B64.encode(update)));
            }
        }
    }
    for (set, o, n) in [("tags", old.map(|o| &o.tags), &new.tags), ("aliases", old.map(|o| &o.aliases), &new.aliases)] {
        let empty = Vec::new();
        let o = o.unwrap_or(&empty);
        let added: Vec<&String> = n.iter().filter(|x| !o.contains(x)).collect();
        let mut rm = Map::new();
        for x in o.iter().filter(|x| !n.contains(x)) {
            rm.insert(x.clone(), json!(tx.live_dots(&new.id, set, x)?));
        }
        if !added.is_empty() || !rm.is_empty() {
            p.insert(format!("@{set}"), json!({"add": added, "rm": rm}));
        }
    }
    let payload = Value::Object(p);
    let op = ChangeRow {
        seq: 0,
        hlc: hlc.to_string(),
        device: device.to_string(),
        author: author.to_string(),
        entity: "item".into(),
        entity_id: new.id.clone(),
        op: String::new(),
        payload: String::new(),
    };
    // The body update is in the state already; fold the rest.
    fold_payload(tx, &op, &payload, device, false, &mut Vec::new())?;
    Ok(payload)
}

/// The op of a local create of an item whose id nothing knows yet (a new id), and the rows that
/// folding it adds to the merge state. It is what [`record_local_item`] builds and folds for such
/// an item — no earlier value to base a field on, no other write to conflict with — returned
/// instead of written, so that a writer of many new items (an import batch) inserts them together.
pub(crate) struct NewItemOp {
    pub payload: Value,
    /// Register writes: `(field, write)`.
    pub fields: Vec<(String, FieldWrite)>,
    /// Set additions: `(set, element)`, each dotted with the op's clock.
    pub dots: Vec<(&'static str, String)>,
    /// The body document's state, when the body is not empty.
    pub crdt: Option<Vec<u8>>,
}

pub(crate) fn new_item_op(device: &str, hlc: &str, author: &str, at: &str, new: &Item) -> Result<NewItemOp> {
    let write = |value: &Value| FieldWrite { hlc: hlc.to_string(), base: None, value: value.to_string(), author: author.to_string() };
    let mut p = Map::new();
    let mut fields = Vec::new();
    p.insert("@v".into(), json!(OP_VERSION));
    p.insert("@at".into(), json!(at));
    fields.push(("@updated".to_string(), write(&json!(at))));
    let mut base = Map::new();
    for (k, n) in item_registers(new) {
        base.insert(k.clone(), Value::Null);
        fields.push((k.clone(), write(&n)));
        p.insert(k, n);
    }
    p.insert("kind".into(), json!(new.kind));
    fields.push(("kind".to_string(), write(&json!(new.kind))));
    p.insert("@created".into(), json!(new.created));
    fields.push(("@created".to_string(), write(&json!(new.created))));
    fields.push(("@author".to_string(), write(&json!(author))));
    p.insert("@base".into(), Value::Object(base));
    let mut crdt = None;
    if !new.body.is_empty() {
        let doc = text::load(device, None)?;
        if let Some(update) = text::edit(&doc, &new.body) {
            crdt = Some(text::state(&doc));
            p.insert("@body".into(), json!(B64.encode(update)));
        }
    }
    let mut dots = Vec::new();
    for (set, n) in [("tags", &new.tags), ("aliases", &new.aliases)] {
        if !n.is_empty() {
            p.insert(format!("@{set}"), json!({"add": n, "rm": {}}));
            dots.extend(n.iter().map(|e| (set, e.clone())));
        }
    }
    Ok(NewItemOp { payload: Value::Object(p), fields, dots, crdt })
}

/// Builds the op of a local change to a person and folds it in.
pub(crate) fn record_local_person(tx: &Tx, hlc: &str, author: &str, at: &str, p: &Person, create: bool) -> Result<Value> {
    let mut m = Map::new();
    m.insert("@v".into(), json!(OP_VERSION));
    m.insert("@at".into(), json!(at));
    let mut base = Map::new();
    let fields: &[(&str, &str)] =
        if create { &[("name", &p.name), ("perspective", &p.perspective)] } else { &[("perspective", &p.perspective)] };
    for (k, v) in fields {
        base.insert((*k).into(), tx.field_winner(&p.id, k)?.map_or(Value::Null, |w| json!(w.hlc)));
        m.insert((*k).into(), json!(v));
    }
    if create {
        m.insert("@created".into(), json!(p.created));
    }
    m.insert("@base".into(), Value::Object(base));
    let payload = Value::Object(m);
    let op = ChangeRow {
        seq: 0,
        hlc: hlc.into(),
        device: String::new(),
        author: author.into(),
        entity: "person".into(),
        entity_id: p.id.clone(),
        op: String::new(),
        payload: String::new(),
    };
    fold_payload(tx, &op, &payload, "", false, &mut Vec::new())?;
    Ok(payload)
}

/// True when a payload is in the mergeable format.
pub fn is_mergeable(payload: &str) -> bool {
    serde_json::from_str::<Value>(payload).ok().and_then(|v| v.get("@v").and_then(Value::as_u64)) == Some(OP_VERSION)
}

/// Checks an op from another device before it is obeyed: known entity, mergeable payload,
/// valid titles and names. An op that fails is quarantined, never applied.
pub fn check_remote(op: &ChangeRow) -> std::result::Result<Value, String> {
    let v: Value = serde_json::from_str(&op.payload).map_err(|e| format!("op {} has a payload that is not JSON: {e}", op.hlc))?;
    if v.get("@v").and_then(Value::as_u64) != Some(OP_VERSION) {
        return Err(format!("op {} is not in a format this Mellanrum merges", op.hlc));
    }
    let hlc: crate::hlc::Hlc = op.hlc.parse().map_err(|e: Error| e.to_string())?;
    if hlc.device != op.device {
        return Err(format!("op {} claims device {} but came from {}", op.hlc, hlc.device, op.device));
    }
    if uuid::Uuid::parse_str(&op.entity_id).is_err() || uuid::Uuid::parse_str(&op.author).is_err() {
        return Err(format!("op {} names an entity or author that is not an id", op.hlc));
    }
    match op.entity.as_str() {
        "item" => {
            if let Some(t) = v.get("title") {
                model::check_title(t.as_str().unwrap_or_default()).map_err(|e| format!("op {}: {e}", op.hlc))?;
            }
            if let Some(k) = v.get("kind") {
                k.as_str().unwrap_or_default().parse::<Kind>().map_err(|e| format!("op {}: {e}", op.hlc))?;
            }
            if let Some(b) = v.get("@body") {
                B64.decode(b.as_str().unwrap_or_default()).map_err(|e| format!("op {}: the body update is not base64: {e}", op.hlc))?;
            }
        }
        "person" => {
            if let Some(n) = v.get("name") {
                let n = n.as_str().unwrap_or_default();
                if n.trim().is_empty() || n.contains(['\n', ',', ';']) {
                    return Err(format!("op {}: '{n}' is not a person's name", op.hlc));
                }
            }
        }
        other => return Err(format!("op {} changes an unknown kind of entity '{other}'", op.hlc)),
    }
    Ok(v)
}

/// Folds an op into the merge state. `doc_device` is whose yrs client id a loaded body document
/// carries (this device: it only reads remote updates, it never writes as the remote).
/// Conflicts found are appended to `conflicts`.
pub(crate) fn fold(tx: &Tx, op: &ChangeRow, payload: &Value, doc_device: &str, conflicts: &mut Vec<ConflictRow>) -> Result<()> {
    fold_payload(tx, op, payload, doc_device, true, conflicts)
}

fn fold_payload(tx: &Tx, op: &ChangeRow, p: &Value, doc_device: &str, with_body: bool, conflicts: &mut Vec<ConflictRow>) -> Result<()> {
    let Some(obj) = p.as_object() else { return Ok(()) };
    let base = obj.get("@base").and_then(Value::as_object);
    let id = &op.entity_id;
    let write = |_field: &str, value: &Value, base: Option<String>| FieldWrite {
        hlc: op.hlc.clone(),
        base,
        value: value.to_string(),
        author: op.author.clone(),
    };
    for (k, v) in obj {
        if !is_register(k) {
            continue;
        }
        let b = base.and_then(|b| b.get(k)).and_then(Value::as_str).map(str::to_string);
        let w = write(k, v, b);
        if tx.put_field_write(id, k, &w)? {
            detect_conflicts(tx, id, k, &w, conflicts)?;
        }
    }
    if let Some(at) = obj.get("@at") {
        tx.put_field_write(id, "@updated", &write("@updated", at, None))?;
    }
    if let Some(c) = obj.get("@created") {
        tx.put_field_write(id, "@created", &write("@created", c, None))?;
        tx.put_field_write(id, "@author", &write("@author", &json!(op.author), None))?;
    }
    if with_body {
        if let Some(b) = obj.get("@body").and_then(Value::as_str) {
            let update = B64.decode(b).map_err(|e| Error::Corrupt(format!("op {}: body update: {e}", op.hlc)))?;
            let state = tx.crdt_state(id)?;
            let doc = text::load(doc_device, state.as_deref())?;
            text::apply(&doc, &update)?;
            tx.set_crdt_state(id, &text::state(&doc))?;
        }
    }
    for set in ["tags", "aliases"] {
        let Some(s) = obj.get(&format!("@{set}")) else { continue };
        for e in s.get("add").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str) {
            tx.add_dot(id, set, e, &op.hlc)?;
        }
        for (e, dots) in s.get("rm").and_then(Value::as_object).into_iter().flatten() {
            for d in dots.as_array().into_iter().flatten().filter_map(Value::as_str) {
                tx.remove_dot(id, set, e, d)?;
            }
        }
    }
    Ok(())
}

/// Finds the writes of `field` that are concurrent with `w` (neither saw the other) and disagree
/// with it; each pair is recorded once, whichever arrives second.
pub(crate) fn detect_conflicts(tx: &Tx, id: &str, field: &str, w: &FieldWrite, out: &mut Vec<ConflictRow>) -> Result<()> {
    for other in tx.field_writes(id, field)? {
        if other.hlc == w.hlc || other.value == w.value {
            continue;
        }
        let w_saw = w.base.as_ref().is_some_and(|b| *b >= other.hlc);
        let other_saw = other.base.as_ref().is_some_and(|b| *b >= w.hlc);
        if w_saw || other_saw {
            continue;
        }
        let (win, lose) = if w.hlc > other.hlc { (w, &other) } else { (&other, w) };
        let row = ConflictRow {
            entity_id: id.to_string(),
            field: field.to_string(),
            winner_hlc: win.hlc.clone(),
            winner_value: win.value.clone(),
            winner_author: win.author.clone(),
            loser_hlc: lose.hlc.clone(),
            loser_value: lose.value.clone(),
            loser_author: lose.author.clone(),
            detected: crate::workspace::now_text(),
        };
        if tx.insert_conflict(&row)? {
            out.push(row);
        }
    }
    Ok(())
}

fn str_of(v: &str) -> Option<String> {
    match serde_json::from_str::<Value>(v) {
        Ok(Value::String(s)) => Some(s),
        _ => None,
    }
}

/// The merged state of an item, or `None` while its create op has not arrived. `known_body` is the
/// stored body when no body update was folded since it was written (saves decoding the CRDT).
pub(crate) fn merged_item(tx: &Tx, id: &str, doc_device: &str, known_body: Option<String>) -> Result<Option<(Item, String, String)>> {
    let winners: BTreeMap<String, FieldWrite> = tx.field_winners(id)?.into_iter().collect();
    let Some(kind) = winners.get("kind").and_then(|w| str_of(&w.value)).and_then(|k| k.parse::<Kind>().ok()) else {
        return Ok(None);
    };
    let s = |f: &str| winners.get(f).and_then(|w| str_of(&w.value));
    let title = s("title").and_then(|t| model::check_title(&t).ok()).unwrap_or_else(|| "Untitled".into());
    let deleted = winners.get("deleted").is_some_and(|w| w.value == "true");
    let mut fields = Fields::defaults(kind);
    for name in kind.field_names() {
        if let Some(v) = s(name) {
            match model::normalize_field(kind, name, &v) {
                Ok(Some(n)) => {
                    fields.values.insert((*name).to_string(), n);
                }
                Ok(None) if fields.values.contains_key(*name) => {}
                Ok(None) => {
                    fields.values.remove(*name);
                }
                Err(_) => {}
            }
        } else if winners.get(*name).is_some_and(|w| w.value == "null") && !matches!(*name, "status" | "severity") {
            fields.values.remove(*name);
        }
    }
    if kind == Kind::Friction {
        for (k, w) in winners.range("position.".to_string()..) {
            let Some(p) = k.strip_prefix("position.") else { break };
            if let Some(v) = str_of(&w.value).filter(|v| !v.trim().is_empty()) {
                fields.positions.insert(p.to_string(), v);
            }
        }
    }
    if kind == Kind::Resolution {
        // A consent round: each part (state, each person's answer, …) its own register.
        for (k, w) in winners.range("round.".to_string()..) {
            let Some(p) = k.strip_prefix("round.") else { break };
            if let Some(v) = str_of(&w.value).filter(|v| !v.trim().is_empty()) {
                fields.round.insert(p.to_string(), v);
            }
        }
        if !fields.round.contains_key("state") {
            fields.round.clear();
        }
    }
    let body = match known_body {
        Some(b) => b,
        None => match tx.crdt_state(id)? {
            Some(st) => text::text(&text::load(doc_device, Some(&st))?),
            None => String::new(),
        },
    };
    let tags = tx.set_members(id, "tags")?;
    let mut aliases = tx.set_members(id, "aliases")?;
    aliases.sort_by_key(|a| (model::title_key(a), a.clone()));
    let author = winners.get("@author").and_then(|w| str_of(&w.value)).unwrap_or_default();
    let created = s("@created").unwrap_or_default();
    let updated = winners.get("@updated").and_then(|w| str_of(&w.value)).unwrap_or_else(|| created.clone());
    let (last_hlc, last_author) =
        winners.values().max_by(|a, b| a.hlc.cmp(&b.hlc)).map(|w| (w.hlc.clone(), w.author.clone())).unwrap_or_default();
    let item = Item { id: id.to_string(), kind, title, body, tags, aliases, fields, author, created, updated, deleted };
    Ok(Some((item, last_hlc, last_author)))
}

/// The merged name and perspective of a person, if their create op has arrived.
pub(crate) fn merged_person(tx: &Tx, id: &str) -> Result<Option<Person>> {
    let winners: BTreeMap<String, FieldWrite> = tx.field_winners(id)?.into_iter().collect();
    let Some(name) = winners.get("name").and_then(|w| str_of(&w.value)) else { return Ok(None) };
    let perspective = winners.get("perspective").and_then(|w| str_of(&w.value)).unwrap_or_default();
    let created = winners.get("@created").and_then(|w| str_of(&w.value)).unwrap_or_default();
    Ok(Some(Person { id: id.to_string(), name, perspective, created }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn friction(id: &str, body: &str, tags: &[&str], aliases: &[&str]) -> Item {
        let mut fields = Fields::defaults(Kind::Friction);
        fields.values.insert("severity".into(), "high".into());
        fields.positions.insert("Sales".into(), "ship in May".into());
        fields.positions.insert("Engineering".into(), "ship in June".into());
        fields.props.insert("rating".into(), json!(3));
        Item {
            id: id.into(),
            kind: Kind::Friction,
            title: "Release date".into(),
            body: body.into(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            aliases: aliases.iter().map(|t| t.to_string()).collect(),
            fields,
            author: "0190a0a0-0000-7000-8000-0000000000aa".into(),
            created: "2026-11-27T08:00:00Z".into(),
            updated: "2026-11-27T08:00:00Z".into(),
            deleted: false,
        }
    }

    /// What the merge state holds for one entity: its register writes, set additions and body state.
    type EntityState = (Vec<(String, FieldWrite)>, Vec<(String, String, String, bool)>, Option<Vec<u8>>);

    fn state_of(tx: &Tx, id: &str) -> EntityState {
        let fields = tx.all_field_writes().unwrap().into_iter().filter(|(e, _, _)| e == id).map(|(_, f, w)| (f, w)).collect();
        let dots = tx.all_dots().unwrap().into_iter().filter(|d| d.entity_id == id).map(|d| (d.set, d.elem, d.dot, d.removed)).collect();
        (fields, dots, tx.crdt_state(id).unwrap())
    }

    #[test]
    fn a_new_items_op_and_rows_are_what_a_local_create_records_and_folds() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("m.db")).unwrap();
        let cases = [
            friction("", "Sales wants May; [[Roadmap]] says June.\nsupports:: [[Customer call]]", &["release", "q2"], &["RD", "Datum"]),
            friction("", "", &[], &[]),
        ];
        for (n, case) in cases.iter().enumerate() {
            let a = format!("0190a0a0-0000-7000-8000-00000000000{n}");
            let b = format!("0190a0a0-0000-7000-8000-00000000001{n}");
            let hlc = format!("0000018f2a3b4c5d-000{n}-dev1");
            store
                .write(|tx| {
                    let saved = Item { id: a.clone(), ..case.clone() };
                    let bulk = Item { id: b.clone(), ..case.clone() };
                    let payload = record_local_item(tx, "dev1", &hlc, &saved.author, &saved.updated, None, &saved)?;
                    let op = new_item_op("dev1", &hlc, &bulk.author, &bulk.updated, &bulk)?;
                    assert_eq!(payload, op.payload, "case {n}: the op in the change log");
                    tx.put_field_writes(&op.fields.iter().map(|(f, w)| (b.clone(), f.clone(), w.clone())).collect::<Vec<_>>())?;
                    tx.add_dots(&op.dots.iter().map(|(s, e)| (b.clone(), *s, e.clone(), hlc.clone())).collect::<Vec<_>>())?;
                    tx.set_crdt_states(&op.crdt.iter().map(|s| (b.clone(), s.clone())).collect::<Vec<_>>())?;
                    let (sa, sb) = (state_of(tx, &a), state_of(tx, &b));
                    assert!(!sa.0.is_empty(), "case {n}: the create wrote registers");
                    assert_eq!(sa, sb, "case {n}: the merge state");
                    Ok(())
                })
                .unwrap();
        }
    }
}
