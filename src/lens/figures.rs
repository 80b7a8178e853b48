//! The figures of what is used and what is waiting: unused signals and insights, open frictions,
//! the red thread, retired practices and the resolutions to review.

use std::collections::{BTreeMap, VecDeque};

use chrono::NaiveDate;

use crate::error::{Error, Result};
use crate::model::{Kind, Rel};
use crate::store::NodeField;
use crate::trace::{self, day, Graph};

use super::{share, AgeBuckets, FrictionRow, ItemRow, KindShare, Listing, OpenFrictions, RedThread, Retired, SignalRow, ToReview};

/// Item `i` as a row of a list.
fn item_row(g: &Graph, i: usize) -> ItemRow {
    ItemRow {
        id: g.id(i).to_string(),
        kind: g.kind(i),
        title: g.title(i).to_string(),
        status: g.field(i, NodeField::Status).map(str::to_string),
    }
}

/// What is used: items with a resolution or goal downstream, or that one of them links to.
pub(super) fn used(g: &Graph) -> Vec<bool> {
    let n = g.len();
    let decisions: Vec<usize> = (0..n).filter(|&i| matches!(g.kind(i), Kind::Resolution | Kind::Goal)).collect();
    let mut used = upstream_of(g, &decisions);
    for &(s, t, _) in &g.edges {
        if matches!(g.kind(s), Kind::Resolution | Kind::Goal) {
            used[t] = true;
        }
    }
    used
}

/// Signals that no insight uses as evidence, newest first.
pub(super) fn unused_signals(g: &Graph, limit: usize) -> Listing<SignalRow> {
    let n = g.len();
    let mut evidenced = vec![false; n];
    for &(s, t, rel) in &g.edges {
        match rel {
            Rel::Evidence if g.kind(s) == Kind::Insight => evidenced[t] = true,
            Rel::Supports if g.kind(t) == Kind::Insight => evidenced[s] = true,
            _ => {}
        }
    }
    let mut unused_sig: Vec<usize> = (0..n).filter(|&i| g.kind(i) == Kind::Signal && !evidenced[i]).collect();
    newest_first(g, &mut unused_sig, limit, |i| g.observed(i));
    Listing::mapped(unused_sig, limit, |i| SignalRow {
        id: g.id(i).to_string(),
        title: g.title(i).to_string(),
        customer: g.field(i, NodeField::Customer).map(str::to_string),
        source: g.field(i, NodeField::Source).map(str::to_string),
        date: g.observed(i).into_owned(),
    })
}

/// Insights that nothing decided uses, newest first.
pub(super) fn unused_insights(g: &Graph, used: &[bool], limit: usize) -> Listing<ItemRow> {
    let mut unused_ins: Vec<usize> = (0..g.len()).filter(|&i| g.kind(i) == Kind::Insight && !used[i]).collect();
    newest_first(g, &mut unused_ins, limit, |i| g.created(i).into());
    Listing::mapped(unused_ins, limit, |i| item_row(g, i))
}

/// The frictions open or being explored, oldest first, with their ages counted to `today`.
pub(super) fn open_frictions(g: &Graph, today: NaiveDate, limit: usize) -> OpenFrictions {
    let mut open: Vec<usize> = (0..g.len())
        .filter(|&i| g.kind(i) == Kind::Friction && matches!(g.field(i, NodeField::Status), Some("open" | "exploring")))
        .collect();
    open.sort_by(|&a, &b| g.created(a).cmp(g.created(b)).then(g.id(a).cmp(g.id(b))));
    let mut by_age = AgeBuckets::default();
    let open_rows: Vec<FrictionRow> = open
        .iter()
        .map(|&i| {
            let age = NaiveDate::parse_from_str(&day(g.created(i)), "%Y-%m-%d").map_or(0, |d| (today - d).num_days().max(0));
            match age {
                0..7 => by_age.under_7_days += 1,
                7..30 => by_age.under_30_days += 1,
                30..90 => by_age.under_90_days += 1,
                _ => by_age.over_90_days += 1,
            }
            FrictionRow {
                id: g.id(i).to_string(),
                title: g.title(i).to_string(),
                status: g.field(i, NodeField::Status).unwrap_or_default().to_string(),
                severity: g.field(i, NodeField::Severity).map(str::to_string),
                created: g.created(i).to_string(),
                age_days: age,
            }
        })
        .collect();
    let open_count = open_rows.len();
    OpenFrictions { count: open_count, by_age, items: if limit == 0 { open_rows } else { open_rows.into_iter().take(limit).collect() } }
}

/// The share of items (goals aside) with a goal downstream (`traced`), per kind, and those without.
pub(super) fn red_thread(g: &Graph, traced: &[bool], limit: usize) -> RedThread {
    let mut by_kind: BTreeMap<Kind, KindShare> = BTreeMap::new();
    let mut not_traced = Vec::new();
    for (i, &reaches) in traced.iter().enumerate() {
        let k = g.kind(i);
        if k == Kind::Goal {
            continue;
        }
        let e = by_kind.entry(k).or_insert(KindShare { items: 0, traced: 0 });
        e.items += 1;
        if reaches {
            e.traced += 1;
        } else {
            not_traced.push(i);
        }
    }
    newest_first(g, &mut not_traced, limit, |i| g.created(i).into());
    let total: usize = by_kind.values().map(|k| k.items).sum();
    let traced_count: usize = by_kind.values().map(|k| k.traced).sum();
    RedThread {
        items: total,
        traced: traced_count,
        share: share(traced_count as f64, total as f64),
        by_kind,
        not_traced: Listing::mapped(not_traced, limit, |i| item_row(g, i)),
    }
}

/// The practices resolutions retire, in the order they were decided.
pub(super) fn retired(g: &Graph) -> Vec<Retired> {
    let mut retired: Vec<Retired> = (0..g.len())
        .filter(|&i| g.kind(i) == Kind::Resolution)
        .filter_map(|i| {
            let practice = g.field(i, NodeField::Retires)?.trim();
            (!practice.is_empty()).then(|| Retired {
                practice: practice.to_string(),
                resolution: g.item_ref(i),
                decided_on: g.field(i, NodeField::DecidedOn).map_or_else(|| day(g.created(i)), str::to_string),
            })
        })
        .collect();
    retired.sort_by(|a, b| a.decided_on.cmp(&b.decided_on).then(a.practice.cmp(&b.practice)));
    retired
}

/// The resolutions whose review ([`trace::review`]) is needed, in the order they were decided.
pub(super) fn to_review(g: &Graph) -> Result<Vec<ToReview>> {
    let mut to_review = Vec::new();
    let resolutions: Vec<String> =
        (0..g.len()).filter(|&i| g.kind(i) == Kind::Resolution && may_need_review(g, i)).map(|i| g.id(i).to_string()).collect();
    for id in resolutions {
        let r = trace::review(&mut &*g, &id)?;
        if r.needed {
            let resolution = g.pos(&id).map(|i| g.item_ref(i)).ok_or_else(|| Error::NotFound(id.clone()))?;
            to_review.push(ToReview { resolution, decided_on: r.decided_on, reasons: r.reasons });
        }
    }
    to_review.sort_by(|a, b| a.decided_on.cmp(&b.decided_on).then(a.resolution.title.cmp(&b.resolution.title)));
    Ok(to_review)
}

/// A quick necessary condition for [`trace::review`]: something the resolution rests on has a
/// `contradicts` link, or a friction it resolves is linked to a signal it does not rest on. Only
/// resolutions that pass are reviewed in full.
fn may_need_review(g: &Graph, r: usize) -> bool {
    let mut basis = vec![r];
    let mut i = 0;
    while i < basis.len() {
        let v = basis[i];
        i += 1;
        if g.at(v).any(|e| g.edges[e].2 == Rel::Contradicts) {
            return true;
        }
        for u in g.step(v, true, &[Rel::Contradicts]) {
            if !basis.contains(&u) {
                basis.push(u);
            }
            if basis.len() > 256 {
                return true; // a large basis: leave it to the full review
            }
        }
    }
    g.at(r).map(|e| g.edges[e]).filter(|&(s, _, rel)| s == r && rel == Rel::Resolves).any(|(_, f, _)| {
        g.at(f).any(|e| {
            let (s, t, _) = g.edges[e];
            let other = if s == f { t } else { s };
            g.kind(other) == Kind::Signal && !basis.contains(&other)
        })
    })
}

/// Puts the `limit` newest items (all when 0) first, newest first by a day or timestamp, then by
/// id; the rest follow in no particular order (lists show only the first `limit`).
fn newest_first<'g>(g: &'g Graph, v: &mut Vec<usize>, limit: usize, key: impl Fn(usize) -> std::borrow::Cow<'g, str>) {
    let mut keyed: Vec<(std::borrow::Cow<'g, str>, usize)> = v.iter().map(|&i| (key(i), i)).collect();
    let order =
        |a: &(std::borrow::Cow<'g, str>, usize), b: &(std::borrow::Cow<'g, str>, usize)| b.0.cmp(&a.0).then(g.id(b.1).cmp(g.id(a.1)));
    if limit > 0 && limit < keyed.len() {
        keyed.select_nth_unstable_by(limit, order);
        keyed[..limit].sort_by(order);
    } else {
        keyed.sort_by(order);
    }
    *v = keyed.into_iter().map(|x| x.1).collect();
}

/// Nodes from which one of `targets` is downstream (the targets themselves included), following
/// every typed relation but `contradicts`.
pub(super) fn upstream_of(g: &Graph, targets: &[usize]) -> Vec<bool> {
    let mut seen = vec![false; g.len()];
    let mut queue: VecDeque<usize> = VecDeque::new();
    for &t in targets {
        if !seen[t] {
            seen[t] = true;
            queue.push_back(t);
        }
    }
    while let Some(i) = queue.pop_front() {
        for u in g.step(i, true, &[Rel::Contradicts]) {
            if !seen[u] {
                seen[u] = true;
                queue.push_back(u);
            }
        }
    }
    seen
}
