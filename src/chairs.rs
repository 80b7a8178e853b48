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
//!   `derived-from`, `supports`, `contradicts`) to an item of another (a goal aside), and no other
//!   link joins it with an item of that perspective (the item it was handed to linking back
//!   counts), nor did anyone of that perspective change it, `handover_days` after it was made. An
//!   item's perspective is its author's.
//! - **Signal to decision**: for each resolution with a signal upstream (the trace's meaning of
//!   links), the days from its earliest signal (observed date) to its decision (`decided_on`, else
//!   the day it was made); medians overall, per perspective (those with a position in a friction it
//!   resolves, and its author's), per customer (from that customer's earliest signal) and per month
//!   of the decision.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::Serialize;

use crate::error::Result;
use crate::lens::Listing;
use crate::model::{Kind, Rel};
use crate::store::{NodeField, Tx};
use crate::trace::{day, Graph, ItemRef};

/// The days after which something falls between chairs: a setting of the workspace
/// ([`crate::workspace::Workspace::chairs_thresholds`]), the defaults until changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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

impl Thresholds {
    /// Each threshold with its setting's name.
    pub fn named(&self) -> [(&'static str, i64); 5] {
        [
            ("signal_days", self.signal_days),
            ("insight_days", self.insight_days),
            ("friction_days", self.friction_days),
            ("round_days", self.round_days),
            ("handover_days", self.handover_days),
        ]
    }

    /// Refuses a negative number of days, naming the setting.
    pub fn check(&self) -> crate::Result<()> {
        match self.named().into_iter().find(|(_, v)| *v < 0) {
            Some((name, v)) => {
                Err(crate::Error::invalid(format!("{} cannot be negative ({v}): give 0 or more days", name.replace('_', " "))))
            }
            None => Ok(()),
        }
    }

    /// As kept in the workspace's settings: `signal_days=14 insight_days=30 …`.
    pub fn to_setting(&self) -> String {
        self.named().iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(" ")
    }

    /// Read back from [`Thresholds::to_setting`]; a name it does not know, or a value that is no
    /// whole number of days, keeps that threshold's default.
    pub fn from_setting(s: &str) -> Thresholds {
        let mut t = Thresholds::default();
        for (k, v) in s.split_whitespace().filter_map(|kv| kv.split_once('=')) {
            let Ok(v) = v.parse::<i64>() else { continue };
            let slot = match k {
                "signal_days" => &mut t.signal_days,
                "insight_days" => &mut t.insight_days,
                "friction_days" => &mut t.friction_days,
                "round_days" => &mut t.round_days,
                "handover_days" => &mut t.handover_days,
                _ => continue,
            };
            if v >= 0 {
                *slot = v;
            }
        }
        t
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
        p.hours_freed = (p.hours_freed * 100.0).round() / 100.0 + 0.0;
        Ok(p)
    }
}

/// What falls between chairs, each list oldest first.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BetweenChairs {
    pub thresholds: Thresholds,
    pub signals: Listing<Waiting>,
    pub insights: Listing<Waiting>,
    pub frictions: Listing<Waiting>,
    pub rounds: Listing<Waiting>,
    pub handovers: Listing<Handover>,
}

/// An item waiting: since when, how many days, and the perspectives involved (its author's; for
/// a round, those not answered yet).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Waiting {
    pub item: ItemRef,
    pub since: String,
    pub age_days: i64,
    pub perspectives: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Handover {
    pub from: ItemRef,
    pub to: ItemRef,
    pub from_perspective: String,
    pub to_perspective: String,
    pub since: String,
    pub age_days: i64,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Median {
    pub name: String,
    pub resolutions: usize,
    pub median_days: f64,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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

/// The count of `keyed` and, oldest first (smallest key), the first `limit` made into rows: rows
/// are built only for what is shown.
fn oldest<K: Ord + Copy, T>(mut keyed: Vec<(K, usize)>, limit: usize, row: impl Fn(usize) -> T) -> Listing<T> {
    let count = keyed.len();
    let take = if limit == 0 { count } else { limit.min(count) };
    if take < count {
        keyed.select_nth_unstable(take);
        keyed.truncate(take);
    }
    keyed.sort_unstable();
    Listing { count, items: keyed.into_iter().map(|(_, i)| row(i)).collect() }
}

/// The day `days` before `today`, as text: a timestamp or day on or before it is that old.
fn cutoff(today: NaiveDate, days: i64) -> String {
    (today - chrono::Duration::days(days.max(0))).format("%Y-%m-%d").to_string()
}

/// The first ten characters (the day) of a timestamp.
fn day10(s: &str) -> &str {
    s.get(..10).unwrap_or(s)
}

/// What falls between chairs.
pub fn between_chairs(x: &Inputs) -> BetweenChairs {
    let g = x.g;
    let t = x.thresholds;
    let age = |s: &str| date(s).map_or(0, |d| (x.today - d).num_days().max(0));
    let persp_of = |i: usize| x.persp[i].map(|p| vec![x.pnames[p].clone()]).unwrap_or_default();
    let waiting = |i: usize, since: &str, perspectives: Vec<String>| Waiting {
        item: g.item_ref(i),
        since: day(since),
        age_days: age(since),
        perspectives,
    };
    let n = g.len();
    let (sig_cut, ins_cut, fr_cut, round_cut, hand_cut) = (
        cutoff(x.today, t.signal_days),
        cutoff(x.today, t.insight_days),
        cutoff(x.today, t.friction_days),
        cutoff(x.today, t.round_days),
        cutoff(x.today, t.handover_days),
    );
    let mut signals: Vec<(&str, usize)> = Vec::new();
    let mut insights: Vec<(&str, usize)> = Vec::new();
    for i in 0..n {
        match g.kind(i) {
            Kind::Signal if g.at(i).next().is_none() && day10(g.created(i)) <= sig_cut.as_str() => signals.push((g.created(i), i)),
            Kind::Insight if !x.decided[i] && day10(g.created(i)) <= ins_cut.as_str() => {
                let evidenced = g.at(i).any(|e| {
                    let (s, d, rel) = g.edges[e];
                    (rel == Rel::Evidence && s == i && g.kind(d) == Kind::Signal)
                        || (rel == Rel::Supports && d == i && g.kind(s) == Kind::Signal)
                });
                if evidenced {
                    insights.push((g.created(i), i));
                }
            }
            _ => {}
        }
    }
    let fr: Vec<(&str, usize)> = x
        .progress
        .friction_updated
        .iter()
        .enumerate()
        .filter(|(_, (_, u))| day10(u) <= fr_cut.as_str())
        .map(|(k, (_, u))| (u.as_str(), k))
        .collect();
    let rd: Vec<(&str, usize)> = x
        .progress
        .rounds
        .iter()
        .enumerate()
        .filter(|(_, (_, opened, w))| !w.is_empty() && day10(opened) <= round_cut.as_str())
        .map(|(k, (_, opened, _))| (opened.as_str(), k))
        .collect();

    let handovers = handovers(x, &hand_cut);
    let keyed: Vec<((&str, usize), usize)> = handovers.iter().enumerate().map(|(k, h)| (h.0, k)).collect();
    let handovers = oldest(keyed, x.limit, |k| {
        let (s, d) = handovers[k].1;
        Handover {
            from: g.item_ref(s),
            to: g.item_ref(d),
            from_perspective: x.persp[s].map(|p| x.pnames[p].clone()).unwrap_or_default(),
            to_perspective: x.persp[d].map(|p| x.pnames[p].clone()).unwrap_or_default(),
            since: day(g.created(s)),
            age_days: age(g.created(s)),
        }
    });
    BetweenChairs {
        thresholds: t,
        signals: oldest(signals, x.limit, |i| waiting(i, g.created(i), persp_of(i))),
        insights: oldest(insights, x.limit, |i| waiting(i, g.created(i), persp_of(i))),
        frictions: oldest(fr, x.limit, |k| {
            let (i, u) = &x.progress.friction_updated[k];
            waiting(*i, u, persp_of(*i))
        }),
        rounds: oldest(rd, x.limit, |k| {
            let (i, opened, w) = &x.progress.rounds[k];
            waiting(*i, opened, w.clone())
        }),
        handovers,
    }
}

/// A hand-over found: `((created, order), (from, to))`.
type Found<'a> = ((&'a str, usize), (usize, usize));

/// The hand-overs made on or before `cut`, in the links' order: a link from one perspective's item
/// to another's, with no answer from the other (another link between the item and one of the
/// other perspective's, or a change to the item by someone of it).
fn handovers<'a>(x: &Inputs<'a>, cut: &str) -> Vec<Found<'a>> {
    // Which perspectives each item is linked with, and whether by more than one link: bit masks
    // (a workspace with more than 64 perspectives looks at each item's links instead).
    let (g, n, np) = (x.g, x.g.len(), x.pnames.len());
    let masks = (np <= 64).then(|| {
        let (mut once, mut twice) = (vec![0u64; n], vec![0u64; n]);
        let mut mark = |a: usize, b: usize| {
            if let Some(p) = x.persp[b] {
                let bit = 1u64 << p;
                twice[a] |= once[a] & bit;
                once[a] |= bit;
            }
        };
        let mut last = (usize::MAX, usize::MAX);
        for &(s, d, _) in &g.edges {
            // One mark per pair of items, whatever the relations between them.
            if (s, d) != last && s != d {
                mark(s, d);
                mark(d, s);
            }
            last = (s, d);
        }
        (once, twice)
    });
    let mut handovers: Vec<Found> = Vec::new();
    let mut seen: std::collections::HashSet<(usize, usize)> = Default::default();
    for &(s, d, rel) in &g.edges {
        if s == d || !matches!(rel, Rel::References | Rel::DerivedFrom | Rel::Supports | Rel::Contradicts) || g.kind(d) == Kind::Goal {
            continue;
        }
        let (Some(ps), Some(pd)) = (x.persp[s], x.persp[d]) else { continue };
        if ps == pd || day10(g.created(s)) > cut {
            continue;
        }
        // Another link between `s` and an item of `pd`'s perspective answers it.
        let linked = match &masks {
            Some((_, twice)) => twice[s] & (1u64 << pd) != 0,
            None => g.at(s).any(|e| {
                let (a, b, _) = g.edges[e];
                let other = if a == s { b } else { a };
                other != d && x.persp[other] == Some(pd)
            }),
        };
        if linked || seen.contains(&(s, pd)) {
            continue;
        }
        let from = x.contrib.partition_point(|&(i, _)| i < s);
        let changed = x.contrib[from..].iter().take_while(|&&(i, _)| i == s).any(|&(_, p)| x.person_persp[p] == pd);
        if !changed {
            seen.insert((s, pd));
            handovers.push(((g.created(s), handovers.len()), (s, d)));
        }
    }
    handovers
}

/// Days since 1970 of a `YYYY-MM-DD…` text, read without a date library; `None` when it is not one.
fn epoch_day(s: &str) -> Option<i32> {
    let b = s.as_bytes();
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i32> {
        let mut v = 0i32;
        for &c in &b[r] {
            if !c.is_ascii_digit() {
                return None;
            }
            v = v * 10 + i32::from(c - b'0');
        }
        Some(v)
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// A resolution's walk upstream: the signals it traces to, each signal's observed day and
/// customer read once for all walks (customers interned), and the frictions it resolves.
struct Upstream<'g> {
    g: &'g Graph,
    /// Each signal's observed day as days since 1970: `UNREAD` until read, `NO_DAY` without one.
    observed: Vec<i32>,
    customer_of: Vec<u32>,
    customer_ids: HashMap<&'g str, u32>,
    customer_names: Vec<&'g str>,
    /// What the current walk has seen (marked with the resolution's index).
    stamp: Vec<u32>,
    queue: Vec<usize>,
}

/// One resolution's walk: its earliest signal's day, how many signals, each customer's earliest
/// day, and the frictions it resolves.
struct Walked {
    first: Option<i32>,
    signals: usize,
    customers: Vec<(u32, i32)>,
    frictions: Vec<usize>,
}

const UNREAD: i32 = i32::MIN;
const NO_DAY: i32 = i32::MIN + 1;

impl<'g> Upstream<'g> {
    fn new(g: &'g Graph) -> Self {
        let n = g.len();
        Upstream {
            g,
            observed: vec![UNREAD; n],
            customer_of: vec![u32::MAX; n],
            customer_ids: HashMap::new(),
            customer_names: Vec::new(),
            stamp: vec![u32::MAX; n],
            queue: Vec::new(),
        }
    }

    /// The signal's observed day (read once), interning its customer on the way.
    fn observe(&mut self, u: usize) -> i32 {
        if self.observed[u] == UNREAD {
            let g = self.g;
            self.observed[u] = epoch_day(&g.observed(u)).unwrap_or(NO_DAY);
            if let Some(c) = g.field(u, NodeField::Customer).map(str::trim).filter(|c| !c.is_empty()) {
                let next = self.customer_names.len() as u32;
                let id = *self.customer_ids.entry(c).or_insert(next);
                if id == next {
                    self.customer_names.push(c);
                }
                self.customer_of[u] = id;
            }
        }
        self.observed[u]
    }

    fn walk(&mut self, r: usize) -> Walked {
        let g = self.g;
        let mut w = Walked { first: None, signals: 0, customers: Vec::new(), frictions: Vec::new() };
        self.queue.clear();
        self.queue.push(r);
        self.stamp[r] = r as u32;
        let mut at = 0;
        while at < self.queue.len() {
            let v = self.queue[at];
            at += 1;
            for u in g.step(v, true, &[Rel::Contradicts]) {
                if self.stamp[u] == r as u32 {
                    continue;
                }
                self.stamp[u] = r as u32;
                match g.kind(u) {
                    Kind::Signal => {
                        let o = self.observe(u);
                        if o == NO_DAY {
                            continue;
                        }
                        w.signals += 1;
                        w.first = Some(w.first.map_or(o, |f| f.min(o)));
                        let c = self.customer_of[u];
                        if c != u32::MAX {
                            match w.customers.iter_mut().find(|(k, _)| *k == c) {
                                Some(e) => e.1 = e.1.min(o),
                                None => w.customers.push((c, o)),
                            }
                        }
                        self.queue.push(u);
                    }
                    Kind::Friction if v == r => {
                        w.frictions.push(u);
                        self.queue.push(u);
                    }
                    _ => self.queue.push(u),
                }
            }
        }
        w
    }
}

/// A resolution with a signal upstream: its index, decision and earliest signal's days, how many
/// signals, and each customer's earliest day.
struct DecidedRow {
    r: usize,
    decided: i32,
    first: i32,
    signals: usize,
    customers: Vec<(u32, i32)>,
}

/// Signal-to-decision time of every resolution with a signal upstream: the days from its earliest
/// traced signal to its decision; medians per perspective (its author's and those with a position in the frictions it
/// resolves), per customer (from that customer's earliest signal) and per month of the decision.
pub fn decision_time(x: &Inputs) -> DecisionTime {
    let g = x.g;
    let mut positions: HashMap<usize, Vec<&str>> = HashMap::new();
    for (f, p) in x.positions {
        positions.entry(*f).or_default().push(p);
    }
    let mut up = Upstream::new(g);
    let mut rows: Vec<DecidedRow> = Vec::new();
    let mut per_persp: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    let mut per_customer: HashMap<u32, Vec<i64>> = HashMap::new();
    let mut per_month: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    let mut ps: Vec<String> = Vec::new();
    for r in (0..g.len()).filter(|&i| g.kind(i) == Kind::Resolution) {
        let decided_text = g.field(r, NodeField::DecidedOn).unwrap_or_else(|| g.created(r));
        let Some(dd) = epoch_day(decided_text) else { continue };
        let w = up.walk(r);
        let Some(first) = w.first else { continue };
        let days = i64::from((dd - first).max(0));
        ps.clear();
        if let Some(p) = x.persp[r] {
            ps.push(x.pnames[p].clone());
        }
        for f in &w.frictions {
            for p in positions.get(f).into_iter().flatten() {
                if !ps.iter().any(|q| q.eq_ignore_ascii_case(p)) {
                    ps.push(p.to_string());
                }
            }
        }
        for p in &ps {
            match per_persp.get_mut(p) {
                Some(v) => v.push(days),
                None => {
                    per_persp.insert(p.clone(), vec![days]);
                }
            }
        }
        for &(c, d) in &w.customers {
            per_customer.entry(c).or_default().push(i64::from((dd - d).max(0)));
        }
        per_month.entry(day10(decided_text).get(..7).unwrap_or_default()).or_default().push(days);
        rows.push(DecidedRow { r, decided: dd, first, signals: w.signals, customers: w.customers });
    }
    let names = &up.customer_names;
    let mut by_customer: Vec<(String, Vec<i64>)> = per_customer.into_iter().map(|(c, v)| (names[c as usize].to_string(), v)).collect();
    by_customer.sort_by(|a, b| a.0.cmp(&b.0));
    let mut all: Vec<i64> = rows.iter().map(|r| i64::from((r.decided - r.first).max(0))).collect();
    DecisionTime {
        count: rows.len(),
        median_days: median(&mut all),
        per_perspective: medians(per_persp.into_iter().collect()),
        per_customer: medians(by_customer),
        per_month: medians(per_month.into_iter().map(|(m, v)| (m.to_string(), v)).collect()),
        resolutions: decided_rows(g, &rows, names, x.limit),
    }
}

fn medians(m: Vec<(String, Vec<i64>)>) -> Vec<Median> {
    m.into_iter().filter_map(|(name, mut v)| Some(Median { name, resolutions: v.len(), median_days: median(&mut v)? })).collect()
}

/// The resolutions shown, slowest first (rows are made only for what is shown).
fn decided_rows(g: &Graph, rows: &[DecidedRow], customer_names: &[&str], limit: usize) -> Vec<Decided> {
    let keyed: Vec<((i64, usize), usize)> = rows.iter().enumerate().map(|(k, r)| ((-i64::from(r.decided - r.first), r.r), k)).collect();
    let shown = oldest(keyed, limit, |k| k);
    let day_text = |d: i32| {
        (NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default() + chrono::Duration::days(i64::from(d))).format("%Y-%m-%d").to_string()
    };
    shown
        .items
        .into_iter()
        .map(|k| {
            let r = &rows[k];
            let mut customers: Vec<String> = r.customers.iter().map(|(c, _)| customer_names[*c as usize].to_string()).collect();
            customers.sort();
            Decided {
                resolution: g.item_ref(r.r),
                decided_on: day_text(r.decided),
                earliest_signal: day_text(r.first),
                days: i64::from((r.decided - r.first).max(0)),
                signals: r.signals,
                customers,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_since_1970() {
        for d in ["1970-01-01", "2000-02-29", "2026-03-01", "2026-12-31", "1969-12-31"] {
            let want = (NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap() - NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()).num_days();
            assert_eq!(epoch_day(d), Some(want as i32), "{d}");
        }
        assert_eq!(epoch_day("2026-13-01"), None);
        assert_eq!(epoch_day("soon"), None);
        assert_eq!(epoch_day("2026-03-01T10:00:00Z"), epoch_day("2026-03-01"));
    }

    #[test]
    fn medians() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [5]), Some(5.0));
        assert_eq!(median(&mut [9, 1, 4, 2]), Some(3.0));
    }
}
