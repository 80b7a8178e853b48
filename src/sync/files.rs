//! Files through the shared storage, like segments: written once, named by what they hold, each
//! device writing only its own names; encrypted with the workspace key when the storage is.
//!
//! ```text
//! files/<h[0..2]>/<sha256>            a file's bytes (with a key: MRFILE1, nonce, ciphertext)
//! attachments/<device>/<id>.json      a file's row (path, hash, size, media type, who, when)
//! ```
//!
//! A sync sends the bytes of every file this workspace holds that the storage lacks (asking the
//! storage first: nothing it has is sent again), then the rows; it reads the rows it has not seen,
//! and fetches the bytes of every row whose file is not here. What it reads is checked before it
//! is kept: a row must name a safe path and a hash; bytes must decrypt and hash to their name. A
//! file that fails is quarantined with the reason and tried again at the next sync; one not on the
//! storage yet is waited for. `sync_files` remembers what the storage is known to hold, so a sync
//! asks about each file once.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};

use super::remote::Remote;
use super::segment::{sha256_hex, Key};
use super::{Quarantined, SyncReport};
use crate::attach::safe_part;
use crate::error::{Error, Result};
use crate::store::AttachmentRow;
use crate::workspace::{now_text, Workspace};

/// How an encrypted file on the storage starts.
const SEALED: &[u8] = b"MRFILE1\n";

fn blob_path(hash: &str) -> String {
    format!("files/{}/{hash}", &hash[..2])
}

fn row_path(device: &str, id: &str) -> String {
    format!("attachments/{device}/{id}.json")
}

/// `attachments/<device>/<id>.json` → the row's id.
fn parse_row_path(p: &str) -> Option<String> {
    let rest = p.strip_prefix("attachments/")?;
    let (device, file) = rest.split_once('/')?;
    let id = file.strip_suffix(".json")?;
    (uuid::Uuid::parse_str(device).is_ok() && uuid::Uuid::parse_str(id).is_ok()).then(|| id.to_string())
}

/// The bytes as the storage keeps them: encrypted with the key (bound to `aad`, the file's name),
/// or as they are.
fn seal(key: Option<&Key>, aad: &str, msg: Vec<u8>) -> Result<Vec<u8>> {
    let Some(k) = key else { return Ok(msg) };
    let mut nonce = [0u8; 24];
    getrandom::fill(&mut nonce).map_err(|e| Error::Sync(format!("no randomness for a nonce: {e}")))?;
    let ct = XChaCha20Poly1305::new(k.into())
        .encrypt(XNonce::from_slice(&nonce), Payload { msg: &msg, aad: aad.as_bytes() })
        .map_err(|_| Error::Sync("encryption failed".into()))?;
    let mut out = Vec::with_capacity(SEALED.len() + 24 + ct.len());
    out.extend_from_slice(SEALED);
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&ct);
    Ok(out)
}

/// The bytes a stored file holds; the error is the reason it cannot be trusted.
fn unseal(key: Option<&Key>, aad: &str, bytes: Vec<u8>) -> std::result::Result<Vec<u8>, String> {
    match (key, bytes.strip_prefix(SEALED)) {
        (None, Some(_)) => Err("it is encrypted, and this workspace has no key for it".into()),
        (None, None) => Ok(bytes),
        (Some(_), None) => Err("it is not encrypted although the storage is (written by something else, or forged)".into()),
        (Some(k), Some(rest)) => {
            if rest.len() < 24 {
                return Err("it is truncated".into());
            }
            XChaCha20Poly1305::new(k.into())
                .decrypt(XNonce::from_slice(&rest[..24]), Payload { msg: &rest[24..], aad: aad.as_bytes() })
                .map_err(|_| "it does not decrypt with this workspace's key (a different key, or a forged or altered file)".into())
        }
    }
}

/// A file's row as it travels.
#[derive(Serialize, Deserialize)]
struct WireRow {
    id: String,
    path: String,
    hash: String,
    size: u64,
    media_type: String,
    added_by: String,
    added_at: String,
}

/// A row read from the storage, checked before it is kept.
fn check_row(bytes: &[u8], id: &str) -> std::result::Result<AttachmentRow, String> {
    let w: WireRow = serde_json::from_slice(bytes).map_err(|e| format!("it is not a file's row: {e}"))?;
    if w.id != id {
        return Err(format!("it holds the row of {} under another name", w.id));
    }
    if w.hash.len() != 64 || !w.hash.chars().all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)) {
        return Err("its hash is not a sha256".into());
    }
    let safe = !w.path.is_empty() && w.path.len() <= 1000 && w.path.split('/').all(|p| !p.is_empty() && safe_part(p) == p);
    if !safe {
        return Err(format!("its path '{}' is not a safe path for a file", w.path.escape_debug()));
    }
    let plain = |s: &str| s.len() <= 200 && !s.chars().any(char::is_control);
    if w.size == 0 || !plain(&w.media_type) || !plain(&w.added_by) || !plain(&w.added_at) {
        return Err("its size, media type or who and when are not valid".into());
    }
    Ok(AttachmentRow {
        id: w.id,
        path: w.path,
        hash: w.hash,
        size: w.size,
        media_type: w.media_type,
        added_by: w.added_by,
        added_at: w.added_at,
    })
}

impl Workspace {
    /// Sends this workspace's files and rows the storage lacks, reads the rows it has not seen
    /// and fetches the bytes it lacks (see the module's documentation).
    pub(super) fn sync_files(&mut self, r: &Remote, key: Option<&Key>, report: &mut SyncReport) -> Result<()> {
        let device = self.device.clone();
        let (rows, mut known) = self.store.read(|tx| Ok((tx.attachments()?, tx.sync_files()?)))?;
        let store = self.files();
        let mut learned: Vec<String> = Vec::new();
        // Send: the bytes first, then the row, so a row on the storage always has its bytes there.
        for row in &rows {
            let blob = format!("blob:{}", row.hash);
            if !known.contains(&blob) {
                let path = blob_path(&row.hash);
                if !r.exists(&path)? {
                    let local = store.path_of(&row.hash);
                    let bytes = match std::fs::read(&local) {
                        Ok(b) => b,
                        // Not here yet: a row from another device whose bytes are fetched below.
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                        Err(e) => return Err(Error::io(&local, e)),
                    };
                    if sha256_hex(&bytes) != row.hash {
                        report
                            .warnings
                            .push(format!("{} is damaged here (its bytes do not match its hash; doctor lists it); not sent", row.path));
                        continue;
                    }
                    r.put_new(&path, seal(key, &row.hash, bytes)?)?;
                    report.files_sent += 1;
                }
                known.insert(blob.clone());
                learned.push(blob);
            }
            let name = format!("row:{}", row.id);
            if !known.contains(&name) {
                let path = row_path(&device, &row.id);
                let wire = WireRow {
                    id: row.id.clone(),
                    path: row.path.clone(),
                    hash: row.hash.clone(),
                    size: row.size,
                    media_type: row.media_type.clone(),
                    added_by: row.added_by.clone(),
                    added_at: row.added_at.clone(),
                };
                r.put_new(&path, seal(key, &path, serde_json::to_vec(&wire)?)?)?;
                known.insert(name.clone());
                learned.push(name);
            }
        }

        // Receive the rows not seen yet.
        let (listed, unlistable) = r.list("attachments")?;
        report.warnings.extend(unlistable.into_iter().map(|e| format!("could not list an entry of attachments/: {e}")));
        let mut quarantine: Vec<Quarantined> = Vec::new();
        let mut good: Vec<String> = Vec::new();
        let mut new_rows: Vec<AttachmentRow> = Vec::new();
        for p in listed {
            let Some(id) = parse_row_path(&p) else {
                report.ignored.push(p);
                continue;
            };
            if known.contains(&format!("row:{id}")) {
                continue;
            }
            let Some(bytes) = r.get(&p)? else { continue };
            match unseal(key, &p, bytes).and_then(|b| check_row(&b, &id)) {
                Ok(row) => {
                    good.push(p);
                    new_rows.push(row);
                }
                Err(reason) => quarantine.push(Quarantined { file: p, reason }),
            }
        }

        // Fetch the bytes of every row whose file is not here, checked against its hash.
        let mut fetched: Vec<String> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for row in rows.iter().chain(&new_rows) {
            if !seen.insert(row.hash.clone()) || store.path_of(&row.hash).is_file() {
                continue;
            }
            let path = blob_path(&row.hash);
            let Some(bytes) = r.get(&path)? else {
                report.files_waiting.push(path);
                continue;
            };
            match unseal(key, &row.hash, bytes) {
                Ok(plain) if sha256_hex(&plain) == row.hash => {
                    store.put(&mut plain.as_slice(), u64::MAX, &path)?;
                    report.files_received += 1;
                    good.push(path);
                    fetched.push(format!("blob:{}", row.hash));
                }
                Ok(_) => quarantine
                    .push(Quarantined { file: path, reason: "what it holds does not hash to its name (damaged or forged)".into() }),
                Err(reason) => quarantine.push(Quarantined { file: path, reason }),
            }
        }

        let now = now_text();
        self.store.write(|tx| {
            for row in &new_rows {
                crate::write::merge_attachment(tx, row)?;
                tx.set_sync_file(&format!("row:{}", row.id))?;
            }
            for n in learned.iter().chain(&fetched) {
                tx.set_sync_file(n)?;
            }
            for g in &good {
                tx.unquarantine(g)?;
            }
            for q in &quarantine {
                tx.quarantine(&q.file, &q.reason, &now)?;
            }
            Ok(())
        })?;
        report.files_rows += new_rows.len();
        report.quarantined.extend(quarantine);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_files_open_only_with_their_key_and_name() {
        let k: Key = [7u8; 32];
        let s = seal(Some(&k), "abc", b"picture".to_vec()).unwrap();
        assert!(s.starts_with(SEALED) && !s.windows(7).any(|w| w == b"picture"));
        assert_eq!(unseal(Some(&k), "abc", s.clone()).unwrap(), b"picture");
        assert!(unseal(Some(&k), "abd", s.clone()).unwrap_err().contains("does not decrypt"), "bound to its name");
        assert!(unseal(Some(&[8u8; 32]), "abc", s.clone()).is_err());
        assert!(unseal(None, "abc", s).unwrap_err().contains("no key"));
        assert!(unseal(Some(&k), "abc", b"plain".to_vec()).unwrap_err().contains("not encrypted"));
        assert_eq!(unseal(None, "abc", b"plain".to_vec()).unwrap(), b"plain");
    }

    #[test]
    fn rows_from_the_storage_are_checked() {
        let id = "01900000-0000-7000-8000-000000000001";
        let row = |path: &str, hash: &str| {
            format!(r#"{{"id":"{id}","path":"{path}","hash":"{hash}","size":3,"media_type":"image/png","added_by":"x","added_at":"t"}}"#)
        };
        let h = "a".repeat(64);
        assert!(check_row(row("Attachments/a.png", &h).as_bytes(), id).is_ok());
        for (p, hash) in [("../etc/passwd", h.as_str()), ("/abs.png", &h), ("a//b.png", &h), ("a.png", "xyz"), ("x/.hidden", &h)] {
            assert!(check_row(row(p, hash).as_bytes(), id).is_err(), "{p} {hash}");
        }
        assert!(check_row(row("a.png", &h).as_bytes(), "01900000-0000-7000-8000-000000000002").is_err());
        assert_eq!(parse_row_path(&format!("attachments/{id}/{id}.json")).as_deref(), Some(id));
        assert_eq!(parse_row_path("attachments/x/y.json"), None);
    }
}
