//! The files of a vault that its notes link to (images, PDFs, recordings, Obsidian bases): found
//! the way Obsidian finds them — a wikilink by the end of the file's path, a Markdown link
//! relative to the note's folder first — streamed into the workspace's file store and recorded
//! through the write path. A file no note links to is left out, and so is one that cannot be read,
//! is empty or is over the workspace's limit, each with a warning naming it. Importing again
//! stores nothing twice: the same path with the same content keeps its row.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use super::{ImportReport, Problem};
use crate::attach::{media_type, normalize_target, safe_part, FileStore, Index, Stored};
use crate::error::{Error, Result};
use crate::links;
use crate::workspace::Workspace;

/// A link from a note to what may be a file.
pub(crate) struct Wanted {
    /// The note's path in the vault.
    note: String,
    target: String,
    markdown: bool,
}

/// The links of a note's body that may name files.
pub(crate) fn wanted(note: &str, body: &str) -> Vec<Wanted> {
    if !body.contains('.') {
        return Vec::new();
    }
    links::file_links(body).into_iter().map(|l| Wanted { note: note.to_string(), target: l.target, markdown: l.markdown }).collect()
}

/// Brings the files of the vault at `root` (`files`: their paths in it) that `wanted` reach.
pub(crate) fn bring(ws: &mut Workspace, root: &Path, files: &[String], wanted: &[Wanted], report: &mut ImportReport) -> Result<()> {
    let index = Index::of_paths(files);
    let exact: HashMap<String, &String> = files.iter().map(|f| (normalize_target(f), f)).collect();
    let mut chosen: BTreeSet<String> = BTreeSet::new();
    for w in wanted {
        let relative = || {
            let dir = w.note.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
            exact.get(&normalize_target(&format!("{dir}/{}", w.target))).map(|p| (*p).clone())
        };
        let hit = if w.markdown { relative() } else { None }.or_else(|| index.resolve(&w.target).map(|r| r.path.clone()));
        match hit {
            Some(p) => {
                chosen.insert(p);
            }
            // A wikilink may name a note with a dot in its title: only a Markdown link to a path
            // is surely a file.
            None if w.markdown => {
                report.warnings.push(Problem::at(&w.note, None, format!("links to the file '{}', which is not in the vault", w.target)))
            }
            None => {}
        }
    }
    if chosen.is_empty() && files.is_empty() {
        return Ok(());
    }
    for f in files.iter().filter(|f| !chosen.contains(*f)) {
        report.warnings.push(Problem::at(f, None, "linked from no note; not imported"));
    }
    let max = ws.max_attachment_size()?;
    let store = ws.files();
    let mut stored = Vec::new();
    for rel in &chosen {
        let safe = rel.split('/').map(safe_part).collect::<Vec<_>>().join("/");
        match store.put_file(&root.join(rel), rel, max) {
            Ok(s) => stored.push((safe, s)),
            Err(e) => {
                let msg = e.to_string();
                let msg = msg.strip_prefix(&format!("{rel}: ")).unwrap_or(&msg);
                // An import's warnings are text for now (an import report, not an error), and this
                // one keeps the way to raise the limit that its readers were given.
                let how = if matches!(e, Error::TooLarge { .. }) { " (`mellanrum attachments --max-size SIZE` changes it)" } else { "" };
                report.warnings.push(Problem::at(rel, None, format!("{msg}{how}; not imported")));
            }
        }
    }
    record(ws, &stored, report)
}

/// Records files stored for an import, `(path, what the store holds)`, in one transaction.
pub(crate) fn record(ws: &mut Workspace, stored: &[(String, Stored)], report: &mut ImportReport) -> Result<()> {
    if stored.is_empty() {
        return Ok(());
    }
    let ctx = ws.ctx()?;
    let fresh = ws.store.write(|tx| {
        let mut n = 0;
        for (path, s) in stored {
            if crate::write::record_attachment(tx, &ctx, path, &s.hash, s.size, &media_type(path))?.1 {
                n += 1;
            }
        }
        Ok(n)
    })?;
    report.files = stored.len();
    report.files_new = fresh;
    Ok(())
}

/// The files a signal's cell names (paths relative to `folder`, `;` between them): each stored,
/// pushed on `brought` and linked at the end of `body` by its path; one that leads outside the
/// folder, is missing, empty or too large is left out with a warning.
pub(crate) fn bring_listed(
    store: &FileStore,
    folder: &Path,
    cell: &str,
    max: u64,
    body: &mut String,
    brought: &mut Vec<(String, Stored)>,
    warn: &mut dyn FnMut(String),
) {
    for raw in cell.split(';').map(str::trim).filter(|p| !p.is_empty()) {
        let rel = raw.replace('\\', "/");
        let parts: Vec<&str> = rel.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
        if rel.starts_with('/') || parts.contains(&"..") || parts.is_empty() {
            warn(format!("file '{raw}' leads outside the signals file's folder; not attached"));
            continue;
        }
        let safe = parts.iter().map(|p| safe_part(p)).collect::<Vec<_>>().join("/");
        match store.put_file(&folder.join(parts.join("/")), raw, max) {
            Ok(s) => {
                let bang = if media_type(&safe).starts_with("image/") { "!" } else { "" };
                let trimmed = body.trim_end_matches('\n').len();
                body.truncate(trimmed);
                body.push_str(&format!("{}{bang}[[{safe}]]\n", if body.is_empty() { "" } else { "\n\n" }));
                brought.push((safe, s));
            }
            Err(e) => warn(format!("{e}; not attached")),
        }
    }
}
