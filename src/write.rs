//! The one write path: an item and everything recorded with it.
//!
//! Every write of an item goes through a [`Writer`] — a local save ([`save`]), an import batch
//! (`import::Batcher`), the merged state of other devices' changes ([`save_merged`]) — so the
//! record is made by one piece of code:
//!
//! 1. the item (row, its kind's fields, tags, aliases, where it was imported from);
//! 2. a revision ([`history::record`]: what changed, the body as a backward delta);
//! 3. for a change made here, a change-log entry under a new hybrid logical clock, folded into the
//!    merge state (`sync::merge`); a merged change is in the log already;
//! 4. a search-index queue entry;
//! 5. when the writer finishes: the links of every written body, derived together
//!    ([`derive_links_many`]), links elsewhere re-resolved when names changed, and the frictions
//!    whose resolutions may have changed, for [`settle`].
//!
//! Rows of items with new ids (nothing refers to them yet) are held and inserted together, one
//! multi-row insert per table, before anything reads them. A [`Writer`] of one item and one of a
//! thousand run the same code.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::history;
use crate::hlc::Hlc;
use crate::links::{self, LinkRef};
use crate::model::{self, Item, Kind, Link, Person, Rel};
use crate::store::{AttachmentRow, ChangeInsert, FieldWrite, Packed, RevisionInsert, Tx};
use crate::sync::merge;

/// A batch with at least this many body states and change-log entries packs them on a thread of
/// its own (one save packs in line: a thread costs more than packing one note).
const PACK_BESIDE_FROM: usize = 64;

/// The largest body a single item may have.
pub const MAX_BODY: usize = 16 * 1024 * 1024;

/// Records a file added to the workspace — its bytes already in the file store
/// (`crate::attach`) — attributed to the context's person. A file already recorded at the same
/// path with the same content keeps its row, which is returned (and false: nothing was written).
pub(crate) fn record_attachment(tx: &Tx, ctx: &Ctx, path: &str, hash: &str, size: u64, media_type: &str) -> Result<(AttachmentRow, bool)> {
    if let Some(row) = tx.attachment_at(path, hash)? {
        return Ok((row, false));
    }
    let row = AttachmentRow {
        id: uuid::Uuid::now_v7().to_string(),
        path: path.to_string(),
        hash: hash.to_string(),
        size,
        media_type: media_type.to_string(),
        added_by: ctx.actor.id.clone(),
        added_at: ctx.now.clone(),
    };
    tx.insert_attachment(&row)?;
    Ok((row, true))
}

/// Records a file row that another device added (read from the shared storage and checked):
/// kept as it was written there. False when it is here already.
pub(crate) fn merge_attachment(tx: &Tx, row: &AttachmentRow) -> Result<bool> {
    if tx.attachment_at(&row.path, &row.hash)?.is_some() {
        return Ok(false);
    }
    tx.insert_attachment(row)
}

/// The context of one write: who, on which device, when.
pub(crate) struct Ctx {
    pub(crate) actor: Person,
    pub(crate) device: String,
    pub(crate) now: String,
}

/// What a save did besides the item itself, for the caller to tell the user.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SaveReport {
    pub id: String,
    /// Frictions whose status followed a resolution (e.g. marked resolved).
    pub frictions: Vec<(String, String)>,
    /// Other items that now share this item's title.
    pub same_title: Vec<String>,
    /// The saved item's `updated` after this save: a window that gets a copy of the item older
    /// than its own last save (a refresh that began before it) knows to leave what it shows.
    pub updated: String,
    /// Frictions whose resolutions may have changed, settled when the operation ends.
    #[serde(skip)]
    pub(crate) pending: BTreeSet<String>,
}

impl SaveReport {
    /// Asks the end of the operation to check that this friction follows its resolutions.
    pub(crate) fn recheck_friction(&mut self, id: &str) {
        self.pending.insert(id.to_string());
    }
}

/// Where a write comes from.
#[derive(Clone, Copy)]
pub(crate) enum Origin<'a> {
    /// A change made on this device (a save, an import): attributed to the context's person and
    /// logged for sync under a new clock. `op`: create, update, delete, restore.
    Local { ctx: &'a Ctx, op: &'static str },
    /// The merged state of other devices' changes, already in the change log and the merge state:
    /// attributed to the remote author of the op at `hlc`; what was valid where it was written is
    /// kept (a part that did not change is not written again).
    Merged { hlc: &'a str, author: &'a str },
}

/// How a [`Writer`] judges the links of the bodies it wrote.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum LinkRule {
    /// A newly written link that breaks its kind rule is an error (a save typed by hand).
    Refuse,
    /// It is kept unlinked with its problem recorded (an import warns of it; a merge keeps it).
    Record,
}

/// Rows of items not written yet, written together by [`Writer::flush`]. Kept between the batches
/// of an import: the next batch fills the room again instead of allocating it.
#[derive(Default)]
pub(crate) struct Rows {
    items: Vec<Item>,
    sources: Vec<(String, String, String)>,
    revisions: Vec<RevisionInsert>,
    changes: Vec<ChangeInsert>,
    fields: Vec<(String, String, FieldWrite)>,
    dots: Vec<(String, &'static str, String, String)>,
    crdt: Vec<(String, Vec<u8>)>,
    queue: Vec<String>,
    /// What a later write may match among the held items: ids, signal references, places.
    ids: HashSet<String>,
    refs: HashSet<String>,
    places: HashSet<(String, String)>,
}

impl Rows {
    fn clear(&mut self) {
        self.items.clear();
        self.sources.clear();
        self.revisions.clear();
        self.changes.clear();
        self.fields.clear();
        self.dots.clear();
        self.crdt.clear();
        self.queue.clear();
        self.ids.clear();
        self.refs.clear();
        self.places.clear();
    }
}

/// An item whose body was written: its links are derived when the writer finishes.
struct Written {
    item: Item,
    fresh: bool,
    /// `(rel, target key)` of the links it had: only a new link can break a rule.
    known: BTreeSet<(Rel, String)>,
}

/// What a [`Writer`] did when it finished.
pub(crate) struct Finished {
    /// The links derived for each written body, by item id.
    pub links: Vec<(String, Vec<Link>)>,
    /// Frictions whose resolutions may have changed.
    pub frictions: BTreeSet<String>,
}

/// Writes items and their record; see the module's documentation.
pub(crate) struct Writer<'r> {
    rows: &'r mut Rows,
    clock: Option<Hlc>,
    clock_moved: bool,
    written: Vec<Written>,
    keys: BTreeSet<String>,
    frictions: BTreeSet<String>,
}

impl<'r> Writer<'r> {
    pub(crate) fn new(tx: &Tx, rows: &'r mut Rows) -> Result<Writer<'r>> {
        rows.clear();
        let clock = tx.meta("hlc")?.map(|s| s.parse::<Hlc>()).transpose()?;
        Ok(Writer { rows, clock, clock_moved: false, written: Vec::new(), keys: BTreeSet::new(), frictions: BTreeSet::new() })
    }

    /// True when an item with this id, signal reference or imported place has rows held: they
    /// must be written ([`Writer::flush`]) before the store is asked about it.
    pub(crate) fn holds(&self, id: Option<&str>, signal_ref: Option<&str>, place: (&str, &str)) -> bool {
        id.is_some_and(|id| self.rows.ids.contains(&id.to_lowercase()))
            || signal_ref.is_some_and(|r| self.rows.refs.contains(r))
            || self.rows.places.contains(&(place.0.to_string(), place.1.to_string()))
    }

    /// Writes `new` over `old` (none: a new item) and its record. `fresh`: the id is new, known
    /// nowhere (no history, merge state or links): its rows are held and inserted together.
    /// `source`: where an imported item came from `(origin, path)`.
    pub(crate) fn write(
        &mut self,
        tx: &Tx,
        origin: Origin,
        old: Option<&Item>,
        new: Item,
        fresh: bool,
        source: Option<(&str, &str)>,
    ) -> Result<()> {
        let id = new.id.clone();
        let mut known = BTreeSet::new();
        if !fresh && old.is_some() {
            for l in tx.links_from(&id)? {
                if l.rel == Rel::Resolves {
                    self.frictions.extend(l.target_id.clone());
                }
                known.insert((l.rel, model::title_key(&l.target)));
            }
        }
        // The item.
        if fresh {
            self.rows.items.push(new.clone());
        } else if matches!(origin, Origin::Merged { .. }) {
            tx.put_item_over(old, &new)?;
        } else {
            tx.put_item(&new)?;
        }
        if let Some((o, p)) = source {
            if fresh {
                self.rows.sources.push((id.clone(), o.to_string(), p.to_string()));
            } else {
                tx.set_source(&id, o, p)?;
            }
            self.rows.places.insert((o.to_string(), p.to_string()));
        }
        let names_changed = old.is_none_or(|o| o.title != new.title || o.aliases != new.aliases || o.deleted != new.deleted);
        if names_changed {
            for it in old.into_iter().chain(std::iter::once(&new)) {
                self.keys.insert(model::title_key(&it.title));
                self.keys.extend(it.aliases.iter().map(|a| model::title_key(a)));
            }
        }
        if new.kind == Kind::Friction {
            self.frictions.insert(id.clone());
        }

        // The revision, and the change-log entry of a change made here.
        let (hlc, author, at, op) = match origin {
            Origin::Local { ctx, op } => {
                let h = Hlc::next(self.clock.as_ref(), Hlc::now_ms(), &ctx.device);
                self.clock = Some(h.clone());
                self.clock_moved = true;
                (h.to_string(), ctx.actor.id.clone(), ctx.now.clone(), op)
            }
            Origin::Merged { hlc, author } => (hlc.to_string(), author.to_string(), new.updated.clone(), "merge"),
        };
        let rev = if fresh { 1 } else { tx.next_rev(&id)? };
        if let Origin::Local { ctx, .. } = origin {
            let payload = if fresh {
                let o = merge::new_item_op(&ctx.device, &hlc, &author, &at, &new)?;
                self.rows.fields.extend(o.fields.into_iter().map(|(f, w)| (id.clone(), f, w)));
                self.rows.dots.extend(o.dots.into_iter().map(|(set, e)| (id.clone(), set, e, hlc.clone())));
                self.rows.crdt.extend(o.crdt.map(|s| (id.clone(), s)));
                o.payload
            } else {
                merge::record_local_item(tx, &ctx.device, &hlc, &author, &at, old, &new)?
            };
            self.rows.changes.push(ChangeInsert {
                hlc: hlc.clone(),
                device: ctx.device.clone(),
                author: author.clone(),
                entity: "item",
                entity_id: id.clone(),
                op,
                payload: payload.to_string(),
            });
        }
        let record = history::record(old, &new, rev);
        self.rows.revisions.push(RevisionInsert { item_id: id.clone(), rev, at, hlc, author, op, record });
        self.rows.queue.push(id.clone());
        self.rows.ids.insert(id);
        if let Some(r) = new.fields.get("ref") {
            self.rows.refs.insert(r.to_string());
        }
        if old.is_none_or(|o| o.body != new.body) {
            self.written.push(Written { item: new, fresh, known });
        }
        Ok(())
    }

    /// Writes the held rows.
    pub(crate) fn flush(&mut self, tx: &Tx) -> Result<()> {
        let r = &mut *self.rows;
        let (crdt, changes) = (&r.crdt, &r.changes);
        std::thread::scope(|s| -> Result<()> {
            // A large batch compresses its body states and change-log updates on a second thread
            // while its other rows are written: a fifth of an import's time, no longer on the way.
            let packing = (crdt.len() + changes.len() >= PACK_BESIDE_FROM).then(|| s.spawn(|| Packed::new(crdt, changes)));
            // Items first: the other rows refer to them.
            tx.insert_new_items(&r.items)?;
            tx.set_sources(&r.sources)?;
            tx.insert_revisions(&r.revisions)?;
            tx.put_field_writes(&r.fields)?;
            tx.add_dots(&r.dots)?;
            let packed = match packing {
                Some(h) => h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)),
                None => Packed::new(crdt, changes),
            };
            tx.set_crdt_states_packed(crdt, &packed.states)?;
            tx.append_changes_packed(changes, &packed.payloads)?;
            tx.queue_index_many(&r.queue)
        })?;
        r.clear();
        if self.clock_moved {
            if let Some(c) = &self.clock {
                tx.set_meta("hlc", &c.to_string())?;
            }
            self.clock_moved = false;
        }
        Ok(())
    }

    /// Writes what is held, then the links of every written body and the links elsewhere that
    /// may now resolve differently; queues the frictions whose search entries carry a changed
    /// resolution.
    pub(crate) fn finish(mut self, tx: &Tx, rule: LinkRule) -> Result<Finished> {
        self.flush(tx)?;
        let items: Vec<&Item> = self.written.iter().map(|w| &w.item).collect();
        let derived_all = derive_links_many(tx, &items)?;
        let mut new_links = Vec::new();
        let mut out = Vec::with_capacity(self.written.len());
        for (w, derived) in self.written.iter().zip(derived_all) {
            if rule == LinkRule::Refuse {
                if let Some(bad) = derived.iter().find(|l| l.problem.is_some() && !w.known.contains(&(l.rel, model::title_key(&l.target))))
                {
                    return Err(Error::BreaksLinkRule {
                        title: w.item.title.clone(),
                        line: bad.line,
                        rel: bad.rel,
                        target: bad.target.clone(),
                        problem: bad.problem.clone().unwrap_or_default(),
                    });
                }
            }
            if !w.fresh {
                tx.replace_links(&w.item.id, &[])?;
            }
            for l in derived.iter().filter(|l| l.rel == Rel::Resolves) {
                self.frictions.extend(l.target_id.clone());
            }
            new_links.extend(derived.iter().cloned());
            out.push((w.item.id.clone(), derived));
        }
        tx.insert_links(&new_links)?;

        // Links elsewhere (other items, earlier batches) that may now reach or lose a written
        // item. The links just derived were resolved against all of them already.
        let ids: HashSet<&str> = self.written.iter().map(|w| w.item.id.as_str()).collect();
        let keys: Vec<&str> = self.keys.iter().map(String::as_str).collect();
        let mut elsewhere = Vec::new();
        for chunk in keys.chunks(4096) {
            elsewhere.extend(tx.links_with_keys(chunk)?.into_iter().filter(|(_, l, _)| !ids.contains(l.source_id.as_str())));
        }
        let targets = Targets::load(tx, elsewhere.iter().map(|(_, l, _)| l.target.as_str()))?;
        for (rowid, l, kind) in elsewhere {
            let (target_id, problem) = targets.resolve(kind, l.rel, &l.target);
            if target_id != l.target_id || problem != l.problem {
                tx.set_link_target(rowid, target_id.as_deref(), problem.as_deref())?;
                if l.rel == Rel::Resolves {
                    self.frictions.extend(l.target_id.clone());
                    self.frictions.extend(target_id);
                }
            }
        }
        // A friction's search entry carries its resolutions' decision and rationale.
        let queued: Vec<String> = self.frictions.iter().filter(|f| !ids.contains(f.as_str())).cloned().collect();
        tx.queue_index_many(&queued)?;
        Ok(Finished { links: out, frictions: self.frictions })
    }
}

/// Saves one item made or changed here, inside the caller's transaction: the item and its
/// record, its links (a new link breaking its kind rule is refused), links elsewhere; the
/// frictions it may affect are settled when the operation ends ([`settle`]).
pub(crate) fn save(tx: &Tx, ctx: &Ctx, old: Option<&Item>, new: Item, op: &'static str, report: &mut SaveReport) -> Result<()> {
    model::check_fields(new.kind, &new.fields)?;
    if new.body.len() > MAX_BODY {
        return Err(Error::BodyTooLarge { title: new.title.clone(), size: new.body.len(), limit: MAX_BODY });
    }
    if new.id == report.id {
        report.updated = new.updated.clone();
    }
    let mut rows = Rows::default();
    let mut w = Writer::new(tx, &mut rows)?;
    w.write(tx, Origin::Local { ctx, op }, old, new, old.is_none(), None)?;
    report.pending.extend(w.finish(tx, LinkRule::Refuse)?.frictions);
    Ok(())
}

/// Writes the merged state of an item that changes from other devices produced: the same record
/// as a local save, but nothing is refused (a broken link rule is recorded on the link) and
/// nothing is logged as a local change. The revision is the remote author's, op "merge".
/// Returns false when the merged state equals the stored one.
pub(crate) fn save_merged(tx: &Tx, old: Option<&Item>, new: &Item, hlc: &str, author: &str) -> Result<bool> {
    if old == Some(new) {
        return Ok(false);
    }
    let mut rows = Rows::default();
    let mut w = Writer::new(tx, &mut rows)?;
    w.write(tx, Origin::Merged { hlc, author }, old, new.clone(), false, None)?;
    w.finish(tx, LinkRule::Record)?;
    Ok(true)
}

/// Ends an operation: frictions follow their resolutions (a friction's own save may queue more).
pub(crate) fn settle(tx: &Tx, ctx: &Ctx, report: &mut SaveReport) -> Result<()> {
    let mut seen = BTreeSet::new();
    while let Some(fid) = report.pending.pop_first() {
        if seen.insert(fid.clone()) {
            follow_resolutions(tx, ctx, &fid, report)?;
        }
    }
    Ok(())
}

/// Makes the frictions `ids` follow their resolutions, as [`settle`] does at the end of an
/// operation. Returns `(friction title, new status)`.
pub(crate) fn settle_frictions(tx: &Tx, ctx: &Ctx, ids: impl IntoIterator<Item = String>) -> Result<Vec<(String, String)>> {
    let mut report = SaveReport::default();
    report.pending.extend(ids);
    settle(tx, ctx, &mut report)?;
    Ok(report.frictions)
}

/// How a friction's resolutions stand: `(settled, held)` — a live resolution resolves it with no
/// consent round or a closed one (settled), or one's round is still open (held at `exploring`).
pub(crate) fn resolutions_of(tx: &Tx, friction_id: &str) -> Result<(bool, bool)> {
    let (mut settled, mut held) = (false, false);
    for l in tx.links_to(friction_id)?.iter().filter(|l| l.rel == Rel::Resolves) {
        match tx.round(&l.source_id)? {
            Some(r) if r.is_open() => held = true,
            _ => settled = true,
        }
    }
    Ok((settled, held))
}

/// The status a friction takes from its resolutions, when it must change: `resolved` once a
/// resolution resolves it (with its consent round, if any, closed); `exploring` while a round is
/// open or when its resolutions went away.
pub(crate) fn status_from_resolutions(tx: &Tx, friction_id: &str, status: &str) -> Result<Option<&'static str>> {
    let (settled, held) = resolutions_of(tx, friction_id)?;
    Ok(match (settled, held, status) {
        (true, _, s) if s != "resolved" => Some("resolved"),
        (false, true, "open" | "resolved" | "parked") => Some("exploring"),
        (false, false, "resolved") => Some("exploring"),
        _ => None,
    })
}

/// A friction with a live resolution resolving it is `resolved` (held at `exploring` while the
/// resolution's consent round is open); one whose resolutions went away goes back to `exploring`.
fn follow_resolutions(tx: &Tx, ctx: &Ctx, friction_id: &str, report: &mut SaveReport) -> Result<()> {
    let Some(f) = tx.item(friction_id)? else { return Ok(()) };
    if f.kind != Kind::Friction || f.deleted {
        return Ok(());
    }
    let status = f.fields.get("status").unwrap_or("open");
    let Some(target) = status_from_resolutions(tx, &f.id, status)? else { return Ok(()) };
    let mut new = f.clone();
    new.fields.values.insert("status".into(), target.into());
    new.updated = ctx.now.clone();
    report.frictions.push((f.title.clone(), target.to_string()));
    save(tx, ctx, Some(&f), new, "update", report)
}

/// The next hybrid logical clock of this device, stored.
pub(crate) fn next_hlc(tx: &Tx, device: &str) -> Result<Hlc> {
    let last = tx.meta("hlc")?.map(|s| s.parse::<Hlc>()).transpose()?;
    let h = Hlc::next(last.as_ref(), Hlc::now_ms(), device);
    tx.set_meta("hlc", &h.to_string())?;
    Ok(h)
}

/// The candidate a link takes: the oldest that satisfies the relation's kind rule; when none
/// does, no target and the rule the oldest breaks.
fn pick_target(cands: &[(String, Kind)], source_kind: Kind, rel: Rel) -> (Option<String>, Option<String>) {
    if cands.is_empty() {
        return (None, None);
    }
    if let Some((id, _)) = cands.iter().find(|(_, k)| rel.check(source_kind, *k).is_ok()) {
        return (Some(id.clone()), None);
    }
    (None, rel.check(source_kind, cands[0].1).err())
}

/// The candidate items of many link targets, read with two queries. A written target resolves to
/// an item by title first, then by alias, oldest first, preferring a candidate that satisfies the
/// relation's kind rule. A path-qualified target (`folder/Title`, as written in
/// `[[folder/Title]]`) matches a title or alias with that whole path first (a Logseq namespace
/// page, a vault note with a shared name), then `Title`.
pub(crate) struct Targets {
    titles: HashMap<String, Vec<(String, Kind)>>,
    aliases: HashMap<String, Vec<(String, Kind)>>,
}

impl Targets {
    pub(crate) fn load<'a>(tx: &Tx, targets: impl Iterator<Item = &'a str>) -> Result<Targets> {
        let mut keys: BTreeSet<String> = BTreeSet::new();
        for t in targets {
            let key = model::title_key(t);
            if let Some((_, leaf)) = key.rsplit_once('/') {
                keys.insert(leaf.to_string());
            }
            keys.insert(key);
        }
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        let group = |rows: Vec<(String, String, Kind)>| {
            let mut m: HashMap<String, Vec<(String, Kind)>> = HashMap::new();
            for (k, id, kind) in rows {
                m.entry(k).or_default().push((id, kind));
            }
            m
        };
        let mut titles = HashMap::new();
        let mut aliases = HashMap::new();
        // Chunks keep the JSON argument of each query small.
        for chunk in keys.chunks(4096) {
            titles.extend(group(tx.ids_by_title_keys(chunk)?));
            aliases.extend(group(tx.ids_by_alias_keys(chunk)?));
        }
        Ok(Targets { titles, aliases })
    }

    fn cands(&self, key: &str) -> &[(String, Kind)] {
        match self.titles.get(key) {
            Some(c) => c,
            None => self.aliases.get(key).map_or(&[], Vec::as_slice),
        }
    }

    /// `(target id, problem)` for a link of kind `rel` from an item of `source_kind` to `target`
    /// (given to [`Targets::load`]).
    pub(crate) fn resolve(&self, source_kind: Kind, rel: Rel, target: &str) -> (Option<String>, Option<String>) {
        let key = model::title_key(target);
        let mut cands = self.cands(&key);
        if let (true, Some((_, leaf))) = (cands.is_empty(), key.rsplit_once('/')) {
            cands = self.cands(leaf);
        }
        pick_target(cands, source_kind, rel)
    }
}

/// The links of items' bodies: every `[[link]]` `links::parse` finds, resolved (see [`Targets`]).
pub(crate) fn derive_links_many(tx: &Tx, items: &[&Item]) -> Result<Vec<Vec<Link>>> {
    let parsed: Vec<Vec<(LinkRef, String)>> = items
        .iter()
        .map(|i| {
            links::parse(&i.body)
                .into_iter()
                .map(|l| {
                    let t = l.full_target();
                    (l, t)
                })
                .collect()
        })
        .collect();
    let targets = Targets::load(tx, parsed.iter().flatten().flat_map(|(l, t)| std::iter::once(t.as_str()).chain(l.whole.as_deref())))?;
    Ok(items
        .iter()
        .zip(parsed)
        .map(|(item, refs)| {
            refs.into_iter()
                .map(|(mut l, mut target)| {
                    let mut resolved = targets.resolve(item.kind, l.rel, &target);
                    // A link naming a title that holds a `#` whole (`[[Bug #4]]`) goes to that
                    // title; otherwise `#` starts a heading.
                    if let Some(whole) = l.whole.take() {
                        let r = targets.resolve(item.kind, l.rel, &whole);
                        if r != (None, None) {
                            (resolved, target, l.heading) = (r, whole, None);
                        }
                    }
                    let (target_id, problem) = resolved;
                    Link {
                        source_id: item.id.clone(),
                        rel: l.rel,
                        target,
                        target_id,
                        heading: l.heading,
                        alias: l.alias,
                        embed: l.embed,
                        line: l.line,
                        problem,
                    }
                })
                .collect()
        })
        .collect())
}

/// The links of one item's body, as [`derive_links_many`] derives them.
pub(crate) fn derive_links(tx: &Tx, item: &Item) -> Result<Vec<Link>> {
    Ok(derive_links_many(tx, &[item])?.pop().unwrap_or_default())
}
