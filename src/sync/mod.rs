//! Co-creation: several people on several machines share a workspace through storage they
//! already have — a shared folder or S3-compatible object storage — with no server of their own.
//!
//! - Every local save appends one op to the change log (`changes`); remote ops are inserted there
//!   with their own device and clock when they arrive, so the log holds every known op and the
//!   workspace is the fold of those ops ([`merge`]).
//! - **Push** writes this device's ops not yet on the storage as a new segment
//!   `log/<device>/<seq>.seg` ([`segment`]), create-only; nothing is ever overwritten and each
//!   device writes only its own files.
//! - **Pull** reads, per other device, the segments after its cursor, in order, verifying checksum,
//!   hash chain and (with a workspace key) authenticity; the cursor advances only over an unbroken
//!   run. A missing segment is waited for; a bad one is quarantined with a warning naming the file
//!   and everything else still applies. Nothing on the storage can damage the local workspace:
//!   ops are checked before they are obeyed, and an op stamped more than [`MAX_AHEAD_MS`] ahead of
//!   this device's clock is held, not obeyed.

pub mod compact;
mod files;
mod framing;
pub mod merge;
pub mod remote;
pub mod segment;
pub mod snapshot;
pub mod text;

use std::collections::{BTreeMap, BTreeSet};

use base64::Engine;
use serde::Serialize;
use serde_json::{json, Value};

use crate::error::{Error, Result};
use crate::hlc::Hlc;
use crate::model::Person;
use crate::store::{ChangeRow, ConflictRow, Tx};
use crate::workspace::{now_text, Workspace};
use remote::Remote;
use segment::{Header, Key};

/// Ops stamped further than this ahead of the local clock are held until the clock catches up:
/// 6 hours is beyond any honest disagreement of synchronised clocks (the tests play ±1 h), and
/// short enough that a device whose clock is set a day wrong cannot win every last-writer-wins
/// merge — nor drag everyone's clocks — for a day.
pub const MAX_AHEAD_MS: u64 = 6 * 3600 * 1000;

/// Ops per segment at most.
pub const SEGMENT_OPS: usize = 2000;

const MARKER: &str = "mellanrum.json";
const B64: base64::engine::GeneralPurpose = base64::engine::general_purpose::STANDARD;

/// A concurrent change to the same field, merged by rule: the winner is what the item shows.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Conflict {
    pub item: String,
    pub title: String,
    pub field: String,
    pub winner: ConflictSide,
    pub loser: ConflictSide,
    /// "Anna and Erik both changed the status of Release cadence: kept …"
    pub text: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ConflictSide {
    pub value: Value,
    pub author: String,
    pub hlc: String,
}

/// A file on the storage that was not applied, and why.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Quarantined {
    pub file: String,
    pub reason: String,
}

/// What a sync did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SyncReport {
    pub remote: String,
    /// Ops this device wrote to the storage, and in how many segments.
    pub sent: usize,
    pub segments_written: usize,
    /// Ops from other devices that were new here.
    pub received: usize,
    /// Items whose merged state changed here.
    pub merged: Vec<String>,
    pub quarantined: Vec<Quarantined>,
    /// Ops held because their clock is too far ahead.
    pub held: i64,
    /// Files in the log that are not segments (sync-tool conflict copies, temp files): ignored.
    pub ignored: Vec<String>,
    /// Segments that are missing while later ones are there: waited for, never skipped.
    pub waiting: Vec<String>,
    pub warnings: Vec<String>,
    /// Conflicts found by this sync.
    pub conflicts: Vec<Conflict>,
    /// Files (attachments' bytes) this device wrote to the storage, read from it, and rows of
    /// files added elsewhere that are new here.
    pub files_sent: usize,
    pub files_received: usize,
    pub files_rows: usize,
    /// Files a row names that the storage does not hold yet: waited for.
    pub files_waiting: Vec<String>,
    /// The snapshot this workspace started from (a new member, or a device back after the logs it
    /// needed were compacted away).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<String>,
    /// What compaction did, when this sync compacted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compacted: Option<compact::CompactReport>,
}

/// What merging a batch of ops did.
#[derive(Debug, Clone, Default)]
pub struct MergeReport {
    pub received: usize,
    pub merged: BTreeSet<String>,
    pub quarantined: Vec<Quarantined>,
    pub conflicts: Vec<ConflictRow>,
}

/// The storage set for a workspace.
#[derive(Debug, Clone, Serialize)]
pub struct RemoteInfo {
    pub remote: String,
    pub encrypted: bool,
    /// A key generated by this call: shown once, every member joins with it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_key: Option<String>,
}

/// How to treat encryption when setting a remote.
#[derive(Debug, Clone, Default)]
pub enum KeyChoice {
    /// Use what the storage uses; a new storage is not encrypted.
    #[default]
    Plain,
    /// A new storage gets a fresh random key (printed once).
    Encrypt,
    /// Join an encrypted storage with this key.
    Key(String),
}

fn decode_key(s: &str) -> Result<Key> {
    let bytes = B64.decode(s.trim()).map_err(|_| Error::invalid("the workspace key is not valid (it is 44 characters of base64)"))?;
    bytes.try_into().map_err(|_| Error::invalid("the workspace key has the wrong length (it is 44 characters of base64)"))
}

impl Workspace {
    /// The storage this workspace syncs with, if any.
    pub fn remote(&mut self) -> Result<Option<RemoteInfo>> {
        self.store.read(|tx| {
            Ok(tx.meta("remote")?.map(|r| RemoteInfo {
                remote: r,
                encrypted: tx.meta("remote_key").ok().flatten().is_some(),
                new_key: None,
            }))
        })
    }

    /// Sets the shared storage. A new storage gets a marker file recording whether it is
    /// encrypted; joining an encrypted one needs its key.
    pub fn set_remote(&mut self, spec: &str, choice: KeyChoice) -> Result<RemoteInfo> {
        let spec = normalize_spec(spec)?;
        let r = Remote::open(&spec)?;
        let mut new_key = None;
        let key: Option<Key> = match r.get(MARKER)? {
            Some(bytes) => {
                let m: Value =
                    serde_json::from_slice(&bytes).map_err(|e| Error::Sync(format!("{spec}/{MARKER} is not a Mellanrum marker: {e}")))?;
                let check = m.get("key_check").and_then(Value::as_str);
                match (check, &choice) {
                    (None, KeyChoice::Plain) => None,
                    (None, _) => {
                        return Err(Error::invalid(format!(
                            "{spec} is shared without encryption already; its members would not read encrypted changes"
                        )))
                    }
                    (Some(_), KeyChoice::Plain | KeyChoice::Encrypt) => {
                        return Err(Error::invalid(format!(
                            "{spec} is encrypted: join with the workspace key, `--key KEY` (ask a member for it)"
                        )))
                    }
                    (Some(c), KeyChoice::Key(k)) => {
                        let k = decode_key(k)?;
                        if !segment::verify_key(&k, c) {
                            return Err(Error::invalid(format!("that key does not open {spec}: check it with a member")));
                        }
                        Some(k)
                    }
                }
            }
            None => {
                let key = match &choice {
                    KeyChoice::Plain => None,
                    KeyChoice::Key(k) => Some(decode_key(k)?),
                    KeyChoice::Encrypt => {
                        let mut k = [0u8; 32];
                        getrandom::fill(&mut k).map_err(|e| Error::Sync(format!("no randomness for a key: {e}")))?;
                        new_key = Some(B64.encode(k));
                        Some(k)
                    }
                };
                let marker = match &key {
                    Some(k) => json!({"format": 1, "key_check": segment::key_check(k)?}),
                    None => json!({"format": 1}),
                };
                if !r.put_new(MARKER, serde_json::to_vec_pretty(&marker)?)? {
                    return Err(Error::Sync(format!("another device set up {spec} at the same moment; run the command again")));
                }
                key
            }
        };
        self.store.write(|tx| {
            tx.set_meta("remote", &spec)?;
            match &key {
                Some(k) => tx.set_meta("remote_key", &B64.encode(k)),
                None => tx.delete_meta("remote_key"),
            }
        })?;
        Ok(RemoteInfo { remote: spec, encrypted: key.is_some(), new_key })
    }

    /// Makes `dir` a new workspace (named `name`, else the folder's name) that shares the storage
    /// `spec`, and pulls what is there. When joining fails (a wrong key, a storage that cannot be
    /// read), the database files it made are removed again: no half-joined workspace stays behind.
    pub fn join(dir: &std::path::Path, name: Option<&str>, spec: &str, choice: KeyChoice) -> Result<(Workspace, RemoteInfo, SyncReport)> {
        let mut ws = Workspace::init(dir, name)?;
        match ws.set_remote(spec, choice).and_then(|info| Ok((info, ws.sync()?))) {
            Ok((info, report)) => Ok((ws, info, report)),
            Err(e) => {
                drop(ws);
                for f in crate::workspace::DB_FILES {
                    let _ = std::fs::remove_file(dir.join(f));
                }
                Err(e)
            }
        }
    }

    /// Pushes this device's new changes and pulls everyone else's.
    pub fn sync(&mut self) -> Result<SyncReport> {
        self.sync_with(false)
    }

    /// Syncs, then writes a snapshot and removes the segments every active device has passed
    /// (`mellanrum sync --compact`; see [`compact`]).
    pub fn compact(&mut self) -> Result<SyncReport> {
        self.sync_with(true)
    }

    fn sync_with(&mut self, compact: bool) -> Result<SyncReport> {
        let (spec, key) = self.store.read(|tx| Ok((tx.meta("remote")?, tx.meta("remote_key")?)))?;
        let spec = spec.ok_or_else(|| Error::NoRemote)?;
        let key = key.map(|k| decode_key(&k)).transpose()?;
        let r = Remote::open(&spec)?;
        let mut report = SyncReport { remote: spec.clone(), ..Default::default() };
        self.adopt_legacy()?;
        let before = self.store.read(|tx| tx.cursors())?;
        self.push(&r, key.as_ref(), &mut report)?;
        self.pull(&r, key.as_ref(), &mut report)?;
        self.sync_files(&r, key.as_ref(), &mut report)?;
        let (after, published, own, snap_own) = self.store.read(|tx| {
            let own = tx.cursor(&self.device)?.map_or(0, |c| c.0);
            let snap_own: i64 = tx.meta("sync_snap_own_seq")?.and_then(|s| s.parse().ok()).unwrap_or(0);
            Ok((tx.cursors()?, tx.meta("sync_progress_file")?.is_some(), own, snap_own))
        })?;
        if compact || own - snap_own >= self.compaction()?.every {
            report.compacted = Some(self.compact_now(&r, key.as_ref())?);
        } else if after != before || !published {
            self.publish_progress(&r)?;
        }
        Ok(report)
    }

    /// Items and people written before sync existed get one op with their whole state, so other
    /// devices can rebuild them.
    fn adopt_legacy(&mut self) -> Result<()> {
        let device = self.device.clone();
        self.store.write(|tx| {
            if tx.meta("sync_adopted")?.is_some() {
                return Ok(());
            }
            tx.set_meta("sync_adopted", &now_text())?;
            for (entity, id) in tx.entities_without_sync_state()? {
                let hlc = crate::workspace::next_hlc(tx, &device)?.to_string();
                if entity == "person" {
                    let Some(p) = tx.person(&id)? else { continue };
                    let payload = merge::record_local_person(tx, &hlc, &p.id, &p.created, &p, true)?;
                    tx.append_change(&hlc, &device, &p.id, "person", &p.id, "create", &payload.to_string())?;
                } else {
                    let Some(item) = tx.item(&id)? else { continue };
                    let payload = merge::record_local_item(tx, &device, &hlc, &item.author, &item.updated, None, &item)?;
                    tx.append_change(&hlc, &device, &item.author, "item", &item.id, "create", &payload.to_string())?;
                }
            }
            Ok(())
        })
    }

    fn push(&mut self, r: &Remote, key: Option<&Key>, report: &mut SyncReport) -> Result<()> {
        let device = self.device.clone();
        loop {
            let (ops, last_seq, cursor, seen) = self.store.read(|tx| {
                let after: i64 = tx.meta("sync_pushed_seq")?.and_then(|s| s.parse().ok()).unwrap_or(0);
                let rows = tx.device_changes_since(&device, after, SEGMENT_OPS)?;
                let last = rows.last().map(|c| c.seq).unwrap_or(after);
                let ops: Vec<ChangeRow> = rows.into_iter().filter(|c| merge::is_mergeable(&c.payload)).collect();
                let cursor = tx.cursor(&device)?.unwrap_or((0, String::new()));
                let seen: BTreeMap<String, i64> = tx.cursors()?.into_iter().filter(|c| c.0 != device).map(|c| (c.0, c.1)).collect();
                Ok((ops, last, cursor, seen))
            })?;
            if last_seq == cursor_pushed(self)? {
                return Ok(());
            }
            if ops.is_empty() {
                self.store.write(|tx| tx.set_meta("sync_pushed_seq", &last_seq.to_string()))?;
                continue;
            }
            let seq = cursor.0 + 1;
            let header = Header { device: device.clone(), seq, prev: cursor.1.clone(), count: 0, nonce: None, seen, at: now_text() };
            let (bytes, hash) = segment::encode(&header, &ops, key)?;
            let path = segment::path(&device, seq);
            let hash = if r.put_new(&path, bytes)? {
                hash
            } else {
                // Written before a crash, or by another machine using this device id: adopt it only if
                // it is exactly our next ops.
                let existing = r.get(&path)?.unwrap_or_default();
                match segment::decode(&existing, &device, seq, &cursor.1, key) {
                    Ok(s) if s.ops.iter().map(|o| &o.hlc).eq(ops.iter().map(|o| &o.hlc)) => s.hash,
                    _ => return Err(Error::NotThisDevice { path: path.to_string() }),
                }
            };
            self.store.write(|tx| {
                tx.set_cursor(&device, seq, &hash)?;
                tx.set_meta("sync_pushed_seq", &last_seq.to_string())
            })?;
            report.sent += ops.len();
            report.segments_written += 1;
        }
    }

    fn pull(&mut self, r: &Remote, key: Option<&Key>, report: &mut SyncReport) -> Result<()> {
        let (files, unlistable) = r.list("log")?;
        report.warnings.extend(unlistable.into_iter().map(|e| format!("could not list an entry of the log: {e}")));
        let mut by_device: BTreeMap<String, BTreeSet<i64>> = BTreeMap::new();
        for f in files {
            match segment::parse_path(&f) {
                Some((d, s)) => {
                    by_device.entry(d).or_default().insert(s);
                }
                None => report.ignored.push(f),
            }
        }
        self.catch_up_from_snapshot(r, key, &by_device, report)?;
        let device = self.device.clone();
        let cursors: BTreeMap<String, (i64, String)> =
            self.store.read(|tx| Ok(tx.cursors()?.into_iter().map(|c| (c.0, (c.1, c.2))).collect()))?;
        let now = now_text();
        let mut ops: Vec<(String, ChangeRow)> = Vec::new();
        let mut advanced: Vec<(String, i64, String)> = Vec::new();
        let mut bad: Vec<Quarantined> = Vec::new();
        let mut good: Vec<String> = Vec::new();
        for (d, seqs) in &by_device {
            let (mut seq, mut hash) = cursors.get(d).cloned().unwrap_or((0, String::new()));
            if *d == device {
                if let Some(m) = seqs.range(seq + 1..).next() {
                    report.warnings.push(format!(
                        "{} exists but this device never wrote it: another machine writes as this device (was this workspace folder copied?)",
                        segment::path(d, *m)
                    ));
                }
                continue;
            }
            while seqs.contains(&(seq + 1)) {
                let path = segment::path(d, seq + 1);
                let Some(bytes) = r.get(&path)? else { break };
                match segment::decode(&bytes, d, seq + 1, &hash, key) {
                    Ok(s) => {
                        seq += 1;
                        hash = s.hash;
                        ops.extend(s.ops.into_iter().map(|o| (path.clone(), o)));
                        good.push(path);
                    }
                    Err(reason) => {
                        bad.push(Quarantined { file: path, reason });
                        break;
                    }
                }
            }
            if let Some(last) = seqs.range(seq + 2..).next_back() {
                if !bad.iter().any(|q| q.file == segment::path(d, seq + 1)) {
                    report.waiting.push(format!(
                        "{} is missing while later segments (up to {last}) are there: waiting for it (a sync tool may not have copied it yet)",
                        segment::path(d, seq + 1)
                    ));
                }
            }
            if cursors.get(d).is_none_or(|c| c.0 != seq) {
                advanced.push((d.clone(), seq, hash));
            }
        }
        let m = self.merge_batch(ops, |tx| {
            for (d, s, h) in &advanced {
                tx.set_cursor(d, *s, h)?;
            }
            for g in &good {
                tx.unquarantine(g)?;
            }
            for q in &bad {
                tx.quarantine(&q.file, &q.reason, &now)?;
            }
            Ok(())
        })?;
        report.received += m.received;
        report.quarantined.extend(bad);
        report.quarantined.extend(m.quarantined);
        report.merged.extend(m.merged);
        report.conflicts = self.store.read(|tx| m.conflicts.iter().map(|c| conflict_view(tx, c)).collect::<Result<Vec<_>>>())?;
        report.held = self.store.read(|tx| tx.held_count())?;
        Ok(())
    }

    /// Merges ops from other devices (in any order, duplicates allowed) into this workspace, in one
    /// transaction. Used by pull; public so that ops can arrive by other ways too (and for tests and
    /// benchmarks).
    pub fn merge_ops(&mut self, ops: Vec<ChangeRow>) -> Result<MergeReport> {
        self.merge_batch(ops.into_iter().map(|o| (String::new(), o)).collect(), |_| Ok(()))
    }

    fn merge_batch(&mut self, mut ops: Vec<(String, ChangeRow)>, also: impl FnOnce(&Tx) -> Result<()>) -> Result<MergeReport> {
        let device = self.device.clone();
        ops.sort_by(|a, b| a.1.hlc.cmp(&b.1.hlc));
        self.store.write(|tx| {
            let mut rep = MergeReport::default();
            let now_ms = Hlc::now_ms();
            let now = now_text();
            let mut dirty_items: BTreeSet<String> = BTreeSet::new();
            let mut dirty_people: BTreeSet<String> = BTreeSet::new();
            let mut body_dirty: BTreeSet<String> = BTreeSet::new();
            let mut newest: Option<Hlc> = None;
            let held: Vec<(String, ChangeRow)> = tx.take_held()?.into_iter().map(|o| (String::new(), o)).collect();
            for (file, op) in held.into_iter().chain(ops) {
                if op.device == device {
                    continue;
                }
                let payload = match merge::check_remote(&op) {
                    Ok(p) => p,
                    Err(reason) => {
                        let place = if file.is_empty() { format!("op {}", op.hlc) } else { format!("{file} (op {})", op.hlc) };
                        tx.quarantine(&place, &reason, &now)?;
                        rep.quarantined.push(Quarantined { file: place, reason });
                        continue;
                    }
                };
                let hlc: Hlc = op.hlc.parse()?;
                if hlc.millis > now_ms + MAX_AHEAD_MS {
                    tx.hold_change(&op, "its clock is more than 6 hours ahead of this device's")?;
                    continue;
                }
                if !tx.insert_remote_change(&op)? {
                    continue;
                }
                rep.received += 1;
                // Ops are in clock order: the last one received is the newest to observe.
                if newest.as_ref().is_none_or(|n| hlc > *n) {
                    newest = Some(hlc);
                }
                merge::fold(tx, &op, &payload, &device, &mut rep.conflicts)?;
                if payload.get("@body").is_some() {
                    body_dirty.insert(op.entity_id.clone());
                }
                if op.entity == "person" {
                    dirty_people.insert(op.entity_id.clone());
                } else {
                    dirty_items.insert(op.entity_id.clone());
                }
            }
            // The clock observes the batch once.
            if let Some(h) = &newest {
                let last = tx.meta("hlc")?.map(|s| s.parse::<Hlc>()).transpose()?;
                tx.set_meta("hlc", &Hlc::observe(last.as_ref(), h, now_ms, &device).to_string())?;
            }
            rep.merged = materialise(tx, &device, &dirty_items, &dirty_people, &body_dirty)?;
            also(tx)?;
            Ok(rep)
        })
    }

    /// Concurrent changes that were merged by rule, newest first.
    pub fn conflicts(&mut self) -> Result<Vec<Conflict>> {
        self.store.read(|tx| tx.conflicts()?.iter().map(|c| conflict_view(tx, c)).collect())
    }

    /// Files on the storage that were not applied, and why.
    pub fn quarantined(&mut self) -> Result<Vec<Quarantined>> {
        self.store.read(|tx| Ok(tx.quarantined()?.into_iter().map(|(file, reason, _)| Quarantined { file, reason }).collect()))
    }

    /// Checks the sync log against the shared storage without changing either: for every device
    /// this workspace has read (itself included), the segments up to its cursor are all there,
    /// verify, chain, and end in the segment the cursor recorded; the push position is within the
    /// local log; no file is quarantined. The problems found, one line each; none without a remote.
    pub fn verify_sync_log(&mut self) -> Result<Vec<String>> {
        let (spec, key, cursors, pushed, high, quarantined) = self.store.read(|tx| {
            Ok((
                tx.meta("remote")?,
                tx.meta("remote_key")?,
                tx.cursors()?,
                tx.meta("sync_pushed_seq")?.and_then(|s| s.parse::<i64>().ok()).unwrap_or(0),
                tx.last_change_seq()?,
                tx.quarantined()?,
            ))
        })?;
        let Some(spec) = spec else { return Ok(Vec::new()) };
        let mut problems = Vec::new();
        if pushed > high {
            problems.push(format!("the sync log says change {pushed} was sent, but the local log ends at {high}"));
        }
        for (file, reason, since) in quarantined {
            problems.push(format!("{file} on the shared storage is quarantined since {since}: {reason}"));
        }
        let key = match key.map(|k| decode_key(&k)).transpose() {
            Ok(k) => k,
            Err(e) => {
                problems.push(format!("the stored workspace key is unusable: {e}"));
                return Ok(problems);
            }
        };
        let r = match Remote::open(&spec) {
            Ok(r) => r,
            Err(e) => {
                problems.push(format!("the shared storage {spec} cannot be opened: {e}"));
                return Ok(problems);
            }
        };
        // Compaction removes the segments a snapshot covers: a log may start after segment 1.
        let snapshots = !r.list("snap")?.0.is_empty();
        for (device, seq, hash) in cursors {
            let mut prev = String::new();
            let mut whole = true;
            let first = if snapshots {
                let (files, _) = r.list(&format!("log/{device}"))?;
                files.iter().filter_map(|f| segment::parse_path(f)).map(|(_, s)| s).min().unwrap_or(1)
            } else {
                1
            };
            for s in first.min(seq.max(1))..=seq {
                let path = segment::path(&device, s);
                let got = r.get(&path);
                if s == first && first > 1 {
                    if let Ok(Some(bytes)) = &got {
                        prev = segment::prev_of(bytes).unwrap_or_default();
                    }
                }
                match got {
                    Ok(Some(bytes)) => match segment::decode(&bytes, &device, s, &prev, key.as_ref()) {
                        Ok(seg) => prev = seg.hash,
                        Err(reason) => {
                            problems.push(format!("{spec}/{path}: {reason}"));
                            whole = false;
                            break;
                        }
                    },
                    Ok(None) => {
                        problems.push(format!(
                            "{spec}/{path} is missing, although this workspace has read that device's log up to segment {seq}"
                        ));
                        whole = false;
                        break;
                    }
                    Err(e) => {
                        problems.push(format!("{spec}/{path} cannot be read: {e}"));
                        whole = false;
                        break;
                    }
                }
            }
            if whole && prev != hash {
                problems.push(format!(
                    "{spec}/{}: not the segment this workspace read there (the storage was rewritten or restored)",
                    segment::path(&device, seq)
                ));
            }
        }
        Ok(problems)
    }

    /// The whole change log in clock order (what a full replay folds).
    pub fn change_log(&mut self) -> Result<Vec<ChangeRow>> {
        self.store.read(|tx| tx.all_changes_by_hlc())
    }
}

fn cursor_pushed(ws: &mut Workspace) -> Result<i64> {
    ws.store.read(|tx| Ok(tx.meta("sync_pushed_seq")?.and_then(|s| s.parse().ok()).unwrap_or(0)))
}

fn normalize_spec(spec: &str) -> Result<String> {
    let s = spec.trim();
    if s.is_empty() {
        return Err(Error::invalid("give a folder or s3://bucket/prefix to share through"));
    }
    if s.starts_with("s3://") {
        return Ok(s.trim_end_matches('/').to_string());
    }
    if s.contains("://") && !s.starts_with("file://") {
        return Err(Error::invalid(format!("'{s}': sync works through a folder or s3://bucket/prefix")));
    }
    let p = std::path::Path::new(s.strip_prefix("file://").unwrap_or(s));
    std::fs::create_dir_all(p).map_err(|e| Error::io(p, e))?;
    let abs = p.canonicalize().map_err(|e| Error::io(p, e))?;
    Ok(abs.to_string_lossy().into_owned())
}

/// Writes the merged state of the entities whose merge state changed; returns the items that changed.
pub(crate) fn materialise(
    tx: &Tx,
    device: &str,
    dirty_items: &BTreeSet<String>,
    dirty_people: &BTreeSet<String>,
    body_dirty: &BTreeSet<String>,
) -> Result<BTreeSet<String>> {
    let mut merged = BTreeSet::new();
    for id in dirty_people {
        materialise_person(tx, id)?;
    }
    for id in dirty_items {
        let old = tx.item(id)?;
        let known_body = old.as_ref().filter(|_| !body_dirty.contains(id)).map(|o| o.body.clone());
        let Some((item, hlc, author)) = merge::merged_item(tx, id, device, known_body)? else { continue };
        ensure_person(tx, &item.author)?;
        ensure_person(tx, &author)?;
        if crate::write::save_merged(tx, old.as_ref(), &item, &hlc, &author)? {
            merged.insert(id.clone());
        }
    }
    Ok(merged)
}

/// A person whose ops have not arrived yet (an item by them came first) gets a placeholder row,
/// replaced by their create op.
fn ensure_person(tx: &Tx, id: &str) -> Result<()> {
    if id.is_empty() || tx.person(id)?.is_some() {
        return Ok(());
    }
    let short = &id[id.len().saturating_sub(6)..];
    tx.insert_person(&Person { id: id.into(), name: format!("Person {short}"), perspective: "unknown".into(), created: now_text() })?;
    // Merge state that marks it as known (not a person from before sync, to be published).
    let mark = crate::store::FieldWrite { hlc: String::new(), base: None, value: "true".into(), author: id.into() };
    tx.put_field_write(id, "@placeholder", &mark)?;
    Ok(())
}

/// Writes a person's merged state. Two people with the same name (both added themselves on
/// different machines) are told apart deterministically: the smaller id keeps the name, the
/// other gets a suffix from its id.
fn materialise_person(tx: &Tx, id: &str) -> Result<()> {
    let Some(mut p) = merge::merged_person(tx, id)? else { return Ok(()) };
    let suffixed = |p: &Person| format!("{} ({})", p.name, &p.id[p.id.len().saturating_sub(6)..]);
    for other in tx.people_named(&p.name)? {
        if other.id == p.id {
            continue;
        }
        if other.id < p.id {
            p.name = suffixed(&p);
        } else {
            let mut o = other.clone();
            o.name = suffixed(&o);
            tx.update_person(&o)?;
        }
    }
    match tx.person(id)? {
        Some(_) => tx.update_person(&p),
        None => tx.insert_person(&p),
    }
}

fn field_label(field: &str) -> String {
    match field {
        "deleted" => "whether it is deleted".into(),
        f if f.starts_with("position.") => format!("the {} position", &f["position.".len()..]),
        f => format!("the {}", f.replace('_', " ")),
    }
}

fn conflict_view(tx: &Tx, c: &ConflictRow) -> Result<Conflict> {
    let title = tx.title_of(&c.entity_id)?.map(|t| t.0).or(tx.person(&c.entity_id)?.map(|p| p.name)).unwrap_or_else(|| c.entity_id.clone());
    let name = |id: &str| -> Result<String> { Ok(tx.person(id)?.map(|p| p.name).unwrap_or_else(|| id.to_string())) };
    let (wa, la) = (name(&c.winner_author)?, name(&c.loser_author)?);
    let (wv, lv): (Value, Value) = (serde_json::from_str(&c.winner_value)?, serde_json::from_str(&c.loser_value)?);
    let show = |v: &Value| match v {
        Value::String(s) => format!("'{s}'"),
        Value::Null => "nothing".into(),
        v => v.to_string(),
    };
    let who = if wa == la { format!("{wa} (on two devices)") } else { format!("{la} and {wa}") };
    let text = format!(
        "{who} both changed {} of {title}: kept {} ({wa}, the later change), not {} ({la}) — the other value is in the history",
        field_label(&c.field),
        show(&wv),
        show(&lv)
    );
    Ok(Conflict {
        item: c.entity_id.clone(),
        title,
        field: c.field.clone(),
        winner: ConflictSide { value: wv, author: wa, hlc: c.winner_hlc.clone() },
        loser: ConflictSide { value: lv, author: la, hlc: c.loser_hlc.clone() },
        text,
    })
}
