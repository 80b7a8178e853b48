//! Reading items: show, list, counts, backlinks, unresolved links, history and activity.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::*;
use crate::error::{Error, Result};
use crate::model::{self, Item, Kind};
use crate::store::Tx;

impl Workspace {
    // ---- reading ----------------------------------------------------------------------------

    /// Loads an item with its links, backlinks and contributors.
    pub fn show(&mut self, id: &str) -> Result<ItemView> {
        self.store.read(|tx| {
            let item = tx.item(id)?.ok_or_else(|| Error::NotFound(id.to_string()))?;
            let author = tx.person(&item.author)?.map(|p| p.name).unwrap_or_default();
            let contributors =
                tx.contributors(&item.id)?.into_iter().map(|p| PersonRef { name: p.name, perspective: p.perspective }).collect();
            let mut links: Vec<LinkView> =
                tx.links_from(&item.id)?.into_iter().map(|l| link_view(tx, &l, l.target_id.as_deref())).collect::<Result<_>>()?;
            if links.iter().any(|l| l.id.is_none()) {
                let files = crate::attach::Index::new(tx.attachments()?);
                for l in links.iter_mut().filter(|l| l.id.is_none()) {
                    l.file = files.resolve(&l.title).map(|r| r.path.clone());
                }
            }
            let backlinks = backlinks(tx, &item.id)?;
            let mut fields = serde_json::Map::new();
            for name in item.kind.field_names() {
                fields.insert((*name).to_string(), item.fields.get(name).map_or(Value::Null, |v| Value::String(v.to_string())));
            }
            if item.kind == Kind::Friction {
                fields.insert("positions".into(), json!(item.fields.positions));
            }
            if !item.fields.props.is_empty() {
                fields.insert("properties".into(), json!(item.fields.props));
            }
            let (evidence, review) = crate::trace::for_show(tx, &item.id, item.kind, today())?;
            Ok(ItemView {
                id: item.id,
                kind: item.kind,
                title: item.title,
                author,
                contributors,
                created: item.created,
                updated: item.updated,
                deleted: item.deleted,
                tags: item.tags,
                aliases: item.aliases,
                fields,
                body: item.body,
                links,
                backlinks,
                evidence,
                review,
            })
        })
    }

    /// The raw stored item.
    pub fn item(&mut self, id: &str) -> Result<Item> {
        self.store.read(|tx| tx.item(id)?.ok_or_else(|| Error::NotFound(id.to_string())))
    }

    pub fn list(&mut self, kind: Option<Kind>, tag: Option<&str>, deleted: bool) -> Result<Vec<ItemSummary>> {
        let tag = tag.map(model::normalize_tag).transpose()?;
        self.store.read(|tx| Ok(tx.list_items(kind, tag.as_deref(), deleted)?.into_iter().map(Into::into).collect()))
    }

    pub fn counts(&mut self) -> Result<BTreeMap<Kind, i64>> {
        self.store.read(|tx| Ok(tx.counts()?.into_iter().collect()))
    }

    pub fn backlinks(&mut self, id: &str) -> Result<Vec<LinkView>> {
        self.store.read(|tx| backlinks(tx, id))
    }

    /// Every unresolved link target, with the items that use it.
    pub fn unresolved(&mut self) -> Result<Vec<Unresolved>> {
        self.store.read(|tx| {
            let mut out: Vec<Unresolved> = Vec::new();
            let mut titles: BTreeMap<String, String> = BTreeMap::new();
            // A link naming a file the workspace holds (`![[chart.png]]`) is not unresolved.
            let files = crate::attach::Index::new(tx.attachments()?);
            for l in tx.unresolved_links()? {
                if !files.is_empty() && files.resolve(&l.target).is_some() {
                    continue;
                }
                let key = model::title_key(&l.target);
                let title = match titles.get(&l.source_id) {
                    Some(t) => t.clone(),
                    None => {
                        let t = tx.title_of(&l.source_id)?.map(|x| x.0).unwrap_or_default();
                        titles.insert(l.source_id.clone(), t.clone());
                        t
                    }
                };
                let src = UnresolvedSource { id: l.source_id, title, rel: l.rel, line: l.line, problem: l.problem };
                match out.last_mut() {
                    Some(u) if model::title_key(&u.target) == key => u.sources.push(src),
                    _ => out.push(Unresolved { target: l.target, sources: vec![src] }),
                }
            }
            Ok(out)
        })
    }

    pub fn history(&mut self, id: &str) -> Result<Vec<RevisionView>> {
        self.store.read(|tx| {
            let (rows, stored): (Vec<_>, Vec<_>) = tx.revisions(id)?.into_iter().unzip();
            let changes = crate::history::expand(&stored, &tx.body_of(id)?)?;
            Ok(rows
                .into_iter()
                .zip(changes)
                .map(|(r, changes)| RevisionView { rev: r.rev, at: r.at, author: r.author, op: r.op, changes })
                .collect())
        })
    }

    /// What other people changed (here, in another process, or merged by sync) since the current
    /// person last looked, newest first, at most `limit` entries. With `mark_seen`, this look
    /// becomes the last one: the next call shows only what is newer.
    pub fn activity(&mut self, limit: usize, mark_seen: bool) -> Result<Activity> {
        let me = self.current_person()?;
        let key = format!("activity_seen:{}", me.id);
        let read = |tx: &Tx| -> Result<(Activity, i64)> {
            let after = tx.meta(&key)?.and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
            let (unseen, last) = tx.activity_count(after, &me.id)?;
            let changes = tx
                .activity_after(after, &me.id, limit)?
                .into_iter()
                .map(|r| {
                    let mut changes = serde_json::from_str::<serde_json::Map<String, Value>>(&r.changes).unwrap_or_default();
                    if r.body_changed {
                        changes.entry("body").or_insert(Value::Null);
                    }
                    let fields: Vec<String> = changes.keys().cloned().collect();
                    // A change merged by sync is told by what it did: the item's first revision
                    // here is its creation; a change of `deleted` is a delete or a restore.
                    let op = match (r.op.as_str(), changes.get("deleted").and_then(|d| d.get("new")).and_then(Value::as_bool)) {
                        ("merge", _) if r.rev == 1 => "create".to_string(),
                        ("merge", Some(true)) => "delete".to_string(),
                        ("merge", Some(false)) => "restore".to_string(),
                        ("merge", None) => "update".to_string(),
                        (op, _) => op.to_string(),
                    };
                    ActivityEntry {
                        item_id: r.item_id,
                        title: r.title,
                        kind: r.kind,
                        author: r.author,
                        perspective: r.perspective,
                        op,
                        fields,
                        at: r.at,
                    }
                })
                .collect();
            Ok((Activity { unseen, changes }, last))
        };
        if mark_seen {
            self.store.write(|tx| {
                let (activity, last) = read(tx)?;
                tx.set_meta(&key, &last.to_string())?;
                Ok(activity)
            })
        } else {
            self.store.read(|tx| read(tx).map(|(a, _)| a))
        }
    }

    /// The ids of live signals that no live insight uses as evidence (the inbox marks them).
    pub fn unused_signals(&mut self) -> Result<Vec<String>> {
        self.store.read(|tx| tx.unused_signal_ids())
    }

    /// The sequence number of the newest change in this workspace's change log. It grows with every
    /// write by any process (this one, the CLI, sync), so a front end can poll it to notice changes.
    pub fn last_change(&mut self) -> Result<i64> {
        self.store.read(|tx| tx.last_change_seq())
    }

    /// The knowledge graph of the workspace as it is now.
    pub fn graph(&mut self) -> Result<crate::graph::KnowledgeGraph> {
        self.store.read(crate::graph::KnowledgeGraph::load)
    }
}
