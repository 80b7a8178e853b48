//! The evidence strength of an insight.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::Serialize;

use crate::error::Result;
use crate::model::{self, Kind, Rel};
use crate::store::NodeRow;

use super::{observed, parse_day, View, RECENCY_HALF_LIFE_DAYS};

/// The evidence strength of an insight, with its parts.
///
/// The formula (documented in the README):
/// - `n` distinct signals back the insight (it links them with `evidence`, or they link it with `supports`);
/// - `c` distinct customers and `s` distinct sources among them (customers compared case-insensitively);
/// - each signal's weight halves every 180 days since it was observed; `recency` is their mean (0 without signals);
/// - `k` signals contradict it (a `contradicts` link either way);
/// - score = (30·min(n,5)/5 + 30·min(c,3)/3 + 20·min(s,3)/3 + 20·recency) · n/(n+k), rounded, 0–100;
/// - level: `none` without signals, `weak` under 40, `moderate` under 70, `strong` from 70.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Evidence {
    pub score: u32,
    pub level: String,
    pub signals: usize,
    pub customers: Vec<String>,
    pub sources: Vec<String>,
    pub contradicting: usize,
    pub newest: Option<String>,
    pub oldest: Option<String>,
    /// Mean weight of the signals by age, 0–1.
    pub recency: f64,
    /// What each part adds to the score, before the contradiction factor.
    pub parts: EvidenceParts,
    /// The day ages are counted to.
    pub as_of: String,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EvidenceParts {
    pub signals: f64,
    pub customers: f64,
    pub sources: f64,
    pub recency: f64,
    pub contradiction_factor: f64,
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Computes the evidence strength of insight `id` as of `today`.
pub fn evidence(view: &mut dyn View, id: &str, today: NaiveDate) -> Result<Evidence> {
    let mut backing: BTreeMap<String, NodeRow> = BTreeMap::new();
    let mut against: BTreeSet<String> = BTreeSet::new();
    for e in view.edges(id)? {
        let other = if e.source_id == id { &e.target_id } else { &e.source_id };
        if other == id {
            continue;
        }
        let backs = match e.rel {
            Rel::Evidence => e.source_id == id,
            Rel::Supports => e.target_id == id,
            Rel::Contradicts => false,
            _ => continue,
        };
        let Some(n) = view.node(other)? else { continue };
        if n.kind != Kind::Signal {
            continue;
        }
        if backs {
            backing.insert(n.id.clone(), n);
        } else if e.rel == Rel::Contradicts {
            against.insert(n.id.clone());
        }
    }
    Ok(strength(backing.values(), against.len(), today))
}

/// The score of a set of backing signals and `k` contradicting ones, as of `today`.
pub fn strength<'a>(signals: impl Iterator<Item = &'a NodeRow>, k: usize, today: NaiveDate) -> Evidence {
    let mut customers: BTreeMap<String, String> = BTreeMap::new();
    let mut sources: BTreeSet<String> = BTreeSet::new();
    let mut dates: Vec<String> = Vec::new();
    let mut weight = 0.0;
    let mut n = 0usize;
    for s in signals {
        n += 1;
        if let Some(c) = s.customer.as_deref().filter(|c| !c.trim().is_empty()) {
            customers.entry(model::title_key(c)).or_insert_with(|| c.trim().to_string());
        }
        sources.extend(s.source.clone());
        let d = observed(s);
        let age = parse_day(&d).map_or(0, |d| (today - d).num_days().max(0)) as f64;
        weight += 0.5f64.powf(age / RECENCY_HALF_LIFE_DAYS);
        dates.push(d);
    }
    dates.sort();
    let (c, src) = (customers.len(), sources.len());
    let recency = if n == 0 { 0.0 } else { weight / n as f64 };
    let parts = EvidenceParts {
        signals: 30.0 * n.min(5) as f64 / 5.0,
        customers: 30.0 * c.min(3) as f64 / 3.0,
        sources: 20.0 * src.min(3) as f64 / 3.0,
        recency: 20.0 * recency,
        contradiction_factor: if n + k == 0 { 1.0 } else { n as f64 / (n + k) as f64 },
    };
    let raw = (parts.signals + parts.customers + parts.sources + parts.recency) * parts.contradiction_factor;
    let score = raw.round().clamp(0.0, 100.0) as u32;
    let level = match (n, score) {
        (0, _) => "none",
        (_, s) if s < 40 => "weak",
        (_, s) if s < 70 => "moderate",
        _ => "strong",
    };
    Evidence {
        score,
        level: level.into(),
        signals: n,
        customers: customers.into_values().collect(),
        sources: sources.into_iter().collect(),
        contradicting: k,
        newest: dates.last().cloned(),
        oldest: dates.first().cloned(),
        recency: round2(recency),
        parts: EvidenceParts {
            signals: round2(parts.signals),
            customers: round2(parts.customers),
            sources: round2(parts.sources),
            recency: round2(parts.recency),
            contradiction_factor: round2(parts.contradiction_factor),
        },
        as_of: today.format("%Y-%m-%d").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signal(id: &str, customer: &str, source: &str, date: &str) -> NodeRow {
        NodeRow {
            id: id.into(),
            kind: Kind::Signal,
            title: id.into(),
            author: "p".into(),
            created: "2026-01-01T00:00:00.000Z".into(),
            status: None,
            severity: None,
            source: Some(source.into()),
            customer: Some(customer.into()),
            date: Some(date.into()),
            decided_on: None,
            retires: None,
            start: None,
            end: None,
            attendees: None,
            all_day: false,
        }
    }

    #[test]
    fn evidence_formula_parts() {
        let today = NaiveDate::from_ymd_opt(2026, 7, 1).unwrap();
        let d = |days: i64| (today - chrono::Duration::days(days)).format("%Y-%m-%d").to_string();
        let s =
            [signal("a", "Acme", "interview", &d(0)), signal("b", "acme ", "support", &d(180)), signal("c", "Beta", "support", &d(360))];
        let e = strength(s.iter(), 0, today);
        assert_eq!((e.signals, e.customers.len(), e.sources.len()), (3, 2, 2));
        assert_eq!(e.recency, 0.58);
        assert_eq!(e.parts, EvidenceParts { signals: 18.0, customers: 20.0, sources: 13.33, recency: 11.67, contradiction_factor: 1.0 });
        assert_eq!((e.score, e.level.as_str()), (63, "moderate"));
        let e = strength(s.iter(), 1, today);
        assert_eq!((e.score, e.parts.contradiction_factor), (47, 0.75));
        let none = strength([].iter(), 0, today);
        assert_eq!((none.score, none.level.as_str(), none.recency), (0, "none", 0.0));
        // A signal dated after `today` counts as new, not as more than new.
        let future = [signal("f", "X", "usage", "2027-01-01")];
        assert_eq!(strength(future.iter(), 0, today).recency, 1.0);
    }
}
