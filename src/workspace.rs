//! A workspace: a folder holding the database and the data derived from it, and every operation
//! on it. This is where the rules of the domain live (link rules, the friction lifecycle,
//! attribution); the SQL is in [`crate::store`].

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use chrono::{SecondsFormat, Utc};
use serde::Serialize;
use serde_json::{json, Value};

use crate::error::{Error, Result};
use crate::links;
use crate::model::{self, Fields, Item, Kind, Link, Person, Rel};
use crate::store::{ItemRow, Store, Tx, UpgradeReport};
pub(crate) use crate::write::{derive_links, next_hlc, save, settle, Ctx};
pub use crate::write::{SaveReport, MAX_BODY};

/// The database file inside a workspace folder.
pub const DB_FILE: &str = "mellanrum.db";

/// An open workspace.
pub struct Workspace {
    pub(crate) root: PathBuf,
    pub(crate) store: Store,
    pub(crate) device: String,
    pub(crate) actor: Option<Person>,
    /// The search index, opened on first use (see [`crate::index`]).
    pub(crate) index: crate::index::Slot,
    /// What the lens reads from the store, kept while the store has not changed (see [`crate::lens`]).
    pub(crate) lens: Option<Box<crate::lens::Loaded>>,
}

/// What a new item is made of.
#[derive(Debug, Clone, Default)]
pub struct NewItem {
    pub kind: Option<Kind>,
    pub title: String,
    pub body: String,
    pub tags: Vec<String>,
    pub aliases: Vec<String>,
    /// `(field, value)` pairs, validated against the kind.
    pub set: Vec<(String, String)>,
    /// `(perspective, position)` pairs for a friction.
    pub positions: Vec<(String, String)>,
}

/// A change to an item; `None` and empty lists leave that part as it is.
#[derive(Debug, Clone, Default)]
pub struct Edit {
    pub title: Option<String>,
    pub body: Option<String>,
    pub set: Vec<(String, String)>,
    /// `(perspective, position)`; an empty position removes that perspective.
    pub positions: Vec<(String, String)>,
    pub add_tags: Vec<String>,
    pub remove_tags: Vec<String>,
    pub add_aliases: Vec<String>,
    pub remove_aliases: Vec<String>,
}

impl Edit {
    pub fn is_empty(&self) -> bool {
        self.title.is_none()
            && self.body.is_none()
            && self.set.is_empty()
            && self.positions.is_empty()
            && self.add_tags.is_empty()
            && self.remove_tags.is_empty()
            && self.add_aliases.is_empty()
            && self.remove_aliases.is_empty()
    }
}

/// A person as other views show them.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PersonRef {
    pub name: String,
    pub perspective: String,
}

/// A link as the user sees it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LinkView {
    pub rel: Rel,
    /// The other item's id; `null` while the link is unresolved.
    pub id: Option<String>,
    /// The other item's title (for an unresolved link: the target as written).
    pub title: String,
    pub kind: Option<Kind>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub heading: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    #[cfg_attr(feature = "ts", ts(as = "Option<bool>", optional))]
    pub embed: bool,
    pub line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub problem: Option<String>,
    /// For a link to a file of the workspace (`![[chart.png]]`), the file's path.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub file: Option<String>,
}

/// Everything `show` tells about an item.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ItemView {
    pub id: String,
    pub kind: Kind,
    pub title: String,
    pub body: String,
    pub tags: Vec<String>,
    pub aliases: Vec<String>,
    pub fields: serde_json::Map<String, Value>,
    pub author: String,
    pub contributors: Vec<PersonRef>,
    pub created: String,
    pub updated: String,
    pub deleted: bool,
    pub links: Vec<LinkView>,
    pub backlinks: Vec<LinkView>,
    /// An insight's evidence strength, with its parts.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(type = "EvidenceStrength"))]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub evidence: Option<crate::trace::Evidence>,
    /// Whether a resolution should be reviewed because what it rests on was contradicted later.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(type = "Review"))]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub review: Option<crate::trace::Review>,
}

/// One line of a list.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ItemSummary {
    pub id: String,
    pub kind: Kind,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub status: Option<String>,
    pub updated: String,
    /// A signal's day observed, else the day it was recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub observed: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub customer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub source: Option<String>,
    /// A signal's first line of text: its quote's, else its body's (a fence line skipped).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub line: Option<String>,
}

impl From<ItemRow> for ItemSummary {
    fn from(r: ItemRow) -> Self {
        let mut s = ItemSummary {
            id: r.id,
            kind: r.kind,
            title: r.title,
            status: r.status,
            observed: None,
            customer: None,
            source: None,
            line: None,
            updated: r.updated,
        };
        if let Some(sig) = r.signal {
            s.observed = sig.date;
            s.customer = sig.customer.filter(|c| !c.trim().is_empty());
            s.source = sig.source.filter(|c| !c.trim().is_empty());
            s.line = first_line(&sig.text);
        }
        s
    }
}

/// The first line of text worth showing in a row: not blank, not a code fence; at most 160 characters.
fn first_line(text: &str) -> Option<String> {
    let l = text.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with("```") && !l.starts_with("~~~"))?;
    Some(if l.chars().count() > 160 { l.chars().take(159).collect::<String>() + "…" } else { l.to_string() })
}

/// One revision in an item's history.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RevisionView {
    pub rev: i64,
    pub at: String,
    pub author: String,
    pub op: String,
    /// `{field: {"old": …, "new": …}}`
    #[cfg_attr(feature = "ts", ts(type = "Record<string, { old?: unknown; new?: unknown }>"))]
    pub changes: Value,
}

/// What other people changed since the current person last looked (`Workspace::activity`).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Activity {
    /// How many changes by others are newer than the last look (the list may be shorter).
    pub unseen: i64,
    /// Newest first.
    pub changes: Vec<ActivityEntry>,
}

/// One change by someone else: "Erik Berg changed status, severity of Release cadence".
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ActivityEntry {
    pub item_id: String,
    pub title: String,
    pub kind: Kind,
    pub author: String,
    pub perspective: String,
    /// create, update, delete or restore.
    #[cfg_attr(feature = "ts", ts(type = "\"create\" | \"update\" | \"delete\" | \"restore\""))]
    pub op: String,
    /// The fields the change touched (`title`, `body`, `tags`, a kind's own fields, …).
    pub fields: Vec<String>,
    pub at: String,
}

/// An unresolved target and the items that link to it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Unresolved {
    pub target: String,
    pub sources: Vec<UnresolvedSource>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct UnresolvedSource {
    pub id: String,
    pub title: String,
    pub rel: Rel,
    pub line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub problem: Option<String>,
}

/// What a rename did.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RenameReport {
    pub id: String,
    pub old_title: String,
    pub new_title: String,
    /// Items whose bodies had their `[[links]]` rewritten.
    pub rewritten: Vec<String>,
}

pub(crate) fn now_text() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Today in the local calendar: what ages and recency are counted to.
pub fn today() -> chrono::NaiveDate {
    chrono::Local::now().date_naive()
}

pub(crate) fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

impl Workspace {
    /// Makes `dir` a new workspace named `name` (the folder's name when `None`).
    pub fn init(dir: &Path, name: Option<&str>) -> Result<Workspace> {
        let db = dir.join(DB_FILE);
        if db.exists() {
            return Err(Error::AlreadyAWorkspace(dir.to_path_buf()));
        }
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        let name = match name {
            Some(n) if !n.trim().is_empty() => n.trim().to_string(),
            Some(_) => return Err(Error::invalid("a workspace name cannot be empty")),
            None => dir
                .canonicalize()
                .ok()
                .and_then(|p| p.file_name().map(|f| f.to_string_lossy().into_owned()))
                .unwrap_or_else(|| "Mellanrum".into()),
        };
        let mut store = Store::open(&db)?;
        let device = new_id();
        store.write(|tx| {
            tx.set_meta("name", &name)?;
            tx.set_meta("device", &device)?;
            tx.set_meta("created", &now_text())?;
            Ok(())
        })?;
        Ok(Workspace { root: dir.to_path_buf(), store, device, actor: None, index: Default::default(), lens: None })
    }

    /// Opens the workspace in `dir`.
    pub fn open(dir: &Path) -> Result<Workspace> {
        Workspace::open_reporting(dir, &mut |_, _| {}).map(|(ws, _)| ws)
    }

    /// Opens a workspace as [`Workspace::open`] does; a workspace written by an older Mellanrum
    /// has its record rewritten in the compact layout first (`Store::upgrade`), `progress(done,
    /// total)` following it, and what that did is returned.
    pub fn open_reporting(dir: &Path, progress: &mut dyn FnMut(u64, u64)) -> Result<(Workspace, Option<UpgradeReport>)> {
        let db = dir.join(DB_FILE);
        if !db.is_file() {
            return Err(Error::NotAWorkspace(dir.to_path_buf()));
        }
        let mut store = Store::open(&db)?;
        let upgraded = store.upgrade(progress)?;
        let device = store.write(|tx| match tx.meta("device")? {
            Some(d) => Ok(d),
            None => {
                let d = new_id();
                tx.set_meta("device", &d)?;
                Ok(d)
            }
        })?;
        Ok((Workspace { root: dir.to_path_buf(), store, device, actor: None, index: Default::default(), lens: None }, upgraded))
    }

    /// Finds the workspace holding `start` (the folder itself or one of its parents).
    pub fn discover(start: &Path) -> Result<PathBuf> {
        let mut dir = Some(start);
        while let Some(d) = dir {
            if d.join(DB_FILE).is_file() {
                return Ok(d.to_path_buf());
            }
            dir = d.parent();
        }
        Err(Error::NotAWorkspace(start.to_path_buf()))
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn device(&self) -> &str {
        &self.device
    }

    /// How much room the parts of the record take.
    pub fn record_stats(&mut self) -> Result<crate::store::RecordStats> {
        self.store.record_stats()
    }

    pub fn store(&mut self) -> &mut Store {
        &mut self.store
    }

    pub fn name(&mut self) -> Result<String> {
        self.store.read(|tx| Ok(tx.meta("name")?.unwrap_or_default()))
    }

    // ---- people -----------------------------------------------------------------------------

    /// Acts as `name` for the rest of this session (the CLI's `--as`).
    pub fn act_as(&mut self, name: &str) -> Result<()> {
        let p = self.store.read(|tx| tx.person_by_name(name))?;
        match p {
            Some(p) => {
                self.actor = Some(p);
                Ok(())
            }
            None => Err(Error::invalid(format!(
                "unknown person '{name}' (add them with `mellanrum person add \"{name}\" --perspective PERSPECTIVE`)"
            ))),
        }
    }

    /// The person changes are attributed to.
    pub fn current_person(&mut self) -> Result<Person> {
        if let Some(p) = &self.actor {
            return Ok(p.clone());
        }
        let p = self.store.read(|tx| match tx.meta("current_person")? {
            Some(id) => tx.person(&id),
            None => Ok(None),
        })?;
        p.ok_or_else(|| {
            Error::invalid("no current person: every change is attributed, so add yourself first with `mellanrum person add NAME --perspective PERSPECTIVE` (or pass --as NAME)")
        })
    }

    /// Adds a person; the first person added becomes the current one.
    pub fn add_person(&mut self, name: &str, perspective: &str) -> Result<Person> {
        let name = name.trim();
        let perspective = perspective.trim();
        if name.is_empty() || name.contains(['\n', ',', ';']) {
            return Err(Error::invalid(format!("'{name}' is not a person's name (one line, no commas)")));
        }
        if perspective.is_empty() {
            return Err(Error::invalid(format!("person '{name}': give a perspective, e.g. --perspective Sales")));
        }
        let actor = self.current_person().ok();
        let device = self.device.clone();
        self.store.write(|tx| {
            if let Some(existing) = tx.person_by_name(name)? {
                return Err(Error::invalid(format!("a person named '{}' exists already", existing.name)));
            }
            let p = Person { id: new_id(), name: name.to_string(), perspective: perspective.to_string(), created: now_text() };
            tx.insert_person(&p)?;
            let author = actor.as_ref().map(|a| a.id.clone()).unwrap_or_else(|| p.id.clone());
            let hlc = next_hlc(tx, &device)?;
            let payload = crate::sync::merge::record_local_person(tx, &hlc.to_string(), &author, &p.created, &p, true)?;
            tx.append_change(&hlc.to_string(), &device, &author, "person", &p.id, "create", &payload.to_string())?;
            if tx.meta("current_person")?.is_none() {
                tx.set_meta("current_person", &p.id)?;
            }
            Ok(p)
        })
    }

    /// Changes a person's perspective.
    pub fn set_perspective(&mut self, name: &str, perspective: &str) -> Result<Person> {
        let perspective = perspective.trim().to_string();
        if perspective.is_empty() {
            return Err(Error::invalid("a perspective cannot be empty"));
        }
        let actor = self.current_person()?;
        let device = self.device.clone();
        self.store.write(|tx| {
            let mut p = tx.person_by_name(name)?.ok_or_else(|| Error::invalid(format!("unknown person '{name}'")))?;
            p.perspective = perspective.clone();
            tx.update_person(&p)?;
            tx.queue_index_authored_by(&p.id)?;
            let hlc = next_hlc(tx, &device)?;
            let payload = crate::sync::merge::record_local_person(tx, &hlc.to_string(), &actor.id, &now_text(), &p, false)?;
            tx.append_change(&hlc.to_string(), &device, &actor.id, "person", &p.id, "update", &payload.to_string())?;
            Ok(p)
        })
    }

    /// Makes `name` the current person of this workspace.
    pub fn use_person(&mut self, name: &str) -> Result<Person> {
        self.store.write(|tx| {
            let p = tx.person_by_name(name)?.ok_or_else(|| {
                Error::invalid(format!(
                    "unknown person '{name}' (add them with `mellanrum person add \"{name}\" --perspective PERSPECTIVE`)"
                ))
            })?;
            tx.set_meta("current_person", &p.id)?;
            Ok(p)
        })
    }

    pub fn people(&mut self) -> Result<Vec<Person>> {
        self.store.read(|tx| tx.people())
    }

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
                rel.check(kind, dst.kind).map_err(|m| Error::invalid(format!("cannot link '{title}' to '{}': {m}", dst.title)))?;
                if tx.ids_by_title_key(&model::title_key(&dst.title))?.len() > 1 {
                    return Err(Error::invalid(format!(
                        "another item is also titled '{}', so a [[link]] by title would be ambiguous; rename one of them first",
                        dst.title
                    )));
                }
                new.body = links::append_link(&new.body, *rel, &dst.title);
            }
            let mut fields = Fields::defaults(kind);
            for (name, value) in &new.set {
                set_field(kind, &mut fields, name, value)?;
            }
            if kind == Kind::Friction && fields.get("status") == Some("resolved") {
                return Err(Error::invalid(format!(
                    "friction '{title}' cannot start resolved: create it, then a resolution with `resolves:: [[{title}]]`"
                )));
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
    /// taking a selection of signals as evidence).
    pub fn link_many(&mut self, from: &str, to: &[String], rel: Rel) -> Result<SaveReport> {
        let ctx = self.ctx()?;
        self.store.write(|tx| {
            let src = live_item(tx, from)?;
            let mut report = SaveReport { id: src.id.clone(), ..Default::default() };
            let existing = tx.links_from(&src.id)?;
            let mut body = src.body.clone();
            for t in to {
                let dst = live_item(tx, t)?;
                rel.check(src.kind, dst.kind)
                    .map_err(|m| Error::invalid(format!("cannot link '{}' to '{}': {m}", src.title, dst.title)))?;
                if existing.iter().any(|l| l.rel == rel && l.target_id.as_deref() == Some(&dst.id)) {
                    continue;
                }
                let first = tx.ids_by_title_key(&model::title_key(&dst.title))?;
                if first.first().map(|(id, _)| id.as_str()) != Some(dst.id.as_str()) {
                    return Err(Error::invalid(format!(
                        "another item is also titled '{}', so a [[link]] by title would reach it instead; rename one of them first",
                        dst.title
                    )));
                }
                body = links::append_link(&body, rel, &dst.title);
            }
            if body == src.body {
                return Ok(report);
            }
            let mut new = src.clone();
            new.body = body;
            new.updated = ctx.now.clone();
            save(tx, &ctx, Some(&src), new, "update", &mut report)?;
            settle(tx, &ctx, &mut report)?;
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
        let ctx = self.ctx()?;
        self.store.write(|tx| {
            let src = live_item(tx, from)?;
            let dst = live_item(tx, to)?;
            rel.check(src.kind, dst.kind).map_err(|m| Error::invalid(format!("cannot link '{}' to '{}': {m}", src.title, dst.title)))?;
            let mut report = SaveReport { id: src.id.clone(), ..Default::default() };
            if tx.links_from(&src.id)?.iter().any(|l| l.rel == rel && l.target_id.as_deref() == Some(&dst.id)) {
                return Ok(report);
            }
            let first = tx.ids_by_title_key(&model::title_key(&dst.title))?;
            if first.first().map(|(id, _)| id.as_str()) != Some(dst.id.as_str()) {
                return Err(Error::invalid(format!(
                    "another item is also titled '{}', so a [[link]] by title would reach it instead; rename one of them first",
                    dst.title
                )));
            }
            let mut new = src.clone();
            new.body = links::append_link(&src.body, rel, &dst.title);
            new.updated = ctx.now.clone();
            save(tx, &ctx, Some(&src), new, "update", &mut report)?;
            settle(tx, &ctx, &mut report)?;
            Ok(report)
        })
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
            let mut new = src.clone();
            new.body = body;
            new.updated = ctx.now.clone();
            save(tx, &ctx, Some(&src), new, "update", &mut report)?;
            settle(tx, &ctx, &mut report)?;
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
                return Err(Error::invalid(format!("'{}' is {} deleted", old.title, if deleted { "already" } else { "not" })));
            }
            let mut new = old.clone();
            new.deleted = deleted;
            new.updated = ctx.now.clone();
            save(tx, &ctx, Some(&old), new, if deleted { "delete" } else { "restore" }, &mut report)?;
            settle(tx, &ctx, &mut report)?;
            Ok(report)
        })
    }

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
                body: item.body,
                tags: item.tags,
                aliases: item.aliases,
                fields,
                author,
                contributors,
                created: item.created,
                updated: item.updated,
                deleted: item.deleted,
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

    pub(crate) fn ctx(&mut self) -> Result<Ctx> {
        Ok(Ctx { actor: self.current_person()?, device: self.device.clone(), now: now_text() })
    }
}

// ---- the rules, as functions over a transaction ---------------------------------------------

/// Applies an edit to the item `id` inside the caller's transaction.
fn apply_edit(tx: &Tx, ctx: &Ctx, id: &str, edit: &Edit) -> Result<(SaveReport, bool)> {
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

fn ambiguous(tx: &Tx, r: &str, hits: &[(String, Kind)]) -> Error {
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
        Some(i) => Err(Error::invalid(format!("'{}' is deleted (bring it back with `mellanrum restore {}`)", i.title, i.id))),
        None => Err(Error::NotFound(id.to_string())),
    }
}

fn set_field(kind: Kind, fields: &mut Fields, name: &str, value: &str) -> Result<()> {
    let name = name.trim().to_lowercase().replace('-', "_");
    if name == "positions" || name == "position" {
        return Err(Error::invalid("set a friction's positions with --position PERSPECTIVE=TEXT"));
    }
    match model::normalize_field(kind, &name, value)? {
        Some(v) => fields.values.insert(name, v),
        None if matches!((kind, name.as_str()), (Kind::Insight, "status") | (Kind::Friction, "status" | "severity")) => {
            return Err(Error::invalid(format!("{kind} field '{name}' cannot be empty")));
        }
        None => fields.values.remove(&name),
    };
    Ok(())
}

fn set_position(kind: Kind, fields: &mut Fields, perspective: &str, position: &str) -> Result<()> {
    if kind != Kind::Friction {
        return Err(Error::invalid(format!("only a friction has positions, not a {kind}")));
    }
    let p = perspective.trim();
    if p.is_empty() {
        return Err(Error::invalid("a position needs a perspective: --position PERSPECTIVE=TEXT"));
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
    if to == "resolved" {
        return Err(Error::invalid(format!(
            "friction '{}' becomes resolved when a resolution resolves it: write `resolves:: [[{}]]` in a resolution (or `mellanrum link RESOLUTION \"{}\" --rel resolves`)",
            old.title, old.title, old.title
        )));
    }
    if let Some(r) = resolvers.first() {
        return Err(Error::invalid(format!(
            "friction '{}' is resolved by '{r}': unlink that resolution before changing its status",
            old.title
        )));
    }
    if !model::friction_transition_allowed(from, to) {
        return Err(Error::invalid(format!("friction '{}' cannot go from {from} to {to} (open → exploring → resolved/parked)", old.title)));
    }
    Ok(())
}

fn norm_set(values: &[String], f: impl Fn(&str) -> Result<String>) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for v in values {
        let n = f(v)?;
        if !out.iter().any(|x| model::title_key(x) == model::title_key(&n)) {
            out.push(n);
        }
    }
    Ok(out)
}

fn normalize_body(b: &str) -> String {
    b.replace("\r\n", "\n")
}

fn link_view(tx: &Tx, l: &Link, other: Option<&str>) -> Result<LinkView> {
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

fn backlinks(tx: &Tx, id: &str) -> Result<Vec<LinkView>> {
    tx.links_to(id)?.into_iter().map(|l| link_view(tx, &l, Some(&l.source_id))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_change_grows_with_writes_from_any_handle() {
        let dir = tempfile::tempdir().unwrap();
        let mut a = Workspace::init(dir.path(), Some("t")).unwrap();
        let start = a.last_change().unwrap();
        a.add_person("Anna", "Sales").unwrap();
        let after_person = a.last_change().unwrap();
        assert!(after_person > start);
        // A second handle (another process, e.g. the CLI) writes; the first one sees it.
        let mut b = Workspace::open(dir.path()).unwrap();
        b.create(NewItem { kind: Some(Kind::Note), title: "N".into(), ..Default::default() }).unwrap();
        assert!(a.last_change().unwrap() > after_person);
    }

    #[test]
    fn create_linked_writes_typed_links_in_one_transaction() {
        let dir = tempfile::tempdir().unwrap();
        let mut ws = Workspace::init(dir.path(), Some("t")).unwrap();
        ws.add_person("Anna", "Sales").unwrap();
        let item = |kind, title: &str| NewItem { kind: Some(kind), title: title.into(), ..Default::default() };
        let f = ws.create(item(Kind::Friction, "Release cadence")).unwrap().id;
        let s = ws.create(item(Kind::Signal, "Customer waits")).unwrap().id;
        let r = ws.create_linked(item(Kind::Resolution, "Monthly"), &[(Rel::Resolves, f.clone())]).unwrap();
        assert_eq!(ws.show(&f).unwrap().fields["status"], "resolved");
        assert!(ws.show(&r.id).unwrap().body.contains("resolves:: [[Release cadence]]"));
        // A broken rule (evidence from a resolution) leaves nothing behind.
        let before = ws.list(None, None, false).unwrap().len();
        assert!(ws.create_linked(item(Kind::Resolution, "Bad"), &[(Rel::Evidence, s.clone())]).is_err());
        assert_eq!(ws.list(None, None, false).unwrap().len(), before);
        assert_eq!(ws.unused_signals().unwrap(), vec![s.clone()]);
        let i = ws.create_linked(item(Kind::Insight, "Waiting hurts"), &[(Rel::Evidence, s.clone())]).unwrap();
        assert_eq!(ws.backlinks(&s).unwrap()[0].id.as_deref(), Some(i.id.as_str()));
        assert!(ws.unused_signals().unwrap().is_empty());
        let g = ws.graph().unwrap().to_map();
        assert_eq!(g.nodes.len(), 4);
        assert!(g.nodes.iter().all(|n| n.perspective == "Sales"));
        assert_eq!(g.edges.len(), 2);
        assert!(g.edges.iter().any(|e| e.source == i.id && e.target == s && e.rel == Rel::Evidence));
        ws.delete(&i.id).unwrap();
        assert_eq!(ws.unused_signals().unwrap(), vec![s.clone()]);
        assert_eq!(ws.graph().unwrap().edge_count(), 1);
    }
}
