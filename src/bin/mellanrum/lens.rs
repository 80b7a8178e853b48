//! `lens`: the integration lens — silos and bridges, unused signals and insights, open frictions,
//! what falls between chairs, and the share of work and meeting hours that traces to a goal.

use anyhow::Result;
use clap::Args;
use mellanrum::lens::{parse_day, Lens, LensOptions};

use super::{as_of, open, out, out_json, Cli};

#[derive(Args)]
pub struct LensArgs {
    /// Count ages to this day (default: today).
    #[arg(long, value_name = "DATE")]
    as_of: Option<String>,
    /// Only meetings from this day on count for the calendar figures.
    #[arg(long, value_name = "DATE")]
    from: Option<String>,
    /// Only meetings up to this day count.
    #[arg(long, value_name = "DATE")]
    to: Option<String>,
    /// The longest list of items per figure (0: all); counts are always whole.
    #[arg(long, default_value_t = 50)]
    limit: usize,
    /// Hours an all-day event counts per day.
    #[arg(long, default_value_t = 8.0)]
    workday_hours: f64,
    /// What falls between chairs: days a signal waits without a link (the workspace's setting;
    /// 14 until changed)…
    #[arg(long, value_name = "DAYS")]
    signal_days: Option<i64>,
    /// …an insight with evidence waits for a decision (30)…
    #[arg(long, value_name = "DAYS")]
    insight_days: Option<i64>,
    /// …an open friction waits without a change (30)…
    #[arg(long, value_name = "DAYS")]
    friction_days: Option<i64>,
    /// …a consent round waits for a perspective (7)…
    #[arg(long, value_name = "DAYS")]
    round_days: Option<i64>,
    /// …and an item handed to another perspective waits for its answer (14).
    #[arg(long, value_name = "DAYS")]
    handover_days: Option<i64>,
    /// Keep the days given here as the workspace's setting (the app's lens uses them too).
    #[arg(long)]
    keep_days: bool,
    /// Set the workspace's days back to the defaults first.
    #[arg(long)]
    default_days: bool,
}

pub fn run(cli: &Cli, a: &LensArgs) -> Result<()> {
    let mut ws = open(cli)?;
    if a.default_days {
        ws.set_chairs_thresholds(None)?;
    }
    let mut t = ws.chairs_thresholds()?;
    for (v, slot) in [
        (a.signal_days, &mut t.signal_days),
        (a.insight_days, &mut t.insight_days),
        (a.friction_days, &mut t.friction_days),
        (a.round_days, &mut t.round_days),
        (a.handover_days, &mut t.handover_days),
    ] {
        if let Some(v) = v {
            *slot = v;
        }
    }
    t.check()?;
    if a.keep_days {
        ws.set_chairs_thresholds(Some(t))?;
    }
    let mut opt = LensOptions::new(as_of(a.as_of.as_deref())?);
    opt.from = a.from.as_deref().map(|s| parse_day("--from", s)).transpose()?;
    opt.to = a.to.as_deref().map(|s| parse_day("--to", s)).transpose()?;
    opt.limit = a.limit;
    opt.workday_hours = a.workday_hours;
    opt.thresholds = t;
    let l = ws.lens(&opt)?;
    if cli.json {
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
