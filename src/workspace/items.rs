//! Every operation on items: references, create, update, link, rename, delete and restore.

use std::collections::BTreeSet;

use super::*;
use crate::error::{Error, Result};
use crate::links;
use crate::model::{self, Fields, Item, Kind, Rel};

impl Workspace {
    // ---- references -------------------------------------------------------------------------

    /// Resolves a reference: a full id, a unique id prefix (at least 4 characters), or a title or
    /// alias (case-insensitive).
    pub fn resolve_ref(&mut self, reference: &str) -> Result<String> {
        self.store.read(|tx| resolve_ref(tx, reference))
    }

    // ---- items ------------------------------------------------------------------------------

    /// Creates an item and returns its id.
    pub fn create(&mut self, new: NewItem) -> Result<SaveReport> {
        self.create_linked(new, &[])
    }

    /// Creates an item with typed links to existing items (`(rel, target id or reference)`), all in
    /// one transaction: each link is written into the new item's body as `rel:: [[Target title]]`,
    /// so a link that breaks its kind rule leaves nothing behind. This is how a resolution is made
    /// for a friction, or an insight from a few signals.
    pub fn create_linked(&mut self, mut new: NewItem, link_to: &[(Rel, String)]) -> Result<SaveReport> {
        let kind = new.kind.ok_or_else(|| Error::invalid("give the kind of the new item"))?;
        let ctx = self.ctx()?;
        self.store.write(|tx| {
            let title = model::check_title(&new.title)?;
            for (rel, target) in link_to {
                let dst = live_item(tx, &resolve_ref(tx, target)?)?;
                rel.check(kind, dst.kind).map_err(|rule| Error::LinkKind {
                    from: title.clone(),
                    to: dst.title.clone(),
                    rel: *rel,
                    from_kind: kind,
                    to_kind: dst.kind,
                    rule,
                })?;
                if tx.ids_by_title_key(&model::title_key(&dst.title))?.len() > 1 {
                    return Err(Error::TitleShared { title: dst.title.clone() });
                }
                new.body = links::append_link(&new.body, *rel, &dst.title);
            }
            let mut fields = Fields::defaults(kind);
            for (name, value) in &new.set {
                set_field(kind, &mut fields, name, value)?;
            }
            if kind == Kind::Friction && fields.get("status") == Some("resolved") {
                return Err(Error::StartsResolved { title: title.to_string() });
            }
            for (p, pos) in &new.positions {
                set_position(kind, &mut fields, p, pos)?;
            }
            let tags = norm_set(&new.tags, model::normalize_tag)?;
            let aliases = norm_set(&new.aliases, model::check_title)?;
            let item = Item {
                id: new_id(),
                kind,
                title,
                body: normalize_body(&new.body),
                tags,
                aliases,
                fields,
                author: ctx.actor.id.clone(),
                created: ctx.now.clone(),
                updated: ctx.now.clone(),
                deleted: false,
            };
            let mut report = SaveReport { id: item.id.clone(), ..Default::default() };
            report.same_title =
                tx.ids_by_title_key(&model::title_key(&item.title))?.into_iter().map(|(id, _)| id).filter(|id| *id != item.id).collect();
            save(tx, &ctx, None, item, "create", &mut report)?;
            settle(tx, &ctx, &mut report)?;
            Ok(report)
        })
    }

    /// Applies an edit to the item `id`.
    pub fn update(&mut self, id: &str, edit: Edit) -> Result<SaveReport> {
        let ctx = self.ctx()?;
        self.store.write(|tx| Ok(apply_edit(tx, &ctx, id, &edit)?.0))
    }

    /// Applies one edit to each of `ids` in one transaction (tagging a selection, say): all of them
    /// change or, when one fails, none. Returns how many changed.
    pub fn update_many(&mut self, ids: &[String], edit: Edit) -> Result<usize> {
        let ctx = self.ctx()?;
        self.store.write(|tx| {
            let mut changed = 0;
            for id in ids {
                if apply_edit(tx, &ctx, id, &edit)?.1 {
                    changed += 1;
                }
            }
            Ok(changed)
        })
    }

    /// Adds typed links from `from` to each of `to` in one save of `from`'s body (an insight
    /// taking a selection of signals as evidence), in one transaction through the write path:
    /// when one of them cannot be linked (no such item, the kinds' rule, a shared title) none is.
    pub fn link_many(&mut self, from: &str, to: &[String], rel: Rel) -> Result<SaveReport> {
        let ctx = self.ctx()?;
        self.store.write(|tx| {
            let src = live_item(tx, from)?;
            let mut report = SaveReport { id: src.id.clone(), ..Default::default() };
            let existing = tx.links_from(&src.id)?;
            let mut body = src.body.clone();
            let mut added: BTreeSet<String> = BTreeSet::new();
            for t in to {
                let dst = live_item(tx, t)?;
                rel.check(src.kind, dst.kind).map_err(|rule| Error::LinkKind {
                    from: src.title.clone(),
                    to: dst.title.clone(),
                    rel,
                    from_kind: src.kind,
                    to_kind: dst.kind,
                    rule,
                })?;
                if existing.iter().any(|l| l.rel == rel && l.target_id.as_deref() == Some(&dst.id)) || !added.insert(dst.id.clone()) {
                    continue;
                }
                let first = tx.ids_by_title_key(&model::title_key(&dst.title))?;
                if first.first().map(|(id, _)| id.as_str()) != Some(dst.id.as_str()) {
                    return Err(Error::TitleShared { title: dst.title.clone() });
                }
                body = links::append_link(&body, rel, &dst.title);
            }
            if body == src.body {
                return Ok(report);
            }
            save_body(tx, &ctx, &src, body, &mut report)?;
            Ok(report)
        })
    }

    /// Renames an item and rewrites the `[[links]]` to it in other items' bodies.
    pub fn rename(&mut self, id: &str, new_title: &str) -> Result<RenameReport> {
        let ctx = self.ctx()?;
        self.store.write(|tx| {
            let old = live_item(tx, id)?;
            let title = model::check_title(new_title)?;
            let old_key = model::title_key(&old.title);
            let mut report =
                RenameReport { id: old.id.clone(), old_title: old.title.clone(), new_title: title.clone(), rewritten: Vec::new() };
            if title == old.title {
                return Ok(report);
            }
            // Sources whose links to this item were written with its title (not an alias).
            let sources: BTreeSet<String> =
                tx.links_to(&old.id)?.into_iter().filter(|l| model::title_key(&l.target) == old_key).map(|l| l.source_id).collect();
            let mut new = old.clone();
            new.title = title.clone();
            new.updated = ctx.now.clone();
            let mut sr = SaveReport::default();
            save(tx, &ctx, Some(&old), new, "update", &mut sr)?;
            for sid in sources {
                let Some(src) = tx.item(&sid)? else { continue };
                let body = links::rewrite_targets(&src.body, |l| (model::title_key(&l.target) == old_key).then(|| title.clone()));
                if body != src.body {
                    let mut changed = src.clone();
                    changed.body = body;
                    changed.updated = ctx.now.clone();
                    save(tx, &ctx, Some(&src), changed, "update", &mut sr)?;
                    report.rewritten.push(sid);
                }
            }
            settle(tx, &ctx, &mut sr)?;
            Ok(report)
        })
    }

    /// Adds a typed link by writing `rel:: [[Target]]` into the source's body.
    pub fn link(&mut self, from: &str, to: &str, rel: Rel) -> Result<SaveReport> {
        self.link_many(from, &[to.to_string()], rel)
    }

    /// Removes the `rel` links from `from` to `to` from the source's body.
    pub fn unlink(&mut self, from: &str, to: &str, rel: Rel) -> Result<SaveReport> {
        let ctx = self.ctx()?;
        self.store.write(|tx| {
            let src = live_item(tx, from)?;
            let dst = tx.item(to)?.ok_or_else(|| Error::NotFound(to.to_string()))?;
            let keys: BTreeSet<String> = tx
                .links_from(&src.id)?
                .into_iter()
                .filter(|l| l.rel == rel && l.target_id.as_deref() == Some(&dst.id))
                .map(|l| model::title_key(&l.target))
                .collect();
            let (body, removed) = links::remove_links(&src.body, |l| l.rel == rel && keys.contains(&model::title_key(&l.full_target())));
            if removed == 0 {
                return Err(Error::invalid(format!("'{}' has no '{rel}' link to '{}'", src.title, dst.title)));
            }
            let mut report = SaveReport { id: src.id.clone(), ..Default::default() };
            save_body(tx, &ctx, &src, body, &mut report)?;
            Ok(report)
        })
    }

    /// Deletes an item (a tombstone: its history stays and `restore` brings it back).
    pub fn delete(&mut self, id: &str) -> Result<SaveReport> {
        self.set_deleted(id, true)
    }

    /// Brings back a deleted item.
    pub fn restore(&mut self, id: &str) -> Result<SaveReport> {
        self.set_deleted(id, false)
    }

    fn set_deleted(&mut self, id: &str, deleted: bool) -> Result<SaveReport> {
        let ctx = self.ctx()?;
        self.store.write(|tx| {
            let old = tx.item(id)?.ok_or_else(|| Error::NotFound(id.to_string()))?;
            let mut report = SaveReport { id: old.id.clone(), ..Default::default() };
            if old.deleted == deleted {
                return Err(if deleted { Error::AlreadyDeleted { title: old.title } } else { Error::NotDeleted { title: old.title } });
            }
            let mut new = old.clone();
            new.deleted = deleted;
            new.updated = ctx.now.clone();
            save(tx, &ctx, Some(&old), new, if deleted { "delete" } else { "restore" }, &mut report)?;
            settle(tx, &ctx, &mut report)?;
            Ok(report)
        })
    }
}

/// Saves `src` with `body` as its body (an update now), and what follows from it.
fn save_body(tx: &crate::store::Tx, ctx: &crate::write::Ctx, src: &Item, body: String, report: &mut SaveReport) -> Result<()> {
    let mut new = src.clone();
    new.body = body;
    new.updated = ctx.now.clone();
    save(tx, ctx, Some(src), new, "update", report)?;
    settle(tx, ctx, report)
}
