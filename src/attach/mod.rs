//! Attachments: the screenshots, PDFs and recordings that knowledge comes with.
//!
//! The bytes live in the workspace folder, content-addressed: `files/<h[0..2]>/<h>` where `h` is
//! the sha256 of the content in lower-case hex. A file is written once — streamed into
//! `files/tmp/`, hashed on the way, fsynced, renamed into place and its folder fsynced — and the
//! same content added twice is stored once. What a file is (where it sits in the workspace's tree
//! of files, its media type and size, who added it and when) is a row of the `attachments` table,
//! written through the one write path (`write::record_attachment`). Rows are never changed or
//! removed, so every file a past revision links to keeps its bytes; `doctor --repair` removes
//! only files no row holds (left by an add that was interrupted before its transaction).
//!
//! Notes link files the way Obsidian does: `![[chart.png]]`, `[[report.pdf]]`, Markdown
//! `![alt](Attachments/chart.png)`. A link reaches the newest file whose path ends with what the
//! link names (compared ignoring case; `../` and `./` parts of a relative path dropped); when
//! several paths do, the shortest one (`Index::resolve`).

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::workspace::{live_item, resolve_ref, save, settle, SaveReport, Workspace};

mod index;
mod operations;

pub use index::*;
pub use operations::*;

/// The folder of the workspace holding attachments' bytes.
pub const FILES_DIR: &str = "files";

/// The largest file that may be added unless the workspace says otherwise (100 MB).
pub const DEFAULT_MAX_SIZE: u64 = 100 * 1000 * 1000;

/// The `meta` key of the workspace's own limit.
const MAX_SIZE_KEY: &str = "attachment_max_size";

/// The buffer a file is streamed through: memory stays flat whatever the size of the file.
const BUFFER: usize = 256 * 1024;

/// Names Windows keeps for devices (with any extension).
const RESERVED: [&str; 22] = [
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8", "com9", "lpt1", "lpt2", "lpt3", "lpt4",
    "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// A size as people read it: `12 bytes`, `4.2 KB`, `100 MB`.
pub fn human_size(n: u64) -> String {
    const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];
    if n < 1000 {
        return format!("{n} bytes");
    }
    let mut v = n as f64 / 1000.0;
    let mut unit = 0;
    while v >= 1000.0 && unit + 1 < UNITS.len() {
        v /= 1000.0;
        unit += 1;
    }
    if v >= 10.0 || v.fract() < 0.05 {
        format!("{v:.0} {}", UNITS[unit])
    } else {
        format!("{v:.1} {}", UNITS[unit])
    }
}

/// Reads a size: a number of bytes, or with KB, MB, GB (powers of 1000) or KiB, MiB, GiB.
pub fn parse_size(text: &str) -> Result<u64> {
    let t = text.trim();
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" | "bytes" => 1,
        "k" | "kb" => 1000,
        "m" | "mb" => 1000 * 1000,
        "g" | "gb" => 1000 * 1000 * 1000,
        "kib" => 1024,
        "mib" => 1024 * 1024,
        "gib" => 1024 * 1024 * 1024,
        _ => return Err(Error::NotASize { text: text.to_string() }),
    };
    let v: f64 = num.parse().map_err(|_| Error::NotASize { text: text.to_string() })?;
    let bytes = (v * mult as f64).round();
    if !(1.0..=1e15).contains(&bytes) {
        return Err(Error::NotASize { text: text.to_string() });
    }
    Ok(bytes as u64)
}

/// Checks a name given for a file: a bad one is refused with a line saying why.
pub fn check_name(name: &str) -> Result<String> {
    let n = name.trim();
    let why = if n.is_empty() {
        Some("a file's name cannot be empty")
    } else if n.contains(['/', '\\']) {
        Some("a file's name cannot hold a path separator (/ or \\)")
    } else if n == "." || n == ".." || n.starts_with('.') {
        Some("a file's name cannot start with a dot")
    } else if n.chars().any(|c| c.is_control()) {
        Some("a file's name cannot hold control characters")
    } else if n.chars().any(|c| matches!(c, ':' | '*' | '?' | '"' | '<' | '>' | '|' | '[' | ']' | '#' | '^')) {
        Some("a file's name cannot hold any of : * ? \" < > | [ ] # ^ (links and file systems read them)")
    } else if RESERVED.contains(&n.split('.').next().unwrap_or("").trim().to_lowercase().as_str()) {
        Some("that name is reserved for a device on Windows")
    } else if n.len() > 200 {
        Some("a file's name can be at most 200 bytes long")
    } else if n.to_lowercase().ends_with(".md") {
        return Err(Error::NoteAsAttachment { name: name.escape_debug().to_string() });
    } else {
        None
    };
    match why {
        Some(w) => Err(Error::invalid(format!("'{}': {w}", name.escape_debug()))),
        None => Ok(n.to_string()),
    }
}

/// Makes one part of a path taken from outside (a vault's folder or file name) safe: characters
/// file systems or links read (`/ \ : * ? " < > | [ ] # ^`) become `-`, control characters
/// spaces, no leading dot, reserved device names get a `_`.
pub fn safe_part(part: &str) -> String {
    let mut s: String = part
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' | '[' | ']' | '#' | '^' => '-',
            c if c.is_control() => ' ',
            c => c,
        })
        .collect();
    s = s.trim().trim_start_matches('.').trim_end_matches([' ', '.']).to_string();
    if s.is_empty() {
        s = "file".into();
    }
    if RESERVED.contains(&s.split('.').next().unwrap_or("").trim().to_lowercase().as_str()) {
        s.insert(0, '_');
    }
    s
}

/// The media type of a file by its name (`application/octet-stream` when unknown).
pub fn media_type(name: &str) -> String {
    mime_guess::from_path(name).first_raw().unwrap_or("application/octet-stream").to_string()
}

/// What the file store holds of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub hash: String,
    pub size: u64,
    /// False when the same content was there already.
    pub new: bool,
}

/// The content-addressed files of a workspace (`files/`).
#[derive(Debug, Clone)]
pub struct FileStore {
    dir: PathBuf,
}

/// How a stored file compares with its hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    Sound,
    Missing,
    Damaged,
}

impl FileStore {
    pub fn new(root: &Path) -> FileStore {
        FileStore { dir: root.join(FILES_DIR) }
    }

    /// Where the file with this hash is kept.
    pub fn path_of(&self, hash: &str) -> PathBuf {
        self.dir.join(hash.get(..2).unwrap_or("xx")).join(hash)
    }

    fn tmp(&self) -> PathBuf {
        self.dir.join("tmp")
    }

    /// Streams `src` into the store: at most `max` bytes (more is refused, nothing kept), hashed
    /// on the way, fsynced and renamed into place. `what` names the source in errors.
    pub fn put(&self, src: &mut dyn Read, max: u64, what: &str) -> Result<Stored> {
        let tmp_dir = self.tmp();
        std::fs::create_dir_all(&tmp_dir).map_err(|e| Error::io(&tmp_dir, e))?;
        let tmp = tmp_dir.join(format!("{}.part", uuid::Uuid::now_v7()));
        let result = self.put_via(src, max, what, &tmp);
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result
    }

    fn put_via(&self, src: &mut dyn Read, max: u64, what: &str, tmp: &Path) -> Result<Stored> {
        let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(tmp).map_err(|e| Error::io(tmp, e))?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; BUFFER];
        let mut size = 0u64;
        loop {
            let n = match src.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Error::CannotRead { file: what.to_string(), reason: e.to_string() }),
            };
            size += n as u64;
            if size > max {
                return Err(Error::TooLarge { file: what.to_string(), size: None, limit: human_size(max) });
            }
            hasher.update(&buf[..n]);
            file.write_all(&buf[..n]).map_err(|e| Error::io(tmp, e))?;
        }
        if size == 0 {
            return Err(Error::FileEmpty { file: what.to_string() });
        }
        file.sync_all().map_err(|e| Error::io(tmp, e))?;
        drop(file);
        let hash = hex(&hasher.finalize());
        let dest = self.path_of(&hash);
        if dest.is_file() {
            std::fs::remove_file(tmp).map_err(|e| Error::io(tmp, e))?;
            return Ok(Stored { hash, size, new: false });
        }
        let parent = dest.parent().unwrap_or(&self.dir).to_path_buf();
        std::fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
        std::fs::rename(tmp, &dest).map_err(|e| Error::io(&dest, e))?;
        sync_dir(&parent)?;
        Ok(Stored { hash, size, new: true })
    }

    /// Adds the file at `path` (see [`FileStore::put`]); `what` names it in errors.
    pub fn put_file(&self, path: &Path, what: &str, max: u64) -> Result<Stored> {
        let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Error::NoSuchFile { file: what.to_string() },
            _ => Error::CannotRead { file: what.to_string(), reason: e.to_string() },
        })?;
        if !meta.is_file() {
            return Err(Error::NotAFile { file: what.to_string() });
        }
        if meta.len() > max {
            return Err(Error::TooLarge { file: what.to_string(), size: Some(human_size(meta.len())), limit: human_size(max) });
        }
        let mut f = std::fs::File::open(path).map_err(|e| Error::CannotRead { file: what.to_string(), reason: e.to_string() })?;
        self.put(&mut f, max, what)
    }

    /// Whether the file with this hash is there and holds what its hash says (read whole).
    pub fn health(&self, hash: &str) -> Result<Health> {
        let path = self.path_of(hash);
        let mut f = match std::fs::File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Health::Missing),
            Err(e) => return Err(Error::io(&path, e)),
        };
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; BUFFER];
        loop {
            let n = f.read(&mut buf).map_err(|e| Error::io(&path, e))?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
        }
        Ok(if hex(&hasher.finalize()) == hash { Health::Sound } else { Health::Damaged })
    }

    /// Copies the file with this hash to `dest`, which must not exist, checking its hash on the
    /// way: a damaged file leaves nothing at `dest`.
    pub fn copy_out(&self, hash: &str, dest: &Path) -> Result<u64> {
        let src = self.path_of(hash);
        let mut f = std::fs::File::open(&src).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Error::FileMissing { file: hash.to_string() },
            _ => Error::io(&src, e),
        })?;
        let mut out = std::fs::OpenOptions::new().write(true).create_new(true).open(dest).map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists => Error::FileExists { file: dest.display().to_string() },
            _ => Error::io(dest, e),
        })?;
        let copied = (|| -> Result<u64> {
            let mut hasher = Sha256::new();
            let mut buf = vec![0u8; BUFFER];
            let mut n_all = 0u64;
            loop {
                let n = f.read(&mut buf).map_err(|e| Error::io(&src, e))?;
                if n == 0 {
                    break;
                }
                n_all += n as u64;
                hasher.update(&buf[..n]);
                out.write_all(&buf[..n]).map_err(|e| Error::io(dest, e))?;
            }
            if hex(&hasher.finalize()) != hash {
                return Err(Error::FileDamaged { file: hash.to_string() });
            }
            out.sync_all().map_err(|e| Error::io(dest, e))?;
            Ok(n_all)
        })();
        if copied.is_err() {
            drop(out);
            let _ = std::fs::remove_file(dest);
        }
        copied
    }

    /// Every file in the store that is not where a hash would put it or whose hash no row holds:
    /// `(path relative to the workspace, the hash it is stored under if any)`.
    pub fn strays(&self, known: &BTreeSet<String>) -> Result<Vec<(String, PathBuf)>> {
        let mut out = Vec::new();
        let Ok(dirs) = std::fs::read_dir(&self.dir) else { return Ok(out) };
        let mut dirs: Vec<_> = dirs.filter_map(|d| d.ok()).collect();
        dirs.sort_by_key(|d| d.file_name());
        for d in dirs {
            let name = d.file_name().to_string_lossy().into_owned();
            let path = d.path();
            if !path.is_dir() {
                out.push((format!("{FILES_DIR}/{name}"), path));
                continue;
            }
            let mut files: Vec<_> = std::fs::read_dir(&path).map_err(|e| Error::io(&path, e))?.filter_map(|f| f.ok()).collect();
            files.sort_by_key(|f| f.file_name());
            for f in files {
                let fname = f.file_name().to_string_lossy().into_owned();
                let held = name != "tmp" && fname.starts_with(&name) && known.contains(&fname);
                if !held {
                    out.push((format!("{FILES_DIR}/{name}/{fname}"), f.path()));
                }
            }
        }
        Ok(out)
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Makes a rename in `dir` durable.
fn sync_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        let d = std::fs::File::open(dir).map_err(|e| Error::io(dir, e))?;
        d.sync_all().map_err(|e| Error::io(dir, e))?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::links;
    use crate::store::AttachmentRow;

    fn row(path: &str, hash: &str, at: &str) -> AttachmentRow {
        AttachmentRow {
            id: format!("{path}@{hash}"),
            path: path.into(),
            hash: hash.into(),
            size: 1,
            media_type: media_type(path),
            added_by: "p".into(),
            added_at: at.into(),
        }
    }

    #[test]
    fn links_reach_files_the_obsidian_way() {
        let index = Index::new(vec![
            row("Attachments/Backlinks.png", "a", "1"),
            row("Attachments/old/Backlinks.png", "b", "1"),
            row("assets/pages_one year_0.png", "c", "1"),
            row("Attachments/Engelbart.jpg", "d", "1"),
            row("Attachments/Engelbart.jpg", "e", "2"),
        ]);
        let hash = |t: &str| index.resolve(t).map(|r| r.hash.clone());
        assert_eq!(hash("Backlinks.png").as_deref(), Some("a"), "of two, the shortest path");
        assert_eq!(hash("backlinks.PNG").as_deref(), Some("a"), "ignoring case");
        assert_eq!(hash("old/Backlinks.png").as_deref(), Some("b"), "a longer path picks the other");
        assert_eq!(hash("../assets/pages_one%20year_0.png").as_deref(), Some("c"), "relative and encoded");
        assert_eq!(hash("Engelbart.jpg").as_deref(), Some("e"), "the newest file at a path");
        assert_eq!(hash("ttachments/Engelbart.jpg"), None, "whole parts only");
        assert_eq!(hash("Missing.png"), None);
        assert_eq!(index.rows().len(), 4);
    }

    #[test]
    fn bad_names_are_refused_and_outside_names_made_safe() {
        for bad in ["", "  ", "a/b.png", "..", "../x.png", ".hidden", "CON.txt", "nul", "a\u{7}.png", "x[1].png", "n.md", &"a".repeat(201)]
        {
            assert!(check_name(bad).is_err(), "{bad:?} should be refused");
        }
        assert_eq!(check_name(" Skärmbild 2026.png ").unwrap(), "Skärmbild 2026.png");
        assert_eq!(safe_part("../x:y.png"), "-x-y.png");
        assert_eq!(safe_part("CON.png"), "_CON.png");
        assert_eq!(safe_part("a\u{0}b"), "a b");
        assert_eq!(safe_part(".."), "file");
    }

    #[test]
    fn sizes_read_and_shown() {
        assert_eq!(parse_size("100MB").unwrap(), 100_000_000);
        assert_eq!(parse_size("1.5 kb").unwrap(), 1500);
        assert_eq!(parse_size("2MiB").unwrap(), 2 * 1024 * 1024);
        assert_eq!(parse_size("12").unwrap(), 12);
        assert!(parse_size("lots").is_err() && parse_size("0").is_err());
        assert_eq!(human_size(100_000_000), "100 MB");
        assert_eq!(human_size(1500), "1.5 KB");
        assert_eq!(human_size(12), "12 bytes");
    }

    #[test]
    fn the_store_writes_once_and_refuses_what_is_too_large() {
        let dir = tempfile::tempdir().unwrap();
        let fs = FileStore::new(dir.path());
        let a = fs.put(&mut &b"hello"[..], 100, "a").unwrap();
        assert!(a.new);
        assert_eq!(a.hash, "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
        let b = fs.put(&mut &b"hello"[..], 100, "b").unwrap();
        assert!(!b.new && b.hash == a.hash);
        assert_eq!(fs.health(&a.hash).unwrap(), Health::Sound);
        let err = fs.put(&mut &[7u8; 101][..], 100, "big.bin").unwrap_err().to_string();
        assert!(err.starts_with("big.bin: larger than the limit of 100 bytes"), "{err}");
        assert!(fs.put(&mut &b""[..], 100, "empty").is_err());
        // Nothing half-written stays behind.
        assert_eq!(std::fs::read_dir(dir.path().join("files/tmp")).unwrap().count(), 0);
        std::fs::write(fs.path_of(&a.hash), b"jello").unwrap();
        assert_eq!(fs.health(&a.hash).unwrap(), Health::Damaged);
        let out = dir.path().join("out");
        assert!(fs.copy_out(&a.hash, &out).is_err());
        assert!(!out.exists(), "a damaged file leaves nothing behind");
    }

    #[test]
    fn removing_links_takes_their_blank_lines() {
        let body = "Intro\n\n![[a.png]]\nsee [[b.pdf]] here\n";
        let spans: Vec<_> = links::file_links(body).into_iter().map(|l| l.span).collect();
        assert_eq!(remove_spans(body, &spans), "Intro\n\nsee  here\n");
    }
}
