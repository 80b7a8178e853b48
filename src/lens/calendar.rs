//! The calendar figures: the hours of meetings, and how many of them lead to a goal.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use crate::model::{self, Kind, Person, Rel};
use crate::store::NodeField;
use crate::trace::{Graph, ItemRef};

use super::{round, share, LensOptions};

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GoalHours {
    pub goal: ItemRef,
    pub meetings: usize,
    pub hours: f64,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PersonHours {
    pub name: String,
    pub perspective: String,
    pub meetings: usize,
    pub hours: f64,
    pub traced_hours: f64,
    pub share: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PerspectiveHours {
    pub perspective: String,
    pub hours: f64,
    pub traced_hours: f64,
    pub share: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct NameHours {
    pub name: String,
    pub hours: f64,
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

#[allow(clippy::too_many_arguments)]
pub(super) fn calendar_figures(
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

    let per_goal = per_goal(g, goals, traced, &meetings, &hours);

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

/// The hours of the `meetings` (each `hours[m]`) that count for each goal: every goal downstream
/// of a traced meeting, most hours first.
fn per_goal(g: &Graph, goals: &[usize], traced: &[bool], meetings: &[usize], hours: &[f64]) -> Vec<GoalHours> {
    let n = g.len();
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
    per_goal
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_day_and_timed_hours() {
        assert_eq!(meeting_hours(Some("2026-03-02T08:00:00Z"), Some("2026-03-02T09:30:00Z"), false, 8.0), 1.5);
        assert_eq!(meeting_hours(Some("2026-03-10T00:00:00Z"), Some("2026-03-12T00:00:00Z"), true, 8.0), 16.0);
        assert_eq!(meeting_hours(Some("2026-03-10T00:00:00Z"), None, false, 8.0), 0.0);
    }
}
