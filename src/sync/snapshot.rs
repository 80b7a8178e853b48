//! Snapshots: the merged state of a workspace up to a cursor vector, written once by one device as
//! `snap/<device>/<hlc>.snap`, so a new member (or a device back after a long time) starts from it
//! and replays only the segments after it.
//!
//! ```text
//! MELLANRUM-SNAPSHOT 1\n
//! {"device":…,"hlc":…,"vector":{device: [seq, "<hash of that segment>"]},"count":…,"nonce":…|null,"at":…}\n
//! <body: one JSON record per line — or, encrypted, XChaCha20-Poly1305 ciphertext of those lines>
//! \n<sha256 hex of everything before this line>\n
//! ```
//!
//! The records are the merge state itself — every register write (`f`), every set dot (`d`), every
//! body document (`c`), every recorded conflict (`x`) and every held op (`h`) — so loading a
//! snapshot is a join of two merge states: commutative and idempotent like folding an op, safe
//! into a fresh workspace and into one that already holds part of it.
//!
//! Progress files, `progress/<device>/<hlc>.json` (`{"device":…,"cursors":{device: seq},"at":…}`),
//! tell how far each device has read every log; compaction removes a segment only when every active
//! device has passed it and a snapshot covers it.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

use super::framing;
use super::segment::Key;

const KIND: framing::Kind = framing::Kind {
    magic: b"MELLANRUM-SNAPSHOT 1\n",
    foreign: "not a Mellanrum snapshot (garbage, or a file another program wrote)",
    forged: "it does not decrypt with this workspace's key (a different key, or a forged or altered snapshot)",
    no_key: "it is encrypted and this workspace has no key",
};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct SnapHeader {
    pub device: String,
    pub hlc: String,
    /// Per device, the last segment whose ops the snapshot holds, and that segment's hash (what the
    /// next segment's `prev` is).
    pub vector: BTreeMap<String, (i64, String)>,
    pub count: usize,
    pub nonce: Option<String>,
    pub at: String,
}

impl framing::Sealed for SnapHeader {
    fn nonce(&self) -> Option<&str> {
        self.nonce.as_deref()
    }
    fn set_nonce(&mut self, nonce: Option<String>) {
        self.nonce = nonce;
    }
}

/// A decoded, verified snapshot.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub header: SnapHeader,
    pub records: Vec<Value>,
}

/// How far a device has read every log, as it publishes it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Progress {
    pub device: String,
    pub cursors: BTreeMap<String, i64>,
    pub at: String,
}

fn device_ok(d: &str) -> bool {
    d.len() == 36 && d.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
}

fn hlc_ok(h: &str) -> bool {
    h.len() > 27 && h.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
}

pub fn path(device: &str, hlc: &str) -> String {
    format!("snap/{device}/{hlc}.snap")
}

pub fn progress_path(device: &str, hlc: &str) -> String {
    format!("progress/{device}/{hlc}.json")
}

fn parse(p: &str, dir: &str, ext: &str) -> Option<(String, String)> {
    let rest = p.strip_prefix(dir)?.strip_prefix('/')?;
    let (device, file) = rest.split_once('/')?;
    let hlc = file.strip_suffix(ext)?;
    (device_ok(device) && hlc_ok(hlc)).then(|| (device.to_string(), hlc.to_string()))
}

/// Parses `snap/<device>/<hlc>.snap` into (device, hlc); anything else is not a snapshot.
pub fn parse_path(p: &str) -> Option<(String, String)> {
    parse(p, "snap", ".snap")
}

/// Parses `progress/<device>/<hlc>.json`.
pub fn parse_progress_path(p: &str) -> Option<(String, String)> {
    parse(p, "progress", ".json")
}

/// Encodes a snapshot of `records`.
pub fn encode(header: &SnapHeader, records: &[Value], key: Option<&Key>) -> crate::Result<Vec<u8>> {
    let mut header = header.clone();
    header.count = records.len();
    framing::encode(&KIND, &mut header, framing::json_lines(records)?, key)
}

/// Decodes and verifies the snapshot stored as `snap/<device>/<hlc>.snap`. The error is the reason
/// it is not used, for a person to read.
pub fn decode(bytes: &[u8], device: &str, hlc: &str, key: Option<&Key>) -> Result<Snapshot, String> {
    let (header, body): (SnapHeader, _) = framing::decode(&KIND, bytes)?;
    if header.device != device || header.hlc != hlc {
        return Err(format!("it claims to be snapshot {} of device {} but is stored under another name", header.hlc, header.device));
    }
    let plain = framing::open(&KIND, &header, body, key)?;
    let mut records = Vec::new();
    for (i, line) in framing::lines(&plain) {
        records.push(serde_json::from_slice(line).map_err(|e| format!("record {i} does not decode: {e}"))?);
    }
    if records.len() != header.count {
        return Err(format!("it holds {} records but its header says {}", records.len(), header.count));
    }
    Ok(Snapshot { header, records })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_plain_and_encrypted_and_damage_is_named() {
        let d = "0190aaaa-0000-7000-8000-000000000001";
        let h = format!("{:015}-{:010}-{d}", 5, 0);
        let header = SnapHeader {
            device: d.into(),
            hlc: h.clone(),
            vector: BTreeMap::from([(d.to_string(), (3, "abc".to_string()))]),
            count: 0,
            nonce: None,
            at: "now".into(),
        };
        for key in [None, Some([3u8; 32])] {
            let recs = vec![serde_json::json!({"f": ["x", "title", "h", null, "\"T\"", "a"]})];
            let bytes = encode(&header, &recs, key.as_ref()).unwrap();
            let s = decode(&bytes, d, &h, key.as_ref()).unwrap();
            assert_eq!(s.records, recs);
            assert_eq!(s.header.vector[d].0, 3);
            assert!(decode(&bytes[..bytes.len() - 9], d, &h, key.as_ref()).unwrap_err().contains("truncated"));
            assert!(decode(b"junk", d, &h, key.as_ref()).unwrap_err().contains("not a Mellanrum snapshot"));
        }
        let bytes = encode(&header, &[], Some(&[3u8; 32])).unwrap();
        assert!(decode(&bytes, d, &h, Some(&[4u8; 32])).unwrap_err().contains("does not decrypt"));
        assert_eq!(parse_path(&path(d, &h)), Some((d.to_string(), h.clone())));
        assert_eq!(parse_progress_path(&progress_path(d, &h)), Some((d.to_string(), h.clone())));
        assert!(parse_path(&format!("snap/{d}/{h}.sync-conflict-1.snap")).is_none());
    }
}
