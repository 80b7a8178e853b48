//! Segments: the write-once files a device puts on the shared storage, `log/<device>/<seq:012>.seg`.
//!
//! ```text
//! MELLANRUM-SEGMENT 1\n
//! {"device":…,"seq":…,"prev":"<sha256 of the previous segment file>","count":…,"nonce":…|null,"seen":{device: seq},"at":…}\n
//! <body: one JSON op per line — or, encrypted, XChaCha20-Poly1305 ciphertext of those lines>
//! \n<sha256 hex of everything before this line>\n
//! ```
//!
//! The trailer checksum catches truncation and damage; `prev` chains each segment to the one
//! before it, so a fork or a rewritten segment is caught; with a workspace key the body is
//! encrypted and the header is its associated data, so the storage provider can neither read
//! nor forge nor move a change.

use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

use crate::store::ChangeRow;

use super::framing::{self, b64};

const MAGIC: &[u8] = b"MELLANRUM-SEGMENT 1\n";

const KIND: framing::Kind = framing::Kind {
    magic: MAGIC,
    foreign: "not a Mellanrum segment (garbage, or a file another program wrote)",
    forged: "it does not decrypt with this workspace's key (a different key, or a forged or altered segment)",
    no_key: "it is encrypted and this workspace has no key: join with `mellanrum remote set REMOTE --key KEY`",
};

/// A workspace key: 32 random bytes.
pub type Key = [u8; 32];

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Header {
    pub device: String,
    pub seq: i64,
    pub prev: String,
    pub count: usize,
    pub nonce: Option<String>,
    /// How far the writer had read every other device's log: its published progress.
    #[serde(default)]
    pub seen: BTreeMap<String, i64>,
    pub at: String,
}

/// One op as it travels.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct WireOp {
    hlc: String,
    author: String,
    entity: String,
    id: String,
    op: String,
    payload: Value,
}

impl framing::Sealed for Header {
    fn nonce(&self) -> Option<&str> {
        self.nonce.as_deref()
    }
    fn set_nonce(&mut self, nonce: Option<String>) {
        self.nonce = nonce;
    }
}

/// A decoded, verified segment.
#[derive(Debug, Clone)]
pub struct Segment {
    pub header: Header,
    pub ops: Vec<ChangeRow>,
    /// sha256 of the whole file: what the next segment's `prev` must be.
    pub hash: String,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    let d = Sha256::digest(bytes);
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// The storage path of a segment.
pub fn path(device: &str, seq: i64) -> String {
    format!("log/{device}/{seq:012}.seg")
}

/// Parses `log/<device>/<seq:012>.seg`; anything else (sync-tool conflict copies, temp files) is not a segment.
pub fn parse_path(p: &str) -> Option<(String, i64)> {
    let rest = p.strip_prefix("log/")?;
    let (device, file) = rest.split_once('/')?;
    let num = file.strip_suffix(".seg")?;
    let device_ok = device.len() == 36 && device.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
    if !device_ok || num.len() != 12 || !num.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let seq: i64 = num.parse().ok()?;
    (seq > 0).then(|| (device.to_string(), seq))
}

/// Encodes a segment; returns the file bytes and their hash.
pub fn encode(header: &Header, ops: &[ChangeRow], key: Option<&Key>) -> crate::Result<(Vec<u8>, String)> {
    let mut wire = Vec::with_capacity(ops.len());
    for o in ops {
        wire.push(WireOp {
            hlc: o.hlc.clone(),
            author: o.author.clone(),
            entity: o.entity.clone(),
            id: o.entity_id.clone(),
            op: o.op.clone(),
            payload: serde_json::from_str(&o.payload)?,
        });
    }
    let mut header = header.clone();
    header.count = ops.len();
    let out = framing::encode(&KIND, &mut header, framing::json_lines(&wire)?, key)?;
    let hash = sha256_hex(&out);
    Ok((out, hash))
}

/// The hash of the segment a stored segment says it follows, read from its header without
/// verifying anything (where a log starts after compaction removed its first segments).
pub fn prev_of(bytes: &[u8]) -> Option<String> {
    let rest = bytes.strip_prefix(MAGIC)?;
    let nl = rest.iter().position(|b| *b == b'\n')?;
    serde_json::from_slice::<Header>(&rest[..nl]).ok().map(|h| h.prev)
}

/// Decodes and verifies the segment stored as `log/<device>/<seq>.seg`, which must follow the
/// segment whose hash is `prev`. The error is the reason to quarantine it, for a person to read.
pub fn decode(bytes: &[u8], device: &str, seq: i64, prev: &str, key: Option<&Key>) -> Result<Segment, String> {
    let (header, body): (Header, _) = framing::decode(&KIND, bytes)?;
    if header.device != device || header.seq != seq {
        return Err(format!(
            "it claims to be segment {} of device {} but is stored as segment {seq} of device {device} (a reused or misplaced sequence number)",
            header.seq, header.device
        ));
    }
    if header.prev != prev {
        return Err(format!(
            "it does not follow segment {} of this device as applied here (hash chain broken): the device's log forked — was a workspace copied to another machine, or a segment rewritten?",
            seq - 1
        ));
    }
    let plain = framing::open(&KIND, &header, body, key)?;
    let mut ops = Vec::new();
    for (i, line) in framing::lines(&plain) {
        let w: WireOp = serde_json::from_slice(line).map_err(|e| format!("op {i} does not decode: {e}"))?;
        ops.push(ChangeRow {
            seq: 0,
            hlc: w.hlc,
            device: device.to_string(),
            author: w.author,
            entity: w.entity,
            entity_id: w.id,
            op: w.op,
            payload: w.payload.to_string(),
        });
    }
    if ops.len() != header.count {
        return Err(format!("it holds {} ops but its header says {}", ops.len(), header.count));
    }
    Ok(Segment { header, ops, hash: sha256_hex(bytes) })
}

/// A small file proving a key: the storage's marker holds this encrypted with the workspace key.
pub fn key_check(key: &Key) -> crate::Result<String> {
    let mut nonce = [0u8; 24];
    getrandom::fill(&mut nonce).map_err(|e| crate::Error::Sync(format!("no randomness: {e}")))?;
    let ct = XChaCha20Poly1305::new(key.into())
        .encrypt(XNonce::from_slice(&nonce), b"mellanrum-key-check".as_ref())
        .map_err(|_| crate::Error::Sync("encryption failed".into()))?;
    let mut all = nonce.to_vec();
    all.extend(ct);
    Ok(base64::Engine::encode(&b64(), all))
}

pub fn verify_key(key: &Key, check: &str) -> bool {
    let Ok(all) = base64::Engine::decode(&b64(), check) else { return false };
    if all.len() < 24 {
        return false;
    }
    XChaCha20Poly1305::new(key.into()).decrypt(XNonce::from_slice(&all[..24]), &all[24..]).is_ok_and(|p| p == b"mellanrum-key-check")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(h: &str) -> ChangeRow {
        ChangeRow {
            seq: 0,
            hlc: h.into(),
            device: "d".into(),
            author: "a".into(),
            entity: "item".into(),
            entity_id: "x".into(),
            op: "update".into(),
            payload: r#"{"@v":2,"title":"T"}"#.into(),
        }
    }

    fn header(seq: i64, prev: &str) -> Header {
        Header { device: "d".into(), seq, prev: prev.into(), count: 0, nonce: None, seen: BTreeMap::new(), at: "now".into() }
    }

    #[test]
    fn round_trip_plain_and_encrypted_and_every_damage_is_named() {
        for key in [None, Some([7u8; 32])] {
            let (bytes, hash) = encode(&header(1, ""), &[op("1"), op("2")], key.as_ref()).unwrap();
            let s = decode(&bytes, "d", 1, "", key.as_ref()).unwrap();
            assert_eq!(s.ops.len(), 2);
            assert_eq!(s.hash, hash);
            assert!(decode(&bytes[..bytes.len() - 10], "d", 1, "", key.as_ref()).unwrap_err().contains("truncated"));
            assert!(decode(&bytes, "d", 2, "", key.as_ref()).unwrap_err().contains("reused or misplaced"));
            assert!(decode(&bytes, "d", 1, "abc", key.as_ref()).unwrap_err().contains("forked"));
            assert!(decode(b"garbage", "d", 1, "", key.as_ref()).unwrap_err().contains("not a Mellanrum segment"));
        }
        let (bytes, _) = encode(&header(1, ""), &[op("1")], Some(&[7u8; 32])).unwrap();
        assert!(decode(&bytes, "d", 1, "", Some(&[8u8; 32])).unwrap_err().contains("does not decrypt"));
        assert!(!String::from_utf8_lossy(&bytes).contains("\"title\""), "an encrypted segment shows no content");
        assert!(parse_path("log/0190aaaa-0000-7000-8000-000000000001/000000000003.seg").is_some());
        assert!(parse_path("log/0190aaaa-0000-7000-8000-000000000001/000000000003.sync-conflict-20260101-abc.seg").is_none());
        let k = [9u8; 32];
        assert!(verify_key(&k, &key_check(&k).unwrap()));
        assert!(!verify_key(&[1u8; 32], &key_check(&k).unwrap()));
    }
}
