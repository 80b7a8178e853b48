//! `trace`: the red thread from an item, upstream to its evidence and downstream to the goals.

use anyhow::Result;
use clap::Args;
use mellanrum::trace::{Trace, TraceNode};

use super::{as_of, open, out, out_json, Cli};

#[derive(Args)]
pub struct TraceArgs {
    /// The item: its id, a unique id prefix (4+ characters), or its title or an alias.
    #[arg(value_name = "REF")]
    reference: String,
    /// How many links deep to follow each way.
    #[arg(long, default_value_t = 10)]
    depth: usize,
    /// Count ages and recency to this day (default: today).
    #[arg(long, value_name = "DATE")]
    as_of: Option<String>,
}

pub fn run(cli: &Cli, a: &TraceArgs) -> Result<()> {
    let mut ws = open(cli)?;
    let today = as_of(a.as_of.as_deref())?;
    let id = ws.resolve_ref(&a.reference)?;
    let t = ws.trace(&id, a.depth, today)?;
    if cli.json {
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
