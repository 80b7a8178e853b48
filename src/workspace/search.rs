//! Search through the front door: a query parsed in the user's language, run on the index, and
//! the items most like one (`similar`). The index and `similar` get only the parts of the
//! workspace they work on ([`Workspace::index_on`]).

use std::time::Instant;

use super::Workspace;
use crate::error::Result;
use crate::search::{parse_in, IndexStatus, Lang, Repair, SearchResults};
use crate::similar::{SimilarResults, Tuning};

impl Workspace {
    /// The parts of the workspace the search index works on: its index state, its store and its
    /// folder.
    pub(crate) fn index_on(&mut self) -> crate::index::On<'_> {
        crate::index::On { index: &mut self.index, store: &mut self.store, root: &self.root }
    }

    /// Searches the workspace. Every saved change is found, committed to the index or not.
    pub fn search(&mut self, query: &str, limit: usize) -> Result<SearchResults> {
        self.search_in(query, limit, Lang::En)
    }

    /// [`Workspace::search`], with a bad query's error in `lang`.
    pub fn search_in(&mut self, query: &str, limit: usize, lang: Lang) -> Result<SearchResults> {
        let started = Instant::now();
        let q = parse_in(query, lang)?;
        let (total, hits) = crate::index::search(&mut self.index_on(), &q, limit, true)?;
        Ok(SearchResults { total, took_ms: started.elapsed().as_secs_f64() * 1000.0, hits })
    }

    /// Every item matching `query`, best first, without snippets: what a list's filter shows and
    /// "select all matching" takes.
    pub fn search_ids(&mut self, query: &str, lang: Lang) -> Result<Vec<String>> {
        let q = parse_in(query, lang)?;
        let live = self.counts()?.values().sum::<i64>().max(1) as usize;
        let (_, hits) = crate::index::search(&mut self.index_on(), &q, live, false)?;
        Ok(hits.into_iter().map(|h| h.id).collect())
    }

    /// Rebuilds the search index from the database; `progress(done, total)` is called as it goes.
    /// Returns the number of items indexed.
    pub fn reindex(&mut self, progress: impl FnMut(u64, u64)) -> Result<u64> {
        crate::index::reindex(&mut self.index_on(), progress)
    }

    /// Opens the search index, rebuilding it when it is missing, stale or corrupt; says what it
    /// repaired. Searching does this by itself; call it to tell the user early.
    pub fn open_index(&mut self) -> Result<Option<Repair>> {
        crate::index::open(&mut self.index_on())
    }

    /// Commits queued saves to the index now (one commit for all of them). Returns how many
    /// queue entries were applied; 0 when another process holds the index writer (it will).
    /// Searches find queued saves anyway; call this when idle or after a bulk import.
    pub fn flush_index(&mut self) -> Result<usize> {
        crate::index::flush(&mut self.index_on())
    }

    /// Compares the search index with the database without changing either (see `doctor`): the
    /// problems found, one line each.
    pub fn verify_index(&mut self) -> Result<Vec<String>> {
        crate::index::verify(&mut self.index_on())
    }

    /// The state of the search index.
    pub fn index_status(&mut self) -> Result<IndexStatus> {
        crate::index::status(&mut self.index_on())
    }

    /// The items most like `id`, precedents (resolved frictions with their resolutions) first.
    pub fn similar(&mut self, id: &str, limit: usize) -> Result<SimilarResults> {
        self.similar_tuned(id, limit, &Tuning::default())
    }

    /// [`Workspace::similar`] with other weights (for measuring them).
    pub fn similar_tuned(&mut self, id: &str, limit: usize, tuning: &Tuning) -> Result<SimilarResults> {
        if limit == 0 {
            return Err(crate::error::Error::NoResults);
        }
        let item = self.item(id)?;
        crate::similar::similar(&mut self.index_on(), &item, limit, tuning)
    }
}
