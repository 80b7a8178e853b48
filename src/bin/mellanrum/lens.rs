//! `trace`, `lens` and `similar`: the red thread and the integration lens on the command line.

use anyhow::Result;
use chrono::NaiveDate;
use mellanrum::lens::{parse_day, Lens, LensOptions};
use mellanrum::trace::{Trace, TraceNode};
use mellanrum::workspace::Workspace;

use super::{out, out_json};

/// Parses `--as-of`, defaulting to today.
pub fn as_of(s: Option<&str>) -> Result<NaiveDate> {
    match s {
        None => Ok(mellanrum::workspace::today()),
        Some(s) => mellanrum::model::parse_date(s).ok_or_else(|| anyhow::anyhow!("--as-of: '{s}' is not a date (use YYYY-MM-DD)")),
    }
}

pub fn trace(ws: &mut Workspace, reference: &str, depth: usize, as_of_day: Option<&str>, json: bool) -> Result<()> {
    let today = as_of(as_of_day)?;
    let id = ws.resolve_ref(reference)?;
    let t = ws.trace(&id, depth, today)?;
    if json {
        out_json(&t)
    } else {
        out(&render_trace(&t))
    }
}

fn render_trace(t: &Trace) -> String {
    let r = &t.root;
    let mut s = format!("{} '{}'  {}\n", r.kind, r.title, r.id);
    if let Some(e) = &r.evidence {
        s += &format!(
            "evidence: {} ({}) = signals {} + customers {} + sources {} + recency {} × {} contradiction factor\n  {} signal(s), {} customer(s), {} source(s), {} contradicting, newest {}\n",
            e.score,
            e.level,
            e.parts.signals,
            e.parts.customers,
            e.parts.sources,
            e.parts.recency,
            e.parts.contradiction_factor,
            e.signals,
            e.customers.len(),
            e.sources.len(),
            e.contradicting,
            e.newest.as_deref().unwrap_or("—")
        );
    }
    if let Some(rv) = &r.review {
        if rv.needed {
            s += &format!("REVIEW: newer signals challenge this decision (decided {}):\n", rv.decided_on);
            for x in &rv.reasons {
                let why = if x.why == "contradicts" { "contradicts" } else { "is linked to the friction" };
                s += &format!("  {} {} '{}' {why} '{}'\n", x.date, x.kind, x.title, x.about.title);
            }
        }
    }
    s += "\nUpstream (where it comes from):\n";
    if t.up.is_empty() {
        s += "  (nothing)\n";
    }
    tree(&t.up, "←", 1, &mut s);
    s += "\nDownstream (what it led to):\n";
    if t.down.is_empty() {
        s += "  (nothing)\n";
    }
    tree(&t.down, "→", 1, &mut s);
    let m = &t.summary;
    s += &format!(
        "\n{} signal(s) upstream from {} customer(s){}{}; {} goal(s) downstream{}\n",
        m.signals,
        m.customers.len(),
        if m.customers.is_empty() { String::new() } else { format!(" ({})", m.customers.join(", ")) },
        if m.sources.is_empty() { String::new() } else { format!(" via {}", m.sources.join(", ")) },
        m.goals.len(),
        if m.goals.is_empty() {
            String::new()
        } else {
            format!(": {}", m.goals.iter().map(|g| g.title.as_str()).collect::<Vec<_>>().join(", "))
        }
    );
    s
}

fn tree(nodes: &[TraceNode], arrow: &str, level: usize, s: &mut String) {
    for n in nodes {
        let mut extra = Vec::new();
        extra.extend(n.status.clone());
        extra.extend(n.customer.clone());
        extra.extend(n.source.clone());
        extra.extend(n.date.clone());
        let extra = if extra.is_empty() { String::new() } else { format!("  ({})", extra.join(" · ")) };
        let mark = if n.repeat {
            "  ↺ shown above"
        } else if n.more {
            "  …"
        } else {
            ""
        };
        *s += &format!("{}{arrow} {:<12} {} '{}'{extra}{mark}\n", "  ".repeat(level), n.rel.as_str(), n.kind, n.title);
        tree(&n.children, arrow, level + 1, s);
    }
}

/// `mellanrum lens`.
pub struct LensArgs<'a> {
    pub as_of: Option<&'a str>,
    pub from: Option<&'a str>,
    pub to: Option<&'a str>,
    pub limit: usize,
    pub workday_hours: f64,
    pub thresholds: mellanrum::chairs::Thresholds,
}

pub fn lens(ws: &mut Workspace, a: LensArgs, json: bool) -> Result<()> {
    let mut opt = LensOptions::new(as_of(a.as_of)?);
    opt.from = a.from.map(|s| parse_day("--from", s)).transpose()?;
    opt.to = a.to.map(|s| parse_day("--to", s)).transpose()?;
    opt.limit = a.limit;
    opt.workday_hours = a.workday_hours;
    opt.thresholds = a.thresholds;
    let l = ws.lens(&opt)?;
    if json {
        out_json(&l)
    } else {
        out(&render_lens(&l))
    }
}

fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "—".into(), |x| format!("{:.0}%", x * 100.0))
}

fn more(shown: usize, count: usize) -> String {
    if count > shown {
        format!("  … and {} more (--limit)\n", count - shown)
    } else {
        String::new()
    }
}

fn render_lens(l: &Lens) -> String {
    let mut s = format!("Integration lens — {} items, as of {}\n", l.items, l.as_of);
    s += "\nPerspectives\n";
    for p in &l.perspectives {
        s += &format!("  {:<20} {} item(s) · {}\n", p.name, p.items, p.people.join(", "));
    }
    s += "\nWho connects with whom (links, co-authored items, positions in one friction, resolutions agreed together)\n";
    for m in &l.matrix {
        let silo = if m.links + m.co_authored + m.positions + m.agreed == 0 { "  ← silo" } else { "" };
        s += &format!(
            "  {:<20} × {:<20} {:>5} links {:>5} co-authored {:>5} positions {:>5} agreed{silo}\n",
            m.a, m.b, m.links, m.co_authored, m.positions, m.agreed
        );
    }
    if l.silos.is_empty() {
        s += "  No silos: every pair of perspectives is connected.\n";
    }
    s += "\nBridges\n";
    for p in &l.bridges.people {
        let pairs: Vec<String> = p.connects.iter().map(|[a, b]| format!("{a} – {b}")).collect();
        s += &format!("  {} ({}) · betweenness {} · connects {}\n", p.name, p.perspective, p.betweenness, pairs.join(", "));
    }
    for i in &l.bridges.items.items {
        let parts: Vec<String> = i.parts.iter().map(|p| format!("[{}]", p.join(", "))).collect();
        s += &format!("  {} '{}' · holds together {} · {} pair(s) of items\n", i.kind, i.title, parts.join(" + "), i.pairs_separated);
    }
    s += &more(l.bridges.items.items.len(), l.bridges.items.count);
    s += &format!("\nSignals no insight uses: {}\n", l.unused_signals.count);
    for x in &l.unused_signals.items {
        s += &format!("  {}  {}{}\n", x.date, x.title, x.customer.as_ref().map(|c| format!(" ({c})")).unwrap_or_default());
    }
    s += &more(l.unused_signals.items.len(), l.unused_signals.count);
    s += &format!("\nInsights no resolution or goal uses: {}\n", l.unused_insights.count);
    for x in &l.unused_insights.items {
        s += &format!("  {}\n", x.title);
    }
    s += &more(l.unused_insights.items.len(), l.unused_insights.count);
    let b = &l.open_frictions.by_age;
    s += &format!(
        "\nOpen frictions: {} (under 7 days {}, under 30 {}, under 90 {}, older {})\n",
        l.open_frictions.count, b.under_7_days, b.under_30_days, b.under_90_days, b.over_90_days
    );
    for f in &l.open_frictions.items {
        s += &format!("  {:>4} days  {} [{}]\n", f.age_days, f.title, f.status);
    }
    s += &more(l.open_frictions.items.len(), l.open_frictions.count);
    let r = &l.red_thread;
    s += &format!("\nRed thread: {} of {} items trace to a goal ({})\n", r.traced, r.items, pct(r.share));
    for (k, v) in &r.by_kind {
        s += &format!("  {:<11} {}/{}\n", k.to_string(), v.traced, v.items);
    }
    if r.not_traced.count > 0 {
        s += "  Not traced to a goal:\n";
        for x in &r.not_traced.items {
            s += &format!("    {} '{}'\n", x.kind, x.title);
        }
        s += &more(r.not_traced.items.len(), r.not_traced.count);
    }
    if !l.retired_practices.is_empty() {
        s += &format!("\nPractices retired ({} hours per month freed)\n", l.retired_hours_freed);
        for p in &l.retired_practices {
            s += &format!("  {}  {} — by '{}'\n", p.decided_on, p.practice, p.resolution.title);
        }
    }
    if !l.to_review.is_empty() {
        s += "\nResolutions to review (newer signals challenge them)\n";
        for t in &l.to_review {
            let why: Vec<String> = t.reasons.iter().map(|x| format!("'{}' ({})", x.title, x.date)).collect();
            s += &format!("  '{}' decided {} — {}\n", t.resolution.title, t.decided_on, why.join(", "));
        }
    }
    let b = &l.between_chairs;
    let t = &b.thresholds;
    s += "\nBetween chairs\n";
    for (what, list) in [
        (format!("signals without a link after {} days", t.signal_days), &b.signals),
        (format!("insights with evidence and no decision after {} days", t.insight_days), &b.insights),
        (format!("frictions unchanged for {} days", t.friction_days), &b.frictions),
        (format!("consent rounds waiting {} days or more", t.round_days), &b.rounds),
    ] {
        s += &format!("  {} {what}\n", list.count);
        for w in &list.items {
            s += &format!("    {:>4} d  {} '{}'  {}\n", w.age_days, w.item.kind, w.item.title, w.perspectives.join(", "));
        }
        s += &more(list.items.len(), list.count);
    }
    s += &format!("  {} items handed to another perspective with no answer after {} days\n", b.handovers.count, t.handover_days);
    for h in &b.handovers.items {
        s += &format!(
            "    {:>4} d  {} '{}' ({}) → '{}' ({})\n",
            h.age_days, h.from.kind, h.from.title, h.from_perspective, h.to.title, h.to_perspective
        );
    }
    s += &more(b.handovers.items.len(), b.handovers.count);
    let d = &l.decision_time;
    let days = |m: Option<f64>| m.map_or_else(|| "—".to_string(), |m| format!("{m} days"));
    s += &format!("\nSignal to decision: {} resolution(s) trace to a signal, median {}\n", d.count, days(d.median_days));
    for (what, list) in [("perspective", &d.per_perspective), ("customer", &d.per_customer), ("month", &d.per_month)] {
        for m in list {
            s += &format!("  {what:<12} {:<24} median {} ({} resolution(s))\n", m.name, days(Some(m.median_days)), m.resolutions);
        }
    }
    let c = &l.calendar;
    s += &format!("\nCalendar: {} meeting(s), {} h, {} h trace to a goal ({})\n", c.meetings, c.hours, c.traced_hours, pct(c.share));
    for g in &c.per_goal {
        s += &format!("  {:>7} h  {}\n", g.hours, g.goal.title);
    }
    for p in &c.per_perspective {
        s += &format!("  {:<20} {} h, {} h to goals ({})\n", p.perspective, p.hours, p.traced_hours, pct(p.share));
    }
    for p in &c.per_person {
        s += &format!("    {:<18} {} h, {} h to goals ({})\n", p.name, p.hours, p.traced_hours, pct(p.share));
    }
    s
}

/// `mellanrum similar`.
pub fn similar(ws: &mut Workspace, reference: &str, limit: usize, json: bool) -> Result<()> {
    let id = ws.resolve_ref(reference)?;
    let r = ws.similar(&id, limit)?;
    if json {
        return out_json(&r);
    }
    let mut s = format!("Like '{}' ({}):\n", r.title, r.terms.join(", "));
    if r.items.is_empty() {
        s += "  nothing similar yet\n";
    }
    for x in &r.items {
        let status = x.status.as_ref().map(|st| format!(" [{st}]")).unwrap_or_default();
        s += &format!("  {:<10} {}{status}  ({:.2})\n", x.kind.as_str(), x.title, x.score);
        if !x.shared.is_empty() {
            s += &format!("      shares: {}\n", x.shared.join(", "));
        }
        for res in &x.resolutions {
            s += &format!(
                "      resolved by '{}'{}{}\n",
                res.title,
                res.decided_on.as_ref().map(|d| format!(" on {d}")).unwrap_or_default(),
                res.decision.as_ref().map(|d| format!(": {d}")).unwrap_or_default()
            );
        }
    }
    out(&s)
}
