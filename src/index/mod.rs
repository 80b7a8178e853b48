//! The search index: a tantivy index in `<workspace>/index/`, derived from the database and
//! rebuildable from it at any time. All tantivy code of Mellanrum lives in this module.
//!
//! How it stays right:
//! - Every save queues the item in the database (`index_queue`, same transaction as the save).
//! - Whoever holds `<workspace>/index.lock` applies the queue to the index in one commit whose
//!   payload records the last queue entry it holds (`flush`), then trims the queue up to it.
//!   A process that cannot take the lock does not wait and does not fail: the other one will.
//! - A search reads the queue entries after the committed payload, indexes those items in a
//!   small in-memory index (the overlay), leaves them out of the committed index and merges both
//!   results. So every save is searchable at once, in every process, committed or not.
//! - Opening checks the index against the database (schema, workspace, queue positions, count);
//!   a missing, stale or corrupt index is rebuilt in a fresh folder and swapped in.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fs4::fs_std::FileExt;
use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{Bm25StatisticsProvider, BooleanQuery, BoostQuery, EmptyQuery, Occur, Query as TQuery, TermQuery, TermSetQuery};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::{DocAddress, Index, IndexReader, IndexWriter, Searcher, TantivyDocument, Term};

use crate::error::{Error, Result};
use crate::model::Kind;
use crate::search::{Hit, IndexStatus, Query, Repair};
use crate::store::Store;

mod analysis;
mod documents;
mod open;
mod query;
pub(crate) mod snippets;

use analysis::*;
use documents::*;
use open::*;
use query::*;
use snippets::*;

/// The index folder inside a workspace folder.
pub const INDEX_DIR: &str = "index";
/// The lock that whoever changes the index holds (next to the folder, which a rebuild replaces).
const LOCK_FILE: &str = "index.lock";
/// Bump when the schema or the text analysis changes: older indexes are then rebuilt.
const FORMAT: u32 = 11;
const TOKENIZER: &str = "mellanrum";
const NAME_TOKENIZER: &str = "mellanrum_name";
/// How much the title weighs against the body.
const TITLE_BOOST: f32 = 4.0;
const TAGS_BOOST: f32 = 2.0;
/// Above this many queued saves a search first tries to commit them.
const OVERLAY_MAX: usize = 2000;
/// How long opening waits for another process that is rebuilding the index.
const REBUILD_WAIT: Duration = Duration::from_secs(120);
const SNIPPET_CHARS: usize = 160;
const RESOLUTION_CHARS: usize = 240;

/// The index state a workspace keeps while it is open.
#[derive(Default)]
pub(crate) struct Slot {
    handle: Option<Handle>,
    repair: Option<Repair>,
}

/// What every index operation works on: the index state kept between calls, the store the index
/// is derived from, and the workspace folder it lives in (`index/`, `index.lock`). The
/// `Workspace` lends these three (`Workspace::index_on`); the index never sees the rest of it.
pub(crate) struct On<'a> {
    pub index: &'a mut Slot,
    pub store: &'a mut Store,
    pub root: &'a Path,
}

struct Handle {
    index: Index,
    reader: IndexReader,
    f: Fields,
    /// `meta.json` as last read (modified time, length) and the queue position it recorded:
    /// while it is unchanged, nobody committed and the reader is current.
    seen: Option<(std::time::SystemTime, u64, i64)>,
    /// The overlay of queued items, kept while the queue does not change.
    overlay: Option<Overlay>,
}

struct Overlay {
    /// (committed seq it was built against, last queue seq it holds)
    key: (i64, i64),
    searcher: Searcher,
    ids: Vec<String>,
}

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    kind: Field,
    status: Field,
    tag: Field,
    author: Field,
    perspective: Field,
    date: Field,
    title: Field,
    tags: Field,
    text: Field,
    resolution: Field,
}

/// What a commit records about itself.
#[derive(Serialize, Deserialize)]
struct Payload {
    format: u32,
    workspace: String,
    seq: i64,
}

fn ierr(e: impl std::fmt::Display) -> Error {
    Error::Index(e.to_string())
}

// ---- locking --------------------------------------------------------------------------------

/// The exclusive right to change the index, across processes. Released on drop.
struct Lock(#[allow(dead_code)] File);

impl Lock {
    fn path(root: &Path) -> PathBuf {
        root.join(LOCK_FILE)
    }

    fn file(root: &Path) -> Result<File> {
        let p = Lock::path(root);
        std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(&p).map_err(|e| Error::io(p, e))
    }

    /// Takes the lock if nobody holds it.
    fn try_take(root: &Path) -> Result<Option<Lock>> {
        let f = Lock::file(root)?;
        match f.try_lock_exclusive() {
            Ok(true) => Ok(Some(Lock(f))),
            Ok(false) => Ok(None),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => Ok(None),
            Err(e) => Err(Error::io(Lock::path(root), e)),
        }
    }

    /// Waits up to `wait` for the lock.
    fn take(root: &Path, wait: Duration) -> Result<Option<Lock>> {
        let until = Instant::now() + wait;
        loop {
            if let Some(l) = Lock::try_take(root)? {
                return Ok(Some(l));
            }
            if Instant::now() >= until {
                return Ok(None);
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }
}

// ---- the public operations ------------------------------------------------------------------

pub(crate) fn open(on: &mut On<'_>) -> Result<Option<Repair>> {
    ensure(on)?;
    Ok(on.index.repair.take())
}

pub(crate) fn reindex(on: &mut On<'_>, mut progress: impl FnMut(u64, u64)) -> Result<u64> {
    let ident = workspace_ident(on)?;
    let Some(lock) = Lock::take(on.root, REBUILD_WAIT)? else {
        return Err(Error::Index(format!(
            "another Mellanrum process has held {} for {} s; try again when it is done",
            Lock::path(on.root).display(),
            REBUILD_WAIT.as_secs()
        )));
    };
    let dir = on.root.join(INDEX_DIR);
    // Rebuild in place when the index is sound (other processes keep searching the old one
    // until the commit); otherwise in a fresh folder.
    let n = match try_open(on, &dir, &ident).ok().or_else(|| on.index.handle.take()) {
        Some(h) if fields_of(&h.index.schema()).is_ok() && h.index.schema() == schema().0 => {
            let mut writer = bulk_writer(&h.index)?;
            let n = fill(on, &h.f, &mut writer, &ident, &mut progress)?;
            writer.wait_merging_threads().map_err(ierr)?;
            h.reader.reload().map_err(ierr)?;
            on.index.handle = Some(Handle { overlay: None, seen: None, ..h });
            n
        }
        _ => rebuild_fresh(on, &ident, &mut progress)?,
    };
    drop(lock);
    on.index.repair = None;
    Ok(n)
}

pub(crate) fn flush(on: &mut On<'_>) -> Result<usize> {
    ensure(on)?;
    let Some(_lock) = Lock::try_take(on.root)? else { return Ok(0) };
    let ident = workspace_ident(on)?;
    let Some(h) = on.index.handle.as_ref() else { return Ok(0) };
    let (index, f) = (h.index.clone(), h.f);
    let applied = payload_of(&index)?.map_or(0, |p| p.seq);
    let rows = on.store.read(|tx| tx.index_queue_after(applied))?;
    let Some(&(last, _)) = rows.last() else { return Ok(0) };
    let ids: Vec<String> = rows.iter().map(|(_, id)| id.clone()).collect::<BTreeSet<_>>().into_iter().collect();
    let mut writer: IndexWriter = index.writer_with_num_threads(1, 40_000_000).map_err(ierr)?;
    on.store.read(|tx| {
        for chunk in ids.chunks(2000) {
            for id in chunk {
                writer.delete_term(Term::from_field_text(f.id, id));
            }
            for d in tx.index_docs(chunk)? {
                writer.add_document(to_document(&f, &d)).map_err(ierr)?;
            }
        }
        Ok(())
    })?;
    commit(&mut writer, &ident, last)?;
    writer.wait_merging_threads().map_err(ierr)?;
    trim(on, last)?;
    if let Some(h) = on.index.handle.as_mut() {
        h.reader.reload().map_err(ierr)?;
        h.overlay = None;
        h.seen = None;
    }
    Ok(rows.len())
}

/// Compares the committed index with the database without changing either: every live item is
/// in it once with its current title, nothing else is, and its queue position fits the
/// database. Items queued after the last commit are left out (searches read them from the queue).
/// Returns the problems found, one line each; none when the index was never built.
pub(crate) fn verify(on: &mut On<'_>) -> Result<Vec<String>> {
    let Some(ident) = on.store.read(|tx| tx.meta("index_id"))? else { return Ok(Vec::new()) };
    let dir = on.root.join(INDEX_DIR);
    let h = match try_open(on, &dir, &ident) {
        Ok(h) => h,
        Err(p) => return Ok(vec![format!("the search index {}", p.reason())]),
    };
    let applied = payload_of(&h.index)?.map_or(0, |p| p.seq);
    let (pending, live) = on.store.read(|tx| {
        let pending: BTreeSet<String> = tx.index_queue_after(applied)?.into_iter().map(|(_, id)| id).collect();
        let live: BTreeMap<String, String> = tx.list_items(None, None, false)?.into_iter().map(|r| (r.id, r.title)).collect();
        Ok((pending, live))
    })?;
    let searcher = h.reader.searcher();
    let mut indexed: BTreeMap<String, (usize, String)> = BTreeMap::new();
    for (ord, seg) in searcher.segment_readers().iter().enumerate() {
        for doc in seg.doc_ids_alive() {
            let d: TantivyDocument = searcher.doc(DocAddress::new(ord as u32, doc)).map_err(ierr)?;
            let text = |field: Field| d.get_first(field).and_then(|v| v.as_str()).unwrap_or_default().to_string();
            let e = indexed.entry(text(h.f.id)).or_insert((0, text(h.f.title)));
            e.0 += 1;
        }
    }
    let mut problems = Vec::new();
    let mut listed = |what: &str, ids: Vec<String>| {
        if !ids.is_empty() {
            let more = if ids.len() > 5 { format!(" and {} more", ids.len() - 5) } else { String::new() };
            problems.push(format!("{} {what}: {}{more}", ids.len(), ids.iter().take(5).cloned().collect::<Vec<_>>().join(", ")));
        }
    };
    let settled = |id: &&String| !pending.contains(*id);
    listed(
        "items of the database are missing from the search index",
        live.keys().filter(settled).filter(|id| !indexed.contains_key(*id)).cloned().collect(),
    );
    listed(
        "entries of the search index are not live items of the database",
        indexed.keys().filter(settled).filter(|id| !live.contains_key(*id)).cloned().collect(),
    );
    listed(
        "items are in the search index more than once",
        indexed.iter().filter(|(id, e)| e.0 > 1 && settled(id)).map(|(id, _)| id.clone()).collect(),
    );
    listed(
        "items have another title in the search index than in the database",
        indexed.iter().filter(|(id, e)| settled(id) && live.get(*id).is_some_and(|t| *t != e.1)).map(|(id, _)| id.clone()).collect(),
    );
    Ok(problems)
}

pub(crate) fn status(on: &mut On<'_>) -> Result<IndexStatus> {
    ensure(on)?;
    let h = on.index.handle.as_ref().ok_or_else(|| Error::Index("not open".into()))?;
    h.reader.reload().map_err(ierr)?;
    let searcher = h.reader.searcher();
    let applied = payload_of(&h.index)?.map_or(0, |p| p.seq);
    let pending = on.store.read(|tx| tx.index_queue_count_after(applied))?;
    Ok(IndexStatus { docs: searcher.num_docs(), segments: searcher.segment_readers().len(), pending, applied_seq: applied })
}

/// The best `limit` hits of `q` and how many match in all; `snippets: false` leaves them out
/// (a list's filter wants only which items match).
pub(crate) fn search(on: &mut On<'_>, q: &Query, limit: usize, snippets: bool) -> Result<(usize, Vec<Hit>)> {
    search_with(on, &mut Ask { build: &mut |f, stats| build_query(f, q, stats), limit, snippets, explain: false })
}

/// One word of an item's text, for [`like`]: its index form and how much it counts in the
/// item's title and in the rest of its text.
#[derive(Debug, Clone)]
pub(crate) struct LikeWord {
    pub form: String,
    pub title_tf: f32,
    pub body_tf: f32,
}

/// Picks the words to search for: `(number of items, each word's document frequency)` →
/// `(index into the words, weight)`.
pub(crate) type Choose<'a> = dyn FnMut(u64, &[u64]) -> Vec<(usize, f32)> + 'a;

/// The words searched for, as index forms with their weights, and the hits.
pub(crate) type Likeness = (Vec<(String, f32)>, Vec<Hit>);

/// The items most like a text given as its words: `choose(docs, dfs)` gets the number of items
/// and, for each word, how many items hold it (in the title or the text, whichever more), and
/// returns the words to search for with their weights (as indices into `words`). Each word is
/// searched in the title (weighed `title_boost`) and the other text fields, and the scores add up.
/// Each hit says which of the words it holds (`Hit::matched`, by index form).
pub(crate) fn like(on: &mut On<'_>, words: &[LikeWord], title_boost: f32, choose: &mut Choose, limit: usize) -> Result<Likeness> {
    let mut chosen: Vec<(String, f32)> = Vec::new();
    let mut build = |f: &Fields, stats: &Stats| -> Result<Built> {
        let docs = stats.total_num_docs().map_err(ierr)?;
        let mut dfs = Vec::with_capacity(words.len());
        for w in words {
            let mut df = 0;
            for field in [f.title, f.text] {
                df = df.max(stats.doc_freq(&Term::from_field_text(field, &w.form)).map_err(ierr)?);
            }
            dfs.push(df);
        }
        chosen = choose(docs, &dfs).into_iter().filter_map(|(i, wt)| words.get(i).map(|w| (w.form.clone(), wt))).collect();
        let mut clauses: Vec<(Occur, Box<dyn TQuery>)> = Vec::new();
        let mut terms = BTreeSet::new();
        for (form, weight) in &chosen {
            for (field, boost) in text_fields(f) {
                let boost = if field == f.title { title_boost } else { boost.min(1.0) };
                let q = TermQuery::new(Term::from_field_text(field, form), IndexRecordOption::WithFreqs);
                clauses.push((Occur::Should, Box::new(BoostQuery::new(Box::new(q), weight * boost))));
            }
            terms.insert(form.clone());
        }
        let query: Box<dyn TQuery> = if clauses.is_empty() { Box::new(EmptyQuery) } else { Box::new(BooleanQuery::new(clauses)) };
        Ok(Built { query, terms })
    };
    let (_, hits) = search_with(on, &mut Ask { build: &mut build, limit, snippets: true, explain: true })?;
    Ok((chosen, hits))
}

/// What a search asks of the index: the query, built from the fields and their statistics; how
/// many hits; and whether with snippets and the words each hit holds.
struct Ask<'b> {
    build: &'b mut dyn FnMut(&Fields, &Stats) -> Result<Built>,
    limit: usize,
    snippets: bool,
    explain: bool,
}

fn search_with(on: &mut On<'_>, ask: &mut Ask<'_>) -> Result<(usize, Vec<Hit>)> {
    ensure(on)?;
    match search_once(on, ask) {
        Err(Error::Index(_)) => {}
        other => return other,
    }
    // The index changed under us: another process may have swapped in a rebuilt one. Open it
    // again (waiting for a rebuild in progress) and retry.
    on.index.handle = None;
    ensure(on)?;
    match search_once(on, ask) {
        Err(Error::Index(msg)) => {
            // Sound on opening, failing in use: rebuild once and answer from the new index.
            tracing::warn!("search index failed ({msg}); rebuilding it");
            let ident = workspace_ident(on)?;
            let Some(lock) = Lock::take(on.root, REBUILD_WAIT)? else { return Err(Error::Index(msg)) };
            let started = Instant::now();
            let items = rebuild_fresh(on, &ident, &mut |_, _| {})?;
            drop(lock);
            on.index.repair = Some(Repair { reason: format!("was corrupt ({msg})"), items, seconds: started.elapsed().as_secs_f64() });
            search_once(on, ask)
        }
        other => other,
    }
}

fn search_once(on: &mut On<'_>, ask: &mut Ask<'_>) -> Result<(usize, Vec<Hit>)> {
    let (limit, snippets, explain) = (ask.limit, ask.snippets, ask.explain);
    let build = &mut *ask.build;
    // Which queued saves the committed index lacks. Read the position before reloading, so the
    // searcher holds at least that; re-read when another process trimmed the queue meanwhile.
    let mut attempt = 0;
    let meta = on.root.join(INDEX_DIR).join("meta.json");
    let (searcher, applied, rows) = loop {
        let h = on.index.handle.as_mut().ok_or_else(|| Error::Index("not open".into()))?;
        let stamp = std::fs::metadata(&meta).and_then(|m| Ok((m.modified()?, m.len()))).map_err(ierr)?;
        let applied = match h.seen {
            Some((t, len, seq)) if (t, len) == stamp && attempt == 0 => seq,
            _ => {
                let seq = payload_of(&h.index)?.map_or(0, |p| p.seq);
                h.reader.reload().map_err(ierr)?;
                h.seen = Some((stamp.0, stamp.1, seq));
                seq
            }
        };
        let searcher = h.reader.searcher();
        let (rows, trimmed) = on
            .store
            .read(|tx| Ok((tx.index_queue_after(applied)?, tx.meta("index_trimmed")?.and_then(|s| s.parse::<i64>().ok()).unwrap_or(0))))?;
        if trimmed > applied && attempt < 5 {
            attempt += 1;
            continue;
        }
        if rows.len() > OVERLAY_MAX && attempt < 5 && flush(on)? > 0 {
            attempt += 1;
            continue;
        }
        break (searcher, applied, rows);
    };
    let f = on.index.handle.as_ref().map(|h| h.f).ok_or_else(|| Error::Index("not open".into()))?;

    // The overlay: queued items, indexed in memory, reused while the queue is unchanged.
    let key = (applied, rows.last().map_or(applied, |r| r.0));
    let overlay_ok = on.index.handle.as_ref().and_then(|h| h.overlay.as_ref()).is_some_and(|o| o.key == key);
    if !overlay_ok {
        let overlay = if rows.is_empty() {
            None
        } else {
            let ids: Vec<String> = rows.iter().map(|(_, id)| id.clone()).collect::<BTreeSet<_>>().into_iter().collect();
            let docs = on.store.read(|tx| tx.index_docs(&ids))?;
            Some(build_overlay(&f, key, ids, &docs)?)
        };
        if let Some(h) = on.index.handle.as_mut() {
            h.overlay = overlay;
        }
    }
    let h = on.index.handle.as_ref().ok_or_else(|| Error::Index("not open".into()))?;
    let overlay = h.overlay.as_ref().filter(|o| o.key == key);

    let stats = Stats { main: &searcher, overlay: overlay.map(|o| &o.searcher) };
    let built = build(&f, &stats)?;
    let want = limit.max(1);
    let collector = (TopDocs::with_limit(want).order_by_score(), Count);

    let main_query: Box<dyn TQuery> = match overlay {
        Some(o) => {
            let ids: Vec<Term> = o.ids.iter().map(|id| Term::from_field_text(f.id, id)).collect();
            Box::new(BooleanQuery::new(vec![(Occur::Must, built.query.box_clone()), (Occur::MustNot, Box::new(TermSetQuery::new(ids)))]))
        }
        None => built.query.box_clone(),
    };
    let (top, mut total) = collect(&searcher, main_query.as_ref(), &collector, &stats)?;
    let mut scored: Vec<(f32, bool, DocAddress)> = top.into_iter().map(|(s, a)| (s, false, a)).collect();
    if let Some(o) = overlay {
        let (top, n) = collect(&o.searcher, built.query.as_ref(), &collector, &stats)?;
        total += n;
        scored.extend(top.into_iter().map(|(s, a)| (s, true, a)));
    }
    scored.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal));
    scored.truncate(limit);

    // Where the query's terms are in each hit (text, resolution, and for a search by likeness
    // the title), read from the index of the searcher that found it.
    let fields: &[Field] = if explain { &[f.text, f.resolution, f.title] } else { &[f.text, f.resolution] };
    let mut at: Vec<Vec<Vec<(u32, u32)>>> = vec![Vec::new(); scored.len()];
    if snippets || explain {
        for in_overlay in [false, true] {
            let s = if in_overlay { overlay.map(|o| &o.searcher) } else { Some(&searcher) };
            let picked: Vec<usize> = (0..scored.len()).filter(|&i| scored[i].1 == in_overlay).collect();
            let (Some(s), false) = (s, picked.is_empty()) else { continue };
            let addrs: Vec<DocAddress> = picked.iter().map(|&i| scored[i].2).collect();
            for (i, p) in picked.into_iter().zip(places(s, &addrs, fields, &built.terms)?) {
                at[i] = p;
            }
        }
    }
    let mut hits = Vec::with_capacity(scored.len());
    for ((score, in_overlay, addr), at) in scored.into_iter().zip(at) {
        let s = if in_overlay { &overlay.expect("overlay hit").searcher } else { &searcher };
        let doc: TantivyDocument = s.doc(addr).map_err(ierr)?;
        let get = |field: Field| doc.get_first(field).and_then(|v| v.as_str()).unwrap_or("").to_string();
        let kind: Kind = get(f.kind).parse().map_err(|_| Error::Index(format!("unknown kind in the index: {}", get(f.kind))))?;
        let (title, text, resolution) = (get(f.title), get(f.text), get(f.resolution));
        let matched = if explain { held(&built.terms, &at) } else { Vec::new() };
        let snippet = if snippets { snippet(&text, &at[0], &resolution, &at[1]) } else { String::new() };
        hits.push(Hit { id: get(f.id), kind, title, score, snippet, matched });
    }
    Ok((total, hits))
}

/// Above this cost (tantivy's estimate of the work of a query's scorers: a phrase of two words
/// costs 20 per item holding both) a search reads its segments in two halves on two threads.
const PARALLEL_COST: u64 = 1_000_000;
/// A segment with fewer items is read whole by one thread.
const MIN_SPLIT_DOCS: u32 = 8_192;

/// The collector's result of `query` over a searcher, scored with `stats`: what
/// `search_with_statistics_provider` gives, but a costly query (a phrase of words that nearly
/// every item holds, whose positions must be compared in each) is read in two halves of its
/// documents, each on its own thread, and the halves' results merged. The hits and the count are
/// the same either way.
fn collect<C: tantivy::collector::Collector>(searcher: &Searcher, query: &dyn TQuery, collector: &C, stats: &Stats) -> Result<C::Fruit> {
    let two = std::thread::available_parallelism().is_ok_and(|n| n.get() >= 2);
    collect_split(searcher, query, collector, stats, if two { PARALLEL_COST } else { u64::MAX }, MIN_SPLIT_DOCS)
}

/// [`collect`] with its thresholds: a query costing `min_cost` or more is split, in segments
/// of `min_split` items or more.
fn collect_split<C: tantivy::collector::Collector>(
    searcher: &Searcher,
    query: &dyn TQuery,
    collector: &C,
    stats: &Stats,
    min_cost: u64,
    min_split: u32,
) -> Result<C::Fruit> {
    use tantivy::collector::SegmentCollector;
    use tantivy::query::{EnableScoring, Scorer};
    use tantivy::DocSet;

    let weight = query.weight(EnableScoring::enabled_from_statistics_provider(stats, searcher)).map_err(ierr)?;
    let readers = searcher.segment_readers();
    let mut scorers: Vec<Box<dyn Scorer>> = Vec::with_capacity(readers.len());
    for r in readers {
        scorers.push(weight.scorer(r, 1.0).map_err(ierr)?);
    }
    let cost: u64 = scorers.iter().map(|s| s.cost()).sum();
    // (segment, scorer, first doc, end) for each part of the work.
    type Part = (usize, Box<dyn Scorer>, u32, u32);
    let mut first: Vec<Part> = Vec::new();
    let mut second: Vec<Part> = Vec::new();
    let parallel = cost >= min_cost;
    for (ord, (r, s)) in readers.iter().zip(scorers).enumerate() {
        let max = r.max_doc();
        if parallel && max >= min_split {
            let mid = max / 2;
            first.push((ord, s, 0, mid));
            second.push((ord, weight.scorer(r, 1.0).map_err(ierr)?, mid, max));
        } else if parallel && first.len() > second.len() {
            second.push((ord, s, 0, max));
        } else {
            first.push((ord, s, 0, max));
        }
    }
    let run = |parts: Vec<Part>| -> Result<Vec<<C::Child as SegmentCollector>::Fruit>> {
        let mut fruits = Vec::with_capacity(parts.len());
        for (ord, mut scorer, start, end) in parts {
            let reader = &readers[ord];
            let mut child = collector.for_segment(ord as u32, reader).map_err(ierr)?;
            let alive = reader.alive_bitset();
            let mut doc = if scorer.doc() < start { scorer.seek(start) } else { scorer.doc() };
            while doc < end {
                if alive.is_none_or(|a| a.is_alive(doc)) {
                    child.collect(doc, scorer.score());
                }
                doc = scorer.advance();
            }
            fruits.push(child.harvest());
        }
        Ok(fruits)
    };
    let fruits = if second.is_empty() {
        run(first)?
    } else {
        std::thread::scope(|scope| -> Result<_> {
            let other = scope.spawn(|| run(second));
            let mut fruits = run(first)?;
            fruits.extend(other.join().map_err(|_| Error::Index("a search thread failed".into()))??);
            Ok(fruits)
        })?
    };
    collector.merge_fruits(fruits).map_err(ierr)
}

#[cfg(test)]
mod tests {
    use tantivy::query::PhraseQuery;

    use super::*;

    /// A search read in two halves on two threads gives tantivy's own hits, scores and count:
    /// a phrase, a word and a union, over two segments with a deleted item, many scores equal.
    #[test]
    fn a_search_split_over_two_threads_gives_the_same_hits_and_count() {
        let (schema, f) = schema();
        let index = Index::builder().schema(schema).tokenizers(tokenizers()).create_in_ram().unwrap();
        register(&index);
        let mut w: IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        let words = ["kund", "leverans", "kundens", "leveransen", "möte", "pris", "och", "sen"];
        let mut rng = 7u64;
        for i in 0..3000 {
            let mut text = String::new();
            for _ in 0..12 {
                rng = rng.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                text.push_str(words[(rng >> 33) as usize % words.len()]);
                text.push(' ');
            }
            let mut doc = TantivyDocument::new();
            doc.add_text(f.id, i.to_string());
            doc.add_text(f.text, &text);
            w.add_document(doc).unwrap();
            if i == 1999 {
                w.commit().unwrap();
            }
        }
        w.commit().unwrap();
        w.delete_term(Term::from_field_text(f.id, "5"));
        w.delete_term(Term::from_field_text(f.id, "2500"));
        w.commit().unwrap();
        let reader = index.reader().unwrap();
        let searcher = reader.searcher();
        assert_eq!(searcher.segment_readers().len(), 2);
        let stats = Stats { main: &searcher, overlay: None };
        let form = |w: &str| Term::from_field_text(f.text, &crate::search::word_forms(w).swap_remove(0));
        let term = |w: &str| -> Box<dyn TQuery> { Box::new(TermQuery::new(form(w), IndexRecordOption::WithFreqs)) };
        let queries: Vec<Box<dyn TQuery>> = vec![
            Box::new(PhraseQuery::new(vec![form("kundens"), form("leverans")])),
            term("möte"),
            Box::new(BooleanQuery::union(vec![term("pris"), Box::new(BoostQuery::new(term("sen"), 0.3))])),
        ];
        for q in &queries {
            for limit in [1, 10, 1000] {
                let collector = (TopDocs::with_limit(limit).order_by_score(), Count);
                let want = searcher.search_with_statistics_provider(q.as_ref(), &collector, &stats).unwrap();
                assert!(want.1 > 100 && want.1 < 2998, "{q:?} matches {}", want.1);
                for min_split in [1, 1000, 2500] {
                    assert_eq!(collect_split(&searcher, q.as_ref(), &collector, &stats, 0, min_split).unwrap(), want, "{q:?}");
                }
            }
        }
    }
}
