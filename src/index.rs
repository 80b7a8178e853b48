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
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fs4::fs_std::FileExt;
use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, TopDocs};
use tantivy::directory::RamDirectory;
use tantivy::query::{
    AllQuery, Bm25StatisticsProvider, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, Occur, PhraseQuery, Query as TQuery,
    RangeQuery, TermQuery, TermSetQuery,
};
use tantivy::query::{Scorer, Weight};
use tantivy::schema::{DateOptions, Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, STORED, STRING};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer, TokenizerManager};
use tantivy::{DateTime, DocAddress, Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, SegmentReader, TantivyDocument, Term};

use crate::error::{Error, Result};
use crate::model::{self, Kind};
use crate::search::{self, Atom, Clause, Filter, FormsCache, Hit, IndexStatus, Query, Repair};
use crate::store::IndexDoc;
use crate::workspace::Workspace;

/// The index folder inside a workspace folder.
pub const INDEX_DIR: &str = "index";
/// The lock that whoever changes the index holds (next to the folder, which a rebuild replaces).
const LOCK_FILE: &str = "index.lock";
/// Bump when the schema or the text analysis changes: older indexes are then rebuilt.
const FORMAT: u32 = 5;
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

// ---- schema and analysis --------------------------------------------------------------------

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = |tok: &str, stored: bool| {
        let o = TextOptions::default().set_indexing_options(
            TextFieldIndexing::default().set_tokenizer(tok).set_index_option(IndexRecordOption::WithFreqsAndPositions),
        );
        if stored {
            o.set_stored()
        } else {
            o
        }
    };
    let f = Fields {
        id: b.add_text_field("id", STRING | STORED),
        kind: b.add_text_field("kind", STRING | STORED),
        status: b.add_text_field("status", STRING),
        tag: b.add_text_field("tag", STRING),
        author: b.add_text_field("author", text(NAME_TOKENIZER, false)),
        perspective: b.add_text_field("perspective", text(NAME_TOKENIZER, false)),
        date: b.add_date_field("date", DateOptions::default().set_indexed().set_fast()),
        title: b.add_text_field("title", text(TOKENIZER, true)),
        tags: b.add_text_field("tags", text(TOKENIZER, false)),
        text: b.add_text_field("text", text(TOKENIZER, true)),
        resolution: b.add_text_field("resolution", text(TOKENIZER, true)),
    };
    (b.build(), f)
}

fn fields_of(schema: &Schema) -> Result<Fields> {
    let g = |n: &str| schema.get_field(n).map_err(ierr);
    Ok(Fields {
        id: g("id")?,
        kind: g("kind")?,
        status: g("status")?,
        tag: g("tag")?,
        author: g("author")?,
        perspective: g("perspective")?,
        date: g("date")?,
        title: g("title")?,
        tags: g("tags")?,
        text: g("text")?,
        resolution: g("resolution")?,
    })
}

/// Splits into words, lower-cases, and emits each word's forms (see [`search::word_forms`]) at
/// one position; for names, the lower-cased word without diacritics.
#[derive(Clone, Default)]
struct MellanrumTokenizer {
    names: bool,
}

thread_local! {
    /// Word forms by word, per thread: stemming twice per word is the costliest part of indexing
    /// and of making snippets, and words repeat a lot.
    static FORMS: std::cell::RefCell<FormsCache> = std::cell::RefCell::new(FormsCache::default());
}

struct MellanrumStream<'a> {
    text: &'a str,
    pos: usize,
    names: bool,
    token: Token,
    lower: String,
    /// The current word's forms, NUL-separated, and where the next one starts.
    forms: String,
    next_form: usize,
    started: bool,
    /// The end of the dotted or underscored identifier the current word is part of.
    ident_end: usize,
}

impl Tokenizer for MellanrumTokenizer {
    type TokenStream<'a> = MellanrumStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> MellanrumStream<'a> {
        MellanrumStream {
            text,
            pos: 0,
            names: self.names,
            token: Token::default(),
            lower: String::new(),
            forms: String::new(),
            next_form: 0,
            started: false,
            ident_end: 0,
        }
    }
}

impl MellanrumStream<'_> {
    fn emit_form(&mut self) {
        let rest = &self.forms[self.next_form..];
        let end = rest.find('\0').unwrap_or(rest.len());
        self.token.text.clear();
        self.token.text.push_str(&rest[..end]);
        self.next_form += end + 1;
    }
}

/// Adds to `forms` (NUL-separated) the forms of the identifier parts of the word `text[start..end]`
/// and, when the word starts a dotted or underscored identifier, that identifier whole (see
/// [`search::identifier_parts`] and [`search::identifier_end`]). Returns where the identifier
/// the word belongs to ends (`ident_end` when it starts none).
fn identifier_forms(forms: &mut String, cache: &mut FormsCache, text: &str, start: usize, end: usize, ident_end: usize) -> usize {
    // A word without capitals or digits has no parts, and starts an identifier only when a
    // separator follows it: most words of a text, checked without allocating.
    let plain = !text[start..end].chars().any(|c| c.is_uppercase() || c.is_numeric());
    if plain && (start < ident_end || !matches!(text.as_bytes().get(end), Some(b'.' | b'_' | b'-'))) {
        return ident_end;
    }
    let add = |forms: &mut String, f: &str| {
        if !forms.split('\0').any(|x| x == f) {
            forms.push('\0');
            forms.push_str(f);
        }
    };
    for part in search::identifier_parts(&text[start..end]) {
        for f in cache.get(&part).split('\0').map(str::to_string).collect::<Vec<_>>() {
            add(forms, &f);
        }
    }
    if start < ident_end {
        return ident_end;
    }
    match search::identifier_end(text, start) {
        Some(e) => {
            add(forms, &text[start..e].to_lowercase());
            e
        }
        None => ident_end,
    }
}

impl TokenStream for MellanrumStream<'_> {
    fn advance(&mut self) -> bool {
        if self.next_form < self.forms.len() {
            self.emit_form();
            return true;
        }
        // The next word: a run of letters and digits, at most MAX_WORD_BYTES long.
        loop {
            let rest = &self.text[self.pos..];
            let Some(start_rel) = rest.find(|c: char| c.is_alphanumeric()) else {
                self.pos = self.text.len();
                return false;
            };
            let start = self.pos + start_rel;
            let end = self.text[start..].find(|c: char| !c.is_alphanumeric()).map_or(self.text.len(), |e| start + e);
            self.pos = end;
            if end - start > search::MAX_WORD_BYTES {
                continue;
            }
            self.lower.clear();
            for c in self.text[start..end].chars() {
                self.lower.extend(c.to_lowercase());
            }
            self.forms.clear();
            if self.names {
                self.forms.push_str(&search::fold(&self.lower));
            } else {
                FORMS.with(|c| {
                    let mut cache = c.borrow_mut();
                    self.forms.push_str(cache.get(&self.lower));
                    self.ident_end = identifier_forms(&mut self.forms, &mut cache, self.text, start, end, self.ident_end);
                });
            }
            self.next_form = 0;
            self.token.offset_from = start;
            self.token.offset_to = end;
            self.token.position = if self.started { self.token.position.wrapping_add(1) } else { 0 };
            self.token.position_length = 1;
            self.started = true;
            self.emit_form();
            return true;
        }
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

fn tokenizers() -> TokenizerManager {
    let m = TokenizerManager::default();
    m.register(TOKENIZER, TextAnalyzer::from(MellanrumTokenizer::default()));
    m.register(NAME_TOKENIZER, TextAnalyzer::from(MellanrumTokenizer { names: true }));
    m
}

/// Registers the tokenizers; tantivy does not store them, so every create and open needs this.
fn register(index: &Index) {
    let m = tokenizers();
    for name in [TOKENIZER, NAME_TOKENIZER] {
        if let Some(t) = m.get(name) {
            index.tokenizers().register(name, t);
        }
    }
}

fn analyzer() -> TextAnalyzer {
    TextAnalyzer::from(MellanrumTokenizer::default())
}

// ---- documents ------------------------------------------------------------------------------

/// The text of an item's own fields that free text searches.
fn field_text(d: &IndexDoc) -> String {
    let g = |n: &str| d.fields.get(n).unwrap_or("");
    let parts: Vec<String> = match d.kind {
        Kind::Signal => vec![g("quote").into(), g("customer").into(), g("ref").into()],
        Kind::Friction => d.fields.positions.iter().map(|(p, pos)| format!("{p}: {pos}")).collect(),
        Kind::Resolution => vec![g("decision").into(), g("rationale").into(), g("agreed_by").into(), g("retires").into()],
        Kind::Goal => vec![g("horizon").into(), g("owner").into()],
        Kind::Meeting => vec![g("attendees").into(), g("location").into()],
        Kind::Note | Kind::Insight => Vec::new(),
    };
    parts.into_iter().filter(|p| !p.trim().is_empty()).collect::<Vec<_>>().join("\n")
}

/// A time in seconds as tantivy keeps it (nanoseconds in an i64: years 1678–2262); one beyond that
/// range (`after:2424-01-01`, a date typed in a field) is held at its end instead of overflowing.
fn date_secs(secs: i64) -> DateTime {
    const LIMIT: i64 = i64::MAX / 1_000_000_000;
    DateTime::from_timestamp_secs(secs.clamp(-LIMIT, LIMIT))
}

/// The date `after:` and `before:` compare: the item's own date, or when it was created.
fn item_date(d: &IndexDoc) -> Option<DateTime> {
    let own = match d.kind {
        Kind::Signal => d.fields.get("date"),
        Kind::Resolution => d.fields.get("decided_on"),
        Kind::Meeting => d.fields.get("start"),
        _ => None,
    };
    own.and_then(|s| model::parse_datetime(s).or_else(|| model::parse_date(s).and_then(|d| d.and_hms_opt(0, 0, 0)).map(|d| d.and_utc())))
        .or_else(|| model::parse_datetime(&d.created))
        .map(|t| date_secs(t.timestamp()))
}

fn resolution_text(d: &IndexDoc) -> String {
    d.resolutions
        .iter()
        .map(|r| {
            let mut s = format!("{}:", r.title);
            for part in [&r.decision, &r.rationale].into_iter().flatten() {
                s.push(' ');
                s.push_str(part.trim());
            }
            s
        })
        .collect::<Vec<_>>()
        .join(" | ")
}

fn to_document(f: &Fields, d: &IndexDoc) -> TantivyDocument {
    let mut doc = TantivyDocument::new();
    doc.add_text(f.id, &d.id);
    doc.add_text(f.kind, d.kind.as_str());
    if let Some(s) = d.fields.get("status") {
        doc.add_text(f.status, s);
    }
    let mut tags: BTreeSet<&str> = BTreeSet::new();
    for t in &d.tags {
        // `tag:team` finds `team/sales` too.
        for (i, c) in t.char_indices() {
            if c == '/' && i > 0 {
                tags.insert(&t[..i]);
            }
        }
        tags.insert(t);
    }
    for t in tags {
        doc.add_text(f.tag, t);
    }
    doc.add_text(f.tags, d.tags.join(" "));
    doc.add_text(f.author, &d.author);
    doc.add_text(f.perspective, &d.perspective);
    for p in d.fields.positions.keys() {
        doc.add_text(f.perspective, p);
    }
    if let Some(date) = item_date(d) {
        doc.add_date(f.date, date);
    }
    doc.add_text(f.title, &d.title);
    for a in &d.aliases {
        doc.add_text(f.title, a);
    }
    let own = field_text(d);
    let text = if own.is_empty() {
        d.body.clone()
    } else if d.body.is_empty() {
        own
    } else {
        format!("{own}\n\n{}", d.body)
    };
    doc.add_text(f.text, text);
    if !d.resolutions.is_empty() {
        doc.add_text(f.resolution, resolution_text(d));
    }
    doc
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

// ---- opening and repairing ------------------------------------------------------------------

/// The workspace's index identity (an index from elsewhere is not trusted), made on first use.
fn workspace_ident(ws: &mut Workspace) -> Result<String> {
    Ok(ident_and_first(ws)?.0)
}

/// The identity, and whether this is the first time an index is made for this workspace.
fn ident_and_first(ws: &mut Workspace) -> Result<(String, bool)> {
    if let Some(id) = ws.store.read(|tx| tx.meta("index_id"))? {
        return Ok((id, false));
    }
    ws.store.write(|tx| match tx.meta("index_id")? {
        Some(id) => Ok((id, false)),
        None => {
            let id = crate::workspace::new_id();
            tx.set_meta("index_id", &id)?;
            Ok((id, true))
        }
    })
}

fn payload_of(index: &Index) -> Result<Option<Payload>> {
    let metas = index.load_metas().map_err(ierr)?;
    Ok(metas.payload.as_deref().and_then(|p| serde_json::from_str(p).ok()))
}

/// Why an index cannot be used as it is.
enum Problem {
    Missing,
    Other(String),
}

impl Problem {
    fn reason(&self) -> String {
        match self {
            Problem::Missing => "was missing".into(),
            Problem::Other(s) => s.clone(),
        }
    }
}

/// Opens the index in `dir` and checks it against the database.
fn try_open(ws: &mut Workspace, dir: &Path, ident: &str) -> std::result::Result<Handle, Problem> {
    if !dir.join("meta.json").is_file() {
        return Err(Problem::Missing);
    }
    let corrupt = |e: &dyn std::fmt::Display| Problem::Other(format!("was corrupt ({e})"));
    let index = Index::open_in_dir(dir).map_err(|e| corrupt(&e))?;
    register(&index);
    let (expected, _) = schema();
    if index.schema() != expected {
        return Err(Problem::Other("was made by another version of Mellanrum".into()));
    }
    let f = fields_of(&index.schema()).map_err(|e| corrupt(&e))?;
    let payload = match payload_of(&index).map_err(|e| corrupt(&e))? {
        Some(p) => p,
        None => return Err(Problem::Other("was never completed".into())),
    };
    if payload.format != FORMAT {
        return Err(Problem::Other("was made by another version of Mellanrum".into()));
    }
    if payload.workspace != ident {
        return Err(Problem::Other("belongs to another workspace".into()));
    }
    let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into().map_err(|e| corrupt(&e))?;
    let searcher = reader.searcher();
    // Read something from every segment: a damaged file shows here rather than in a search.
    for (ord, seg) in searcher.segment_readers().iter().enumerate() {
        if seg.max_doc() > 0 {
            searcher.doc::<TantivyDocument>(DocAddress::new(ord as u32, 0)).map_err(|e| corrupt(&e))?;
        }
    }
    searcher.search(&AllQuery, &Count).map_err(|e| corrupt(&e))?;
    let (high, trimmed, pending, live) = ws
        .store
        .read(|tx| {
            Ok((
                tx.index_queue_high()?,
                tx.meta("index_trimmed")?.and_then(|s| s.parse::<i64>().ok()).unwrap_or(0),
                tx.index_queue_count_after(payload.seq)?,
                tx.live_item_count()?,
            ))
        })
        .map_err(|e| Problem::Other(format!("could not be checked ({e})")))?;
    if payload.seq > high {
        return Err(Problem::Other("was ahead of the database (was the database restored from a backup?)".into()));
    }
    if payload.seq < trimmed {
        return Err(Problem::Other("was stale (older than the database)".into()));
    }
    if pending == 0 && searcher.num_docs() != live {
        return Err(Problem::Other(format!("was stale ({} items indexed, {} in the database)", searcher.num_docs(), live)));
    }
    Ok(Handle { index, reader, f, seen: None, overlay: None })
}

/// Makes sure the workspace has an open, sound index.
fn ensure(ws: &mut Workspace) -> Result<()> {
    if ws.index.handle.is_some() {
        return Ok(());
    }
    let dir = ws.root.join(INDEX_DIR);
    let (ident, first) = ident_and_first(ws)?;
    let problem = match try_open(ws, &dir, &ident) {
        Ok(h) => {
            ws.index.handle = Some(h);
            return Ok(());
        }
        Err(p) => p,
    };
    // Rebuild under the lock; another process may be doing just that, so wait for it.
    let Some(lock) = Lock::take(&ws.root, REBUILD_WAIT)? else {
        return Err(Error::Index(format!(
            "the index {} and another Mellanrum process has held {} for {} s",
            problem.reason(),
            Lock::path(&ws.root).display(),
            REBUILD_WAIT.as_secs()
        )));
    };
    if let Ok(h) = try_open(ws, &dir, &ident) {
        ws.index.handle = Some(h);
        return Ok(());
    }
    let started = Instant::now();
    let items = rebuild_fresh(ws, &ident, &mut |_, _| {})?;
    drop(lock);
    // The first index of a workspace is not a repair.
    if !(first && matches!(problem, Problem::Missing)) {
        let repair = Repair { reason: problem.reason(), items, seconds: started.elapsed().as_secs_f64() };
        tracing::warn!("{repair}");
        ws.index.repair = Some(repair);
    }
    Ok(())
}

/// Builds a new index in a fresh folder from the database, swaps it in and opens it.
/// The caller holds the lock.
fn rebuild_fresh(ws: &mut Workspace, ident: &str, progress: &mut dyn FnMut(u64, u64)) -> Result<u64> {
    ws.index.handle = None;
    let dir = ws.root.join(INDEX_DIR);
    let fresh = ws.root.join(format!("{INDEX_DIR}.new"));
    let old = ws.root.join(format!("{INDEX_DIR}.old"));
    for d in [&fresh, &old] {
        remove(d)?;
    }
    std::fs::create_dir_all(&fresh).map_err(|e| Error::io(&fresh, e))?;
    let (schema, f) = schema();
    let index = Index::builder().schema(schema).tokenizers(tokenizers()).create_in_dir(&fresh).map_err(ierr)?;
    register(&index);
    let mut writer = bulk_writer(&index)?;
    let n = fill(ws, &f, &mut writer, ident, progress)?;
    drop(index);
    if std::fs::symlink_metadata(&dir).is_ok() {
        std::fs::rename(&dir, &old).map_err(|e| Error::io(&dir, e))?;
    }
    std::fs::rename(&fresh, &dir).map_err(|e| Error::io(&fresh, e))?;
    let _ = remove(&old);
    match try_open(ws, &dir, ident) {
        Ok(h) => ws.index.handle = Some(h),
        Err(p) => return Err(Error::Index(format!("the rebuilt index {}", p.reason()))),
    }
    Ok(n)
}

/// Removes a folder or a file, if there is one.
fn remove(p: &Path) -> Result<()> {
    let r = match std::fs::symlink_metadata(p) {
        Ok(m) if m.is_dir() => std::fs::remove_dir_all(p),
        Ok(_) => std::fs::remove_file(p),
        Err(_) => return Ok(()),
    };
    r.map_err(|e| Error::io(p, e))
}

fn bulk_writer(index: &Index) -> Result<IndexWriter> {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, 4);
    index.writer_with_num_threads(threads, 64_000_000 * threads).map_err(ierr)
}

/// Adds every live item to an emptied writer, commits with the queue position the snapshot
/// holds, merges to one segment, and trims the queue.
fn fill(ws: &mut Workspace, f: &Fields, writer: &mut IndexWriter, ident: &str, progress: &mut dyn FnMut(u64, u64)) -> Result<u64> {
    writer.delete_all_documents().map_err(ierr)?;
    let (seq, n) = ws.store.read(|tx| {
        let seq = tx.index_queue_high()?;
        let total = tx.live_item_count()?;
        let mut done = 0u64;
        progress(0, total);
        tx.each_index_doc(|d| {
            writer.add_document(to_document(f, &d)).map_err(ierr)?;
            done += 1;
            if done % 1000 == 0 {
                progress(done, total);
            }
            Ok(())
        })?;
        progress(done, total);
        Ok((seq, done))
    })?;
    commit(writer, ident, seq)?;
    let segments = writer.index().searchable_segment_ids().map_err(ierr)?;
    if segments.len() > 1 {
        writer.merge(&segments).wait().map_err(ierr)?;
    }
    trim(ws, seq)?;
    Ok(n)
}

fn commit(writer: &mut IndexWriter, ident: &str, seq: i64) -> Result<()> {
    let payload = serde_json::to_string(&Payload { format: FORMAT, workspace: ident.to_string(), seq }).map_err(ierr)?;
    let mut prepared = writer.prepare_commit().map_err(ierr)?;
    prepared.set_payload(&payload);
    prepared.commit().map_err(ierr)?;
    Ok(())
}

fn trim(ws: &mut Workspace, seq: i64) -> Result<()> {
    ws.store.write(|tx| {
        let before = tx.meta("index_trimmed")?.and_then(|s| s.parse::<i64>().ok()).unwrap_or(0);
        if seq > before {
            tx.index_queue_trim(seq)?;
            tx.set_meta("index_trimmed", &seq.to_string())?;
        }
        Ok(())
    })
}

// ---- the public operations ------------------------------------------------------------------

pub(crate) fn open(ws: &mut Workspace) -> Result<Option<Repair>> {
    ensure(ws)?;
    Ok(ws.index.repair.take())
}

pub(crate) fn reindex(ws: &mut Workspace, mut progress: impl FnMut(u64, u64)) -> Result<u64> {
    let ident = workspace_ident(ws)?;
    let Some(lock) = Lock::take(&ws.root, REBUILD_WAIT)? else {
        return Err(Error::Index(format!(
            "another Mellanrum process has held {} for {} s; try again when it is done",
            Lock::path(&ws.root).display(),
            REBUILD_WAIT.as_secs()
        )));
    };
    let dir = ws.root.join(INDEX_DIR);
    // Rebuild in place when the index is sound (other processes keep searching the old one
    // until the commit); otherwise in a fresh folder.
    let n = match try_open(ws, &dir, &ident).ok().or_else(|| ws.index.handle.take()) {
        Some(h) if fields_of(&h.index.schema()).is_ok() && h.index.schema() == schema().0 => {
            let mut writer = bulk_writer(&h.index)?;
            let n = fill(ws, &h.f, &mut writer, &ident, &mut progress)?;
            writer.wait_merging_threads().map_err(ierr)?;
            h.reader.reload().map_err(ierr)?;
            ws.index.handle = Some(Handle { overlay: None, seen: None, ..h });
            n
        }
        _ => rebuild_fresh(ws, &ident, &mut progress)?,
    };
    drop(lock);
    ws.index.repair = None;
    Ok(n)
}

pub(crate) fn flush(ws: &mut Workspace) -> Result<usize> {
    ensure(ws)?;
    let Some(_lock) = Lock::try_take(&ws.root)? else { return Ok(0) };
    let ident = workspace_ident(ws)?;
    let Some(h) = ws.index.handle.as_ref() else { return Ok(0) };
    let (index, f) = (h.index.clone(), h.f);
    let applied = payload_of(&index)?.map_or(0, |p| p.seq);
    let rows = ws.store.read(|tx| tx.index_queue_after(applied))?;
    let Some(&(last, _)) = rows.last() else { return Ok(0) };
    let ids: Vec<String> = rows.iter().map(|(_, id)| id.clone()).collect::<BTreeSet<_>>().into_iter().collect();
    let mut writer: IndexWriter = index.writer_with_num_threads(1, 40_000_000).map_err(ierr)?;
    ws.store.read(|tx| {
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
    trim(ws, last)?;
    if let Some(h) = ws.index.handle.as_mut() {
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
pub(crate) fn verify(ws: &mut Workspace) -> Result<Vec<String>> {
    let Some(ident) = ws.store.read(|tx| tx.meta("index_id"))? else { return Ok(Vec::new()) };
    let dir = ws.root.join(INDEX_DIR);
    let h = match try_open(ws, &dir, &ident) {
        Ok(h) => h,
        Err(p) => return Ok(vec![format!("the search index {}", p.reason())]),
    };
    let applied = payload_of(&h.index)?.map_or(0, |p| p.seq);
    let (pending, live) = ws.store.read(|tx| {
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

pub(crate) fn status(ws: &mut Workspace) -> Result<IndexStatus> {
    ensure(ws)?;
    let h = ws.index.handle.as_ref().ok_or_else(|| Error::Index("not open".into()))?;
    h.reader.reload().map_err(ierr)?;
    let searcher = h.reader.searcher();
    let applied = payload_of(&h.index)?.map_or(0, |p| p.seq);
    let pending = ws.store.read(|tx| tx.index_queue_count_after(applied))?;
    Ok(IndexStatus { docs: searcher.num_docs(), segments: searcher.segment_readers().len(), pending, applied_seq: applied })
}

/// The best `limit` hits of `q` and how many match in all; `snippets: false` leaves them out
/// (a list's filter wants only which items match).
pub(crate) fn search(ws: &mut Workspace, q: &Query, limit: usize, snippets: bool) -> Result<(usize, Vec<Hit>)> {
    search_with(ws, &mut |f, stats| build_query(f, q, stats), limit, snippets, false)
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
pub(crate) fn like(ws: &mut Workspace, words: &[LikeWord], title_boost: f32, choose: &mut Choose, limit: usize) -> Result<Likeness> {
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
    let (_, hits) = search_with(ws, &mut build, limit, true, true)?;
    Ok((chosen, hits))
}

fn search_with(
    ws: &mut Workspace,
    build: &mut dyn FnMut(&Fields, &Stats) -> Result<Built>,
    limit: usize,
    snippets: bool,
    explain: bool,
) -> Result<(usize, Vec<Hit>)> {
    ensure(ws)?;
    match search_once(ws, build, limit, snippets, explain) {
        Err(Error::Index(_)) => {}
        other => return other,
    }
    // The index changed under us: another process may have swapped in a rebuilt one. Open it
    // again (waiting for a rebuild in progress) and retry.
    ws.index.handle = None;
    ensure(ws)?;
    match search_once(ws, build, limit, snippets, explain) {
        Err(Error::Index(msg)) => {
            // Sound on opening, failing in use: rebuild once and answer from the new index.
            tracing::warn!("search index failed ({msg}); rebuilding it");
            let ident = workspace_ident(ws)?;
            let Some(lock) = Lock::take(&ws.root, REBUILD_WAIT)? else { return Err(Error::Index(msg)) };
            let started = Instant::now();
            let items = rebuild_fresh(ws, &ident, &mut |_, _| {})?;
            drop(lock);
            ws.index.repair = Some(Repair { reason: format!("was corrupt ({msg})"), items, seconds: started.elapsed().as_secs_f64() });
            search_once(ws, build, limit, snippets, explain)
        }
        other => other,
    }
}

fn search_once(
    ws: &mut Workspace,
    build: &mut dyn FnMut(&Fields, &Stats) -> Result<Built>,
    limit: usize,
    snippets: bool,
    explain: bool,
) -> Result<(usize, Vec<Hit>)> {
    // Which queued saves the committed index lacks. Read the position before reloading, so the
    // searcher holds at least that; re-read when another process trimmed the queue meanwhile.
    let mut attempt = 0;
    let meta = ws.root.join(INDEX_DIR).join("meta.json");
    let (searcher, applied, rows) = loop {
        let h = ws.index.handle.as_mut().ok_or_else(|| Error::Index("not open".into()))?;
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
        let (rows, trimmed) = ws
            .store
            .read(|tx| Ok((tx.index_queue_after(applied)?, tx.meta("index_trimmed")?.and_then(|s| s.parse::<i64>().ok()).unwrap_or(0))))?;
        if trimmed > applied && attempt < 5 {
            attempt += 1;
            continue;
        }
        if rows.len() > OVERLAY_MAX && attempt < 5 && flush(ws)? > 0 {
            attempt += 1;
            continue;
        }
        break (searcher, applied, rows);
    };
    let f = ws.index.handle.as_ref().map(|h| h.f).ok_or_else(|| Error::Index("not open".into()))?;

    // The overlay: queued items, indexed in memory, reused while the queue is unchanged.
    let key = (applied, rows.last().map_or(applied, |r| r.0));
    let overlay_ok = ws.index.handle.as_ref().and_then(|h| h.overlay.as_ref()).is_some_and(|o| o.key == key);
    if !overlay_ok {
        let overlay = if rows.is_empty() {
            None
        } else {
            let ids: Vec<String> = rows.iter().map(|(_, id)| id.clone()).collect::<BTreeSet<_>>().into_iter().collect();
            let docs = ws.store.read(|tx| tx.index_docs(&ids))?;
            Some(build_overlay(&f, key, ids, &docs)?)
        };
        if let Some(h) = ws.index.handle.as_mut() {
            h.overlay = overlay;
        }
    }
    let h = ws.index.handle.as_ref().ok_or_else(|| Error::Index("not open".into()))?;
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
    let (top, mut total) = searcher.search_with_statistics_provider(main_query.as_ref(), &collector, &stats).map_err(ierr)?;
    let mut scored: Vec<(f32, bool, DocAddress)> = top.into_iter().map(|(s, a)| (s, false, a)).collect();
    if let Some(o) = overlay {
        let (top, n) = o.searcher.search_with_statistics_provider(built.query.as_ref(), &collector, &stats).map_err(ierr)?;
        total += n;
        scored.extend(top.into_iter().map(|(s, a)| (s, true, a)));
    }
    scored.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal));
    scored.truncate(limit);

    let snip = Snippets::new(&f, &built.terms);
    let mut hits = Vec::with_capacity(scored.len());
    for (score, in_overlay, addr) in scored {
        let s = if in_overlay { &overlay.expect("overlay hit").searcher } else { &searcher };
        let doc: TantivyDocument = s.doc(addr).map_err(ierr)?;
        let get = |field: Field| doc.get_first(field).and_then(|v| v.as_str()).unwrap_or("").to_string();
        let kind: Kind = get(f.kind).parse().map_err(|_| Error::Index(format!("unknown kind in the index: {}", get(f.kind))))?;
        let (title, text, resolution) = (get(f.title), get(f.text), get(f.resolution));
        let matched = if explain { held_terms(&built.terms, &[&title, &text, &resolution]) } else { Vec::new() };
        let snippet = if snippets { snip.make(&text, &resolution) } else { String::new() };
        hits.push(Hit { id: get(f.id), kind, title, score, snippet, matched });
    }
    Ok((total, hits))
}

/// Which of `terms` (index forms) the texts hold.
fn held_terms(terms: &BTreeSet<String>, texts: &[&str]) -> Vec<String> {
    let mut held = BTreeSet::new();
    let mut a = analyzer();
    for t in texts {
        let mut stream = a.token_stream(t);
        while stream.advance() {
            let tok = &stream.token().text;
            if terms.contains(tok) {
                held.insert(tok.clone());
            }
        }
        if held.len() == terms.len() {
            break;
        }
    }
    held.into_iter().collect()
}

fn build_overlay(f: &Fields, key: (i64, i64), ids: Vec<String>, docs: &[IndexDoc]) -> Result<Overlay> {
    let (schema, _) = schema();
    let mut w = Index::builder()
        .schema(schema)
        .tokenizers(tokenizers())
        .single_segment_index_writer::<TantivyDocument>(RamDirectory::create(), 15_000_000)
        .map_err(ierr)?;
    for d in docs {
        w.add_document(to_document(f, d)).map_err(ierr)?;
    }
    let index = w.finalize().map_err(ierr)?;
    register(&index);
    let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into().map_err(ierr)?;
    Ok(Overlay { key, searcher: reader.searcher(), ids })
}

/// BM25 statistics over the committed index and the overlay together, so their scores compare.
struct Stats<'a> {
    main: &'a Searcher,
    overlay: Option<&'a Searcher>,
}

impl Bm25StatisticsProvider for Stats<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        let o = match self.overlay {
            Some(s) => s.total_num_tokens(field)?,
            None => 0,
        };
        Ok(self.main.total_num_tokens(field)? + o)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        let o = match self.overlay {
            Some(s) => Bm25StatisticsProvider::total_num_docs(s)?,
            None => 0,
        };
        Ok(Bm25StatisticsProvider::total_num_docs(self.main)? + o)
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        let o = match self.overlay {
            Some(s) => s.doc_freq(term)?,
            None => 0,
        };
        Ok(self.main.doc_freq(term)? + o)
    }
}

struct Built {
    query: Box<dyn TQuery>,
    /// The index forms of the positive words, for highlighting.
    terms: BTreeSet<String>,
}

/// The free-text fields and their weights.
/// The weight of a word's secondary form (its English stem when that differs from the primary).
const OTHER_STEM_BOOST: f32 = 0.05;

fn text_fields(f: &Fields) -> [(Field, f32); 4] {
    [(f.title, TITLE_BOOST), (f.tags, TAGS_BOOST), (f.text, 1.0), (f.resolution, 1.0)]
}

fn build_query(f: &Fields, q: &Query, stats: &Stats) -> Result<Built> {
    let mut terms = BTreeSet::new();
    let mut clauses: Vec<(Occur, Box<dyn TQuery>)> = Vec::new();
    for c in &q.clauses {
        match c {
            Clause::Any(atoms) => {
                let mut alts: Vec<Box<dyn TQuery>> = Vec::new();
                for a in atoms {
                    alts.push(atom_query(f, a, stats, Some(&mut terms))?.union());
                }
                let q: Box<dyn TQuery> = if alts.len() == 1 { alts.pop().expect("one") } else { Box::new(BooleanQuery::union(alts)) };
                clauses.push((Occur::Must, q));
            }
            Clause::Not(a) => {
                // One exclusion per field: NOT (a OR b) = NOT a AND NOT b, and tantivy's exclusion
                // of a union of phrases trips over itself.
                match atom_query(f, a, stats, None)? {
                    Alternatives::One(q) => clauses.push((Occur::MustNot, q)),
                    Alternatives::Many(qs) => clauses.extend(qs.into_iter().map(|q| (Occur::MustNot, q))),
                }
            }
        }
    }
    if !clauses.iter().any(|(o, _)| *o == Occur::Must) {
        clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(Box::new(AllQuery), 0.0))));
    }
    Ok(Built { query: Box::new(BooleanQuery::new(clauses)), terms })
}

fn doc_freq_all(f: &Fields, form: &str, stats: &Stats) -> Result<u64> {
    let mut n = 0;
    for (field, _) in text_fields(f) {
        n += stats.doc_freq(&Term::from_field_text(field, form)).map_err(ierr)?;
    }
    Ok(n)
}

/// The query of one atom: one query, or alternatives any of which matches.
enum Alternatives {
    One(Box<dyn TQuery>),
    Many(Vec<Box<dyn TQuery>>),
}

impl Alternatives {
    fn union(self) -> Box<dyn TQuery> {
        match self {
            Alternatives::One(q) => q,
            Alternatives::Many(qs) => Box::new(BooleanQuery::union(qs)),
        }
    }
}

fn atom_query(f: &Fields, a: &Atom, stats: &Stats, terms: Option<&mut BTreeSet<String>>) -> Result<Alternatives> {
    let filter = |q: Box<dyn TQuery>| -> Box<dyn TQuery> { Box::new(ConstScoreQuery::new(q, 0.0)) };
    let term_q = |field: Field, text: &str| -> Box<dyn TQuery> {
        Box::new(TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::WithFreqs))
    };
    Ok(match a {
        Atom::Word(w) | Atom::Phrase(w) => {
            let words = search::words(w);
            let phrase = matches!(a, Atom::Phrase(_)) || words.len() > 1;
            if words.len() > 1 {
                // Words next to each other, by their primary forms (every indexed word has one).
                let primaries: Vec<String> = words.iter().map(|w| search::word_forms(w).swap_remove(0)).collect();
                if let Some(t) = terms {
                    t.extend(primaries.iter().cloned());
                }
                let mut alts: Vec<Box<dyn TQuery>> = Vec::new();
                for (field, boost) in text_fields(f) {
                    if field == f.tags {
                        continue;
                    }
                    let pq = PhraseQuery::new(primaries.iter().map(|p| Term::from_field_text(field, p)).collect());
                    alts.push(Box::new(BoostQuery::new(Box::new(Steady(Box::new(pq))), boost)));
                }
                Alternatives::Many(alts)
            } else {
                let Some(word) = words.first() else { return Ok(Alternatives::One(Box::new(EmptyQuery))) };
                let (mut forms, exact): (Vec<(String, f32)>, Option<String>) = if phrase {
                    (vec![(search::word_forms(word).swap_remove(0), 1.0)], None)
                } else {
                    let q = search::query_forms(word);
                    (q.words, q.exact)
                };
                // Typed without diacritics and found nowhere: match the words with them.
                if !phrase {
                    if let Some(folded) = search::folded_form(word) {
                        let mut n = 0;
                        for (form, _) in &forms {
                            n += doc_freq_all(f, form, stats)?;
                        }
                        if n == 0 && doc_freq_all(f, &folded, stats)? > 0 {
                            forms = vec![(folded, 1.0)];
                        }
                    }
                }
                if let Some(t) = terms {
                    t.extend(forms.iter().map(|(form, _)| form.clone()));
                    t.extend(exact.iter().cloned());
                }
                // Any form makes a hit (each weighed by its tier and its field); the exact word's
                // stem only adds to the score, so it ranks above the other forms of its lemma.
                let mut alts: Vec<Box<dyn TQuery>> = Vec::new();
                for (field, boost) in text_fields(f) {
                    for (i, (form, weight)) in forms.iter().enumerate() {
                        // The word itself and its primary stem rank above a match through the
                        // other language's stem only (`customers` finds "Customed" last).
                        let other_stem = i > 0 && !form.starts_with([search::LEMMA_MARK, search::PART_MARK]);
                        let weight = if other_stem { weight * OTHER_STEM_BOOST } else { *weight };
                        alts.push(Box::new(BoostQuery::new(term_q(field, form), boost * weight)));
                    }
                }
                match exact {
                    Some(stem) => {
                        let words: Box<dyn TQuery> = Box::new(BooleanQuery::union(alts));
                        let mut clauses: Vec<(Occur, Box<dyn TQuery>)> = vec![(Occur::Must, words)];
                        for (field, boost) in text_fields(f) {
                            clauses.push((Occur::Should, Box::new(BoostQuery::new(term_q(field, &stem), boost * search::EXACT_WEIGHT))));
                        }
                        Alternatives::One(Box::new(BooleanQuery::new(clauses)))
                    }
                    None => Alternatives::Many(alts),
                }
            }
        }
        Atom::Filter(fl) => Alternatives::One(match fl {
            Filter::Kind(k) => filter(term_q(f.kind, k.as_str())),
            Filter::Status(s) => filter(term_q(f.status, s)),
            Filter::Tag(t) => filter(term_q(f.tag, t)),
            Filter::Author(n) | Filter::Perspective(n) => {
                let field = if matches!(fl, Filter::Author(_)) { f.author } else { f.perspective };
                let parts: Vec<String> = search::words(n).iter().map(|w| search::fold(w)).collect();
                match parts.len() {
                    0 => Box::new(EmptyQuery),
                    1 => filter(term_q(field, &parts[0])),
                    _ => filter(Box::new(Steady(Box::new(PhraseQuery::new(
                        parts.iter().map(|p| Term::from_field_text(field, p)).collect(),
                    ))))),
                }
            }
            Filter::After(d) | Filter::Before(d) => {
                let t = Term::from_field_date(f.date, date_secs(d.and_hms_opt(0, 0, 0).expect("midnight").and_utc().timestamp()));
                let q = if matches!(fl, Filter::After(_)) {
                    RangeQuery::new(Bound::Included(t), Bound::Unbounded)
                } else {
                    RangeQuery::new(Bound::Unbounded, Bound::Excluded(t))
                };
                filter(Box::new(q))
            }
        }),
    })
}

/// A query whose scorers only ever move forward. tantivy 0.27's phrase scorer asserts that an
/// exclusion never probes it below its current document, which exclusions and intersections do;
/// this wrapper answers such probes from the current position instead.
#[derive(Debug)]
struct Steady(Box<dyn TQuery>);

impl Clone for Steady {
    fn clone(&self) -> Self {
        Steady(self.0.box_clone())
    }
}

impl TQuery for Steady {
    fn weight(&self, scoring: tantivy::query::EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(SteadyWeight(self.0.weight(scoring)?)))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.0.query_terms(visitor)
    }
}

struct SteadyWeight(Box<dyn Weight>);

impl Weight for SteadyWeight {
    fn scorer(&self, reader: &SegmentReader, boost: f32) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(SteadyScorer(self.0.scorer(reader, boost)?)))
    }

    fn explain(&self, reader: &SegmentReader, doc: tantivy::DocId) -> tantivy::Result<tantivy::query::Explanation> {
        self.0.explain(reader, doc)
    }
}

struct SteadyScorer(Box<dyn Scorer>);

impl tantivy::DocSet for SteadyScorer {
    fn advance(&mut self) -> tantivy::DocId {
        self.0.advance()
    }

    fn seek(&mut self, target: tantivy::DocId) -> tantivy::DocId {
        if target <= self.0.doc() {
            return self.0.doc();
        }
        self.0.seek(target)
    }

    fn doc(&self) -> tantivy::DocId {
        self.0.doc()
    }

    fn size_hint(&self) -> u32 {
        self.0.size_hint()
    }

    fn cost(&self) -> u64 {
        self.0.cost()
    }
}

impl Scorer for SteadyScorer {
    fn score(&mut self) -> f32 {
        self.0.score()
    }
}

// ---- snippets -------------------------------------------------------------------------------

struct Snippets {
    text: SnippetGenerator,
    resolution: SnippetGenerator,
}

impl Snippets {
    fn new(f: &Fields, terms: &BTreeSet<String>) -> Snippets {
        let weights: BTreeMap<String, f32> = terms.iter().map(|t| (t.clone(), 1.0)).collect();
        Snippets {
            text: SnippetGenerator::new(weights.clone(), analyzer(), f.text, SNIPPET_CHARS),
            resolution: SnippetGenerator::new(weights, analyzer(), f.resolution, RESOLUTION_CHARS),
        }
    }

    /// The HTML snippet of a hit: its best fragment, then (for a friction) its resolution.
    fn make(&self, text: &str, resolution: &str) -> String {
        let mut out = fragment(&self.text, text, SNIPPET_CHARS);
        if !resolution.is_empty() {
            if !out.is_empty() {
                out.push_str(" — ");
            }
            out.push_str("Resolution: ");
            out.push_str(&fragment(&self.resolution, resolution, RESOLUTION_CHARS));
        }
        out
    }
}

fn fragment(g: &SnippetGenerator, text: &str, max: usize) -> String {
    let s = g.snippet(text);
    if !s.highlighted().is_empty() {
        let r = s.fragment_range();
        let mut html = s.to_html();
        if r.start > 0 {
            html.insert(0, '…');
        }
        if r.end < text.len() {
            html.push('…');
        }
        return html;
    }
    // Nothing to highlight here (e.g. a title match): the start of the text.
    let mut end = text.len();
    if let Some((i, _)) = text.char_indices().nth(max) {
        end = text[..i].rfind(char::is_whitespace).filter(|&w| w > 0).unwrap_or(i);
    }
    let mut html = escape(text[..end].trim_end());
    if end < text.len() {
        html.push('…');
    }
    html
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#x27;"),
            c => out.push(c),
        }
    }
    out
}
