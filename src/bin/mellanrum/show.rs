//! `show`: an item with its fields, links and backlinks.

use std::io::IsTerminal;

use anyhow::Result;
use mellanrum::workspace::{ItemView, LinkView};

use super::{open, out, out_json, Cli};

pub fn run(cli: &Cli, reference: &str) -> Result<()> {
    let mut ws = open(cli)?;
    let id = ws.resolve_ref(reference)?;
    let view = ws.show(&id)?;
    if cli.json {
        out_json(&view)
    } else {
        out(&render_item(&view))
    }
}

fn render_item(v: &ItemView) -> String {
    let bold = std::io::stdout().is_terminal();
    let b = |s: &str| if bold { format!("\x1b[1m{s}\x1b[0m") } else { s.to_string() };
    let mut s = format!("{}\n{} · {}{}\n", b(&v.title), v.kind, v.id, if v.deleted { " · DELETED" } else { "" });
    for (k, val) in &v.fields {
        if k == "positions" {
            if let Some(obj) = val.as_object() {
                if !obj.is_empty() {
                    s += "positions:\n";
                    for (p, pos) in obj {
                        s += &format!("  {p}: {}\n", pos.as_str().unwrap_or_default());
                    }
                }
            }
        } else if let Some(x) = val.as_str() {
            s += &format!("{k}: {x}\n");
        }
    }
    if !v.tags.is_empty() {
        s += &format!("tags: {}\n", v.tags.join(", "));
    }
    if !v.aliases.is_empty() {
        s += &format!("aliases: {}\n", v.aliases.join(", "));
    }
    let contributors: Vec<String> = v.contributors.iter().map(|p| format!("{} ({})", p.name, p.perspective)).collect();
    s += &format!("author: {} · contributors: {}\n", v.author, contributors.join(", "));
    s += &format!("created {} · updated {}\n", v.created, v.updated);
    if !v.body.is_empty() {
        s += &format!("\n{}\n", v.body.trim_end());
    }
    let line = |l: &LinkView, arrow: &str| {
        let kind = l.kind.map(|k| format!(" [{k}]")).unwrap_or_else(|| " (unresolved)".into());
        let problem = l.problem.as_ref().map(|p| format!(" — {p}")).unwrap_or_default();
        format!("  {:<13} {arrow} {}{kind}{problem}\n", l.rel.as_str(), l.title)
    };
    if !v.links.is_empty() {
        s += &format!("\n{}\n", b("Links"));
        for l in &v.links {
            s += &line(l, "→");
        }
    }
    if !v.backlinks.is_empty() {
        s += &format!("\n{}\n", b("Backlinks"));
        for l in &v.backlinks {
            s += &line(l, "←");
        }
    }
    s
}
