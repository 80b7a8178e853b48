//! What falls between chairs, and how long a customer's signal waits for a decision.
//!
//! Part of the lens ([`crate::lens`]): computed from the same loaded graph, plus what
//! [`Progress::load`] reads (when open frictions last changed, the open consent rounds). The
//! definitions (also in the README):
//!
//! - **Signals not triaged**: no link reaches or leaves them, `signal_days` after they arrived.
//! - **Insights not decided**: with evidence (a signal as `evidence`, or one that `supports` it)
//!   and no resolution or goal downstream, `insight_days` after they were made.
//! - **Frictions without activity**: open or exploring, unchanged for `friction_days`.
//! - **Rounds waiting**: open consent rounds with perspectives that have not answered, opened
//!   `round_days` ago or more.
//! - **Hand-overs without an answer**: an item of one perspective links (`references`,
//!   `derived-from`, `supports`, `contradicts`) to an item of another (a goal aside), and no item of
//!   that other perspective links to or from it, nor did anyone of it change it, `handover_days`
//!   after it was made. An item's perspective is its author's.
//! - **Signal to decision**: for each resolution with a signal upstream (the trace's meaning of
//!   links), the days from its earliest signal (observed date) to its decision (`decided_on`, else
//!   the day it was made); medians overall, per perspective (those with a position in a friction it
//!   resolves, and its author's), per customer (from that customer's earliest signal) and per month
//!   of the decision.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::Serialize;

use crate::error::Result;
use crate::model::{Kind, Rel};
use crate::store::{NodeField, Tx};
use crate::trace::{day, Graph, ItemRef};

/// The thresholds, in days (settings of the lens).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    pub signal_days: i64,
    pub insight_days: i64,
    pub friction_days: i64,
    pub round_days: i64,
    pub handover_days: i64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds { signal_days: 14, insight_days: 30, friction_days: 30, round_days: 7, handover_days: 14 }
    }
}

/// What the lens reads besides the graph: when unsettled frictions last changed, and open rounds.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    /// `(friction, updated)`.
    pub friction_updated: Vec<(usize, String)>,
    /// `(resolution, opened, perspectives asked that have not answered)`.
    pub rounds: Vec<(usize, String, Vec<String>)>,
    /// The hours per month freed by the live resolutions' retired practices, summed.
    pub hours_freed: f64,
}

impl Progress {
    pub fn load(tx: &Tx, g: &Graph) -> Result<Progress> {
        let mut p = Progress::default();
        tx.each_unsettled_friction(|id, updated| {
            if let Some(i) = g.pos(id) {
                p.friction_updated.push((i, updated.to_string()));
            }
        })?;
        tx.each_open_round(|id, opened, asked, answered| {
            let Some(i) = g.pos(id) else { return };
            let asked: Vec<String> = serde_json::from_str(asked).unwrap_or_default();
            let answered: Vec<String> = serde_json::from_str::<Vec<String>>(answered).unwrap_or_default();
            let answered: Vec<String> = answered.iter().map(|a| a.to_lowercase()).collect();
            let waiting = asked.into_iter().filter(|a| !answered.contains(&a.to_lowercase())).collect();
            p.rounds.push((i, opened.to_string(), waiting));
        })?;
        tx.each_hours_freed(|id, h| {
            if g.pos(id).is_some() {
                p.hours_freed += h.parse::<f64>().unwrap_or(0.0);
            }
        })?;
        p.hours_freed = (p.hours_freed * 100.0).round() / 100.0;
        Ok(p)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct BetweenChairs {
    pub thresholds: ThresholdsView,
    pub signals: Listing<Waiting>,
    pub insights: Listing<Waiting>,
    pub frictions: Listing<Waiting>,
    pub rounds: Listing<Waiting>,
    pub handovers: Listing<Handover>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ThresholdsView {
    pub signal_days: i64,
    pub insight_days: i64,
    pub friction_days: i64,
    pub round_days: i64,
    pub handover_days: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Listing<T> {
    pub count: usize,
    /// Oldest first.
    pub items: Vec<T>,
}

/// An item waiting: since when, how many days, and the perspectives involved (its author's; for
/// a round, those not answered yet).
#[derive(Debug, Clone, Serialize)]
pub struct Waiting {
    pub item: ItemRef,
    pub since: String,
    pub age_days: i64,
    pub perspectives: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Handover {
    pub from: ItemRef,
    pub to: ItemRef,
    pub from_perspective: String,
    pub to_perspective: String,
    pub since: String,
    pub age_days: i64,
}

#[derive(Debug, Clone, Serialize)]
pub struct DecisionTime {
    /// Resolutions with a signal upstream.
    pub count: usize,
    pub median_days: Option<f64>,
    pub per_perspective: Vec<Median>,
    pub per_customer: Vec<Median>,
    pub per_month: Vec<Median>,
    /// Slowest first.
    pub resolutions: Vec<Decided>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Median {
    pub name: String,
    pub resolutions: usize,
    pub median_days: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Decided {
    pub resolution: ItemRef,
    pub decided_on: String,
    pub earliest_signal: String,
    pub days: i64,
    pub signals: usize,
    pub customers: Vec<String>,
}

fn date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok()
}

fn median(v: &mut [i64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_unstable();
    let m = v.len() / 2;
    Some(if v.len() % 2 == 1 { v[m] as f64 } else { (v[m - 1] + v[m]) as f64 / 2.0 })
}

/// The inputs [`compute`] shares with the rest of the lens.
pub struct Inputs<'a> {
    pub g: &'a Graph,
    /// Each item's perspective (its author's), as an index into `pnames`.
    pub persp: &'a [Option<usize>],
    pub pnames: &'a [String],
    /// `(item, person)` sorted, and each person's perspective.
    pub contrib: &'a [(usize, usize)],
    pub person_persp: &'a [usize],
    /// Items with a resolution or goal downstream (or linked from one).
    pub decided: &'a [bool],
    /// `(friction, perspective)` positions.
    pub positions: &'a [(usize, String)],
    pub progress: &'a Progress,
    pub today: NaiveDate,
    pub limit: usize,
    pub thresholds: Thresholds,
}

fn cap<T>(mut v: Vec<(i64, T)>, limit: usize) -> Listing<T> {
    // Oldest first.
    v.sort_by_key(|x| std::cmp::Reverse(x.0));
    let count = v.len();
    let take = if limit == 0 { count } else { limit };
    Listing { count, items: v.into_iter().take(take).map(|x| x.1).collect() }
}

/// What falls between chairs.
pub fn between_chairs(x: &Inputs) -> BetweenChairs {
    let g = x.g;
    let t = x.thresholds;
    let age = |s: &str| date(s).map_or(0, |d| (x.today - d).num_days().max(0));
    let persp_of = |i: usize| x.persp[i].map(|p| vec![x.pnames[p].clone()]).unwrap_or_default();
    let waiting = |i: usize, since: &str, perspectives: Vec<String>| {
        let a = age(since);
        (a, Waiting { item: g.item_ref(i), since: day(since), age_days: a, perspectives })
    };
    let n = g.len();
    let mut signals = Vec::new();
    let mut insights = Vec::new();
    for i in 0..n {
        match g.kind(i) {
            Kind::Signal if g.at(i).next().is_none() && age(g.created(i)) >= t.signal_days => {
                signals.push(waiting(i, g.created(i), persp_of(i)))
            }
            Kind::Insight if !x.decided[i] && age(g.created(i)) >= t.insight_days => {
                let evidenced = g.at(i).any(|e| {
                    let (s, d, rel) = g.edges[e];
                    (rel == Rel::Evidence && s == i && g.kind(d) == Kind::Signal)
                        || (rel == Rel::Supports && d == i && g.kind(s) == Kind::Signal)
                });
                if evidenced {
                    insights.push(waiting(i, g.created(i), persp_of(i)));
                }
            }
            _ => {}
        }
    }
    let frictions =
        x.progress.friction_updated.iter().filter(|(_, u)| age(u) >= t.friction_days).map(|(i, u)| waiting(*i, u, persp_of(*i))).collect();
    let rounds = x
        .progress
        .rounds
        .iter()
        .filter(|(_, opened, w)| !w.is_empty() && age(opened) >= t.round_days)
        .map(|(i, opened, w)| waiting(*i, opened, w.clone()))
        .collect();

    // Hand-overs: a link from one perspective's item to another's, with no answer from the other.
    let mut handovers = Vec::new();
    let mut seen: std::collections::HashSet<(usize, usize)> = Default::default();
    for &(s, d, rel) in &g.edges {
        if s == d || !matches!(rel, Rel::References | Rel::DerivedFrom | Rel::Supports | Rel::Contradicts) || g.kind(d) == Kind::Goal {
            continue;
        }
        let (Some(ps), Some(pd)) = (x.persp[s], x.persp[d]) else { continue };
        if ps == pd || age(g.created(s)) < t.handover_days || seen.contains(&(s, pd)) {
            continue;
        }
        let linked = g.at(s).any(|e| {
            let (a, b, _) = g.edges[e];
            let other = if a == s { b } else { a };
            other != d && x.persp[other] == Some(pd)
        });
        let from = x.contrib.partition_point(|&(i, _)| i < s);
        let changed = x.contrib[from..].iter().take_while(|&&(i, _)| i == s).any(|&(_, p)| x.person_persp[p] == pd);
        if !linked && !changed {
            seen.insert((s, pd));
            let a = age(g.created(s));
            handovers.push((
                a,
                Handover {
                    from: g.item_ref(s),
                    to: g.item_ref(d),
                    from_perspective: x.pnames[ps].clone(),
                    to_perspective: x.pnames[pd].clone(),
                    since: day(g.created(s)),
                    age_days: a,
                },
            ));
        }
    }
    BetweenChairs {
        thresholds: ThresholdsView {
            signal_days: t.signal_days,
            insight_days: t.insight_days,
            friction_days: t.friction_days,
            round_days: t.round_days,
            handover_days: t.handover_days,
        },
        signals: cap(signals, x.limit),
        insights: cap(insights, x.limit),
        frictions: cap(frictions, x.limit),
        rounds: cap(rounds, x.limit),
        handovers: cap(handovers, x.limit),
    }
}

/// Signal-to-decision time of every resolution with a signal upstream.
pub fn decision_time(x: &Inputs) -> DecisionTime {
    let g = x.g;
    let n = g.len();
    let mut positions: HashMap<usize, Vec<&str>> = HashMap::new();
    for (f, p) in x.positions {
        positions.entry(*f).or_default().push(p);
    }
    // One walk upstream per resolution; `stamp` marks what this walk has seen.
    let mut stamp = vec![u32::MAX; n];
    let mut queue: Vec<usize> = Vec::new();
    let mut rows: Vec<Decided> = Vec::new();
    let mut per_persp: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    let mut per_customer: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    let mut per_month: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for r in (0..n).filter(|&i| g.kind(i) == Kind::Resolution) {
        let decided = g.field(r, NodeField::DecidedOn).map_or_else(|| day(g.created(r)), str::to_string);
        let Some(dd) = date(&decided) else { continue };
        queue.clear();
        queue.push(r);
        stamp[r] = r as u32;
        let mut at = 0;
        let mut earliest: Option<NaiveDate> = None;
        let mut signals = 0;
        let mut customers: BTreeMap<String, NaiveDate> = BTreeMap::new();
        let mut frictions: Vec<usize> = Vec::new();
        while at < queue.len() {
            let v = queue[at];
            at += 1;
            for u in g.step(v, true, &[Rel::Contradicts]) {
                if stamp[u] == r as u32 {
                    continue;
                }
                stamp[u] = r as u32;
                queue.push(u);
                match g.kind(u) {
                    Kind::Signal => {
                        let Some(o) = date(&g.observed(u)) else { continue };
                        signals += 1;
                        earliest = Some(earliest.map_or(o, |e| e.min(o)));
                        if let Some(c) = g.field(u, NodeField::Customer).map(str::trim).filter(|c| !c.is_empty()) {
                            let e = customers.entry(c.to_string()).or_insert(o);
                            *e = (*e).min(o);
                        }
                    }
                    Kind::Friction if v == r => frictions.push(u),
                    _ => {}
                }
            }
        }
        let Some(first) = earliest else { continue };
        let days = (dd - first).num_days().max(0);
        let mut ps: Vec<String> = x.persp[r].map(|p| vec![x.pnames[p].clone()]).unwrap_or_default();
        for f in &frictions {
            for p in positions.get(f).into_iter().flatten() {
                if !ps.iter().any(|q| q.to_lowercase() == p.to_lowercase()) {
                    ps.push(p.to_string());
                }
            }
        }
        for p in ps {
            per_persp.entry(p).or_default().push(days);
        }
        for (c, d) in &customers {
            per_customer.entry(c.clone()).or_default().push((dd - *d).num_days().max(0));
        }
        per_month.entry(decided[..7].to_string()).or_default().push(days);
        rows.push(Decided {
            resolution: g.item_ref(r),
            decided_on: decided,
            earliest_signal: first.format("%Y-%m-%d").to_string(),
            days,
            signals,
            customers: customers.into_keys().collect(),
        });
    }
    let medians = |m: BTreeMap<String, Vec<i64>>| -> Vec<Median> {
        m.into_iter().filter_map(|(name, mut v)| Some(Median { name, resolutions: v.len(), median_days: median(&mut v)? })).collect()
    };
    let mut all: Vec<i64> = rows.iter().map(|r| r.days).collect();
    rows.sort_by(|a, b| b.days.cmp(&a.days).then(a.resolution.title.cmp(&b.resolution.title)));
    let count = rows.len();
    if x.limit > 0 {
        rows.truncate(x.limit);
    }
    DecisionTime {
        count,
        median_days: median(&mut all),
        per_perspective: medians(per_persp),
        per_customer: medians(per_customer),
        per_month: medians(per_month),
        resolutions: rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [5]), Some(5.0));
        assert_eq!(median(&mut [9, 1, 4, 2]), Some(3.0));
    }
}
