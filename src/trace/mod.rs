//! Trace: the red thread through typed links, in both directions, and what follows from it —
//! the evidence strength of an insight and the review flag of a resolution.
//!
//! Typed links are read in their meaning. Each one has an *upstream* end (closer to what was
//! heard) and a *downstream* end (closer to the goals):
//!
//! | link written in A's body | upstream | downstream |
//! |---|---|---|
//! | `evidence:: [[B]]` (insight → signal) | B | A |
//! | `resolves:: [[B]]` (resolution → friction) | B | A |
//! | `derived-from:: [[B]]` | B | A |
//! | `advances:: [[B]]` (→ goal) | A | B |
//! | `supports:: [[B]]` | A | B |
//! | `contradicts:: [[B]]` | A | B |
//!
//! Plain `[[references]]` are mentions, not part of the thread — except a mention of an insight in
//! a trace: the item naming an insight draws on it, so the insight and its evidence are upstream. Everything here is a pure function
//! over a [`View`] of the store: the whole store loaded once ([`Graph`], for the lens) or a lazy
//! view that reads only the items a trace reaches ([`TxView`]).
//!
//! Beside this file: `graph.rs` (the loaded [`Graph`] and how it is read), `walk.rs` (a [`Trace`]
//! both ways), `evidence.rs` (an insight's [`Evidence`]) and `review.rs` (a resolution's [`Review`]).

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::Serialize;

use crate::error::Result;
use crate::model::{Kind, Rel};
use crate::store::{EdgeLink, NodeRow, Tx};

mod evidence;
mod graph;
mod review;
mod walk;

pub use evidence::{evidence, strength, Evidence, EvidenceParts};
pub use graph::{uuid_key, uuid_text, Authors, Edges, Fields, Graph, IdRef, IdRefs, RawFields, RawLinks};
pub use review::{review, Review, ReviewReason};
pub use walk::{trace, Trace, TraceNode, TraceRoot, TraceSummary};

/// Days after which a signal counts half as much for an insight's evidence.
pub const RECENCY_HALF_LIFE_DAYS: f64 = 180.0;

/// The deepest trace a caller may ask for.
pub const MAX_DEPTH: usize = 50;

/// The upstream and downstream ends of a typed link, or `None` for a plain reference.
pub fn up_down(e: &EdgeLink) -> Option<(&str, &str)> {
    match e.rel {
        Rel::Evidence | Rel::Resolves | Rel::DerivedFrom => Some((&e.target_id, &e.source_id)),
        Rel::Advances | Rel::Supports | Rel::Contradicts => Some((&e.source_id, &e.target_id)),
        Rel::References => None,
    }
}

/// A way to read items and their links: the whole store in memory, or lazily through a transaction.
pub trait View {
    /// A live item, or `None`.
    fn node(&mut self, id: &str) -> Result<Option<NodeRow>>;
    /// The resolved links between live items that start or end at `id`.
    fn edges(&mut self, id: &str) -> Result<Vec<EdgeLink>>;
}

/// A view that reads what it is asked for through a transaction, and remembers it.
pub struct TxView<'a, 'b> {
    tx: &'a Tx<'b>,
    nodes: HashMap<String, Option<NodeRow>>,
    edges: HashMap<String, Vec<EdgeLink>>,
}

impl<'a, 'b> TxView<'a, 'b> {
    pub fn new(tx: &'a Tx<'b>) -> Self {
        TxView { tx, nodes: HashMap::new(), edges: HashMap::new() }
    }
}

impl View for TxView<'_, '_> {
    fn node(&mut self, id: &str) -> Result<Option<NodeRow>> {
        if let Some(n) = self.nodes.get(id) {
            return Ok(n.clone());
        }
        let n = self.tx.node(id)?;
        self.nodes.insert(id.to_string(), n.clone());
        Ok(n)
    }

    fn edges(&mut self, id: &str) -> Result<Vec<EdgeLink>> {
        if let Some(e) = self.edges.get(id) {
            return Ok(e.clone());
        }
        let e = self.tx.edges_at(id)?;
        self.edges.insert(id.to_string(), e.clone());
        Ok(e)
    }
}

/// Which way to walk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dir {
    Up,
    Down,
}

/// The items one step away from `id` in direction `dir`, with the relation that leads there.
/// An item reached by several relations appears once, with the first relation in [`Rel::ALL`] order.
pub fn step(view: &mut dyn View, id: &str, dir: Dir) -> Result<Vec<(String, Rel)>> {
    let mut out: BTreeMap<String, Rel> = BTreeMap::new();
    for e in view.edges(id)? {
        let ends = match up_down(&e) {
            Some(ends) => Some(ends),
            // A plain mention of an insight draws on it: the insight (and its evidence) is upstream
            // of the item naming it.
            None if view.node(&e.target_id)?.is_some_and(|n| n.kind == Kind::Insight) => Some((e.target_id.as_str(), e.source_id.as_str())),
            None => None,
        };
        let Some((up, down)) = ends else { continue };
        if up == down {
            continue;
        }
        let other = match dir {
            Dir::Up if down == id => up,
            Dir::Down if up == id => down,
            _ => continue,
        };
        out.entry(other.to_string()).and_modify(|r| *r = (*r).min(e.rel)).or_insert(e.rel);
    }
    Ok(out.into_iter().collect())
}

/// An item as a list shows it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ItemRef {
    pub id: String,
    pub kind: Kind,
    pub title: String,
}

impl From<&NodeRow> for ItemRef {
    fn from(n: &NodeRow) -> Self {
        ItemRef { id: n.id.clone(), kind: n.kind, title: n.title.clone() }
    }
}

/// The date a signal was observed: its `date` field, else the day it was recorded.
pub fn observed(n: &NodeRow) -> String {
    n.date.clone().unwrap_or_else(|| day(&n.created))
}

/// The calendar day of an RFC 3339 timestamp (its first ten characters).
pub fn day(ts: &str) -> String {
    ts.chars().take(10).collect()
}

fn parse_day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(&day(s), "%Y-%m-%d").ok()
}

/// Loads the evidence of an insight or the review of a resolution for `show`.
pub(crate) fn for_show(tx: &Tx, id: &str, kind: Kind, today: NaiveDate) -> Result<(Option<Evidence>, Option<Review>)> {
    let mut view = TxView::new(tx);
    match kind {
        Kind::Insight if view.node(id)?.is_some() => Ok((Some(evidence(&mut view, id, today)?), None)),
        Kind::Resolution if view.node(id)?.is_some() => Ok((None, Some(review(&mut view, id)?))),
        _ => Ok((None, None)),
    }
}
