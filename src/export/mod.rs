//! Knowledge out: the shared knowledge map as GraphML, Cytoscape.js JSON, Graphviz DOT, Mermaid,
//! an Obsidian-compatible Markdown vault, or one self-contained offline HTML file.
//!
//! Every format draws the same [`KnowledgeGraph`]: the whole workspace, or a part of it chosen by
//! the caller (a search plus the neighbours N links away, see [`select`]). Formats that carry note
//! bodies (the vault, the HTML map) stream them from the store in id order, so memory holds the
//! graph's nodes and edges, never every body. Files are written next to their destination and
//! renamed into place: a failed export leaves no half-written file.
//!
//! With `redact_people`, every person's name (as an author, in fields such as `agreed_by`, and
//! as a whole word in titles and bodies) is replaced by their perspective.

pub mod cytoscape;
pub mod dot;
pub mod graphml;
pub mod html;
pub mod mermaid;
pub mod vault;

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::graph::KnowledgeGraph;
use crate::model::{Item, Person};
use crate::store::ExportItem;
use crate::workspace::Workspace;

/// The formats a map can be exported to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    GraphMl,
    Cytoscape,
    Dot,
    Mermaid,
    Vault,
    Html,
}

impl Format {
    pub const ALL: [&'static str; 6] = ["graphml", "cytoscape", "dot", "mermaid", "vault", "html"];

    /// The file name ending of an export in this format (a vault is a folder: none).
    pub fn extension(self) -> &'static str {
        match self {
            Format::GraphMl => ".graphml",
            Format::Cytoscape => ".cyjs",
            Format::Dot => ".dot",
            Format::Mermaid => ".mmd",
            Format::Vault => "",
            Format::Html => ".html",
        }
    }
}

/// The name an export is given when the user names none: `map-<stamp><extension>`, the stamp
/// being the local time (`20260914-153000`).
pub fn file_name(format: Format, at: chrono::DateTime<chrono::Local>) -> String {
    format!("map-{}{}", at.format("%Y%m%d-%H%M%S"), format.extension())
}

impl std::str::FromStr for Format {
    type Err = Error;
    fn from_str(s: &str) -> Result<Format> {
        Ok(match s.trim().to_lowercase().as_str() {
            "graphml" => Format::GraphMl,
            "cytoscape" | "cyjs" | "cytoscape-json" => Format::Cytoscape,
            "dot" | "graphviz" => Format::Dot,
            "mermaid" | "mmd" => Format::Mermaid,
            "vault" | "obsidian" | "markdown" => Format::Vault,
            "html" => Format::Html,
            _ => return Err(Error::invalid(format!("unknown export format '{s}' (expected one of: {})", Format::ALL.join(", ")))),
        })
    }
}

/// What to export and where.
#[derive(Debug, Clone)]
pub struct Options {
    pub format: Format,
    /// A file, or for `vault` a folder (new or empty).
    pub out: PathBuf,
    /// The ids to export; everything when `None`.
    pub only: Option<BTreeSet<String>>,
    pub redact_people: bool,
    /// The HTML map: the pictures notes embed, in the file (left out with `redact_people`).
    pub attachments: bool,
}

/// What an export wrote.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ExportReport {
    pub format: String,
    pub path: PathBuf,
    pub nodes: usize,
    pub edges: usize,
    /// Files written (1 except for a vault).
    pub files: usize,
    pub bytes: u64,
}

/// Replaces people's names by their perspectives.
#[derive(Debug, Clone, Default)]
pub struct Redactor {
    /// `(name, perspective)`, longest names first.
    people: Vec<(String, String)>,
}

impl Redactor {
    pub fn new(people: &[Person]) -> Redactor {
        let mut p: Vec<(String, String)> = people.iter().map(|p| (p.name.clone(), p.perspective.clone())).collect();
        p.sort_by_key(|(n, _)| std::cmp::Reverse(n.chars().count()));
        Redactor { people: p }
    }

    pub fn is_active(&self) -> bool {
        !self.people.is_empty()
    }

    /// `text` with every whole-word occurrence of a name (any case) replaced by the perspective.
    pub fn apply(&self, text: &str) -> String {
        let mut out = text.to_string();
        for (name, perspective) in &self.people {
            if name.is_empty() {
                continue;
            }
            out = replace_word(&out, name, perspective);
        }
        out
    }

    /// Redacts everything textual of an item.
    pub fn item(&self, item: &mut Item) {
        if !self.is_active() {
            return;
        }
        item.title = self.apply(&item.title);
        item.body = self.apply(&item.body);
        for v in item.fields.values.values_mut() {
            *v = self.apply(v);
        }
        for v in item.fields.positions.values_mut() {
            *v = self.apply(v);
        }
        for v in item.fields.props.values_mut() {
            redact_json(self, v);
        }
        item.aliases = item.aliases.iter().map(|a| self.apply(a)).collect();
    }
}

fn redact_json(r: &Redactor, v: &mut serde_json::Value) {
    match v {
        serde_json::Value::String(s) => *s = r.apply(s),
        serde_json::Value::Array(a) => a.iter_mut().for_each(|x| redact_json(r, x)),
        serde_json::Value::Object(o) => o.values_mut().for_each(|x| redact_json(r, x)),
        _ => {}
    }
}

/// Replaces whole-word, case-insensitive occurrences of `word` in `text`.
fn replace_word(text: &str, word: &str, with: &str) -> String {
    let lower = text.to_lowercase();
    let w = word.to_lowercase();
    if lower.len() != text.len() || !lower.contains(&w) {
        // Lower-casing changed byte lengths (rare scripts): match exactly instead.
        if !text.contains(word) {
            return text.to_string();
        }
        return replace_exact(text, word, with);
    }
    replace_whole(text, lower.match_indices(&w).map(|(start, _)| start), w.len(), with)
}

fn replace_exact(text: &str, word: &str, with: &str) -> String {
    replace_whole(text, text.match_indices(word).map(|(start, _)| start), word.len(), with)
}

/// `text` with the `len` bytes at each of `starts` (in order, not overlapping) replaced by `with`
/// where they stand as a whole word.
fn replace_whole(text: &str, starts: impl Iterator<Item = usize>, len: usize, with: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for start in starts {
        let end = start + len;
        let before = text[..start].chars().next_back();
        let after = text[end..].chars().next();
        let word_char = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        if !word_char(before) && !word_char(after) {
            out.push_str(&text[last..start]);
            out.push_str(with);
            last = end;
        }
    }
    out.push_str(&text[last..]);
    out
}

/// The ids a search matches, and their neighbours `hops` links away.
pub fn select(graph: &KnowledgeGraph, seeds: &[String], hops: usize) -> BTreeSet<String> {
    graph.neighbourhood(seeds.iter().map(String::as_str), hops)
}

/// The part of the map an export draws: the items a search for `query` matches and the item
/// `around` names (a title, alias or id), with the items up to `hops` links away from them ("the
/// map around this friction, two hops"); `None` (the whole map) with neither. Hops with neither
/// are refused: they are counted from those items.
pub fn selection(ws: &mut Workspace, query: Option<&str>, around: Option<&str>, hops: usize) -> Result<Option<BTreeSet<String>>> {
    let query = query.map(str::trim).filter(|q| !q.is_empty());
    let around = around.map(str::trim).filter(|r| !r.is_empty());
    if query.is_none() && around.is_none() {
        if hops > 0 {
            return Err(Error::invalid(format!(
                "{hops} hops need a search or an item to start from: the hops are counted from the items it names"
            )));
        }
        return Ok(None);
    }
    let mut seeds: Vec<String> = Vec::new();
    if let Some(r) = around {
        seeds.push(ws.resolve_ref(r)?);
    }
    if let Some(q) = query {
        let items: i64 = ws.counts()?.values().sum();
        seeds.extend(ws.search(q, items.max(1) as usize)?.hits.into_iter().map(|h| h.id));
    }
    let graph = ws.graph()?;
    Ok(Some(select(&graph, &seeds, hops)))
}

/// A file written beside its destination and renamed into place when complete.
pub(crate) struct AtomicFile {
    path: PathBuf,
    tmp: PathBuf,
    pub(crate) w: std::io::BufWriter<std::fs::File>,
    done: bool,
}

impl AtomicFile {
    pub(crate) fn create(path: &Path) -> Result<AtomicFile> {
        if path.is_dir() {
            return Err(Error::invalid(format!("{}: a folder; give a file to write the export to", path.display())));
        }
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        if !dir.is_dir() {
            return Err(Error::invalid(format!("{}: no such folder to write {} into", dir.display(), path.display())));
        }
        let name = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_else(|| "export".into());
        let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        let f = std::fs::File::create(&tmp).map_err(|e| Error::io(&tmp, e))?;
        Ok(AtomicFile { path: path.to_path_buf(), tmp, w: std::io::BufWriter::with_capacity(1 << 20, f), done: false })
    }

    pub(crate) fn commit(mut self) -> Result<u64> {
        self.w.flush().map_err(|e| Error::io(&self.tmp, e))?;
        let f = self.w.get_ref();
        f.sync_all().map_err(|e| Error::io(&self.tmp, e))?;
        let bytes = f.metadata().map(|m| m.len()).unwrap_or(0);
        std::fs::rename(&self.tmp, &self.path).map_err(|e| Error::io(&self.path, e))?;
        self.done = true;
        Ok(bytes)
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        // A file not renamed into place is removed: a failed export leaves nothing behind.
        if !self.done {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

pub(crate) fn io_err(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| Error::io(path, e)
}

/// Streams the bodies of the exported items, in id order.
pub(crate) fn each_item(
    ws: &mut Workspace,
    only: Option<&BTreeSet<String>>,
    redactor: &Redactor,
    mut f: impl FnMut(ExportItem) -> Result<()>,
) -> Result<()> {
    ws.store.read(|tx| {
        tx.each_export_item(true, |mut e| {
            if only.is_some_and(|o| !o.contains(&e.item.id)) {
                return Ok(true);
            }
            if redactor.is_active() {
                redactor.item(&mut e.item);
                e.author_name = e.perspective.clone();
            }
            f(e)?;
            Ok(true)
        })
    })
}

/// Exports the map.
pub fn export(ws: &mut Workspace, opts: &Options) -> Result<ExportReport> {
    if opts.format == Format::Vault {
        return export_vault(ws, opts);
    }
    let mut graph = ws.graph()?;
    if let Some(only) = &opts.only {
        graph = graph.subgraph(only);
    }
    let redactor = if opts.redact_people { Redactor::new(&ws.people()?) } else { Redactor::default() };
    if redactor.is_active() {
        graph.map_text(|s| redactor.apply(s));
        for n in graph.graph.node_weights_mut() {
            n.author = n.perspective.clone();
        }
    }
    let (nodes, edges) = (graph.node_count(), graph.edge_count());
    let out = &opts.out;
    let (files, bytes) = match opts.format {
        Format::GraphMl => one_file(out, |w| graphml::write(&graph, w))?,
        Format::Cytoscape => one_file(out, |w| cytoscape::write(&graph, w))?,
        Format::Dot => one_file(out, |w| dot::write(&graph, w))?,
        Format::Mermaid => one_file(out, |w| mermaid::write(&graph, w))?,
        Format::Html => {
            let name = ws.name()?;
            let mut f = AtomicFile::create(out)?;
            let files = if opts.attachments && !redactor.is_active() { Some(ws.attachment_index()?) } else { None };
            html::write(ws, &graph, opts.only.as_ref(), &redactor, files.as_ref(), &name, &mut f.w).map_err(|e| match e {
                Error::Io { source, .. } => Error::io(out, source),
                other => other,
            })?;
            (1, f.commit()?)
        }
        Format::Vault => vault::write(ws, opts.only.as_ref(), &redactor, out)?,
    };
    let format = Format::ALL[opts.format as usize].to_string();
    Ok(ExportReport { format, path: out.clone(), nodes, edges, files, bytes })
}

/// The Markdown vault streams items from the store and needs no graph: only its edge count,
/// read from the store (one aggregate query, or one pass over the edges for a filtered export).
fn export_vault(ws: &mut Workspace, opts: &Options) -> Result<ExportReport> {
    let redactor = if opts.redact_people { Redactor::new(&ws.people()?) } else { Redactor::default() };
    let (files, bytes) = vault::write(ws, opts.only.as_ref(), &redactor, &opts.out)?;
    let edges = ws.store.read(|tx| match &opts.only {
        None => tx.edge_count(),
        Some(only) => {
            let mut n = 0usize;
            tx.each_edge(|e| {
                n += usize::from(only.contains(&e.source_id) && only.contains(&e.target_id));
                Ok(())
            })?;
            Ok(n)
        }
    })?;
    let format = Format::ALL[opts.format as usize].to_string();
    Ok(ExportReport { format, path: opts.out.clone(), nodes: files, edges, files, bytes })
}

fn one_file(out: &Path, f: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<(usize, u64)> {
    let mut file = AtomicFile::create(out)?;
    f(&mut file.w).map_err(io_err(out))?;
    Ok((1, file.commit()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_replaced_as_whole_words() {
        let people = [
            Person { id: "1".into(), name: "Anna".into(), perspective: "Sales".into(), created: String::new() },
            Person { id: "2".into(), name: "Anna Berg".into(), perspective: "Legal".into(), created: String::new() },
        ];
        let r = Redactor::new(&people);
        assert_eq!(r.apply("Anna Berg met anna; Annakin stays, ANNA goes"), "Legal met Sales; Annakin stays, Sales goes");
        assert_eq!(r.apply("Åsa och Anna"), "Åsa och Sales");
    }
}
