//! Compaction: snapshots of the merged state, progress files, and removing segments every active
//! device has passed.
//!
//! - `sync --compact` (and, automatically, a sync after this device wrote [`COMPACT_EVERY`]
//!   segments since its last snapshot) writes `snap/<device>/<hlc>.snap`: the whole merge state and
//!   the cursor vector it covers.
//! - Every sync that moved something publishes this device's cursors as a new
//!   `progress/<device>/<hlc>.json` (and removes its previous one).
//! - A device is **active** while the storage has a file of it (segment, progress, snapshot)
//!   modified within [`ACTIVE_DAYS`] days. Compaction removes segment `n` of device `d` only when
//!   the snapshot just written covers it and every active device's published progress for `d` is
//!   at least `n`. A device that comes back after longer finds the start of a log gone and starts
//!   again from the newest snapshot, as a new member does.

use std::collections::{BTreeMap, BTreeSet};

use base64::Engine;
use serde::Serialize;
use serde_json::{json, Value};

use super::remote::Remote;
use super::segment::Key;
use super::snapshot::{self, Progress, SnapHeader, Snapshot};
use super::{materialise, merge, Quarantined, SyncReport, B64};
use crate::error::{Error, Result};
use crate::hlc::Hlc;
use crate::store::{ChangeRow, ConflictRow, DotRow, FieldWrite, Tx};
use crate::workspace::{now_text, Workspace};

/// A device whose newest file on the storage is older than this many days is not active: its
/// progress no longer holds segments back (it catches up from a snapshot when it returns).
/// The default of [`Settings::active_days`].
pub const ACTIVE_DAYS: i64 = 30;

/// A sync compacts by itself once this device has written this many segments since its last
/// snapshot. The default of [`Settings::every`].
pub const COMPACT_EVERY: i64 = 500;

/// When this device compacts, and how long a silent device still holds segments back: kept per
/// workspace (`mellanrum remote compaction`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Settings {
    /// Compact after this many segments of this device since its last snapshot.
    pub every: i64,
    /// A device silent for longer than this many days is not waited for.
    pub active_days: i64,
}

impl Workspace {
    /// The compaction settings of this workspace (the defaults unless changed).
    pub fn compaction(&mut self) -> Result<Settings> {
        self.store.read(|tx| {
            let get = |k: &str, d: i64| -> Result<i64> { Ok(tx.meta(k)?.and_then(|v| v.parse().ok()).unwrap_or(d)) };
            Ok(Settings { every: get("sync_compact_every", COMPACT_EVERY)?, active_days: get("sync_active_days", ACTIVE_DAYS)? })
        })
    }

    /// Changes what is given: `every` from 1 to 1,000,000 segments, `active_days` from 1 to 3,650.
    pub fn set_compaction(&mut self, every: Option<i64>, active_days: Option<i64>) -> Result<Settings> {
        if let Some(n) = every.filter(|n| !(1..=1_000_000).contains(n)) {
            return Err(Error::invalid(format!("--every {n}: give a number of segments from 1 to 1000000")));
        }
        if let Some(n) = active_days.filter(|n| !(1..=3650).contains(n)) {
            return Err(Error::invalid(format!("--active-days {n}: give a number of days from 1 to 3650")));
        }
        self.store.write(|tx| {
            if let Some(n) = every {
                tx.set_meta("sync_compact_every", &n.to_string())?;
            }
            if let Some(n) = active_days {
                tx.set_meta("sync_active_days", &n.to_string())?;
            }
            Ok(())
        })?;
        self.compaction()
    }
}

/// What a compaction did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CompactReport {
    /// The snapshot written.
    pub snapshot: String,
    /// Records in it (register writes, set dots, body documents, conflicts, held ops).
    pub records: usize,
    /// Segments removed from the storage (every active device had passed them).
    pub removed: Vec<String>,
    /// Why segments the snapshot covers were kept: a device that has not read them yet.
    pub kept: Vec<String>,
    pub active_devices: Vec<String>,
    pub inactive_devices: Vec<String>,
}

enum Record {
    Field(String, String, FieldWrite),
    Dot(DotRow),
    Body(String, Vec<u8>),
    Conflict(ConflictRow),
    Held(ChangeRow),
}

fn s(v: &Value, i: usize) -> std::result::Result<String, String> {
    v.get(i).and_then(Value::as_str).map(str::to_string).ok_or_else(|| format!("record field {i} is not text"))
}

/// A record whose fields are a row's, in the row's order.
fn row<T: serde::de::DeserializeOwned>(v: &Value, what: &str) -> std::result::Result<T, String> {
    T::deserialize(v).map_err(|e| format!("{what} record does not decode: {e}"))
}

fn parse_record(r: &Value, device: &str) -> std::result::Result<Record, String> {
    let obj = r.as_object().filter(|o| o.len() == 1).ok_or("a record is not a one-key object")?;
    let (tag, v) = obj.iter().next().ok_or("an empty record")?;
    Ok(match tag.as_str() {
        "f" => {
            let value = s(v, 4)?;
            serde_json::from_str::<Value>(&value).map_err(|e| format!("a register value is not JSON: {e}"))?;
            let base = v.get(3).and_then(Value::as_str).map(str::to_string);
            Record::Field(s(v, 0)?, s(v, 1)?, FieldWrite { hlc: s(v, 2)?, base, value, author: s(v, 5)? })
        }
        "d" => Record::Dot(row(v, "a dot")?),
        "c" => {
            let state = B64.decode(s(v, 1)?).map_err(|e| format!("a body document is not base64: {e}"))?;
            super::text::load(device, Some(&state)).map_err(|e| format!("a body document does not decode: {e}"))?;
            Record::Body(s(v, 0)?, state)
        }
        "x" => Record::Conflict(row(v, "a conflict")?),
        "h" => Record::Held(row(v, "a held change")?),
        other => return Err(format!("an unknown record '{other}'")),
    })
}

/// The whole merge state as snapshot records.
fn records(tx: &Tx) -> Result<Vec<Value>> {
    let mut out = Vec::new();
    for (e, f, w) in tx.all_field_writes()? {
        out.push(json!({"f": [e, f, w.hlc, w.base, w.value, w.author]}));
    }
    for d in tx.all_dots()? {
        out.push(json!({"d": [d.entity_id, d.set, d.elem, d.dot, d.removed]}));
    }
    for (id, st) in tx.all_crdt_states()? {
        out.push(json!({"c": [id, B64.encode(st)]}));
    }
    for c in tx.conflicts()? {
        out.push(json!({"x": [c.entity_id, c.field, c.winner_hlc, c.winner_value, c.winner_author, c.loser_hlc, c.loser_value, c.loser_author, c.detected]}));
    }
    for h in tx.held()? {
        out.push(json!({"h": [h.hlc, h.device, h.author, h.entity, h.entity_id, h.op, h.payload]}));
    }
    Ok(out)
}

impl Workspace {
    /// Joins a snapshot's merge state into this workspace and moves the cursors up to its vector.
    /// Fails (with the reason, nothing written) when a record does not decode.
    fn apply_snapshot(&mut self, snap: &Snapshot) -> Result<std::result::Result<BTreeSet<String>, String>> {
        let device = self.device.clone();
        let mut recs = Vec::with_capacity(snap.records.len());
        for r in &snap.records {
            match parse_record(r, &device) {
                Ok(x) => recs.push(x),
                Err(e) => return Ok(Err(e)),
            }
        }
        let vector = snap.header.vector.clone();
        self.store.write(|tx| {
            let now_ms = Hlc::now_ms();
            let mut items: BTreeSet<String> = BTreeSet::new();
            let mut people: BTreeSet<String> = BTreeSet::new();
            let mut bodies: BTreeSet<String> = BTreeSet::new();
            let mut newest: Option<Hlc> = None;
            let mut see = |h: &str| {
                if let Ok(h) = h.parse::<Hlc>() {
                    if h.millis <= now_ms + super::MAX_AHEAD_MS && newest.as_ref().is_none_or(|n| h > *n) {
                        newest = Some(h);
                    }
                }
            };
            let mut conflicts = Vec::new();
            // Conflicts among the snapshot's own writes come with it; only writes known here before
            // can disagree with it unseen.
            let known = tx.entities_with_fields()?;
            for r in recs {
                match r {
                    Record::Field(e, f, w) => {
                        see(&w.hlc);
                        match f.as_str() {
                            "name" => {
                                people.insert(e.clone());
                            }
                            "@placeholder" => {}
                            _ => {
                                items.insert(e.clone());
                            }
                        }
                        if tx.put_field_write(&e, &f, &w)? && known.contains(&e) && merge::is_register(&f) {
                            merge::detect_conflicts(tx, &e, &f, &w, &mut conflicts)?;
                        }
                    }
                    Record::Dot(d) => {
                        see(&d.dot);
                        tx.add_dot(&d.entity_id, &d.set, &d.elem, &d.dot)?;
                        if d.removed {
                            tx.remove_dot(&d.entity_id, &d.set, &d.elem, &d.dot)?;
                        }
                        items.insert(d.entity_id);
                    }
                    Record::Body(id, st) => {
                        let merged = match tx.crdt_state(&id)? {
                            None => st,
                            Some(mine) => {
                                let doc = super::text::load(&device, Some(&mine))?;
                                super::text::apply(&doc, &st)?;
                                super::text::state(&doc)
                            }
                        };
                        tx.set_crdt_state(&id, &merged)?;
                        bodies.insert(id.clone());
                        items.insert(id);
                    }
                    Record::Conflict(c) => {
                        tx.insert_conflict(&c)?;
                    }
                    Record::Held(op) => tx.hold_change(&op, "its clock is more than 6 hours ahead of this device's")?,
                }
            }
            if let Some(h) = newest {
                let last = tx.meta("hlc")?.map(|s| s.parse::<Hlc>()).transpose()?;
                tx.set_meta("hlc", &Hlc::observe(last.as_ref(), &h, now_ms, &device).to_string())?;
            }
            for p in &people {
                items.remove(p);
            }
            let merged = materialise(tx, &device, &items, &people, &bodies)?;
            for (d, (seq, hash)) in &vector {
                if *d != device && tx.cursor(d)?.is_none_or(|c| c.0 < *seq) {
                    tx.set_cursor(d, *seq, hash)?;
                }
            }
            Ok(Ok(merged))
        })
    }

    /// Before reading the logs: when this workspace has read no other device's log yet (a new
    /// member), or a log it needs starts after its cursor (removed by compaction while this device
    /// was away), starts from the newest valid snapshot.
    pub(crate) fn catch_up_from_snapshot(
        &mut self,
        r: &Remote,
        key: Option<&Key>,
        logs: &BTreeMap<String, BTreeSet<i64>>,
        report: &mut SyncReport,
    ) -> Result<()> {
        let (files, bad) = r.list("snap")?;
        report.warnings.extend(bad.into_iter().map(|e| format!("could not list an entry of the snapshots: {e}")));
        let mut snaps: Vec<(String, String, String)> = Vec::new();
        for f in files {
            match snapshot::parse_path(&f) {
                Some((d, h)) => snaps.push((h, d, f)),
                None => report.ignored.push(f),
            }
        }
        if snaps.is_empty() {
            return Ok(());
        }
        snaps.sort();
        let device = self.device.clone();
        let (cursors, fresh, known, known_vector) = self.store.read(|tx| {
            let c: BTreeMap<String, i64> = tx.cursors()?.into_iter().map(|c| (c.0, c.1)).collect();
            let v: BTreeMap<String, i64> = tx.meta("sync_snap_vector")?.and_then(|v| serde_json::from_str(&v).ok()).unwrap_or_default();
            Ok((c, !tx.has_remote_cursor(&device)?, tx.meta("sync_snap_name")?, v))
        })?;
        let gap = |vector: &BTreeMap<String, i64>| {
            vector.iter().any(|(d, seq)| {
                let cur = cursors.get(d).copied().unwrap_or(0);
                *d != device && *seq > cur && !logs.get(d).is_some_and(|s| s.contains(&(cur + 1)))
            })
        };
        let newest = &snaps.last().expect("not empty").2;
        if known.as_deref() == Some(newest.as_str()) && !fresh && !gap(&known_vector) {
            return Ok(());
        }
        let now = now_text();
        for (h, d, path) in snaps.iter().rev() {
            let Some(bytes) = r.get(path)? else { continue };
            let reason = match snapshot::decode(&bytes, d, h, key) {
                Ok(snap) => {
                    let vector: BTreeMap<String, i64> = snap.header.vector.iter().map(|(d, v)| (d.clone(), v.0)).collect();
                    let remember = |ws: &mut Workspace| {
                        ws.store.write(|tx| {
                            tx.set_meta("sync_snap_name", path)?;
                            tx.set_meta("sync_snap_vector", &serde_json::to_string(&vector)?)?;
                            tx.unquarantine(path)
                        })
                    };
                    if !fresh && !gap(&vector) {
                        return remember(self);
                    }
                    match self.apply_snapshot(&snap)? {
                        Ok(n) => {
                            remember(self)?;
                            report.snapshot = Some(path.clone());
                            report.received += snap.records.len();
                            report.merged.extend(n);
                            return Ok(());
                        }
                        Err(reason) => reason,
                    }
                }
                Err(reason) => reason,
            };
            self.store.write(|tx| tx.quarantine(path, &reason, &now))?;
            report.quarantined.push(Quarantined { file: path.clone(), reason });
        }
        Ok(())
    }

    /// Publishes this device's cursors as a new progress file and removes its previous one.
    pub(crate) fn publish_progress(&mut self, r: &Remote) -> Result<()> {
        let device = self.device.clone();
        let (cursors, prev, hlc) = self.store.write(|tx| {
            let c: BTreeMap<String, i64> = tx.cursors()?.into_iter().map(|c| (c.0, c.1)).collect();
            Ok((c, tx.meta("sync_progress_file")?, crate::workspace::next_hlc(tx, &device)?.to_string()))
        })?;
        let p = Progress { device: device.clone(), cursors, at: now_text() };
        let path = snapshot::progress_path(&device, &hlc);
        r.put_new(&path, serde_json::to_vec(&p)?)?;
        self.store.write(|tx| tx.set_meta("sync_progress_file", &path))?;
        if let Some(prev) = prev.filter(|p| *p != path) {
            r.delete(&prev)?;
        }
        Ok(())
    }

    // long: the compaction's steps in their order; apart they would hand a dozen values along.
    /// Writes a snapshot of the merged state and removes the segments every active device has passed.
    pub(crate) fn compact_now(&mut self, r: &Remote, key: Option<&Key>) -> Result<CompactReport> {
        let device = self.device.clone();
        let active_days = self.compaction()?.active_days;
        // The new snapshot's name must sort after every snapshot there (a device whose clock is
        // ahead may have written one): the clock observes their names first.
        let newest_there =
            r.list("snap")?.0.iter().filter_map(|f| snapshot::parse_path(f)).filter_map(|(_, h)| h.parse::<Hlc>().ok()).max();
        let (recs, vector, hlc) = self.store.write(|tx| {
            if let Some(h) = &newest_there {
                let last = tx.meta("hlc")?.map(|s| s.parse::<Hlc>()).transpose()?;
                tx.set_meta("hlc", &Hlc::observe(last.as_ref(), h, Hlc::now_ms(), &device).to_string())?;
            }
            let v: BTreeMap<String, (i64, String)> = tx.cursors()?.into_iter().map(|c| (c.0, (c.1, c.2))).collect();
            Ok((records(tx)?, v, crate::workspace::next_hlc(tx, &device)?.to_string()))
        })?;
        let header = SnapHeader { device: device.clone(), hlc: hlc.clone(), vector: vector.clone(), count: 0, nonce: None, at: now_text() };
        let bytes = snapshot::encode(&header, &recs, key)?;
        let path = snapshot::path(&device, &hlc);
        if !r.put_new(&path, bytes)? {
            return Err(Error::Sync(format!(
                "{path} exists already: another machine writes as this device (was this workspace folder copied?)"
            )));
        }
        let own_seq = vector.get(&device).map_or(0, |v| v.0);
        self.store.write(|tx| {
            tx.set_meta("sync_snap_own_seq", &own_seq.to_string())?;
            tx.set_meta("sync_snap_name", &path)?;
            let v: BTreeMap<&String, i64> = vector.iter().map(|(d, v)| (d, v.0)).collect();
            tx.set_meta("sync_snap_vector", &serde_json::to_string(&v)?)
        })?;
        self.publish_progress(r)?;
        let mut rep = CompactReport { snapshot: path.clone(), records: recs.len(), ..Default::default() };

        // Who is active, and how far each has read.
        let now_ms = chrono::Utc::now().timestamp_millis();
        let mut last_seen: BTreeMap<String, i64> = BTreeMap::new();
        let mut segments: BTreeMap<String, Vec<i64>> = BTreeMap::new();
        let mut newest_progress: BTreeMap<String, String> = BTreeMap::new();
        let mut own_snaps = Vec::new();
        for dir in ["log", "progress", "snap"] {
            let (files, _) = r.list_dated(dir)?;
            for (f, at) in files {
                let d = match dir {
                    "log" => super::segment::parse_path(&f).map(|(d, s)| {
                        segments.entry(d.clone()).or_default().push(s);
                        d
                    }),
                    "progress" => snapshot::parse_progress_path(&f).map(|(d, _)| {
                        let e = newest_progress.entry(d.clone()).or_default();
                        if f > *e {
                            *e = f.clone();
                        }
                        d
                    }),
                    _ => snapshot::parse_path(&f).map(|(d, _)| {
                        if d == device && f != path {
                            own_snaps.push(f.clone());
                        }
                        d
                    }),
                };
                if let Some(d) = d {
                    let e = last_seen.entry(d).or_insert(at);
                    *e = (*e).max(at);
                }
            }
        }
        let horizon = now_ms - active_days * 24 * 3600 * 1000;
        let mut progress: BTreeMap<String, BTreeMap<String, i64>> = BTreeMap::new();
        for (d, at) in &last_seen {
            if *at < horizon && *d != device {
                rep.inactive_devices.push(d.clone());
                continue;
            }
            rep.active_devices.push(d.clone());
            let p = if *d == device {
                vector.iter().map(|(d, v)| (d.clone(), v.0)).collect()
            } else {
                match newest_progress.get(d) {
                    Some(f) => r
                        .get(f)?
                        .and_then(|b| serde_json::from_slice::<Progress>(&b).ok())
                        .filter(|p| p.device == *d)
                        .map(|p| p.cursors)
                        .unwrap_or_default(),
                    None => BTreeMap::new(),
                }
            };
            progress.insert(d.clone(), p);
        }
        for (d, seqs) in &segments {
            let covered = vector.get(d).map_or(0, |v| v.0);
            let mut bound = covered;
            let mut holder = None;
            for (a, p) in &progress {
                if a == d {
                    continue;
                }
                let at = p.get(d).copied().unwrap_or(0);
                if at < bound {
                    bound = at;
                    holder = Some((a.clone(), at));
                }
            }
            for s in seqs.iter().filter(|s| **s <= bound) {
                let f = super::segment::path(d, *s);
                r.delete(&f)?;
                rep.removed.push(f);
            }
            if let Some((a, at)) = holder {
                if seqs.iter().any(|s| *s > bound && *s <= covered) {
                    rep.kept.push(format!(
                        "kept segments {}..={covered} of device {d}: device {a} has read its log only up to {at}",
                        bound + 1
                    ));
                }
            }
        }
        for f in own_snaps {
            r.delete(&f)?;
        }
        Ok(rep)
    }
}
