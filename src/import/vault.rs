//! Markdown vaults: Obsidian (front matter, `[[links]]` resolved by file name, alias or path) and
//! Logseq (`key:: value` page properties, `A___B.md` namespace files, journals).
//!
//! What becomes of a note:
//! - its title is the file name (Logseq: the namespace `A/B` of `A___B.md`, or `title::`); a
//!   front-matter `title` (a vault exported by Mellanrum) wins;
//! - `aliases`/`alias`, `tags`/`tag` and inline `#tags` become aliases and tags; `kind` or `type`
//!   naming a kind makes the item that kind, and that kind's own fields are read from properties
//!   of the same name; `id` (a vault exported by Mellanrum) keeps the item's id;
//! - a property holding `[[links]]` (`categories: ["[[Books]]"]`) becomes an inline-field line
//!   `categories:: [[Books]]` at the end of the body, since links live in bodies; every other
//!   property is kept as a property of the item;
//! - two notes sharing a file name also get their path (`folder/name`) as an alias, so
//!   `[[folder/name]]` reaches the right one.
//!
//! The files the notes link to (`![[chart.png]]`, `![alt](../assets/chart.png)`; Obsidian's
//! attachment folder, Logseq's `assets/`) come along into the workspace's file store
//! (`import::files`); a file no note links to is left out with a warning.
//!
//! Front matter that is not valid YAML is imported as text with a warning. Files that are not
//! UTF-8 text, symlinks leading outside the vault and unreadable files are skipped with a warning
//! naming them; nothing stops the rest.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{clean_tags, safe_title, Batcher, ImportReport, Incoming, Match, Problem};
use crate::error::{Error, Result};
use crate::model::{self, Fields, Kind};
use crate::workspace::Workspace;

/// The flavour of a vault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Obsidian,
    Logseq,
}

impl std::str::FromStr for Format {
    type Err = Error;
    fn from_str(s: &str) -> Result<Format> {
        match s.trim().to_lowercase().as_str() {
            "obsidian" | "markdown" | "md" => Ok(Format::Obsidian),
            "logseq" => Ok(Format::Logseq),
            _ => Err(Error::invalid(format!("unknown vault format '{s}' (expected obsidian or logseq)"))),
        }
    }
}

/// Guesses the format: a folder with `logseq/config.edn` or `pages/` and `journals/` is Logseq.
pub fn detect(dir: &Path) -> Format {
    if dir.join("logseq").join("config.edn").is_file() || (dir.join("pages").is_dir() && dir.join("journals").is_dir()) {
        Format::Logseq
    } else {
        Format::Obsidian
    }
}

/// The files of a vault: notes to import and other files (paths from the vault's folder) links
/// may embed.
struct Listing {
    notes: Vec<PathBuf>,
    files: Vec<String>,
}

fn rel_str(p: &Path) -> String {
    p.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect::<Vec<_>>().join("/")
}

fn walk(root: &Path, dir: &Path, format: Format, out: &mut Listing, warnings: &mut Vec<Problem>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            warnings.push(Problem::at(&rel_str(dir.strip_prefix(root).unwrap_or(dir)), None, format!("cannot read this folder: {e}")));
            return;
        }
    };
    let mut entries: Vec<_> = entries.filter_map(|e| e.ok()).collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        let path = e.path();
        let rel = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
        let rel_s = rel_str(&rel);
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue; // .obsidian, .git, .trash, dot files
        }
        let Ok(meta) = std::fs::symlink_metadata(&path) else { continue };
        let mut is_dir = meta.is_dir();
        if meta.file_type().is_symlink() {
            match path.canonicalize() {
                Ok(target) if target.starts_with(root) => {
                    if target.is_dir() {
                        warnings.push(Problem::at(&rel_s, None, "a symlink to a folder; not followed"));
                        continue;
                    }
                    is_dir = false;
                }
                Ok(target) => {
                    warnings.push(Problem::at(
                        &rel_s,
                        None,
                        format!("a symlink leading outside the vault (to {}); skipped", target.display()),
                    ));
                    continue;
                }
                Err(e) => {
                    warnings.push(Problem::at(&rel_s, None, format!("a broken symlink ({e}); skipped")));
                    continue;
                }
            }
        }
        if is_dir {
            if format == Format::Logseq && rel_s == "logseq" {
                continue; // settings and backups, not pages
            }
            walk(root, &path, format, out, warnings);
            continue;
        }
        let lower = name.to_lowercase();
        let in_pages = format == Format::Obsidian || rel_s.starts_with("pages/") || rel_s.starts_with("journals/");
        if lower.ends_with(".md") && in_pages {
            out.notes.push(rel);
        } else if lower.ends_with(".org") && in_pages {
            warnings.push(Problem::at(&rel_s, None, "an org-mode page; only Markdown pages are imported"));
        } else {
            out.files.push(rel_s);
        }
    }
}

/// Notes read ahead and handed to the writer at a time.
const NOTES_PER_CHUNK: usize = 50;

/// Imports the vault in `dir`.
pub fn import(
    ws: &mut Workspace,
    dir: &Path,
    format: Option<Format>,
    progress: Option<&mut dyn FnMut(usize, usize)>,
) -> Result<ImportReport> {
    let meta = std::fs::metadata(dir).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => Error::invalid(format!("{}: no such folder", dir.display())),
        _ => Error::io(dir, e),
    })?;
    if !meta.is_dir() {
        return Err(Error::invalid(format!("{}: not a folder (give the vault's folder)", dir.display())));
    }
    let root = dir.canonicalize().map_err(|e| Error::io(dir, e))?;
    let format = format.unwrap_or_else(|| detect(&root));
    let origin = format!("vault:{}", root.display());
    let mut listing = Listing { notes: Vec::new(), files: Vec::new() };
    let mut warnings = Vec::new();
    walk(&root, &root, format, &mut listing, &mut warnings);

    // Notes sharing a file name: Obsidian tells them apart by path.
    let mut stems: BTreeMap<String, usize> = BTreeMap::new();
    if format == Format::Obsidian {
        for n in &listing.notes {
            *stems.entry(model::title_key(&stem(n))).or_default() += 1;
        }
    }

    let total = listing.notes.len();
    let mut done = 0;
    let mut progress = progress;
    let mut tick = |n: usize| {
        done += n;
        if let Some(p) = progress.as_mut() {
            p(done, total);
        }
    };
    let mut b = Batcher::new(ws, Some(&mut tick))?;
    for w in warnings {
        b.warn(w);
    }
    // Reading and parsing the notes runs on a thread of its own, ahead of the writer; the writer
    // takes the notes (and their warnings) in listing order, so the outcome is the same. They pass
    // in chunks: one hand-over per note would wake a thread per note.
    type Read = (Vec<Problem>, Option<Incoming>, Vec<super::files::Wanted>);
    let (send, chunks) = std::sync::mpsc::sync_channel::<Vec<Read>>(2 * super::BATCH / NOTES_PER_CHUNK);
    let mut wanted = Vec::new();
    std::thread::scope(|scope| -> Result<()> {
        let (root, origin, stems, paths) = (&root, &origin, &stems, &listing.notes);
        scope.spawn(move || {
            for part in paths.chunks(NOTES_PER_CHUNK) {
                let notes = part
                    .iter()
                    .map(|rel| {
                        let (w, inc) = read_note(root, origin, format, stems, rel);
                        let files = inc.as_ref().map(|i| super::files::wanted(&i.file, &i.body)).unwrap_or_default();
                        (w, inc, files)
                    })
                    .collect();
                // The writer stopped (an error): stop reading.
                if send.send(notes).is_err() {
                    break;
                }
            }
        });
        for (warnings, inc, files) in chunks.into_iter().flatten() {
            for w in warnings {
                b.warn(w);
            }
            wanted.extend(files);
            if let Some(inc) = inc {
                b.push(inc)?;
            }
        }
        Ok(())
    })?;
    let mut report = b.finish()?;

    // The files of the vault its notes link to (images, PDFs, Obsidian bases), then the links
    // that reach them.
    super::files::bring(ws, &root, &listing.files, &wanted, &mut report)?;
    let unresolved = ws.store.read(|tx| tx.unresolved_targets_of_origin(&origin))?;
    let index = ws.attachment_index()?;
    let attachments = unresolved.iter().filter(|t| index.resolve(t).is_some()).count() as i64;
    report.attachments = attachments;
    report.unresolved -= attachments;
    Ok(report)
}

/// Reads and parses one note: its warnings, and the item to write (none when it is skipped).
fn read_note(root: &Path, origin: &str, format: Format, stems: &BTreeMap<String, usize>, rel: &Path) -> (Vec<Problem>, Option<Incoming>) {
    let rel_s = rel_str(rel);
    let bytes = match std::fs::read(root.join(rel)) {
        Ok(b) => b,
        Err(e) => return (vec![Problem::at(&rel_s, None, format!("cannot read: {e}; skipped"))], None),
    };
    if bytes.iter().take(8192).any(|&c| c == 0) {
        return (vec![Problem::at(&rel_s, None, "not a text file (binary content); skipped")], None);
    }
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let line = e.as_bytes()[..at].iter().filter(|&&c| c == b'\n').count() + 1;
            return (vec![Problem::at(&rel_s, Some(line), "not UTF-8 text; skipped")], None);
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut warnings = Vec::new();
    let duplicate = stems.get(&model::title_key(&stem(rel))).is_some_and(|n| *n > 1);
    let inc = match format {
        Format::Obsidian => obsidian_note(origin, rel, text, duplicate, &mut warnings),
        Format::Logseq => logseq_note(origin, rel, text, &mut warnings),
    };
    (warnings, inc)
}

fn stem(rel: &Path) -> String {
    let name = rel.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
    match name.len().checked_sub(3) {
        Some(n) if name.to_lowercase().ends_with(".md") => name[..n].to_string(),
        _ => name,
    }
}

/// Splits YAML front matter off: `(yaml, body, line the body starts on)`.
fn split_front_matter(text: &str) -> Option<(&str, &str, usize)> {
    let rest = text.strip_prefix("---\n").or_else(|| text.strip_prefix("---\r\n"))?;
    let mut offset = 0;
    for (line, l) in (2..).zip(rest.split_inclusive('\n')) {
        let t = l.trim_end_matches(['\n', '\r']);
        if t == "---" || t == "..." {
            let body = &rest[offset + l.len()..];
            return Some((&rest[..offset], body, line + 1));
        }
        offset += l.len();
    }
    None
}

/// The line (1-based in the file) where a top-level front-matter key is written.
fn key_line(yaml: &str, key: &str) -> usize {
    for (i, l) in yaml.lines().enumerate() {
        let l = l.trim_start_matches('"').trim_start_matches('\'');
        if l.starts_with(key) && l[key.len()..].trim_start_matches(['"', '\'']).starts_with(':') {
            return i + 2;
        }
    }
    1
}

/// A property value as text: a string as it is, a list joined by ", ", anything else as JSON.
fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        Value::Array(a) => a.iter().map(value_text).filter(|s| !s.is_empty()).collect::<Vec<_>>().join(", "),
        other => other.to_string(),
    }
}

fn value_list(v: &Value, split: bool) -> Vec<String> {
    let strip = |s: &str| s.trim().trim_start_matches("[[").trim_end_matches("]]").trim().to_string();
    match v {
        Value::Array(a) => a.iter().flat_map(|x| value_list(x, false)).collect(),
        Value::String(s) if split => s.split([',', ' ']).map(strip).filter(|s| !s.is_empty()).collect(),
        Value::String(s) => vec![strip(s)].into_iter().filter(|s| !s.is_empty()).collect(),
        Value::Null => Vec::new(),
        other => vec![other.to_string()],
    }
}

fn has_link(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains("[[") && s.contains("]]"),
        Value::Array(a) => a.iter().any(has_link),
        Value::Object(o) => o.values().any(has_link),
        _ => false,
    }
}

/// What a note's properties say about the item.
#[derive(Default)]
struct Props {
    title: Option<String>,
    id: Option<String>,
    kind: Option<Kind>,
    aliases: Vec<String>,
    tags: Vec<String>,
    fields: Fields,
    /// `key:: value` lines for properties holding links, with the file line each came from.
    link_lines: Vec<(String, usize)>,
}

/// Reads properties `(key, value, line)`. `links_in_body`: the properties are written in the body
/// already (Logseq), so properties holding links need no line of their own.
fn read_props(file: &str, props: Vec<(String, Value, usize)>, links_in_body: bool, warnings: &mut Vec<Problem>) -> Props {
    let mut out = Props::default();
    let lower = |k: &str| k.trim().to_lowercase();
    // The kind first: its fields are read by name.
    for (k, v, line) in &props {
        if matches!(lower(k).as_str(), "kind" | "type") && out.kind.is_none() {
            if let Some(kind) = v.as_str().and_then(|s| s.parse::<Kind>().ok()) {
                out.kind = Some(kind);
            } else if lower(k) == "kind" {
                warnings.push(Problem::at(
                    file,
                    Some(*line),
                    format!("kind '{}' is not a kind of item; imported as a note", value_text(v)),
                ));
            }
        }
    }
    let kind = out.kind.unwrap_or(Kind::Note);
    out.fields = Fields::defaults(kind);
    for (k, v, line) in props {
        let key = lower(&k);
        match key.as_str() {
            "kind" => continue,
            "type" if out.kind.is_some() && v.as_str().and_then(|s| s.parse::<Kind>().ok()) == out.kind => continue,
            "id" if v.as_str().is_some_and(|s| uuid::Uuid::parse_str(s).is_ok()) => {
                out.id = v.as_str().map(str::to_string);
                continue;
            }
            "id" if links_in_body => continue, // a Logseq block id, kept in the body
            "title" if v.is_string() => {
                match safe_title(&value_text(&v)) {
                    Some(t) => out.title = Some(t),
                    None => warnings.push(Problem::at(file, Some(line), "the title property is empty; the file name is the title")),
                }
                continue;
            }
            "aliases" | "alias" => {
                for a in value_list(&v, false).into_iter().flat_map(|a| a.split(',').map(str::trim).map(String::from).collect::<Vec<_>>()) {
                    match safe_title(&a) {
                        Some(a) if !out.aliases.iter().any(|x| model::title_key(x) == model::title_key(&a)) => out.aliases.push(a),
                        Some(_) => {}
                        None => warnings.push(Problem::at(file, Some(line), format!("alias '{a}' cannot be an alias; dropped"))),
                    }
                }
                continue;
            }
            "tags" | "tag" => {
                let raw = value_list(&v, true);
                out.tags.extend(clean_tags(raw, |m| warnings.push(Problem::at(file, Some(line), format!("{m}; dropped")))));
                continue;
            }
            "positions" if kind == Kind::Friction => {
                if let Value::Object(o) = &v {
                    for (p, pos) in o {
                        let pos = value_text(pos);
                        if !p.trim().is_empty() && !pos.trim().is_empty() {
                            out.fields.positions.insert(p.trim().to_string(), pos.trim().to_string());
                        }
                    }
                    continue;
                }
            }
            "properties" if v.is_object() => {
                // Properties whose names a Mellanrum export had to set apart.
                if let Value::Object(o) = v {
                    for (pk, pv) in o {
                        out.fields.props.insert(pk, pv);
                    }
                }
                continue;
            }
            _ => {}
        }
        if kind.field_names().contains(&key.as_str()) {
            match model::normalize_field(kind, &key, &value_text(&v)) {
                Ok(Some(val)) => {
                    out.fields.values.insert(key, val);
                    continue;
                }
                Ok(None) => continue,
                Err(e) => warnings.push(Problem::at(file, Some(line), format!("{e}; kept as a property"))),
            }
        }
        if has_link(&v) {
            if !links_in_body {
                out.link_lines.push((format!("{}:: {}", k.trim(), value_text(&v)), line));
            }
            continue;
        }
        out.fields.props.insert(k.trim().to_string(), v);
    }
    out.tags.sort();
    out.tags.dedup();
    out
}

/// Inline `#tags` of a body (not in code, not headings, not `#+ORG` directives); `#[[a b]]` is `a-b`.
pub fn inline_tags(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut fence = false;
    for line in body.lines() {
        let t = line.trim_start();
        if t.starts_with("```") || t.starts_with("~~~") {
            fence = !fence;
            continue;
        }
        if fence {
            continue;
        }
        let mut in_code = false;
        let chars: Vec<(usize, char)> = line.char_indices().collect();
        let mut i = 0;
        while i < chars.len() {
            let (pos, c) = chars[i];
            if c == '`' {
                in_code = !in_code;
            }
            let before_ok = i == 0 || chars[i - 1].1.is_whitespace() || chars[i - 1].1 == '(';
            if c == '#' && !in_code && before_ok {
                let rest = &line[pos + 1..];
                if let Some(inner) = rest.strip_prefix("[[") {
                    if let Some(end) = inner.find("]]") {
                        out.push(inner[..end].to_string());
                    }
                } else {
                    let tag: String = rest.chars().take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '/')).collect();
                    if tag.chars().any(|c| !c.is_ascii_digit()) {
                        out.push(tag);
                    }
                }
            }
            i += 1;
        }
    }
    out
}

fn title_from_stem(file: &str, stem: &str, warnings: &mut Vec<Problem>) -> Option<String> {
    match model::check_title(stem) {
        Ok(t) => Some(t),
        Err(e) => match safe_title(stem) {
            Some(t) => {
                warnings.push(Problem::at(file, None, format!("{e}; titled '{t}'")));
                Some(t)
            }
            None => {
                warnings.push(Problem::at(file, None, format!("{e}; skipped")));
                None
            }
        },
    }
}

fn obsidian_note(origin: &str, rel: &Path, text: &str, duplicate: bool, warnings: &mut Vec<Problem>) -> Option<Incoming> {
    let file = rel_str(rel);
    let stem = stem(rel);
    let mut title = title_from_stem(&file, &stem, warnings)?;
    let (mut body, mut body_line, mut props) = (text.to_string(), 1, Props::default());
    if let Some((yaml, rest, line)) = split_front_matter(text) {
        match serde_yaml_ng::from_str::<Value>(yaml) {
            Ok(Value::Object(map)) => {
                let list = map.into_iter().map(|(k, v)| (k.clone(), v, key_line(yaml, &k))).collect();
                props = read_props(&file, list, false, warnings);
                body = rest.to_string();
                body_line = line;
            }
            Ok(Value::Null) => {
                body = rest.to_string();
                body_line = line;
            }
            Ok(_) => warnings.push(Problem::at(&file, Some(2), "front matter is not a set of properties; imported as text")),
            Err(e) => {
                let line = e.location().map(|l| l.line() + 1).unwrap_or(2);
                let msg = e.to_string();
                let msg = msg.split(" at line").next().unwrap_or(&msg);
                warnings.push(Problem::at(&file, Some(line), format!("front matter is not valid YAML ({msg}); imported as text")));
            }
        }
    } else if text.starts_with("---\n") || text.starts_with("---\r\n") {
        warnings.push(Problem::at(&file, Some(1), "front matter is not closed by a '---' line; imported as text"));
    }
    let mut aliases = std::mem::take(&mut props.aliases);
    if let Some(t) = props.title.take() {
        // A title property names the item; links by file name keep working through an alias
        // (a vault exported by Mellanrum, which carries ids, names its files after the titles).
        if model::title_key(&t) != model::title_key(&title) && props.id.is_none() {
            aliases.insert(0, title.clone());
        }
        title = t;
    }
    if duplicate {
        let path = file.strip_suffix(".md").unwrap_or(&file).to_string();
        if let Some(p) = safe_title(&path) {
            if !aliases.iter().any(|a| model::title_key(a) == model::title_key(&p)) {
                aliases.push(p);
            }
        }
    }
    let link_lines = std::mem::take(&mut props.link_lines);
    let mut note = incoming(origin, file, title, aliases, body, props, warnings);
    note.body_line = body_line;
    let body_lines = note.body.lines().count();
    if !link_lines.is_empty() {
        let trimmed = note.body.trim_end_matches(['\n', '\r']).to_string();
        let mut b = trimmed.clone();
        if !b.is_empty() {
            b.push_str("\n\n");
            note.extra_lines.push(1);
        }
        for (l, line) in &link_lines {
            b.push_str(l);
            b.push('\n');
            note.extra_lines.push(*line);
        }
        note.body = b;
    }
    note.body_lines = body_lines.min(note.body.lines().count());
    Some(note)
}

/// The item a note becomes: its aliases without its title, its tags with the body's inline tags
/// (cleaned, sorted, once each), its properties' kind, fields and id; its body's lines are the
/// file's from the first.
fn incoming(
    origin: &str,
    file: String,
    title: String,
    mut aliases: Vec<String>,
    body: String,
    props: Props,
    warnings: &mut Vec<Problem>,
) -> Incoming {
    aliases.retain(|a| model::title_key(a) != model::title_key(&title));
    let mut tags = props.tags;
    tags.extend(clean_tags(inline_tags(&body), |m| warnings.push(Problem::at(&file, None, format!("{m}; dropped")))));
    tags.sort();
    tags.dedup();
    Incoming {
        kind: props.kind.unwrap_or(Kind::Note),
        title,
        body,
        tags,
        aliases,
        fields: props.fields,
        origin: origin.to_string(),
        path: file.clone(),
        matching: Match { id: props.id, signal_ref: None },
        file,
        body_line: 1,
        body_lines: usize::MAX,
        extra_lines: Vec::new(),
    }
}

/// Decodes `%3F`-style escapes of Logseq file names.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() && b[i + 1].is_ascii_hexdigit() && b[i + 2].is_ascii_hexdigit() {
            let hex = |c: u8| (c as char).to_digit(16).unwrap_or(0) as u8;
            out.push(hex(b[i + 1]) * 16 + hex(b[i + 2]));
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

/// Logseq's journal title for `yyyy_mm_dd`: `May 14th, 2020` (its default format).
fn journal_title(stem: &str) -> Option<String> {
    let d = chrono::NaiveDate::parse_from_str(stem, "%Y_%m_%d").ok()?;
    use chrono::Datelike;
    let day = d.day();
    let suffix = match (day % 10, day % 100) {
        (1, n) if n != 11 => "st",
        (2, n) if n != 12 => "nd",
        (3, n) if n != 13 => "rd",
        _ => "th",
    };
    Some(format!("{} {day}{suffix}, {}", d.format("%b"), d.year()))
}

/// The page properties of a Logseq page: the `key:: value` lines it starts with (bare, or as the
/// first block `- key:: value` with its indented continuation lines).
fn logseq_page_props(text: &str) -> Vec<(String, Value, usize)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let mut l = line.trim_end();
        if i == 0 {
            l = l.strip_prefix("- ").unwrap_or(l);
        } else if out.len() == i && line.starts_with(|c: char| c.is_whitespace()) && !line.trim_start().starts_with('-') {
            l = l.trim_start();
        }
        let Some((k, v)) = l.split_once(":: ").or_else(|| l.strip_suffix("::").map(|k| (k, ""))) else { break };
        if k.is_empty() || !k.chars().all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '/' | '?')) {
            break;
        }
        out.push((k.to_string(), Value::String(v.trim().to_string()), i + 1));
    }
    out
}

fn logseq_note(origin: &str, rel: &Path, text: &str, warnings: &mut Vec<Problem>) -> Option<Incoming> {
    let file = rel_str(rel);
    let stem = stem(rel);
    let name = if file.starts_with("journals/") {
        journal_title(&stem).unwrap_or_else(|| percent_decode(&stem))
    } else {
        percent_decode(&stem).replace("___", "/")
    };
    let mut title = title_from_stem(&file, &name, warnings)?;
    let mut props = read_props(&file, logseq_page_props(text), true, warnings);
    let mut aliases = std::mem::take(&mut props.aliases);
    if let Some(t) = props.title.take() {
        if model::title_key(&t) != model::title_key(&title) {
            aliases.insert(0, title.clone());
        }
        title = t;
    }
    Some(incoming(origin, file, title, aliases, text.to_string(), props, warnings))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_split_and_lines() {
        let (y, b, l) = split_front_matter("---\na: 1\nb: 2\n---\nbody\n").unwrap();
        assert_eq!(y, "a: 1\nb: 2\n");
        assert_eq!(b, "body\n");
        assert_eq!(l, 5);
        assert_eq!(key_line(y, "b"), 3);
        assert!(split_front_matter("no front matter").is_none());
    }

    #[test]
    fn tags_in_text() {
        let t = inline_tags("A #tag and #[[two words]] but not # heading, `#code`, #123 or #+BEGIN_QUERY\n```\n#fenced\n```\n#x/y");
        assert_eq!(t, vec!["tag", "two words", "x/y"]);
    }

    #[test]
    fn logseq_names() {
        assert_eq!(percent_decode("New to Logseq%3F"), "New to Logseq?");
        assert_eq!(journal_title("2020_05_01").unwrap(), "May 1st, 2020");
        assert_eq!(journal_title("2021_12_13").unwrap(), "Dec 13th, 2021");
        let p = logseq_page_props("title:: A/B\nalias:: x, [[y]]\n\n- body:: no");
        assert_eq!(p.len(), 2);
        assert_eq!(p[1].2, 2);
    }
}
