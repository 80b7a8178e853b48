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

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use chrono::NaiveDate;
use petgraph::graph::{NodeIndex, UnGraph};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::{self, Kind, Person, Rel};
use crate::store::NodeField;
use crate::trace::{self, day, Graph, ItemRef, ReviewReason};

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
pub struct PerspectiveRow {
    pub name: String,
    pub people: Vec<String>,
    /// Live items authored by its people.
    pub items: usize,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
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

/// What the lens reads beside the graph, read before the graph is there: who contributed to
/// what (revisions' authors) and the stances, their items as [`trace::IdRef`]s.
#[derive(Debug, Default)]
struct RawReading {
    ids: trace::IdRefs,
    /// `(item, author as a position in `authors`)`, once per revision.
    contributions: Vec<(trace::IdRef, u32)>,
    authors: Vec<String>,
    positions: Vec<(trace::IdRef, String)>,
    agreed: Vec<(trace::IdRef, String)>,
}

impl RawReading {
    fn read(tx: &crate::store::Tx) -> Result<RawReading> {
        let mut r = RawReading::default();
        let mut author_at: crate::store::FastMap<String, u32> = Default::default();
        let mut last: (String, Option<trace::IdRef>) = (String::new(), None);
        tx.each_contribution(|item, author| {
            // Revisions come grouped by item: its id is parsed once per group.
            let id = match last.1 {
                Some(id) if last.0 == item => id,
                _ => {
                    let id = r.ids.add(item);
                    last.0.clear();
                    last.0.push_str(item);
                    last.1 = Some(id);
                    id
                }
            };
            let a = match author_at.get(author) {
                Some(&a) => a,
                None => {
                    r.authors.push(author.to_string());
                    author_at.insert(author.to_string(), r.authors.len() as u32 - 1);
                    r.authors.len() as u32 - 1
                }
            };
            r.contributions.push((id, a));
        })?;
        let mut positions = Vec::new();
        let mut agreed = Vec::new();
        tx.each_stance(|id, p| positions.push((id.to_string(), p.to_string())), |id, a| agreed.push((id.to_string(), a.to_string())))?;
        r.positions = positions.into_iter().map(|(id, p)| (r.ids.add(&id), p)).collect();
        r.agreed = agreed.into_iter().map(|(id, a)| (r.ids.add(&id), a)).collect();
        Ok(r)
    }

    /// The contributions `(item position, person position)`, sorted and once each, and the
    /// stances of the live items of `g` (with `progress`, read beside the graph).
    fn resolve(self, g: &Graph, people: &[Person], progress: crate::chairs::Progress) -> (Vec<(usize, usize)>, Stances) {
        let person: crate::store::FastMap<&str, usize> = people.iter().enumerate().map(|(i, p)| (p.id.as_str(), i)).collect();
        let author_person: Vec<Option<usize>> = self.authors.iter().map(|a| person.get(a.as_str()).copied()).collect();
        let mut contributions = Vec::with_capacity(self.contributions.len());
        let mut last = None;
        for &(id, a) in &self.contributions {
            let i = g.pos_of_after(id, &self.ids, last);
            if i.is_some() {
                last = i;
            }
            if let (Some(i), Some(p)) = (i, author_person[a as usize]) {
                contributions.push((i, p));
            }
        }
        contributions.sort_unstable();
        contributions.dedup();
        let at = |rows: Vec<(trace::IdRef, String)>| -> Vec<(usize, String)> {
            rows.into_iter().filter_map(|(id, s)| g.pos_of(id, &self.ids).map(|i| (i, s))).collect()
        };
        let stances = Stances { positions: at(self.positions), agreed: at(self.agreed), progress };
        (contributions, stances)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Bridges {
    pub people: Vec<BridgePerson>,
    pub items: Listing<BridgeItem>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BridgePerson {
    pub name: String,
    pub perspective: String,
    pub betweenness: f64,
    /// Pairs of perspectives that are connected through this person and not without them.
    pub connects: Vec<[String; 2]>,
}

#[derive(Debug, Clone, Serialize)]
pub struct BridgeItem {
    pub id: String,
    pub kind: Kind,
    pub title: String,
    /// The perspectives of each part the graph falls into without this item.
    pub parts: Vec<Vec<String>>,
    pub pairs_separated: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct SignalRow {
    pub id: String,
    pub title: String,
    pub customer: Option<String>,
    pub source: Option<String>,
    pub date: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ItemRow {
    pub id: String,
    pub kind: Kind,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct OpenFrictions {
    pub count: usize,
    pub by_age: AgeBuckets,
    /// Oldest first.
    pub items: Vec<FrictionRow>,
}

#[derive(Debug, Clone, Serialize, Default, PartialEq, Eq)]
pub struct AgeBuckets {
    pub under_7_days: usize,
    pub under_30_days: usize,
    pub under_90_days: usize,
    pub over_90_days: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct FrictionRow {
    pub id: String,
    pub title: String,
    pub status: String,
    pub severity: Option<String>,
    pub created: String,
    pub age_days: i64,
}

#[derive(Debug, Clone, Serialize)]
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
pub struct KindShare {
    pub items: usize,
    pub traced: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Retired {
    pub practice: String,
    pub resolution: ItemRef,
    pub decided_on: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ToReview {
    pub resolution: ItemRef,
    pub decided_on: String,
    pub reasons: Vec<ReviewReason>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CalendarFigures {
    pub from: Option<String>,
    pub to: Option<String>,
    pub meetings: usize,
    pub hours: f64,
    /// Hours of meetings with a goal downstream.
    pub traced_hours: f64,
    pub share: Option<f64>,
    pub per_goal: Vec<GoalHours>,
    pub per_person: Vec<PersonHours>,
    pub per_perspective: Vec<PerspectiveHours>,
    /// Attendees who are not people of the workspace, with their hours.
    pub unmatched_attendees: Vec<NameHours>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GoalHours {
    pub goal: ItemRef,
    pub meetings: usize,
    pub hours: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct PersonHours {
    pub name: String,
    pub perspective: String,
    pub meetings: usize,
    pub hours: f64,
    pub traced_hours: f64,
    pub share: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PerspectiveHours {
    pub perspective: String,
    pub hours: f64,
    pub traced_hours: f64,
    pub share: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NameHours {
    pub name: String,
    pub hours: f64,
}

fn round(x: f64, places: i32) -> f64 {
    let m = 10f64.powi(places);
    // `+ 0.0` turns the -0.0 of an empty float sum into 0.0.
    (x * m).round() / m + 0.0
}

fn share(part: f64, whole: f64) -> Option<f64> {
    (whole > 0.0).then(|| round(part / whole, 3))
}

/// The hours a meeting counts: end − start, or `workday_hours` per day for an all-day event.
pub fn meeting_hours(start: Option<&str>, end: Option<&str>, all_day: bool, workday_hours: f64) -> f64 {
    let (Some(s), Some(e)) = (start.and_then(model::parse_datetime), end.and_then(model::parse_datetime)) else { return 0.0 };
    let secs = (e - s).num_seconds().max(0) as f64;
    if all_day {
        (secs / 86_400.0).ceil().max(1.0) * workday_hours
    } else {
        secs / 3600.0
    }
}

/// Computes every figure of the lens.
/// `contributions` are `(node index, index into people)` pairs, in any order and repeated at will.
pub fn compute(g: &Graph, people: &[Person], contributions: &[(usize, usize)], stances: &Stances, opt: &LensOptions) -> Result<Lens> {
    if !(opt.workday_hours > 0.0 && opt.workday_hours <= 24.0) {
        return Err(Error::invalid(format!("workday hours must be between 0 and 24, not {}", opt.workday_hours)));
    }
    let n = g.len();

    // ---- people and perspectives --------------------------------------------------------
    let mut pkeys: BTreeMap<String, String> = BTreeMap::new();
    for p in people {
        pkeys.entry(model::title_key(&p.perspective)).or_insert_with(|| p.perspective.trim().to_string());
    }
    let pnames: Vec<String> = pkeys.values().cloned().collect();
    let pindex: HashMap<String, usize> = pkeys.keys().enumerate().map(|(i, k)| (k.clone(), i)).collect();
    let person_index: HashMap<&str, usize> = people.iter().enumerate().map(|(i, p)| (p.id.as_str(), i)).collect();
    let person_persp: Vec<usize> = people.iter().map(|p| pindex[&model::title_key(&p.perspective)]).collect();
    let by_name: HashMap<String, usize> = people.iter().enumerate().map(|(i, p)| (p.name.to_lowercase(), i)).collect();
    // Each distinct creator once, then each item by its creator's position.
    let author_person: Vec<Option<usize>> = g.authors().iter().map(|a| person_index.get(a.as_str()).copied()).collect();
    let author: Vec<Option<usize>> = (0..n).map(|i| author_person[g.author_at(i)]).collect();
    let persp: Vec<Option<usize>> = author.iter().map(|a| a.map(|a| person_persp[a])).collect();
    // Bridge items need only the links and the perspectives: found on a second thread meanwhile.
    let np = pnames.len();
    let graph: &Graph = g;
    std::thread::scope(|scope| -> Result<Lens> {
        let bridge_items = scope.spawn(|| bridge_items(graph, &persp, &pnames, opt.limit));
        let g = graph;

        // Who contributed to each item: sorted by item, then person, once each.
        let mut contrib: Vec<(usize, usize)> = contributions.to_vec();
        if !contrib.is_sorted() {
            contrib.sort_unstable();
        }
        contrib.dedup();

        let mut links = vec![vec![0usize; np]; np];
        let mut co = vec![vec![0usize; np]; np];
        let mut person_edges: std::collections::HashSet<(usize, usize), std::hash::BuildHasherDefault<crate::store::FastHasher>> =
            Default::default();
        // Each item's perspective and author, side by side: one read per end of a link.
        const NO: u32 = u32::MAX;
        let pa: Vec<(u32, u32)> = (0..n).map(|i| (persp[i].map_or(NO, |p| p as u32), author[i].map_or(NO, |a| a as u32))).collect();
        for &(s, t, _) in &g.edges {
            let ((ps, a_s), (pt, a_t)) = (pa[s], pa[t]);
            if ps != NO && pt != NO && ps != pt {
                links[ps.min(pt) as usize][ps.max(pt) as usize] += 1;
            }
            if a_s != NO && a_t != NO && a_s != a_t {
                person_edges.insert((a_s.min(a_t) as usize, a_s.max(a_t) as usize));
            }
        }
        let mut ps: Vec<usize> = Vec::new();
        for c in contrib.chunk_by(|a, b| a.0 == b.0) {
            ps.clear();
            ps.extend(c.iter().map(|&(_, p)| person_persp[p]));
            ps.sort_unstable();
            ps.dedup();
            for (i, &a) in ps.iter().enumerate() {
                for &b in &ps[i + 1..] {
                    co[a][b] += 1;
                }
            }
            for (i, &(_, a)) in c.iter().enumerate() {
                for &(_, b) in &c[i + 1..] {
                    person_edges.insert((a, b));
                }
            }
        }
        // Positions in one friction, and agreement on one resolution: each set of perspectives
        // counts once per item for every pair in it.
        let count_pairs = |groups: &mut Vec<(usize, usize)>, m: &mut [Vec<usize>]| {
            groups.sort_unstable();
            groups.dedup();
            for c in groups.chunk_by(|a, b| a.0 == b.0) {
                for (i, &(_, a)) in c.iter().enumerate() {
                    for &(_, b) in &c[i + 1..] {
                        m[a.min(b)][a.max(b)] += 1;
                    }
                }
            }
        };
        let mut positions = vec![vec![0usize; np]; np];
        let mut held: Vec<(usize, usize)> =
            stances.positions.iter().filter_map(|(i, p)| pindex.get(&model::title_key(p)).map(|&p| (*i, p))).collect();
        count_pairs(&mut held, &mut positions);
        let mut agreed = vec![vec![0usize; np]; np];
        let mut agreeing: Vec<(usize, usize)> = Vec::new();
        for (i, names) in &stances.agreed {
            for name in names.split([',', ';']).map(str::trim).filter(|n| !n.is_empty()) {
                if let Some(&p) = by_name.get(&name.to_lowercase()) {
                    agreeing.push((*i, person_persp[p]));
                } else if let Some(&p) = pindex.get(&model::title_key(name)) {
                    agreeing.push((*i, p));
                }
            }
        }
        count_pairs(&mut agreeing, &mut agreed);
        let person_edges: BTreeSet<(usize, usize)> = person_edges.into_iter().collect();
        let mut items_per_persp = vec![0usize; np];
        for p in persp.iter().flatten() {
            items_per_persp[*p] += 1;
        }
        let perspectives = pnames
            .iter()
            .enumerate()
            .map(|(i, name)| PerspectiveRow {
                name: name.clone(),
                people: people.iter().enumerate().filter(|(pi, _)| person_persp[*pi] == i).map(|(_, p)| p.name.clone()).collect(),
                items: items_per_persp[i],
            })
            .collect();
        let mut matrix = Vec::new();
        let mut silos = Vec::new();
        for a in 0..np {
            for b in a + 1..np {
                matrix.push(PairRow {
                    a: pnames[a].clone(),
                    b: pnames[b].clone(),
                    links: links[a][b],
                    co_authored: co[a][b],
                    positions: positions[a][b],
                    agreed: agreed[a][b],
                });
                if links[a][b] + co[a][b] + positions[a][b] + agreed[a][b] == 0 {
                    silos.push([pnames[a].clone(), pnames[b].clone()]);
                }
            }
        }

        // ---- bridges ------------------------------------------------------------------------
        let bridge_people = bridge_people(people, &person_persp, &pnames, &person_edges);

        // ---- the red thread and what is used ------------------------------------------------
        let goals: Vec<usize> = (0..n).filter(|&i| g.kind(i) == Kind::Goal).collect();
        let traced = upstream_of(g, &goals);
        let decisions: Vec<usize> = (0..n).filter(|&i| matches!(g.kind(i), Kind::Resolution | Kind::Goal)).collect();
        let mut used = upstream_of(g, &decisions);
        for &(s, t, _) in &g.edges {
            if matches!(g.kind(s), Kind::Resolution | Kind::Goal) {
                used[t] = true;
            }
        }
        // What falls between chairs and the time to a decision need only this much: computed on
        // a thread of their own while the other figures are.
        let chairs = {
            let (persp, pnames, person_persp, contrib, used) = (&persp, &pnames, &person_persp, contrib.clone(), used.clone());
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
        let mut evidenced = vec![false; n];
        for &(s, t, rel) in &g.edges {
            match rel {
                Rel::Evidence if g.kind(s) == Kind::Insight => evidenced[t] = true,
                Rel::Supports if g.kind(t) == Kind::Insight => evidenced[s] = true,
                _ => {}
            }
        }
        let row = |i: usize| ItemRow {
            id: g.id(i).to_string(),
            kind: g.kind(i),
            title: g.title(i).to_string(),
            status: g.field(i, NodeField::Status).map(str::to_string),
        };

        let mut unused_sig: Vec<usize> = (0..n).filter(|&i| g.kind(i) == Kind::Signal && !evidenced[i]).collect();
        newest_first(g, &mut unused_sig, opt.limit, |i| g.observed(i));
        let unused_signals = Listing::mapped(unused_sig, opt.limit, |i| SignalRow {
            id: g.id(i).to_string(),
            title: g.title(i).to_string(),
            customer: g.field(i, NodeField::Customer).map(str::to_string),
            source: g.field(i, NodeField::Source).map(str::to_string),
            date: g.observed(i).into_owned(),
        });
        let mut unused_ins: Vec<usize> = (0..n).filter(|&i| g.kind(i) == Kind::Insight && !used[i]).collect();
        newest_first(g, &mut unused_ins, opt.limit, |i| g.created(i).into());
        let unused_insights = Listing::mapped(unused_ins, opt.limit, row);

        let mut open: Vec<usize> = (0..n)
            .filter(|&i| g.kind(i) == Kind::Friction && matches!(g.field(i, NodeField::Status), Some("open" | "exploring")))
            .collect();
        open.sort_by(|&a, &b| g.created(a).cmp(g.created(b)).then(g.id(a).cmp(g.id(b))));
        let mut by_age = AgeBuckets::default();
        let open_rows: Vec<FrictionRow> = open
            .iter()
            .map(|&i| {
                let age = NaiveDate::parse_from_str(&day(g.created(i)), "%Y-%m-%d").map_or(0, |d| (opt.today - d).num_days().max(0));
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
        let open_frictions = OpenFrictions {
            count: open_count,
            by_age,
            items: if opt.limit == 0 { open_rows } else { open_rows.into_iter().take(opt.limit).collect() },
        };

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
        newest_first(g, &mut not_traced, opt.limit, |i| g.created(i).into());
        let total: usize = by_kind.values().map(|k| k.items).sum();
        let traced_count: usize = by_kind.values().map(|k| k.traced).sum();
        let red_thread = RedThread {
            items: total,
            traced: traced_count,
            share: share(traced_count as f64, total as f64),
            by_kind,
            not_traced: Listing::mapped(not_traced, opt.limit, row),
        };

        let mut retired: Vec<Retired> = (0..n)
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

        let calendar = calendar_figures(g, people, &person_persp, &pnames, &by_name, &goals, &traced, opt);
        let bridge_items = bridge_items.join().unwrap_or_else(|e| std::panic::resume_unwind(e));

        let mut to_review = Vec::new();
        let resolutions: Vec<String> =
            (0..n).filter(|&i| g.kind(i) == Kind::Resolution && may_need_review(g, i)).map(|i| g.id(i).to_string()).collect();
        for id in resolutions {
            let r = trace::review(&mut &*g, &id)?;
            if r.needed {
                let resolution = g.pos(&id).map(|i| g.item_ref(i)).ok_or_else(|| Error::NotFound(id.clone()))?;
                to_review.push(ToReview { resolution, decided_on: r.decided_on, reasons: r.reasons });
            }
        }
        to_review.sort_by(|a, b| a.decided_on.cmp(&b.decided_on).then(a.resolution.title.cmp(&b.resolution.title)));

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
fn upstream_of(g: &Graph, targets: &[usize]) -> Vec<bool> {
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

#[allow(clippy::too_many_arguments)]
fn calendar_figures(
    g: &Graph,
    people: &[Person],
    person_persp: &[usize],
    pnames: &[String],
    by_name: &HashMap<String, usize>,
    goals: &[usize],
    traced: &[bool],
    opt: &LensOptions,
) -> CalendarFigures {
    let n = g.len();
    let in_window = |start: Option<&str>| {
        let Some(s) = start.and_then(model::parse_datetime) else { return opt.from.is_none() && opt.to.is_none() };
        let d = s.date_naive();
        opt.from.is_none_or(|f| d >= f) && opt.to.is_none_or(|t| d <= t)
    };
    let mut hours = vec![0.0f64; n];
    let meetings: Vec<usize> = (0..n)
        .filter(|&i| g.kind(i) == Kind::Meeting && in_window(g.field(i, NodeField::Start)))
        .inspect(|&i| {
            hours[i] = meeting_hours(g.field(i, NodeField::Start), g.field(i, NodeField::End), g.all_day(i), opt.workday_hours);
        })
        .collect();
    let total: f64 = meetings.iter().map(|&m| hours[m]).sum();
    let traced_total: f64 = meetings.iter().filter(|&&m| traced[m]).map(|&m| hours[m]).sum();

    // Each meeting's hours go to every goal downstream of it: one walk per traced meeting, with a
    // visit stamp reused between walks (downstream of a meeting is short in practice).
    let mut goal_sum: HashMap<usize, (usize, f64)> = goals.iter().map(|&gl| (gl, (0, 0.0))).collect();
    let mut stamp = vec![usize::MAX; n];
    let mut stack: Vec<usize> = Vec::new();
    for &m in meetings.iter().filter(|&&m| traced[m]) {
        stamp[m] = m;
        stack.push(m);
        while let Some(v) = stack.pop() {
            if let Some(e) = goal_sum.get_mut(&v) {
                e.0 += 1;
                e.1 += hours[m];
            }
            for d in g.step(v, false, &[Rel::Contradicts]) {
                if stamp[d] != m && traced[d] {
                    stamp[d] = m;
                    stack.push(d);
                }
            }
        }
    }
    let mut per_goal: Vec<GoalHours> = goals
        .iter()
        .map(|&gl| {
            let (meetings, h) = goal_sum[&gl];
            GoalHours { goal: g.item_ref(gl), meetings, hours: round(h, 2) }
        })
        .collect();
    per_goal.sort_by(|a, b| b.hours.total_cmp(&a.hours).then(model::title_key(&a.goal.title).cmp(&model::title_key(&b.goal.title))));

    let mut person = vec![(0usize, 0.0f64, 0.0f64); people.len()];
    let mut unmatched: BTreeMap<String, (String, f64)> = BTreeMap::new();
    for &m in &meetings {
        let names: BTreeSet<String> = g
            .field(m, NodeField::Attendees)
            .unwrap_or_default()
            .split([',', ';'])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        let mut matched = BTreeSet::new();
        for name in names {
            match by_name.get(&name.to_lowercase()) {
                Some(&p) => {
                    if matched.insert(p) {
                        person[p].0 += 1;
                        person[p].1 += hours[m];
                        if traced[m] {
                            person[p].2 += hours[m];
                        }
                    }
                }
                None => unmatched.entry(name.to_lowercase()).or_insert((name.clone(), 0.0)).1 += hours[m],
            }
        }
    }
    let mut per_person: Vec<PersonHours> = people
        .iter()
        .enumerate()
        .filter(|(i, _)| person[*i].0 > 0)
        .map(|(i, p)| PersonHours {
            name: p.name.clone(),
            perspective: pnames[person_persp[i]].clone(),
            meetings: person[i].0,
            hours: round(person[i].1, 2),
            traced_hours: round(person[i].2, 2),
            share: share(person[i].2, person[i].1),
        })
        .collect();
    per_person.sort_by(|a, b| b.hours.total_cmp(&a.hours).then(a.name.to_lowercase().cmp(&b.name.to_lowercase())));
    let mut persp_hours = vec![(0.0f64, 0.0f64); pnames.len()];
    for (i, _) in people.iter().enumerate() {
        persp_hours[person_persp[i]].0 += person[i].1;
        persp_hours[person_persp[i]].1 += person[i].2;
    }
    let per_perspective = pnames
        .iter()
        .enumerate()
        .filter(|(i, _)| persp_hours[*i].0 > 0.0)
        .map(|(i, name)| PerspectiveHours {
            perspective: name.clone(),
            hours: round(persp_hours[i].0, 2),
            traced_hours: round(persp_hours[i].1, 2),
            share: share(persp_hours[i].1, persp_hours[i].0),
        })
        .collect();
    CalendarFigures {
        from: opt.from.map(|d| d.format("%Y-%m-%d").to_string()),
        to: opt.to.map(|d| d.format("%Y-%m-%d").to_string()),
        meetings: meetings.len(),
        hours: round(total, 2),
        traced_hours: round(traced_total, 2),
        share: share(traced_total, total),
        per_goal,
        per_person,
        per_perspective,
        unmatched_attendees: unmatched.into_values().map(|(name, h)| NameHours { name, hours: round(h, 2) }).collect(),
    }
}

/// People who hold perspectives together, ranked by betweenness in the graph of people.
fn bridge_people(people: &[Person], person_persp: &[usize], pnames: &[String], edges: &BTreeSet<(usize, usize)>) -> Vec<BridgePerson> {
    let mut pg: UnGraph<usize, ()> = UnGraph::with_capacity(people.len(), edges.len());
    let idx: Vec<NodeIndex> = (0..people.len()).map(|i| pg.add_node(i)).collect();
    for &(a, b) in edges {
        pg.add_edge(idx[a], idx[b], ());
    }
    let bc = betweenness(&pg);
    let connected = |skip: Option<usize>| -> BTreeSet<(usize, usize)> {
        // Pairs of perspectives with a path between two of their people, `skip` left out.
        let comp = components(&pg, skip);
        let mut by_comp: HashMap<usize, BTreeSet<usize>> = HashMap::new();
        for (p, c) in comp.iter().enumerate() {
            if let Some(c) = c {
                by_comp.entry(*c).or_default().insert(person_persp[p]);
            }
        }
        let mut pairs = BTreeSet::new();
        for set in by_comp.values() {
            let v: Vec<usize> = set.iter().copied().collect();
            for (i, &a) in v.iter().enumerate() {
                for &b in &v[i + 1..] {
                    pairs.insert((a, b));
                }
            }
        }
        pairs
    };
    let comp = components(&pg, None);
    let mut out = Vec::new();
    for (i, p) in people.iter().enumerate() {
        if pg.neighbors(idx[i]).count() < 2 {
            continue;
        }
        // With this person, but counting only the others' perspectives.
        let mut with: BTreeSet<(usize, usize)> = BTreeSet::new();
        let mut by_comp: HashMap<usize, BTreeSet<usize>> = HashMap::new();
        for (q, c) in comp.iter().enumerate() {
            if let (Some(c), true) = (c, q != i) {
                by_comp.entry(*c).or_default().insert(person_persp[q]);
            }
        }
        for set in by_comp.values() {
            let v: Vec<usize> = set.iter().copied().collect();
            for (x, &a) in v.iter().enumerate() {
                for &b in &v[x + 1..] {
                    with.insert((a, b));
                }
            }
        }
        let without = connected(Some(i));
        let connects: Vec<[String; 2]> = with.difference(&without).map(|&(a, b)| [pnames[a].clone(), pnames[b].clone()]).collect();
        if !connects.is_empty() {
            out.push(BridgePerson {
                name: p.name.clone(),
                perspective: pnames[person_persp[i]].clone(),
                betweenness: round(bc[i], 2),
                connects,
            });
        }
    }
    out.sort_by(|a, b| b.betweenness.total_cmp(&a.betweenness).then(a.name.to_lowercase().cmp(&b.name.to_lowercase())));
    out
}

/// Connected components, as a component number per node (`None` for `skip`).
fn components(g: &UnGraph<usize, ()>, skip: Option<usize>) -> Vec<Option<usize>> {
    let mut comp = vec![None; g.node_count()];
    let mut next = 0;
    for start in 0..g.node_count() {
        if comp[start].is_some() || Some(start) == skip {
            continue;
        }
        comp[start] = Some(next);
        let mut stack = vec![start];
        while let Some(v) = stack.pop() {
            for w in g.neighbors(NodeIndex::new(v)) {
                let w = w.index();
                if comp[w].is_none() && Some(w) != skip {
                    comp[w] = Some(next);
                    stack.push(w);
                }
            }
        }
        next += 1;
    }
    comp
}

/// Betweenness centrality (Brandes, unweighted, undirected: each unordered pair counted once).
pub fn betweenness(g: &UnGraph<usize, ()>) -> Vec<f64> {
    let n = g.node_count();
    let mut cb = vec![0.0; n];
    for s in 0..n {
        let mut stack = Vec::new();
        let mut pred: Vec<Vec<usize>> = vec![Vec::new(); n];
        let mut sigma = vec![0.0f64; n];
        let mut dist = vec![-1i64; n];
        sigma[s] = 1.0;
        dist[s] = 0;
        let mut q = VecDeque::from([s]);
        while let Some(v) = q.pop_front() {
            stack.push(v);
            for w in g.neighbors(NodeIndex::new(v)) {
                let w = w.index();
                if dist[w] < 0 {
                    dist[w] = dist[v] + 1;
                    q.push_back(w);
                }
                if dist[w] == dist[v] + 1 {
                    sigma[w] += sigma[v];
                    pred[w].push(v);
                }
            }
        }
        let mut delta = vec![0.0f64; n];
        while let Some(w) = stack.pop() {
            for &v in &pred[w] {
                delta[v] += sigma[v] / sigma[w] * (1.0 + delta[w]);
            }
            if w != s {
                cb[w] += delta[w];
            }
        }
    }
    cb.iter().map(|x| x / 2.0).collect()
}

/// Cut vertices of the item graph whose parts carry different perspectives.
fn bridge_items(g: &Graph, persp: &[Option<usize>], pnames: &[String], limit: usize) -> Listing<BridgeItem> {
    let n = g.len();
    // Undirected adjacency without duplicates or loops, as one array (`nbr[off[v]..off[v + 1]]`).
    let mut pairs: Vec<(u32, u32)> = Vec::with_capacity(g.edges.len() * 2);
    for &(s, t, _) in &g.edges {
        if s != t {
            pairs.push((s as u32, t as u32));
            pairs.push((t as u32, s as u32));
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    let mut off = vec![0usize; n + 1];
    for &(s, _) in &pairs {
        off[s as usize + 1] += 1;
    }
    for v in 0..n {
        off[v + 1] += off[v];
    }
    let nbr: Vec<u32> = pairs.into_iter().map(|p| p.1).collect();
    let adj = |v: usize| &nbr[off[v]..off[v + 1]];
    const NONE: u32 = u32::MAX;
    let mut disc = vec![NONE; n];
    let mut low = vec![0u32; n];
    let mut size = vec![1u32; n];
    let mut parent = vec![NONE; n];
    let mut comp_start = vec![0u32; n];
    let mut comp_size: Vec<u32> = Vec::new();
    let mut comp_begin: Vec<u32> = Vec::new();
    let mut comp_of = vec![0u32; n];
    let mut order: Vec<u32> = Vec::with_capacity(n);
    // The perspectives in a set of items, as bits: `words` words per set.
    let words = pnames.len().div_ceil(64).max(1);
    let mut own = vec![0u64; n * words];
    for (v, p) in persp.iter().enumerate() {
        if let Some(p) = *p {
            own[v * words + p / 64] |= 1 << (p % 64);
        }
    }
    // Each DFS subtree's perspectives, gathered as the search finishes its nodes.
    let mut sub = own.clone();
    let mut time = 0u32;
    for root in 0..n {
        if disc[root] != NONE {
            continue;
        }
        let c = comp_size.len() as u32;
        let start = time;
        let mut stack: Vec<(u32, usize)> = vec![(root as u32, 0)];
        disc[root] = time;
        low[root] = time;
        comp_of[root] = c;
        order.push(root as u32);
        time += 1;
        while let Some(&mut (v, ref mut k)) = stack.last_mut() {
            let v = v as usize;
            if *k < adj(v).len() {
                let w = adj(v)[*k] as usize;
                *k += 1;
                if disc[w] == NONE {
                    parent[w] = v as u32;
                    disc[w] = time;
                    low[w] = time;
                    comp_of[w] = c;
                    order.push(w as u32);
                    time += 1;
                    stack.push((w as u32, 0));
                } else if w as u32 != parent[v] {
                    low[v] = low[v].min(disc[w]);
                }
            } else {
                stack.pop();
                let p = parent[v];
                if p != NONE {
                    let p = p as usize;
                    low[p] = low[p].min(low[v]);
                    size[p] += size[v];
                    for w in 0..words {
                        sub[p * words + w] |= sub[v * words + w];
                    }
                }
            }
        }
        comp_size.push(time - start);
        comp_begin.push(start);
        for &v in &order[start as usize..] {
            comp_start[v as usize] = start;
        }
    }
    // The perspectives of the items discovered before time `t` in its component (`pre`), and at
    // or after `t` (`suf`): the rest of a component around a subtree is a prefix and a suffix.
    let mut pre = vec![0u64; (n + 1) * words];
    let mut suf = vec![0u64; (n + 1) * words];
    for (c, &len) in comp_size.iter().enumerate() {
        let start = comp_begin[c] as usize;
        let end = start + len as usize;
        for t in start..end {
            let v = order[t] as usize;
            for w in 0..words {
                pre[(t + 1) * words + w] = if t == start { 0 } else { pre[t * words + w] } | own[v * words + w];
            }
        }
        for t in (start..end).rev() {
            let v = order[t] as usize;
            for w in 0..words {
                suf[t * words + w] = if t + 1 == end { 0 } else { suf[(t + 1) * words + w] } | own[v * words + w];
            }
        }
    }
    // Each bridge item: (pairs separated, item, where its parts start in `parts`, how many).
    let mut out: Vec<(u64, usize, usize, usize)> = Vec::new();
    // Every bridge item's parts, as (size, perspectives).
    let mut part_sizes: Vec<u64> = Vec::new();
    let mut part_masks: Vec<u64> = Vec::new();
    let mut rest_mask = vec![0u64; words];
    for v in 0..n {
        let is_root = parent[v] == NONE;
        let first = part_sizes.len();
        let (dv, cs, csize) = (disc[v] as usize, comp_start[v] as usize, comp_size[comp_of[v] as usize] as usize);
        // Without `v`, its component falls into the subtrees of its separated children and the
        // rest: what comes before and after its subtree, with the subtrees of its other children.
        for w in 0..words {
            let after = dv + size[v] as usize;
            rest_mask[w] =
                (if dv == cs { 0 } else { pre[dv * words + w] }) | (if after == cs + csize { 0 } else { suf[after * words + w] });
        }
        for &c in adj(v) {
            let c = c as usize;
            if parent[c] != v as u32 {
                continue;
            }
            if is_root || low[c] >= disc[v] {
                part_sizes.push(size[c] as u64);
                part_masks.extend_from_slice(&sub[c * words..(c + 1) * words]);
            } else {
                for w in 0..words {
                    rest_mask[w] |= sub[c * words + w];
                }
            }
        }
        let separated = part_sizes.len() - first;
        if separated == 0 || (is_root && separated < 2) {
            part_sizes.truncate(first);
            part_masks.truncate(first * words);
            continue;
        }
        let rest = csize as u64 - 1 - part_sizes[first..].iter().sum::<u64>();
        if rest > 0 {
            part_sizes.push(rest);
            part_masks.extend_from_slice(&rest_mask);
        }
        let masks = &part_masks[first * words..];
        let all_alike = masks.chunks_exact(words).all(|m| m == &masks[..words]);
        if all_alike {
            part_sizes.truncate(first);
            part_masks.truncate(first * words);
            continue;
        }
        let sizes = &part_sizes[first..];
        let total: u64 = sizes.iter().sum();
        let pairs: u64 = sizes.iter().map(|&p| p * (total - p)).sum::<u64>() / 2;
        out.push((pairs, v, first, sizes.len()));
    }
    let count = out.len();
    let shown = if limit == 0 { count } else { limit.min(count) };
    // Most pairs first, then by title: only the items that can be among those shown are ordered by title.
    out.sort_unstable_by_key(|&(pairs, v, _, _)| (std::cmp::Reverse(pairs), v));
    let ranked = match shown.checked_sub(1).map(|i| out[i].0) {
        Some(least) => out.partition_point(|o| o.0 >= least),
        None => 0,
    };
    out[..ranked].sort_by_cached_key(|&(pairs, v, _, _)| (std::cmp::Reverse(pairs), model::title_key(g.title(v)), v));
    // Only the items shown get their names.
    let items = out
        .into_iter()
        .take(shown)
        .map(|(pairs, v, first, len)| {
            let mut named: Vec<Vec<String>> = (first..first + len)
                .map(|k| {
                    let m = &part_masks[k * words..(k + 1) * words];
                    (0..pnames.len()).filter(|&p| m[p / 64] & (1 << (p % 64)) != 0).map(|p| pnames[p].clone()).collect()
                })
                .collect();
            named.sort();
            BridgeItem { id: g.id(v).to_string(), kind: g.kind(v), title: g.title(v).to_string(), parts: named, pairs_separated: pairs }
        })
        .collect();
    Listing { count, items }
}

/// Parses a `--from`/`--to` day.
pub fn parse_day(what: &str, s: &str) -> Result<NaiveDate> {
    model::parse_date(s).ok_or_else(|| Error::invalid(format!("{what}: '{s}' is not a date (use YYYY-MM-DD)")))
}

/// What the lens reads from the store: the graph, the people, who contributed to what and the
/// stances taken in frictions.
pub struct Loaded {
    /// The store's [`crate::store::Store::generation`] when this was read.
    generation: (u64, i64),
    graph: Graph,
    people: Vec<Person>,
    contributions: Vec<(usize, usize)>,
    stances: Stances,
}

impl crate::workspace::Workspace {
    /// Computes the integration lens from the store. What it reads is kept in the open workspace
    /// and read again only when the store has changed since (a save here, or a commit by any other
    /// process), so repeated views of an unchanged workspace compute without reading.
    pub fn lens(&mut self, opt: &LensOptions) -> Result<Lens> {
        let generation = self.store.generation()?;
        if self.lens.as_ref().is_some_and(|l| l.generation != generation) {
            self.lens = None; // freed before reading anew, not alongside
        }
        if let Some(l) = self.lens.take() {
            let lens = compute(&l.graph, &l.people, &l.contributions, &l.stances, opt);
            self.lens = Some(l);
            return lens;
        }
        // Items and their fields here; links, who contributed what and the stances on a second
        // connection meanwhile (the two halves take about as long).
        let ((mut graph, people, progress), (links, raw)) = self.store.read_beside(
            |tx| {
                let g = Graph::load_items(tx)?;
                let progress = crate::chairs::Progress::load(tx, &g)?;
                Ok((g, tx.people()?, progress))
            },
            |tx| Ok((trace::RawLinks::read(tx)?, RawReading::read(tx)?)),
        )?;
        graph.add_links(&links);
        drop(links);
        let (contributions, stances) = raw.resolve(&graph, &people, progress);
        let lens = compute(&graph, &people, &contributions, &stances, opt)?;
        self.lens = Some(Box::new(Loaded { generation, graph, people, contributions, stances }));
        Ok(lens)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn betweenness_of_a_path_and_a_star() {
        // a - b - c: b lies on the one path between a and c.
        let mut g: UnGraph<usize, ()> = UnGraph::new_undirected();
        let (a, b, c) = (g.add_node(0), g.add_node(1), g.add_node(2));
        g.add_edge(a, b, ());
        g.add_edge(b, c, ());
        assert_eq!(betweenness(&g), [0.0, 1.0, 0.0]);
        // A square: each node is on half of the two shortest paths between its neighbours.
        let d = g.add_node(3);
        g.add_edge(c, d, ());
        g.add_edge(d, a, ());
        assert_eq!(betweenness(&g), [0.5, 0.5, 0.5, 0.5]);
    }

    #[test]
    fn all_day_and_timed_hours() {
        assert_eq!(meeting_hours(Some("2026-03-02T08:00:00Z"), Some("2026-03-02T09:30:00Z"), false, 8.0), 1.5);
        assert_eq!(meeting_hours(Some("2026-03-10T00:00:00Z"), Some("2026-03-12T00:00:00Z"), true, 8.0), 16.0);
        assert_eq!(meeting_hours(Some("2026-03-10T00:00:00Z"), None, false, 8.0), 0.0);
    }
}
