//! The rules, as functions over a transaction: edits, references, fields, the friction lifecycle.

use std::collections::BTreeSet;

use super::*;
use crate::error::{Error, Result};
use crate::model::{self, Fields, Item, Kind, Link, Rel};
use crate::store::Tx;

/// Applies an edit to the item `id` inside the caller's transaction.
pub(super) fn apply_edit(tx: &Tx, ctx: &Ctx, id: &str, edit: &Edit) -> Result<(SaveReport, bool)> {
    let old = live_item(tx, id)?;
    let mut new = old.clone();
    if let Some(t) = &edit.title {
        new.title = model::check_title(t)?;
    }
    if let Some(b) = &edit.body {
        new.body = normalize_body(b);
    }
    for (name, value) in &edit.set {
        set_field(old.kind, &mut new.fields, name, value)?;
    }
    if old.kind == Kind::Friction {
        check_friction_status(tx, &old, new.fields.get("status").unwrap_or("open"))?;
    }
    for (p, pos) in &edit.positions {
        set_position(old.kind, &mut new.fields, p, pos)?;
    }
    let mut tags: BTreeSet<String> = new.tags.iter().cloned().collect();
    for t in &edit.add_tags {
        tags.insert(model::normalize_tag(t)?);
    }
    for t in &edit.remove_tags {
        let t = model::normalize_tag(t)?;
        if !tags.remove(&t) {
            return Err(Error::invalid(format!("'{}' has no tag '{t}'", old.title)));
        }
    }
    new.tags = tags.into_iter().collect();
    for a in &edit.add_aliases {
        let a = model::check_title(a)?;
        if !new.aliases.iter().any(|x| model::title_key(x) == model::title_key(&a)) {
            new.aliases.push(a);
        }
    }
    for a in &edit.remove_aliases {
        let before = new.aliases.len();
        new.aliases.retain(|x| model::title_key(x) != model::title_key(a));
        if new.aliases.len() == before {
            return Err(Error::invalid(format!("'{}' has no alias '{a}'", old.title)));
        }
    }
    let mut report = SaveReport { id: old.id.clone(), ..Default::default() };
    if new == old {
        return Ok((report, false));
    }
    new.updated = ctx.now.clone();
    save(tx, ctx, Some(&old), new, "update", &mut report)?;
    settle(tx, ctx, &mut report)?;
    Ok((report, true))
}

pub(crate) fn resolve_ref(tx: &Tx, reference: &str) -> Result<String> {
    let r = reference.trim();
    if r.is_empty() {
        return Err(Error::invalid("an empty reference matches nothing"));
    }
    let looks_like_id = r.len() >= 4 && r.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
    if looks_like_id {
        let hits = tx.ids_by_prefix(&r.to_lowercase())?;
        if hits.len() == 1 {
            return Ok(hits[0].0.clone());
        }
        if hits.len() > 1 && !hits.iter().any(|h| h.0 == r) {
            return Err(ambiguous(tx, r, &hits));
        }
        if let Some(h) = hits.iter().find(|h| h.0 == r) {
            return Ok(h.0.clone());
        }
    }
    let key = model::title_key(r);
    let mut hits = tx.ids_by_title_key(&key)?;
    if hits.is_empty() {
        hits = tx.ids_by_alias_key(&key)?;
    }
    match hits.len() {
        0 => Err(Error::NotFound(r.to_string())),
        1 => Ok(hits[0].0.clone()),
        _ => Err(ambiguous(tx, r, &hits)),
    }
}

pub(super) fn ambiguous(tx: &Tx, r: &str, hits: &[(String, Kind)]) -> Error {
    let candidates = hits
        .iter()
        .take(5)
        .map(|(id, kind)| {
            let title = tx.title_of(id).ok().flatten().map(|t| t.0).unwrap_or_default();
            format!("{} ({kind} '{title}')", &id[..13.min(id.len())])
        })
        .collect::<Vec<_>>()
        .join(", ");
    Error::Ambiguous { reference: r.to_string(), candidates }
}

pub(crate) fn live_item(tx: &Tx, id: &str) -> Result<Item> {
    match tx.item(id)? {
        Some(i) if !i.deleted => Ok(i),
        Some(i) => Err(Error::Deleted { title: i.title, id: i.id }),
        None => Err(Error::NotFound(id.to_string())),
    }
}

pub(super) fn set_field(kind: Kind, fields: &mut Fields, name: &str, value: &str) -> Result<()> {
    let name = name.trim().to_lowercase().replace('-', "_");
    if name == "positions" || name == "position" {
        return Err(Error::PositionAsField);
    }
    match model::normalize_field(kind, &name, value)? {
        Some(v) => fields.values.insert(name, v),
        None if matches!((kind, name.as_str()), (Kind::Insight, "status") | (Kind::Friction, "status" | "severity")) => {
            return Err(Error::FieldRequired { kind, field: name.to_string() });
        }
        None => fields.values.remove(&name),
    };
    Ok(())
}

pub(super) fn set_position(kind: Kind, fields: &mut Fields, perspective: &str, position: &str) -> Result<()> {
    if kind != Kind::Friction {
        return Err(Error::invalid(format!("only a friction has positions, not a {kind}")));
    }
    let p = perspective.trim();
    if p.is_empty() {
        return Err(Error::PositionWithoutPerspective);
    }
    let existing = fields.positions.keys().find(|k| k.to_lowercase() == p.to_lowercase()).cloned();
    let key = existing.unwrap_or_else(|| p.to_string());
    if position.trim().is_empty() {
        fields.positions.remove(&key);
    } else {
        fields.positions.insert(key, position.trim().to_string());
    }
    Ok(())
}

fn check_friction_status(tx: &Tx, old: &Item, to: &str) -> Result<()> {
    let from = old.fields.get("status").unwrap_or("open");
    if from == to {
        return Ok(());
    }
    let resolvers: Vec<String> = tx
        .links_to(&old.id)?
        .into_iter()
        .filter(|l| l.rel == Rel::Resolves)
        .filter_map(|l| tx.title_of(&l.source_id).ok().flatten().map(|t| t.0))
        .collect();
    if model::FRICTION_STATUSES_BY_RULE.contains(&to) {
        return Err(Error::ResolvedByResolution { title: old.title.clone() });
    }
    if let Some(r) = resolvers.first() {
        return Err(Error::ResolvedBy { title: old.title.clone(), resolution: r.clone() });
    }
    if !model::friction_transition_allowed(from, to) {
        return Err(Error::StatusStep { title: old.title.clone(), from_status: from.to_string(), to_status: to.to_string() });
    }
    Ok(())
}

pub(super) fn norm_set(values: &[String], f: impl Fn(&str) -> Result<String>) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for v in values {
        let n = f(v)?;
        if !out.iter().any(|x| model::title_key(x) == model::title_key(&n)) {
            out.push(n);
        }
    }
    Ok(out)
}

pub(super) fn normalize_body(b: &str) -> String {
    b.replace("\r\n", "\n")
}

pub(super) fn link_view(tx: &Tx, l: &Link, other: Option<&str>) -> Result<LinkView> {
    let (title, kind) = match other {
        Some(id) => match tx.title_of(id)? {
            Some((t, k, _)) => (t, Some(k)),
            None => (l.target.clone(), None),
        },
        None => (l.target.clone(), None),
    };
    Ok(LinkView {
        rel: l.rel,
        id: other.map(str::to_string),
        title,
        kind,
        heading: l.heading.clone(),
        embed: l.embed,
        line: l.line,
        problem: l.problem.clone(),
        file: None,
    })
}

pub(super) fn backlinks(tx: &Tx, id: &str) -> Result<Vec<LinkView>> {
    tx.links_to(id)?.into_iter().map(|l| link_view(tx, &l, Some(&l.source_id))).collect()
}
