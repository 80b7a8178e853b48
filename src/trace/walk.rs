//! A trace: the items upstream and downstream of one, as trees, and what they reach.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use chrono::NaiveDate;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::{self, Kind, Rel};
use crate::store::NodeRow;

use super::{evidence, observed, review, step, Dir, Evidence, ItemRef, Review, View, MAX_DEPTH};

/// One item in a trace, with the items beyond it.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct TraceNode {
    pub id: String,
    pub kind: Kind,
    pub title: String,
    /// The relation of the link that leads from the item before to this one.
    pub rel: Rel,
    pub status: Option<String>,
    pub customer: Option<String>,
    pub source: Option<String>,
    pub date: Option<String>,
    /// Shown before in this direction (a cycle or a second path): not expanded again.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    #[cfg_attr(feature = "ts", ts(as = "Option<bool>", optional))]
    pub repeat: bool,
    /// The depth limit stopped here although the thread goes on.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    #[cfg_attr(feature = "ts", ts(as = "Option<bool>", optional))]
    pub more: bool,
    pub children: Vec<TraceNode>,
}

/// The item a trace starts from.
#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct TraceRoot {
    pub id: String,
    pub kind: Kind,
    pub title: String,
    pub evidence: Option<Evidence>,
    pub review: Option<Review>,
}

/// What the trace reaches: the evidence at its upstream end, the goals at its downstream end.
#[derive(Debug, Clone, Serialize, Default)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TraceSummary {
    /// Distinct signals upstream.
    pub signals: usize,
    /// Their distinct customers and sources.
    pub customers: Vec<String>,
    pub sources: Vec<String>,
    /// Goals downstream.
    pub goals: Vec<ItemRef>,
}

/// A trace in both directions.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Trace {
    pub root: TraceRoot,
    pub up: Vec<TraceNode>,
    pub down: Vec<TraceNode>,
    pub summary: TraceSummary,
}

/// Traces `id` upstream and downstream, `depth` links deep, as of `today` (for evidence recency).
pub fn trace(view: &mut dyn View, id: &str, depth: usize, today: NaiveDate) -> Result<Trace> {
    if depth == 0 || depth > MAX_DEPTH {
        return Err(Error::DepthOutOfRange { depth, max: MAX_DEPTH });
    }
    let node = view.node(id)?.ok_or_else(|| Error::invalid(format!("'{id}' is deleted: a trace starts from a live item")))?;
    let mut seen_up = HashSet::from([node.id.clone()]);
    let up = grow(view, &node.id, Dir::Up, depth, &mut seen_up)?;
    let mut seen_down = HashSet::from([node.id.clone()]);
    let down = grow(view, &node.id, Dir::Down, depth, &mut seen_down)?;

    let mut summary = TraceSummary::default();
    let mut customers: BTreeMap<String, String> = BTreeMap::new();
    let mut sources: BTreeSet<String> = BTreeSet::new();
    let mut signals: BTreeSet<String> = BTreeSet::new();
    walk(&up, &mut |n| {
        if n.kind == Kind::Signal && signals.insert(n.id.clone()) {
            if let Some(c) = n.customer.as_deref().filter(|c| !c.trim().is_empty()) {
                customers.entry(model::title_key(c)).or_insert_with(|| c.trim().to_string());
            }
            sources.extend(n.source.clone());
        }
    });
    let mut goals: BTreeMap<String, ItemRef> = BTreeMap::new();
    walk(&down, &mut |n| {
        if n.kind == Kind::Goal {
            goals.entry(n.id.clone()).or_insert_with(|| ItemRef { id: n.id.clone(), kind: n.kind, title: n.title.clone() });
        }
    });
    summary.signals = signals.len();
    summary.customers = customers.into_values().collect();
    summary.sources = sources.into_iter().collect();
    summary.goals = goals.into_values().collect();
    summary.goals.sort_by_key(|g| model::title_key(&g.title));

    let evidence = if node.kind == Kind::Insight { Some(evidence(view, &node.id, today)?) } else { None };
    let review = if node.kind == Kind::Resolution { Some(review(view, &node.id)?) } else { None };
    Ok(Trace { root: TraceRoot { id: node.id, kind: node.kind, title: node.title, evidence, review }, up, down, summary })
}

fn walk(nodes: &[TraceNode], f: &mut dyn FnMut(&TraceNode)) {
    for n in nodes {
        f(n);
        walk(&n.children, f);
    }
}

fn sort_key(n: &NodeRow) -> (Kind, String, String) {
    (n.kind, model::title_key(&n.title), n.id.clone())
}

fn grow(view: &mut dyn View, id: &str, dir: Dir, depth: usize, seen: &mut HashSet<String>) -> Result<Vec<TraceNode>> {
    let mut next: Vec<(NodeRow, Rel)> = Vec::new();
    for (other, rel) in step(view, id, dir)? {
        if let Some(n) = view.node(&other)? {
            next.push((n, rel));
        }
    }
    next.sort_by_key(|(n, _)| sort_key(n));
    let mut out = Vec::with_capacity(next.len());
    for (n, rel) in next {
        let signal = n.kind == Kind::Signal;
        let mut t = TraceNode {
            id: n.id.clone(),
            kind: n.kind,
            title: n.title.clone(),
            rel,
            status: n.status.clone(),
            customer: if signal { n.customer.clone() } else { None },
            source: if signal { n.source.clone() } else { None },
            date: if signal { Some(observed(&n)) } else { n.decided_on.clone() },
            repeat: false,
            more: false,
            children: Vec::new(),
        };
        if !seen.insert(n.id.clone()) {
            t.repeat = true;
        } else if depth <= 1 {
            t.more = !step(view, &n.id, dir)?.is_empty();
        } else {
            t.children = grow(view, &n.id, dir, depth - 1, seen)?;
        }
        out.push(t);
    }
    Ok(out)
}
