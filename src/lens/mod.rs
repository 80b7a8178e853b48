//! The integration lens: where the organisation has *glappkontakt* (loose connections).
//!
//! Every figure is computed on demand from the store: [`Graph::load`] reads the live items, their
//! resolved links and who contributed to them in three queries, and [`compute`] is a pure function
//! over that. The definitions (also in the README):
//!
//! - **Perspectives** are the distinct perspectives of people. An item's perspective is its author's.
//! - **Matrix**: for each pair of perspectives, `links` counts resolved links (any relation, once per
//!   source, target and relation) between an item of one and an item of the other; `co_authored`
//!   counts items whose contributors (everyone with a revision of it) include both; `positions`
//!   counts frictions where both stated a position; `agreed` counts resolutions agreed by both (its
//!   `agreed_by` names people, matched by name, or perspectives). A pair with none of these is a
//!   **silo**.
//! - **Bridge people**: in the graph of people (two people are joined when they contributed to the
//!   same item, or one's item links to the other's), a person bridges perspectives P and Q when some
//!   other P-person and Q-person are connected with them and are not without them. Ranked by
//!   betweenness centrality (Brandes; each unordered pair of people counted once).
//! - **Bridge items**: cut vertices of the item graph (resolved links, undirected) whose removal
//!   leaves parts with different sets of perspectives; `pairs_separated` counts the pairs of items
//!   that can only reach each other through the item (its share of betweenness).
//! - **Unused signals**: no insight uses them as evidence (`evidence` from the insight, or `supports` to it).
//! - **Unused insights**: no resolution or goal is downstream of them (every typed relation but
//!   `contradicts`) and none links to them.
//! - **Open frictions** (open or exploring), oldest first, with their age in days.
//! - **Red thread**: the share of items (goals aside) from which a goal is downstream.
//! - **Retired practices**: the `retires` of resolutions.
//! - **Between chairs** and **signal-to-decision time**: see [`crate::chairs`].
//! - **Calendar**: a meeting's hours are end − start; one tagged `all-day` counts `workday_hours`
//!   (default 8) per day. A meeting's hours count for every goal downstream of it; per person via
//!   its attendees (matched to people by name), per perspective as the sum of its people's hours.
//!
//! Beside this file, which holds the lens's types and [`compute`] (each figure in the order the
//! lens shows it): `perspectives.rs` (who holds which perspective, the matrix and the silos),
//! `bridges.rs` (bridge people and bridge items), `figures.rs` (what is used, open frictions, the
//! red thread, retired practices, resolutions to review), `calendar.rs` (meeting hours) and
//! `reading.rs` (what the lens reads from the store and keeps in the open workspace).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::{self, Kind, Person};
use crate::trace::{Graph, ItemRef, ReviewReason};

mod bridges;
mod calendar;
mod figures;
mod perspectives;
mod reading;
pub mod rows;

pub use bridges::{betweenness, BridgeItem, BridgePerson, Bridges};
pub use calendar::{meeting_hours, CalendarFigures, GoalHours, NameHours, PersonHours, PerspectiveHours};
pub use reading::Loaded;

use perspectives::{Met, Perspectives};

/// What the lens looks at.
#[derive(Debug, Clone)]
pub struct LensOptions {
    /// Ages are counted to this day.
    pub today: NaiveDate,
    /// Only meetings starting on or after this day count for the calendar figures.
    pub from: Option<NaiveDate>,
    /// Only meetings starting on or before this day count.
    pub to: Option<NaiveDate>,
    /// The longest list of items per figure (counts are always whole); 0 for no limit.
    pub limit: usize,
    /// Hours an all-day event counts per day.
    pub workday_hours: f64,
    /// When something has waited long enough to count as fallen between chairs.
    pub thresholds: crate::chairs::Thresholds,
}

impl LensOptions {
    pub fn new(today: NaiveDate) -> Self {
        LensOptions { today, from: None, to: None, limit: 50, workday_hours: 8.0, thresholds: Default::default() }
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Lens {
    pub as_of: String,
    /// Live items.
    pub items: usize,
    pub perspectives: Vec<PerspectiveRow>,
    pub matrix: Vec<PairRow>,
    pub silos: Vec<[String; 2]>,
    pub bridges: Bridges,
    pub unused_signals: Listing<SignalRow>,
    pub unused_insights: Listing<ItemRow>,
    pub open_frictions: OpenFrictions,
    pub red_thread: RedThread,
    pub retired_practices: Vec<Retired>,
    /// The hours per month the retired practices freed (the teams' estimates), summed.
    pub retired_hours_freed: f64,
    pub to_review: Vec<ToReview>,
    pub calendar: CalendarFigures,
    pub between_chairs: crate::chairs::BetweenChairs,
    pub decision_time: crate::chairs::DecisionTime,
}

/// A count and (up to the limit) the items behind it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Listing<T> {
    pub count: usize,
    pub items: Vec<T>,
}

impl<T> Listing<T> {
    /// The count of `all` and the first `limit` of them (all when 0), made into rows.
    fn mapped(all: Vec<usize>, limit: usize, row: impl Fn(usize) -> T) -> Self {
        let count = all.len();
        let take = if limit == 0 { count } else { limit };
        Listing { count, items: all.into_iter().take(take).map(row).collect() }
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PerspectiveRow {
    pub name: String,
    pub people: Vec<String>,
    /// Live items authored by its people.
    pub items: usize,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PairRow {
    pub a: String,
    pub b: String,
    pub links: usize,
    pub co_authored: usize,
    /// Frictions where both perspectives stated a position.
    pub positions: usize,
    /// Resolutions both agreed to.
    pub agreed: usize,
}

/// Where perspectives met in a friction: its positions (`(friction, perspective)`) and who agreed
/// to a resolution (`(resolution, agreed_by as written)`), by node index.
#[derive(Debug, Clone, Default)]
pub struct Stances {
    pub positions: Vec<(usize, String)>,
    pub agreed: Vec<(usize, String)>,
    /// When open frictions last changed, and the open consent rounds.
    pub progress: crate::chairs::Progress,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SignalRow {
    pub id: String,
    pub title: String,
    pub customer: Option<String>,
    pub source: Option<String>,
    pub date: String,
}

#[serde_with::skip_serializing_none]
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(optional_fields))]
pub struct ItemRow {
    pub id: String,
    pub kind: Kind,
    pub title: String,
    pub status: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OpenFrictions {
    pub count: usize,
    pub by_age: AgeBuckets,
    /// Oldest first.
    pub items: Vec<FrictionRow>,
}

#[derive(Debug, Clone, Serialize, Default, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AgeBuckets {
    pub under_7_days: usize,
    pub under_30_days: usize,
    pub under_90_days: usize,
    pub over_90_days: usize,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FrictionRow {
    pub id: String,
    pub title: String,
    pub status: String,
    pub severity: Option<String>,
    pub created: String,
    pub age_days: i64,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RedThread {
    /// Live items that are not goals.
    pub items: usize,
    /// Of them, those with a goal downstream.
    pub traced: usize,
    pub share: Option<f64>,
    pub by_kind: BTreeMap<Kind, KindShare>,
    pub not_traced: Listing<ItemRow>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct KindShare {
    pub items: usize,
    pub traced: usize,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Retired {
    pub practice: String,
    pub resolution: ItemRef,
    pub decided_on: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ToReview {
    pub resolution: ItemRef,
    pub decided_on: String,
    pub reasons: Vec<ReviewReason>,
}

fn round(x: f64, places: i32) -> f64 {
    let m = 10f64.powi(places);
    // `+ 0.0` turns the -0.0 of an empty float sum into 0.0.
    (x * m).round() / m + 0.0
}

fn share(part: f64, whole: f64) -> Option<f64> {
    (whole > 0.0).then(|| round(part / whole, 3))
}

/// Computes every figure of the lens.
/// `contributions` are `(node index, index into people)` pairs, in any order and repeated at will.
pub fn compute(g: &Graph, people: &[Person], contributions: &[(usize, usize)], stances: &Stances, opt: &LensOptions) -> Result<Lens> {
    if !(opt.workday_hours > 0.0 && opt.workday_hours <= 24.0) {
        return Err(Error::invalid(format!("workday hours must be between 0 and 24, not {}", opt.workday_hours)));
    }
    let n = g.len();
    let who = Perspectives::of(g, people);
    // Bridge items need only the links and the perspectives: found on a second thread meanwhile.
    let graph: &Graph = g;
    std::thread::scope(|scope| -> Result<Lens> {
        let bridge_items = scope.spawn(|| bridges::bridge_items(graph, &who.persp, &who.pnames, opt.limit));
        let g = graph;

        // Who contributed to each item: sorted by item, then person, once each.
        let mut contrib: Vec<(usize, usize)> = contributions.to_vec();
        if !contrib.is_sorted() {
            contrib.sort_unstable();
        }
        contrib.dedup();
        let Met { perspectives, matrix, silos, person_edges } = perspectives::meet(g, people, &who, &contrib, stances);

        // ---- bridges ------------------------------------------------------------------------
        let bridge_people = bridges::bridge_people(people, &who.person_persp, &who.pnames, &person_edges);

        // ---- the red thread and what is used ------------------------------------------------
        let goals: Vec<usize> = (0..n).filter(|&i| g.kind(i) == Kind::Goal).collect();
        let traced = figures::upstream_of(g, &goals);
        let used = figures::used(g);
        // What falls between chairs and the time to a decision need only this much: computed on
        // a thread of their own while the other figures are.
        let chairs = {
            let (persp, pnames, person_persp, contrib, used) = (&who.persp, &who.pnames, &who.person_persp, contrib.clone(), used.clone());
            scope.spawn(move || {
                let inputs = crate::chairs::Inputs {
                    g,
                    persp,
                    pnames,
                    contrib: &contrib,
                    person_persp,
                    decided: &used,
                    positions: &stances.positions,
                    progress: &stances.progress,
                    today: opt.today,
                    limit: opt.limit,
                    thresholds: opt.thresholds,
                };
                (crate::chairs::between_chairs(&inputs), crate::chairs::decision_time(&inputs))
            })
        };
        let unused_signals = figures::unused_signals(g, opt.limit);
        let unused_insights = figures::unused_insights(g, &used, opt.limit);
        let open_frictions = figures::open_frictions(g, opt.today, opt.limit);
        let red_thread = figures::red_thread(g, &traced, opt.limit);
        let retired = figures::retired(g);

        let calendar = calendar::calendar_figures(g, people, &who.person_persp, &who.pnames, &who.by_name, &goals, &traced, opt);
        let bridge_items = bridge_items.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
        let to_review = figures::to_review(g)?;
        let (between_chairs, decision_time) = chairs.join().unwrap_or_else(|e| std::panic::resume_unwind(e));

        Ok(Lens {
            as_of: opt.today.format("%Y-%m-%d").to_string(),
            items: n,
            perspectives,
            matrix,
            silos,
            bridges: Bridges { people: bridge_people, items: bridge_items },
            unused_signals,
            unused_insights,
            open_frictions,
            red_thread,
            retired_practices: retired,
            retired_hours_freed: stances.progress.hours_freed,
            to_review,
            calendar,
            between_chairs,
            decision_time,
        })
    })
}

/// Parses a `--from`/`--to` day.
pub fn parse_day(what: &str, s: &str) -> Result<NaiveDate> {
    model::parse_date(s).ok_or_else(|| Error::invalid(format!("{what}: '{s}' is not a date (use YYYY-MM-DD)")))
}
