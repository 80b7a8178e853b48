//! The workspace's operations on attachments: attach, list, resolve, preview, save a copy, detach.

use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::links;
use crate::store::AttachmentRow;

use super::*;

/// A file as front ends show it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AttachmentView {
    pub name: String,
    pub path: String,
    pub media_type: String,
    pub size: u64,
    pub sha256: String,
    /// The name of the person who added it.
    pub added_by: String,
    pub added_at: String,
}

/// A link from an item to a file.
#[derive(Debug, Clone, Serialize)]
pub struct FileLinkView {
    /// The target as written in the body.
    pub target: String,
    pub line: usize,
    pub embed: bool,
    /// The file it reaches; none when no such file is in the workspace.
    pub file: Option<AttachmentView>,
}

/// A file as the window shows it: what it is and, for a picture, its bytes as a `data:` URL (an
/// SVG too: shown through an `<img>`, a picture's script never runs).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FilePreview {
    pub file: AttachmentView,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub data_url: Option<String>,
}

/// The largest picture the window is handed whole (larger ones show as a file to open).
pub const MAX_INLINE: u64 = 25 * 1000 * 1000;

/// Media types the window shows as pictures.
const PICTURES: [&str; 8] =
    ["image/png", "image/jpeg", "image/gif", "image/webp", "image/svg+xml", "image/bmp", "image/avif", "image/x-icon"];

/// What `attach` did.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AttachReport {
    pub id: String,
    pub title: String,
    pub files: Vec<AttachmentView>,
    /// Files whose content the workspace did not hold yet.
    pub stored: usize,
}

/// What a link that names `row` is written as: the name alone when that reaches it, else its path.
fn link_text(index: &Index, row: &AttachmentRow) -> String {
    match index.resolve(name_of(&row.path)) {
        Some(r) if r.id == row.id => name_of(&row.path).to_string(),
        _ => row.path.clone(),
    }
}

impl Workspace {
    /// The file store of this workspace.
    pub fn files(&self) -> FileStore {
        FileStore::new(&self.root)
    }

    /// The largest file this workspace takes, in bytes.
    pub fn max_attachment_size(&mut self) -> Result<u64> {
        let v = self.store.read(|tx| tx.meta(MAX_SIZE_KEY))?;
        Ok(v.and_then(|v| v.parse().ok()).unwrap_or(DEFAULT_MAX_SIZE))
    }

    /// Sets the largest file this workspace takes.
    pub fn set_max_attachment_size(&mut self, bytes: u64) -> Result<()> {
        if bytes == 0 {
            return Err(Error::invalid("the largest file size must be at least 1 byte"));
        }
        self.store.write(|tx| tx.set_meta(MAX_SIZE_KEY, &bytes.to_string()))
    }

    /// The files links can reach.
    pub fn attachment_index(&mut self) -> Result<Index> {
        Ok(Index::new(self.store.read(|tx| tx.attachments())?))
    }

    fn view(&mut self, row: &AttachmentRow) -> Result<AttachmentView> {
        let by = self.store.read(|tx| tx.person(&row.added_by))?.map(|p| p.name).unwrap_or_else(|| row.added_by.clone());
        Ok(AttachmentView {
            name: name_of(&row.path).to_string(),
            path: row.path.clone(),
            media_type: row.media_type.clone(),
            size: row.size,
            sha256: row.hash.clone(),
            added_by: by,
            added_at: row.added_at.clone(),
        })
    }

    /// Every file in the workspace (the newest of each path).
    pub fn attachments(&mut self) -> Result<Vec<AttachmentView>> {
        let index = self.attachment_index()?;
        index.rows().iter().map(|r| self.view(r)).collect()
    }

    /// The links from an item to files: those reaching a file of the workspace, and those naming
    /// a file it does not hold.
    pub fn attachments_of(&mut self, reference: &str) -> Result<Vec<FileLinkView>> {
        let id = self.resolve_ref(reference)?;
        let item = self.item(&id)?;
        let index = self.attachment_index()?;
        let mut out = Vec::new();
        for l in links::file_links(&item.body) {
            let file = match index.resolve(&l.target) {
                Some(r) => Some(self.view(r)?),
                None => None,
            };
            out.push(FileLinkView { target: l.target, line: l.line, embed: l.embed, file });
        }
        Ok(out)
    }

    /// The file a name, path or sha256 (a prefix of 8 or more) names.
    pub fn find_attachment(&mut self, name: &str) -> Result<AttachmentRow> {
        let index = self.attachment_index()?;
        if let Some(r) = index.resolve(name) {
            return Ok(r.clone());
        }
        let n = name.trim().to_lowercase();
        if n.len() >= 8 && n.chars().all(|c| c.is_ascii_hexdigit()) {
            let hits: Vec<&AttachmentRow> = index.rows().iter().filter(|r| r.hash.starts_with(&n)).collect();
            if let Some(first) = hits.first() {
                return Ok((*first).clone());
            }
        }
        Err(Error::NoAttachment { name: name.to_string() })
    }

    /// Adds files to the workspace and links each from the item's body (`![[name]]` for an
    /// image, `[[name]]` otherwise), in one save. `name` names the file when one is given. A file
    /// whose name another file with other content has is refused; the same content again is
    /// linked, not stored twice.
    pub fn attach(&mut self, reference: &str, paths: &[PathBuf], name: Option<&str>) -> Result<AttachReport> {
        if paths.is_empty() {
            return Err(Error::invalid("give one or more files to attach"));
        }
        if name.is_some() && paths.len() > 1 {
            return Err(Error::invalid("--name names one file; give one file with it"));
        }
        let id = self.resolve_ref(reference)?;
        let max = self.max_attachment_size()?;
        // Check every name before any byte is stored.
        let mut names: Vec<String> = Vec::new();
        for p in paths {
            let n = match name {
                Some(n) => n.to_string(),
                None => p.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default(),
            };
            let n = check_name(&n).map_err(|e| Error::invalid(format!("{}: {e}", p.display())))?;
            if names.iter().any(|x| x.to_lowercase() == n.to_lowercase()) {
                return Err(Error::invalid(format!("{}: two of the files are named '{n}'; attach one of them with --name", p.display())));
            }
            names.push(n);
        }
        let files = self.files();
        let mut stored = Vec::new();
        for p in paths {
            stored.push(files.put_file(p, &p.display().to_string(), max)?);
        }
        self.attach_stored(&id, &names, stored)
    }

    /// Adds a file given as bytes (dropped or pasted into the window) under `name`, and links it
    /// from the item's body, as [`Workspace::attach`] does.
    pub fn attach_bytes(&mut self, reference: &str, name: &str, bytes: &[u8]) -> Result<AttachReport> {
        let id = self.resolve_ref(reference)?;
        let name = check_name(name)?;
        let max = self.max_attachment_size()?;
        if bytes.len() as u64 > max {
            return Err(Error::TooLarge { file: name, size: Some(human_size(bytes.len() as u64)), limit: human_size(max) });
        }
        let stored = self.files().put(&mut &bytes[..], max, &name)?;
        self.attach_stored(&id, &[name], vec![stored])
    }

    /// Records files whose bytes are stored, under `names`, and links them from the item `id`.
    fn attach_stored(&mut self, id: &str, names: &[String], stored: Vec<Stored>) -> Result<AttachReport> {
        let ctx = self.ctx()?;
        let (title, rows) = self.store.write(|tx| {
            let old = live_item(tx, id)?;
            let mut index = Index::new(tx.attachments()?);
            let mut rows = Vec::new();
            for (n, s) in names.iter().zip(&stored) {
                let same = index.named(n).into_iter().find(|r| r.hash == s.hash).cloned();
                let row = match same {
                    Some(r) => r,
                    None => {
                        if let Some(other) = index.named(n).first() {
                            return Err(Error::invalid(format!(
                                "an attachment named '{n}' is in the workspace already ({}, other content); give this one another name with --name",
                                other.path
                            )));
                        }
                        let (row, _) = crate::write::record_attachment(tx, &ctx, n, &s.hash, s.size, &media_type(n))?;
                        index = Index::new(tx.attachments()?);
                        row
                    }
                };
                rows.push(row);
            }
            let mut new = old.clone();
            let present: Vec<String> =
                links::file_links(&old.body).iter().filter_map(|l| index.resolve(&l.target).map(|r| r.id.clone())).collect();
            for row in &rows {
                if present.contains(&row.id) {
                    continue;
                }
                let text = link_text(&index, row);
                let bang = if row.media_type.starts_with("image/") { "!" } else { "" };
                let mut body = new.body.trim_end_matches(['\n', '\r']).to_string();
                if !body.is_empty() {
                    body.push_str("\n\n");
                }
                body.push_str(&format!("{bang}[[{text}]]\n"));
                new.body = body;
            }
            let mut report = SaveReport { id: old.id.clone(), ..Default::default() };
            if new.body != old.body {
                new.updated = ctx.now.clone();
                save(tx, &ctx, Some(&old), new, "update", &mut report)?;
                settle(tx, &ctx, &mut report)?;
            }
            Ok((old.title, rows))
        })?;
        let views = rows.iter().map(|r| self.view(r)).collect::<Result<Vec<_>>>()?;
        Ok(AttachReport { id: id.to_string(), title, files: views, stored: stored.iter().filter(|s| s.new).count() })
    }

    /// Removes the item's links to the file `name` names; the file stays in the workspace (past
    /// revisions link to it). Returns how many links were removed.
    pub fn detach(&mut self, reference: &str, name: &str) -> Result<usize> {
        let row = self.find_attachment(name)?;
        let ctx = self.ctx()?;
        self.store.write(|tx| {
            let id = resolve_ref(tx, reference)?;
            let old = live_item(tx, &id)?;
            let index = Index::new(tx.attachments()?);
            let doomed: Vec<Range<usize>> = links::file_links(&old.body)
                .into_iter()
                .filter(|l| index.resolve(&l.target).is_some_and(|r| r.id == row.id))
                .map(|l| l.span)
                .collect();
            if doomed.is_empty() {
                return Err(Error::NoLinkToFile { title: old.title.clone(), file: row.path.clone() });
            }
            let mut new = old.clone();
            new.body = remove_spans(&old.body, &doomed);
            new.updated = ctx.now.clone();
            let mut report = SaveReport { id: old.id.clone(), ..Default::default() };
            save(tx, &ctx, Some(&old), new, "update", &mut report)?;
            settle(tx, &ctx, &mut report)?;
            Ok(doomed.len())
        })
    }

    /// The file a link's target reaches, for the window: none when the workspace lacks it.
    pub fn attachment_preview(&mut self, target: &str) -> Result<Option<FilePreview>> {
        let index = self.attachment_index()?;
        let Some(row) = index.resolve(target).cloned() else { return Ok(None) };
        let file = self.view(&row)?;
        let mut data_url = None;
        if PICTURES.contains(&row.media_type.as_str()) && row.size <= MAX_INLINE {
            let path = self.files().path_of(&row.hash);
            let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
            if hex(&Sha256::digest(&bytes)) != row.hash {
                return Err(Error::FileDamaged { file: row.path });
            }
            use base64::Engine;
            data_url = Some(format!("data:{};base64,{}", row.media_type, base64::engine::general_purpose::STANDARD.encode(&bytes)));
        }
        Ok(Some(FilePreview { file, data_url }))
    }

    /// A copy of the file `name` names, for another program to open: in a folder of the system's
    /// temporary files, under the file's name (the stored file itself is never handed out).
    pub fn attachment_copy(&mut self, name: &str) -> Result<PathBuf> {
        let row = self.find_attachment(name)?;
        let dir = std::env::temp_dir().join("mellanrum-open").join(&row.hash[..16]);
        std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
        let path = dir.join(name_of(&row.path));
        if !path.is_file() {
            self.files().copy_out(&row.hash, &path)?;
        }
        Ok(path)
    }

    /// Writes a copy of the file `name` names to `dest` (a new file, or a folder to put it in
    /// under its name); returns the path written.
    pub fn save_attachment_as(&mut self, name: &str, dest: &Path) -> Result<PathBuf> {
        let row = self.find_attachment(name)?;
        let target = if dest.is_dir() { dest.join(name_of(&row.path)) } else { dest.to_path_buf() };
        self.files().copy_out(&row.hash, &target)?;
        Ok(target)
    }
}

/// The body without the given byte ranges; a line left blank by a removal goes with it.
pub(super) fn remove_spans(body: &str, spans: &[Range<usize>]) -> String {
    let mut out = String::with_capacity(body.len());
    let mut from = 0;
    let mut sorted = spans.to_vec();
    sorted.sort_by_key(|r| r.start);
    for r in sorted {
        if r.start < from {
            continue;
        }
        out.push_str(&body[from..r.start]);
        from = r.end;
        // The line this link stood on: dropped when nothing but spaces is left of it.
        let line_start = out.rfind('\n').map(|i| i + 1).unwrap_or(0);
        let rest_end = body[from..].find('\n').map(|i| from + i).unwrap_or(body.len());
        if out[line_start..].trim().is_empty() && body[from..rest_end].trim().is_empty() {
            out.truncate(line_start);
            from = if rest_end < body.len() { rest_end + 1 } else { rest_end };
        }
    }
    out.push_str(&body[from..]);
    out
}
