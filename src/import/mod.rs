//! Knowledge in: Markdown vaults (Obsidian, Logseq) and customer signals (CSV, JSON).
//!
//! Every importer turns its source into [`Incoming`] items and hands them to [`Batcher`], which
//! writes them [`BATCH`] at a time, one transaction per batch: the items first, then the links
//! derived from their bodies, then the links elsewhere that now resolve to them. Each written item
//! gets a revision, a change-log entry and a search-index queue entry, attributed to the person
//! importing — the same record [`crate::workspace`]'s single save path keeps, without its per-item
//! transaction. Killing an import leaves the batches committed so far and no half item.
//!
//! Importing the same source again matches items by id (a vault exported by Mellanrum carries
//! them), then by where they came from (a vault file's path, a signal's external reference), and
//! updates them instead of duplicating; an unchanged item is left alone.

pub mod signals;
pub mod vault;

use std::collections::BTreeSet;

use serde::Serialize;

use crate::error::Result;
use crate::model::{self, Item, Kind, Rel};
use crate::store::Tx;
use crate::workspace::{self, Ctx, Workspace};

/// Items written per transaction.
pub const BATCH: usize = 1000;

/// SQLite's page cache while importing (64 MiB), whatever the size of the workspace.
const IMPORT_CACHE_KIB: i64 = 64 * 1024;

/// A warning or an error, naming the place in the source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The file, relative to the imported folder (or the file given).
    pub file: String,
    /// 1-based line in the file, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// 1-based record number (a CSV row after the header, a JSON record), when the source has rows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
    pub message: String,
}

impl Problem {
    pub fn at(file: &str, line: Option<usize>, message: impl Into<String>) -> Problem {
        Problem { file: file.to_string(), line, row: None, message: message.into() }
    }

    pub fn row(file: &str, row: usize, line: Option<usize>, message: impl Into<String>) -> Problem {
        Problem { file: file.to_string(), line, row: Some(row), message: message.into() }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(r) = self.row {
            write!(f, " row {r}")?;
        }
        if let Some(l) = self.line {
            write!(f, " line {l}")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// What an import did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportReport {
    /// Items the source holds that are now in the workspace (created, updated or unchanged).
    pub items: usize,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Links out of the imported items, and how many of them reach an item.
    pub links: i64,
    pub resolved: i64,
    pub unresolved: i64,
    /// Links to a file of the vault that is not a note (an image, a PDF): kept as written, not items.
    pub attachments: i64,
    /// Frictions whose status followed an imported resolution.
    pub frictions: Vec<(String, String)>,
    pub warnings: Vec<Problem>,
    /// Parts of the source that could not be imported (the rest was).
    pub errors: Vec<Problem>,
}

/// How an incoming item finds the item it updates.
#[derive(Debug, Clone, Default)]
pub struct Match {
    /// An id the source carries (a vault exported by Mellanrum): matched first; a new item gets it.
    pub id: Option<String>,
    /// A signal's external reference.
    pub signal_ref: Option<String>,
}

/// One item from a source, not yet written.
#[derive(Debug, Clone)]
pub struct Incoming {
    pub kind: Kind,
    pub title: String,
    pub body: String,
    pub tags: Vec<String>,
    pub aliases: Vec<String>,
    pub fields: model::Fields,
    /// Where it came from: `origin` names the source (a vault folder, a signals file) and `path`
    /// the place in it; importing the same place again updates the item.
    pub origin: String,
    pub path: String,
    pub matching: Match,
    /// The file and the line its body starts on, for warnings about links.
    pub file: String,
    pub body_line: usize,
    /// For a line of the body past `body_lines`, the file line it came from (front-matter links).
    pub body_lines: usize,
    pub extra_lines: Vec<usize>,
}

/// Writes incoming items in batches, one transaction each.
pub struct Batcher<'a> {
    ws: &'a mut Workspace,
    ctx: Ctx,
    pending: Vec<Incoming>,
    /// Every item written or matched, to count links at the end.
    pub report: ImportReport,
    origins: BTreeSet<String>,
    progress: Option<&'a mut dyn FnMut(usize)>,
    /// The connection's page cache before the import raised it; set back when it finishes.
    cache_kib: i64,
}

impl<'a> Batcher<'a> {
    pub fn new(ws: &'a mut Workspace, progress: Option<&'a mut dyn FnMut(usize)>) -> Result<Batcher<'a>> {
        let ctx = ws.ctx()?;
        let cache_kib = ws.store.cache_kib()?;
        ws.store.set_cache_kib(cache_kib.max(IMPORT_CACHE_KIB))?;
        Ok(Batcher {
            ws,
            ctx,
            pending: Vec::with_capacity(BATCH),
            report: ImportReport::default(),
            origins: BTreeSet::new(),
            progress,
            cache_kib,
        })
    }

    pub fn warn(&mut self, p: Problem) {
        self.report.warnings.push(p);
    }

    pub fn error(&mut self, p: Problem) {
        self.report.errors.push(p);
    }

    /// Queues an item; a full batch is written.
    pub fn push(&mut self, item: Incoming) -> Result<()> {
        self.origins.insert(item.origin.clone());
        self.pending.push(item);
        if self.pending.len() >= BATCH {
            self.flush()?;
        }
        Ok(())
    }

    /// Writes the queued items in one transaction.
    pub fn flush(&mut self) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let batch = std::mem::take(&mut self.pending);
        let n = batch.len();
        let ctx = &self.ctx;
        let out = self.ws.store.write(|tx| write_batch(tx, ctx, batch))?;
        self.report.created += out.created;
        self.report.updated += out.updated;
        self.report.unchanged += out.unchanged;
        self.report.items += out.created + out.updated + out.unchanged;
        self.report.frictions.extend(out.frictions);
        self.report.warnings.extend(out.warnings);
        self.report.errors.extend(out.errors);
        if let Some(p) = self.progress.as_mut() {
            p(n);
        }
        Ok(())
    }

    /// Writes what is left and counts the links of everything imported.
    pub fn finish(mut self) -> Result<ImportReport> {
        self.flush()?;
        let origins = std::mem::take(&mut self.origins);
        let (all, unresolved) = self.ws.store.read(|tx| {
            let (mut a, mut u) = (0, 0);
            for o in &origins {
                let (x, y) = tx.link_counts_of_origin(o)?;
                a += x;
                u += y;
            }
            Ok((a, u))
        })?;
        self.report.links = all;
        self.report.unresolved = unresolved;
        self.report.resolved = all - unresolved;
        self.ws.store.set_cache_kib(self.cache_kib)?;
        Ok(self.report)
    }

    /// Runs `f` on a read snapshot (importers use it to look at what is there already).
    pub fn read<T>(&mut self, f: impl FnOnce(&Tx) -> Result<T>) -> Result<T> {
        self.ws.store.read(f)
    }
}

#[derive(Default)]
struct BatchOut {
    created: usize,
    updated: usize,
    unchanged: usize,
    frictions: Vec<(String, String)>,
    warnings: Vec<Problem>,
    errors: Vec<Problem>,
}

fn is_uuid(s: &str) -> bool {
    uuid::Uuid::parse_str(s).is_ok()
}

/// The existing item an incoming one updates, if any.
fn find_existing(tx: &Tx, inc: &Incoming) -> Result<Option<Item>> {
    if let Some(id) = inc.matching.id.as_deref().filter(|id| is_uuid(id)) {
        if let Some(it) = tx.item(id)? {
            return Ok(Some(it));
        }
    }
    if let Some(r) = inc.matching.signal_ref.as_deref() {
        if let Some(id) = tx.signal_by_ref(r)? {
            return tx.item(&id);
        }
    }
    match tx.item_by_source(&inc.origin, &inc.path)? {
        Some(id) => tx.item(&id),
        None => Ok(None),
    }
}

fn write_batch(tx: &Tx, ctx: &Ctx, batch: Vec<Incoming>) -> Result<BatchOut> {
    let mut out = BatchOut::default();
    // Items whose links must be derived, and the keys (titles, aliases) whose links elsewhere may
    // now resolve differently.
    let mut written: Vec<(Item, Incoming)> = Vec::new();
    let mut keys: BTreeSet<String> = BTreeSet::new();
    let mut frictions: BTreeSet<String> = BTreeSet::new();

    for inc in batch {
        let old = find_existing(tx, &inc)?;
        if let Some(o) = &old {
            if o.deleted {
                out.warnings.push(Problem::at(
                    &inc.file,
                    None,
                    format!("'{}' was deleted in the workspace; left deleted (restore it to import it again)", o.title),
                ));
                continue;
            }
            if o.kind != inc.kind {
                out.warnings.push(Problem::at(
                    &inc.file,
                    None,
                    format!("'{}' is a {} in the workspace; the source says {}, kept {}", o.title, o.kind, inc.kind, o.kind),
                ));
            }
        }
        let kind = old.as_ref().map(|o| o.kind).unwrap_or(inc.kind);
        let id = match &old {
            Some(o) => o.id.clone(),
            None => match inc.matching.id.as_deref() {
                Some(id) if is_uuid(id) => id.to_lowercase(),
                _ => workspace::new_id(),
            },
        };
        let mut fields = inc.fields.clone();
        if kind != inc.kind {
            fields = old.as_ref().map(|o| o.fields.clone()).unwrap_or_default();
        }
        // A friction's `resolved` follows from its resolutions, not from the source: keep it (settling
        // below re-derives it if the resolutions went away).
        if old.as_ref().is_some_and(|o| o.kind == Kind::Friction && o.fields.get("status") == Some("resolved")) {
            fields.values.insert("status".into(), "resolved".into());
        }
        let new = Item {
            id: id.clone(),
            kind,
            title: inc.title.clone(),
            body: inc.body.replace("\r\n", "\n"),
            tags: inc.tags.clone(),
            aliases: inc.aliases.clone(),
            fields,
            author: old.as_ref().map(|o| o.author.clone()).unwrap_or_else(|| ctx.actor.id.clone()),
            created: old.as_ref().map(|o| o.created.clone()).unwrap_or_else(|| ctx.now.clone()),
            updated: ctx.now.clone(),
            deleted: false,
        };
        if let Err(e) = model::check_fields(new.kind, &new.fields) {
            out.errors.push(Problem::at(&inc.file, None, e.to_string()));
            continue;
        }
        if new.body.len() > workspace::MAX_BODY {
            out.errors.push(Problem::at(
                &inc.file,
                None,
                format!("the body is {} bytes; the limit is {} bytes; not imported", new.body.len(), workspace::MAX_BODY),
            ));
            continue;
        }
        if let Some(o) = &old {
            let same = Item { updated: o.updated.clone(), ..new.clone() };
            if &same == o {
                tx.set_source(&o.id, &inc.origin, &inc.path)?;
                out.unchanged += 1;
                continue;
            }
        }
        // A friction takes its status from its resolutions; follow them after the links exist.
        if new.kind == Kind::Friction {
            frictions.insert(new.id.clone());
        }
        tx.put_item(&new)?;
        tx.set_source(&new.id, &inc.origin, &inc.path)?;
        let names_changed = old.as_ref().is_none_or(|o| o.title != new.title || o.aliases != new.aliases);
        if names_changed {
            for it in old.iter().chain(std::iter::once(&new)) {
                keys.insert(model::title_key(&it.title));
                keys.extend(it.aliases.iter().map(|a| model::title_key(a)));
            }
        }
        // History and the change log, as the single save path keeps them.
        let before = old.as_ref().map(workspace::flatten).unwrap_or_default();
        let after = workspace::flatten(&new);
        let mut changes = serde_json::Map::new();
        for k in before.keys().chain(after.keys()).collect::<BTreeSet<_>>() {
            let (o, n) = (before.get(k), after.get(k));
            if o != n {
                changes.insert(k.clone(), serde_json::json!({"old": o, "new": n}));
            }
        }
        let op = if old.is_some() { "update" } else { "create" };
        let hlc = workspace::next_hlc(tx, &ctx.device)?.to_string();
        let rev = if old.is_some() { tx.next_rev(&new.id)? } else { 1 };
        let snapshot = serde_json::to_string(&new)?;
        let changes = serde_json::Value::Object(changes).to_string();
        tx.insert_revision(&new.id, rev, &ctx.now, &hlc, &ctx.actor.id, op, &changes, &snapshot)?;
        // The op as sync merges it (see `sync::merge`): changed fields, body CRDT update, tag and alias sets.
        let payload = crate::sync::merge::record_local_item(tx, &ctx.device, &hlc, &ctx.actor.id, &ctx.now, old.as_ref(), &new)?;
        tx.append_change(&hlc, &ctx.device, &ctx.actor.id, "item", &new.id, op, &payload.to_string())?;
        tx.queue_index(&new.id)?;
        if old.is_some() {
            out.updated += 1;
        } else {
            out.created += 1;
        }
        let body_changed = old.as_ref().is_none_or(|o| o.body != new.body);
        if body_changed {
            written.push((new, inc));
        } else if let Some(o) = &old {
            // The body is the same but the kind rules may judge the links differently now.
            for l in tx.links_from(&o.id)?.into_iter().filter(|l| l.rel == Rel::Resolves) {
                frictions.extend(l.target_id);
            }
        }
    }

    // Links out of the written items, now that every item of the batch exists.
    for (item, inc) in &written {
        for l in tx.links_from(&item.id)?.into_iter().filter(|l| l.rel == Rel::Resolves) {
            frictions.extend(l.target_id);
        }
        let derived = workspace::derive_links(tx, item)?;
        for l in &derived {
            if let Some(p) = &l.problem {
                out.warnings.push(Problem::at(
                    &inc.file,
                    Some(file_line(inc, l.line)),
                    format!("{}:: [[{}]] is not linked: {p}", l.rel, l.target),
                ));
            }
            if l.rel == Rel::Resolves {
                frictions.extend(l.target_id.clone());
            }
        }
        tx.replace_links(&item.id, &derived)?;
    }

    // Links elsewhere (earlier batches, earlier imports, notes written by hand) that may now reach
    // the items of this batch.
    for key in &keys {
        for (rowid, l) in tx.links_with_key(key)? {
            let Some((_, kind, _)) = tx.title_of(&l.source_id)? else { continue };
            let (target_id, problem) = workspace::resolve_target(tx, kind, l.rel, &l.target)?;
            if target_id != l.target_id || problem != l.problem {
                tx.set_link_target(rowid, target_id.as_deref(), problem.as_deref())?;
                if l.rel == Rel::Resolves {
                    frictions.extend(l.target_id.clone());
                    frictions.extend(target_id);
                }
            }
        }
    }
    // A friction's search entry carries its resolutions: re-queue the frictions they touch.
    for f in &frictions {
        tx.queue_index(f)?;
    }
    out.frictions = workspace::settle_frictions(tx, ctx, frictions)?;
    Ok(out)
}

/// The line of the source file a body line came from.
fn file_line(inc: &Incoming, body_line: usize) -> usize {
    if body_line > inc.body_lines {
        if let Some(l) = inc.extra_lines.get(body_line - inc.body_lines - 1) {
            return *l;
        }
    }
    inc.body_line + body_line.saturating_sub(1)
}

/// Makes a title out of any text: one line, no characters that break `[[links]]`
/// (`|` becomes `¦`, `#` becomes `＃`, `[[`/`]]` single brackets), at most 500 characters.
pub fn safe_title(s: &str) -> Option<String> {
    let one_line = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let t = one_line.replace("[[", "[").replace("]]", "]").replace('|', "¦").replace('#', "＃");
    let t: String = if t.chars().count() > 500 { t.chars().take(499).collect::<String>() + "…" } else { t };
    model::check_title(&t).ok()
}

/// Normalises tags, dropping (with a message) the ones that are not tags.
pub fn clean_tags(raw: impl IntoIterator<Item = String>, mut bad: impl FnMut(String)) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in raw {
        let t = t.trim().trim_start_matches('#').split_whitespace().collect::<Vec<_>>().join("-");
        if t.is_empty() {
            continue;
        }
        match model::normalize_tag(&t) {
            Ok(t) if !out.contains(&t) => out.push(t),
            Ok(_) => {}
            Err(e) => bad(e.to_string()),
        }
    }
    out.sort();
    out
}
