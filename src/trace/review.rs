//! The review flag of a resolution.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::{Kind, Rel};
use crate::store::NodeRow;

use super::{day, observed, up_down, ItemRef, View};

/// Whether a resolution should be looked at again because what it rests on has been contradicted.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Review {
    pub needed: bool,
    /// The day the decision counts from: `decided_on`, else the day the resolution was recorded.
    pub decided_on: String,
    pub reasons: Vec<ReviewReason>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReviewReason {
    /// The newer item.
    pub id: String,
    pub kind: Kind,
    pub title: String,
    pub date: String,
    /// What it did: `contradicts` (an item the resolution rests on) or `linked-to-friction`.
    pub why: String,
    /// The item it contradicts or the friction it is linked to.
    pub about: ItemRef,
}

/// The date of an item for "newer than the decision": a signal's observed date, else the day it was recorded.
fn dated(n: &NodeRow) -> String {
    if n.kind == Kind::Signal {
        observed(n)
    } else {
        day(&n.created)
    }
}

/// Flags resolution `id` for review when, after its decision day,
/// - an item dated later `contradicts` something the resolution rests on (the resolution itself or
///   anything upstream of it, following every relation but `contradicts`), either way round; or
/// - a signal dated later is linked (any relation, either way) to a friction the resolution resolves.
pub fn review(view: &mut dyn View, id: &str) -> Result<Review> {
    let res = view.node(id)?.ok_or_else(|| Error::NotFound(id.to_string()))?;
    let decided = res.decided_on.clone().unwrap_or_else(|| day(&res.created));
    // What the resolution rests on.
    let mut basis: BTreeSet<String> = BTreeSet::from([res.id.clone()]);
    let mut queue = VecDeque::from([res.id.clone()]);
    while let Some(cur) = queue.pop_front() {
        for e in view.edges(&cur)? {
            if e.rel == Rel::Contradicts {
                continue;
            }
            let Some((up, down)) = up_down(&e) else { continue };
            if down == cur && basis.insert(up.to_string()) {
                queue.push_back(up.to_string());
            }
        }
    }
    let frictions: BTreeSet<String> =
        view.edges(&res.id)?.into_iter().filter(|e| e.rel == Rel::Resolves && e.source_id == res.id).map(|e| e.target_id).collect();

    let mut reasons: BTreeMap<(String, String, String), ReviewReason> = BTreeMap::new();
    for b in &basis {
        let Some(about) = view.node(b)? else { continue };
        for e in view.edges(b)? {
            let other = if e.source_id == *b { &e.target_id } else { &e.source_id };
            if other == b || basis.contains(other) {
                continue;
            }
            let why = if e.rel == Rel::Contradicts {
                "contradicts"
            } else if frictions.contains(b) {
                "linked-to-friction"
            } else {
                continue;
            };
            let Some(n) = view.node(other)? else { continue };
            if why == "linked-to-friction" && n.kind != Kind::Signal {
                continue;
            }
            let date = dated(&n);
            if date <= decided {
                continue;
            }
            reasons.entry((date.clone(), n.id.clone(), about.id.clone())).or_insert(ReviewReason {
                id: n.id.clone(),
                kind: n.kind,
                title: n.title.clone(),
                date,
                why: why.into(),
                about: ItemRef::from(&about),
            });
        }
    }
    let reasons: Vec<ReviewReason> = reasons.into_values().collect();
    Ok(Review { needed: !reasons.is_empty(), decided_on: decided, reasons })
}
