//! Knowledge in: Markdown vaults (Obsidian, Logseq) and customer signals (CSV, JSON).
//!
//! Every importer turns its source into [`Incoming`] items and hands them to [`Batcher`], which
//! writes them [`BATCH`] at a time, one transaction per batch: the items first, then the links
//! derived from their bodies, then the links elsewhere that now resolve to them. Each written item
//! gets a revision, a change-log entry and a search-index queue entry, attributed to the person
//! importing — through the one write path ([`crate::write`]), without a transaction per
//! item. Killing an import leaves the batches committed so far and no half item.
//!
//! Importing the same source again matches items by id (a vault exported by Mellanrum carries
//! them), then by where they came from (a vault file's path, a signal's external reference), and
//! updates them instead of duplicating; an unchanged item is left alone.

mod files;
pub mod signals;
pub mod vault;

use std::collections::{BTreeSet, HashMap};

use serde::Serialize;

use crate::error::Result;
use crate::model::{self, Item, Kind};
use crate::store::Tx;
use crate::workspace::{self, Workspace};
use crate::write::{self, Ctx, LinkRule, Origin, Rows, Writer};

/// Items written per transaction.
pub const BATCH: usize = 1000;

/// SQLite's page cache while importing (64 MiB), whatever the size of the workspace.
const IMPORT_CACHE_KIB: i64 = 64 * 1024;

/// SQLite's temporary storage while importing: memory (see [`crate::store::Store::temp_store`]).
const TEMP_IN_MEMORY: i64 = 2;

/// A warning or an error, naming the place in the source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Problem {
    /// The file, relative to the imported folder (or the file given).
    pub file: String,
    /// 1-based line in the file, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub line: Option<usize>,
    /// 1-based record number (a CSV row after the header, a JSON record), when the source has rows.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
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
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
    /// Links to a file of the vault that is not a note (an image, a PDF) that the workspace now holds.
    pub attachments: i64,
    /// Files of the vault that its notes link to, now in the workspace, and how many of them
    /// were not there before (a file imported again is not stored twice).
    pub files: usize,
    pub files_new: usize,
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

/// Writes incoming items in batches, one transaction each. The connection is set back as it was
/// when the import finishes or is dropped.
pub struct Batcher<'a> {
    ws: &'a mut Workspace,
    ctx: Ctx,
    pending: Vec<Incoming>,
    /// Every item written or matched, to count links at the end.
    pub report: ImportReport,
    origins: BTreeSet<String>,
    progress: Option<&'a mut dyn FnMut(usize)>,
    /// The connection's page cache and temporary storage before the import changed them; set back
    /// when it finishes.
    settings: Option<(i64, i64)>,
    /// Room for the rows of a batch, kept from one batch to the next.
    rows: Rows,
}

impl<'a> Batcher<'a> {
    pub fn new(ws: &'a mut Workspace, progress: Option<&'a mut dyn FnMut(usize)>) -> Result<Batcher<'a>> {
        let ctx = ws.ctx()?;
        let cache_kib = ws.store.cache_kib()?;
        ws.store.set_cache_kib(cache_kib.max(IMPORT_CACHE_KIB))?;
        let temp_store = ws.store.temp_store()?;
        ws.store.set_temp_store(TEMP_IN_MEMORY)?;
        Ok(Batcher {
            ws,
            ctx,
            pending: Vec::with_capacity(BATCH),
            report: ImportReport::default(),
            origins: BTreeSet::new(),
            progress,
            settings: Some((cache_kib, temp_store)),
            rows: Rows::default(),
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
        let rows = &mut self.rows;
        let out = self.ws.store.write(|tx| write_batch(tx, ctx, batch, rows))?;
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
        self.restore()?;
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
        let mut report = std::mem::take(&mut self.report);
        report.links = all;
        report.unresolved = unresolved;
        report.resolved = all - unresolved;
        Ok(report)
    }

    /// Sets the connection back as it was before the import (also when it ends in an error).
    fn restore(&mut self) -> Result<()> {
        if let Some((cache_kib, temp_store)) = self.settings.take() {
            self.ws.store.set_cache_kib(cache_kib)?;
            self.ws.store.set_temp_store(temp_store)?;
        }
        Ok(())
    }

    /// Runs `f` on a read snapshot (importers use it to look at what is there already).
    pub fn read<T>(&mut self, f: impl FnOnce(&Tx) -> Result<T>) -> Result<T> {
        self.ws.store.read(f)
    }
}

impl Drop for Batcher<'_> {
    fn drop(&mut self) {
        // After an error: the error is what the caller reports.
        let _ = self.restore();
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

/// Writes a batch through the one write path ([`crate::write::Writer`]): each incoming item is
/// matched with what the workspace holds, checked, and written with its record; then the links
/// of every written body, links elsewhere, and the frictions that follow their resolutions.
fn write_batch(tx: &Tx, ctx: &Ctx, batch: Vec<Incoming>, rows: &mut Rows) -> Result<BatchOut> {
    let mut out = BatchOut::default();
    let mut w = Writer::new(tx, rows)?;
    // Where each written body came from, to name the place of a link's problem.
    let mut places: HashMap<String, Incoming> = HashMap::new();

    for inc in batch {
        if w.holds(inc.matching.id.as_deref(), inc.matching.signal_ref.as_deref(), (&inc.origin, &inc.path)) {
            w.flush(tx)?;
        }
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
        // A new id is known nowhere yet (no merge state, no links, no history).
        let (id, fresh) = match &old {
            Some(o) => (o.id.clone(), false),
            None => match inc.matching.id.as_deref() {
                Some(id) if is_uuid(id) => (id.to_lowercase(), false),
                _ => (workspace::new_id(), true),
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
        let op = if old.is_some() { "update" } else { "create" };
        if old.is_some() {
            out.updated += 1;
        } else {
            out.created += 1;
        }
        if old.as_ref().is_none_or(|o| o.body != new.body) {
            places.insert(id.clone(), inc.clone());
        }
        w.write(tx, Origin::Local { ctx, op }, old.as_ref(), new, fresh, Some((&inc.origin, &inc.path)))?;
    }
    let done = w.finish(tx, LinkRule::Record)?;
    for (id, links) in &done.links {
        let Some(inc) = places.get(id) else { continue };
        for l in links {
            if let Some(p) = &l.problem {
                out.warnings.push(Problem::at(
                    &inc.file,
                    Some(file_line(inc, l.line)),
                    format!("{}:: [[{}]] is not linked: {p}", l.rel, l.target),
                ));
            }
        }
    }
    out.frictions = write::settle_frictions(tx, ctx, done.frictions)?;
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
/// (`|` becomes `¦`, `[[`/`]]` single brackets; a `#` is kept), at most 500 characters.
pub fn safe_title(s: &str) -> Option<String> {
    let one_line = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let t = one_line.replace("[[", "[").replace("]]", "]").replace('|', "¦");
    let t: String = if t.chars().count() > 500 { t.chars().take(499).collect::<String>() + "…" } else { t };
    model::check_title(&t).ok()
}

/// Text from outside (a ticket's description) as a body that reads as that text: when it holds
/// anything Markdown or a `[[link]]` would take for markup, it goes inside a fenced block (a fence
/// longer than any run of backticks in it), so nothing in it becomes a link, a heading or HTML.
pub fn plain_body(s: &str) -> String {
    let text = s.trim_end();
    if text.trim().is_empty() {
        return String::new();
    }
    let markup = |line: &str| {
        let t = line.trim_start();
        line.starts_with("    ")
            || line.starts_with('\t')
            || t.starts_with(['-', '+', '=', '>', '#'])
            || t.split_once(['.', ')']).is_some_and(|(n, _)| !n.is_empty() && n.len() < 10 && n.bytes().all(|b| b.is_ascii_digit()))
            || t.contains(['[', ']', '<', '>', '*', '_', '`', '|', '~', '\\', '&'])
            || t.contains("://")
            || t.contains("::")
    };
    if !text.lines().any(markup) {
        return text.to_string();
    }
    let longest = text.lines().map(|l| l.trim_start().bytes().take_while(|&b| b == b'`').count()).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    format!("{fence}text\n{text}\n{fence}")
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

#[cfg(test)]
mod scaling_tests {
    use std::path::Path;

    use crate::import::signals::{self, Options};
    use crate::workspace::Workspace;

    fn write_tickets(file: &Path, n: usize, says: &str) {
        let mut text = String::from("Id,Summary,Customer,Text\n");
        for i in 0..n {
            text += &format!("T-{i},Ticket {i}: export is slow,Customer {},\"The export of report {i} {says}\"\n", i % 97);
        }
        std::fs::write(file, text).unwrap();
    }

    /// SQLite's work (virtual-machine steps) to import `n` tickets with their ids mapped to `ref`
    /// into a new workspace, to import the same file again (every row matched by its reference and
    /// unchanged), and to import a newer export of them (every row updated).
    fn steps_to_import(n: usize) -> [u64; 3] {
        let dir = tempfile::tempdir().unwrap();
        let (first, newer) = (dir.path().join("tickets.csv"), dir.path().join("tickets-newer.csv"));
        write_tickets(&first, n, "takes minutes");
        write_tickets(&newer, n, "takes seconds now");
        let mut ws = Workspace::init(&dir.path().join("ws"), Some("Tickets")).unwrap();
        ws.add_person("Anna", "Support").unwrap();
        let map = [("title", "Summary"), ("ref", "Id"), ("customer", "Customer"), ("body", "Text")];
        let opts = Options { map: map.iter().map(|(f, c)| (f.to_string(), c.to_string())).collect(), ..Default::default() };
        ws.store().count_steps(true).unwrap();
        let mut import = |file: &Path| {
            let before = ws.store().steps();
            let r = signals::import(&mut ws, file, &opts, None).unwrap();
            assert!(r.errors.is_empty(), "{:?}", r.errors);
            (ws.store().steps() - before, r)
        };
        let (created, r) = import(&first);
        assert_eq!(r.created, n);
        let (unchanged, r) = import(&first);
        assert_eq!(r.unchanged, n);
        let (updated, r) = import(&newer);
        assert_eq!(r.updated, n);
        [created, unchanged, updated]
    }

    /// Importing four times the rows costs SQLite about four times the work, not sixteen: no row's
    /// lookup (by reference, place, id or title) walks the items already there. Counted, not timed.
    #[test]
    fn importing_signals_with_references_grows_linearly() {
        let n = 1000;
        let small = steps_to_import(n);
        let large = steps_to_import(4 * n);
        for (i, what) in ["into a new workspace", "again, unchanged", "again, every row changed"].iter().enumerate() {
            let ratio = large[i] as f64 / small[i] as f64;
            eprintln!(
                "importing {what}: {} SQLite steps per row at {n} rows, {} at {} ({ratio:.2}×)",
                small[i] / n as u64,
                large[i] / (4 * n) as u64,
                4 * n
            );
            assert!(ratio < 5.0, "importing {what}: {} rows took {ratio:.2} times the steps of {n} ({} → {})", 4 * n, small[i], large[i]);
        }
    }
}
