//! Opening the index: checking it against the database, and rebuilding a missing, stale or
//! corrupt one in a fresh folder that is then swapped in.

use std::path::Path;
use std::time::Instant;

use tantivy::collector::Count;
use tantivy::query::AllQuery;
use tantivy::{DocAddress, Index, IndexWriter, ReloadPolicy, TantivyDocument};

use crate::error::{Error, Result};
use crate::search::Repair;

use super::*;

/// The workspace's index identity (an index from elsewhere is not trusted), made on first use.
pub(super) fn workspace_ident(on: &mut On<'_>) -> Result<String> {
    Ok(ident_and_first(on)?.0)
}

/// The identity, and whether this is the first time an index is made for this workspace.
fn ident_and_first(on: &mut On<'_>) -> Result<(String, bool)> {
    if let Some(id) = on.store.read(|tx| tx.meta("index_id"))? {
        return Ok((id, false));
    }
    on.store.write(|tx| match tx.meta("index_id")? {
        Some(id) => Ok((id, false)),
        None => {
            let id = uuid::Uuid::now_v7().to_string();
            tx.set_meta("index_id", &id)?;
            Ok((id, true))
        }
    })
}

pub(super) fn payload_of(index: &Index) -> Result<Option<Payload>> {
    let metas = index.load_metas().map_err(ierr)?;
    Ok(metas.payload.as_deref().and_then(|p| serde_json::from_str(p).ok()))
}

/// Why an index cannot be used as it is.
pub(super) enum Problem {
    Missing,
    Other(String),
}

impl Problem {
    pub(super) fn reason(&self) -> String {
        match self {
            Problem::Missing => "was missing".into(),
            Problem::Other(s) => s.clone(),
        }
    }
}

/// Opens the index in `dir` and checks it against the database.
pub(super) fn try_open(on: &mut On<'_>, dir: &Path, ident: &str) -> std::result::Result<Handle, Problem> {
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
    let (high, trimmed, pending, live) = on
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
pub(super) fn ensure(on: &mut On<'_>) -> Result<()> {
    if on.index.handle.is_some() {
        return Ok(());
    }
    let dir = on.root.join(INDEX_DIR);
    let (ident, first) = ident_and_first(on)?;
    let problem = match try_open(on, &dir, &ident) {
        Ok(h) => {
            on.index.handle = Some(h);
            return Ok(());
        }
        Err(p) => p,
    };
    // Rebuild under the lock; another process may be doing just that, so wait for it.
    let Some(lock) = Lock::take(on.root, REBUILD_WAIT)? else {
        return Err(Error::Index(format!(
            "the index {} and another Mellanrum process has held {} for {} s",
            problem.reason(),
            Lock::path(on.root).display(),
            REBUILD_WAIT.as_secs()
        )));
    };
    if let Ok(h) = try_open(on, &dir, &ident) {
        on.index.handle = Some(h);
        return Ok(());
    }
    let started = Instant::now();
    let items = rebuild_fresh(on, &ident, &mut |_, _| {})?;
    drop(lock);
    // The first index of a workspace is not a repair.
    if !(first && matches!(problem, Problem::Missing)) {
        let repair = Repair { reason: problem.reason(), items, seconds: started.elapsed().as_secs_f64() };
        tracing::warn!("{repair}");
        on.index.repair = Some(repair);
    }
    Ok(())
}

/// Builds a new index in a fresh folder from the database, swaps it in and opens it.
/// The caller holds the lock.
pub(super) fn rebuild_fresh(on: &mut On<'_>, ident: &str, progress: &mut dyn FnMut(u64, u64)) -> Result<u64> {
    on.index.handle = None;
    let dir = on.root.join(INDEX_DIR);
    let fresh = on.root.join(format!("{INDEX_DIR}.new"));
    let old = on.root.join(format!("{INDEX_DIR}.old"));
    for d in [&fresh, &old] {
        remove(d)?;
    }
    std::fs::create_dir_all(&fresh).map_err(|e| Error::io(&fresh, e))?;
    let (schema, f) = schema();
    let index = Index::builder().schema(schema).tokenizers(tokenizers()).create_in_dir(&fresh).map_err(ierr)?;
    register(&index);
    let mut writer = bulk_writer(&index)?;
    let n = fill(on, &f, &mut writer, ident, progress)?;
    drop(index);
    if std::fs::symlink_metadata(&dir).is_ok() {
        std::fs::rename(&dir, &old).map_err(|e| Error::io(&dir, e))?;
    }
    std::fs::rename(&fresh, &dir).map_err(|e| Error::io(&fresh, e))?;
    let _ = remove(&old);
    match try_open(on, &dir, ident) {
        Ok(h) => on.index.handle = Some(h),
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

pub(super) fn bulk_writer(index: &Index) -> Result<IndexWriter> {
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).clamp(1, 4);
    let writer: IndexWriter = index.writer_with_num_threads(threads, 64_000_000 * threads).map_err(ierr)?;
    // `fill` merges every segment into one itself: a merge of the policy's own, running in the
    // background meanwhile, took segments from under it ("the segments that were merged could
    // not be found") once an index grew past a few segments.
    writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
    Ok(writer)
}

/// Adds every live item to an emptied writer, commits with the queue position the snapshot
/// holds, merges to one segment, and trims the queue.
pub(super) fn fill(on: &mut On<'_>, f: &Fields, writer: &mut IndexWriter, ident: &str, progress: &mut dyn FnMut(u64, u64)) -> Result<u64> {
    writer.delete_all_documents().map_err(ierr)?;
    let (seq, n) = on.store.read(|tx| {
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
    trim(on, seq)?;
    Ok(n)
}

pub(super) fn commit(writer: &mut IndexWriter, ident: &str, seq: i64) -> Result<()> {
    let payload = serde_json::to_string(&Payload { format: FORMAT, workspace: ident.to_string(), seq }).map_err(ierr)?;
    let mut prepared = writer.prepare_commit().map_err(ierr)?;
    prepared.set_payload(&payload);
    prepared.commit().map_err(ierr)?;
    Ok(())
}

pub(super) fn trim(on: &mut On<'_>, seq: i64) -> Result<()> {
    on.store.write(|tx| {
        let before = tx.meta("index_trimmed")?.and_then(|s| s.parse::<i64>().ok()).unwrap_or(0);
        if seq > before {
            tx.index_queue_trim(seq)?;
            tx.set_meta("index_trimmed", &seq.to_string())?;
        }
        Ok(())
    })
}
