//! An Obsidian-compatible Markdown vault: one file per item, in a folder per kind, with YAML front
//! matter (id, kind, title, aliases, tags, the kind's fields, positions, other properties) and the
//! body as written — typed links stay in the `rel:: [[Title]]` syntax. Importing the folder again
//! (`mellanrum import vault`) gives the same items, fields and links.
//!
//! The files the notes link to are written at their paths in the workspace's tree of files
//! (`Attachments/chart.png`), byte for byte, so the links reach them as in Obsidian.
//!
//! File names are the titles made safe: no path separators or characters Windows forbids, no
//! reserved device names (CON, NUL, COM1…), no leading dot, at most 120 characters, Unicode kept;
//! titles that collide (ignoring case) get ` (2)`, ` (3)`… Nothing is written outside the folder.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::{each_item, Redactor};
use crate::error::{Error, Result};
use crate::model::Kind;
use crate::workspace::Workspace;

const RESERVED: [&str; 22] = [
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8", "com9", "lpt1", "lpt2", "lpt3", "lpt4",
    "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// A file name (without `.md`) for a title: safe on every file system, Unicode kept.
pub fn file_stem(title: &str) -> String {
    let mut s: String = title
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '-',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    s = s.trim().trim_start_matches('.').trim_end_matches(['.', ' ']).to_string();
    if s.chars().count() > 120 {
        s = s.chars().take(120).collect::<String>().trim_end_matches(['.', ' ']).to_string();
    }
    if s.is_empty() {
        s = "untitled".into();
    }
    let base = s.split('.').next().unwrap_or("").trim().to_lowercase();
    if RESERVED.contains(&base.as_str()) {
        s.insert(0, '_');
    }
    s
}

fn folder(k: Kind) -> &'static str {
    match k {
        Kind::Note => "Notes",
        Kind::Signal => "Signals",
        Kind::Insight => "Insights",
        Kind::Friction => "Frictions",
        Kind::Resolution => "Resolutions",
        Kind::Goal => "Goals",
        Kind::Meeting => "Meetings",
    }
}

pub fn write(ws: &mut Workspace, only: Option<&BTreeSet<String>>, redactor: &Redactor, out: &Path) -> Result<(usize, u64)> {
    if out.exists() {
        if !out.is_dir() {
            return Err(Error::invalid(format!("{}: a file; give a new or empty folder for the vault", out.display())));
        }
        let mut entries = std::fs::read_dir(out).map_err(|e| Error::io(out, e))?;
        if entries.next().is_some() {
            return Err(Error::invalid(format!(
                "{}: not empty; give a new or empty folder for the vault (nothing is overwritten)",
                out.display()
            )));
        }
    } else {
        std::fs::create_dir_all(out).map_err(|e| Error::io(out, e))?;
    }
    // Files are created on a second thread while the store is read and the front matter written:
    // creating 100 000 small files is most of the time. The channel is bounded, so memory stays
    // a few hundred files' worth whatever the size of the workspace.
    let (send, recv) = std::sync::mpsc::sync_channel::<(PathBuf, String)>(256);
    let writer = std::thread::spawn(move || -> Result<()> {
        for (path, text) in recv {
            // Create-only: a file or symlink put there meanwhile is never written through.
            let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(&path).map_err(|e| Error::io(&path, e))?;
            std::io::Write::write_all(&mut file, text.as_bytes()).map_err(|e| Error::io(&path, e))?;
        }
        Ok(())
    });
    // With a part of the workspace, the files its bodies link to (with all of it, every file).
    let mut linked: Vec<String> = Vec::new();
    let mut used: HashSet<String> = HashSet::new();
    let mut made: HashSet<Kind> = HashSet::new();
    let (mut files, mut bytes) = (0usize, 0u64);
    let read = each_item(ws, only, redactor, |e| {
        let it = e.item;
        if only.is_some() {
            linked.extend(crate::links::file_links(&it.body).into_iter().map(|l| l.target));
        }
        let dir = out.join(folder(it.kind));
        if made.insert(it.kind) {
            std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        }
        // Unique across the whole vault (ignoring case): Obsidian resolves links by file name.
        let stem = file_stem(&it.title);
        let mut name = stem.clone();
        let mut n = 1;
        while !used.insert(name.to_lowercase()) {
            n += 1;
            name = format!("{stem} ({n})");
        }
        let mut fm = Map::new();
        fm.insert("id".into(), Value::String(it.id.clone()));
        fm.insert("kind".into(), Value::String(it.kind.to_string()));
        fm.insert("title".into(), Value::String(it.title.clone()));
        if !it.aliases.is_empty() {
            fm.insert("aliases".into(), Value::from(it.aliases.clone()));
        }
        if !it.tags.is_empty() {
            fm.insert("tags".into(), Value::from(it.tags.clone()));
        }
        for (k, v) in &it.fields.values {
            fm.insert(k.clone(), Value::String(v.clone()));
        }
        if !it.fields.positions.is_empty() {
            fm.insert(
                "positions".into(),
                Value::Object(it.fields.positions.iter().map(|(k, v)| (k.clone(), Value::String(v.clone()))).collect()),
            );
        }
        let mut apart = Map::new();
        for (k, v) in &it.fields.props {
            let taken = fm.contains_key(k)
                || matches!(
                    k.to_lowercase().as_str(),
                    "id" | "kind" | "type" | "title" | "aliases" | "alias" | "tags" | "tag" | "positions" | "properties"
                )
                || it.kind.field_names().contains(&k.to_lowercase().as_str());
            if taken {
                apart.insert(k.clone(), v.clone());
            } else {
                fm.insert(k.clone(), v.clone());
            }
        }
        if !apart.is_empty() {
            fm.insert("properties".into(), Value::Object(apart));
        }
        let yaml =
            serde_yaml_ng::to_string(&Value::Object(fm)).map_err(|e| Error::invalid(format!("'{}': front matter: {e}", it.title)))?;
        let path = dir.join(format!("{name}.md"));
        let mut text = String::with_capacity(yaml.len() + it.body.len() + 8);
        text.push_str("---\n");
        text.push_str(&yaml);
        text.push_str("---\n");
        text.push_str(&it.body);
        bytes += text.len() as u64;
        files += 1;
        // A send fails only when the writer stopped on an error: that error is reported below.
        if send.send((path, text)).is_err() {
            return Err(Error::invalid("the vault writer stopped"));
        }
        Ok(())
    });
    drop(send);
    let written = writer.join().map_err(|_| Error::invalid(format!("{}: the vault writer failed", out.display())))?;
    // A write error is the cause of a failed read-side send: report it first.
    written?;
    read?;
    let (n, b) = write_files(ws, only.is_some().then_some(&linked), out)?;
    Ok((files + n, bytes + b))
}

/// Writes the workspace's files (or those `linked` reaches) at their paths in the vault, byte for
/// byte, each checked against its hash on the way: the links of the notes reach them as they did.
fn write_files(ws: &mut Workspace, linked: Option<&Vec<String>>, out: &Path) -> Result<(usize, u64)> {
    let index = ws.attachment_index()?;
    let rows: Vec<&crate::store::AttachmentRow> = match linked {
        None => index.rows().iter().collect(),
        Some(targets) => {
            let mut seen = HashSet::new();
            targets.iter().filter_map(|t| index.resolve(t)).filter(|r| seen.insert(r.id.clone())).collect()
        }
    };
    let store = ws.files();
    let (mut files, mut bytes) = (0usize, 0u64);
    for r in rows {
        // Paths are made safe when a file is added; checked again, nothing lands outside `out`.
        if r.path.split('/').any(|p| p.is_empty() || p == "." || p == ".." || p.contains('\\')) || r.path.starts_with('/') {
            return Err(Error::invalid(format!("{}: not a safe path for a file; nothing written for it", r.path)));
        }
        let dest = out.join(&r.path);
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io(parent, e))?;
        }
        bytes += store.copy_out(&r.hash, &dest)?;
        files += 1;
    }
    Ok((files, bytes))
}

#[cfg(test)]
mod tests {
    use super::file_stem;

    #[test]
    fn safe_names() {
        assert_eq!(file_stem("../../etc/passwd"), "-..-etc-passwd");
        assert_eq!(file_stem("CON"), "_CON");
        assert_eq!(file_stem("nul.txt"), "_nul.txt");
        assert_eq!(file_stem("Kund: möte? \"ja\""), "Kund- möte- -ja-");
        assert_eq!(file_stem("..."), "untitled");
        assert_eq!(file_stem(".hidden"), "hidden");
        assert!(file_stem(&"å".repeat(300)).chars().count() <= 120);
    }
}
