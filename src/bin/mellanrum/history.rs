//! `history` and `activity`: who changed what, when — per item, and what others did since you looked.

use anyhow::Result;

use super::{open, out, out_json, Cli};

pub fn history(cli: &Cli, reference: &str) -> Result<()> {
    let mut ws = open(cli)?;
    let id = ws.resolve_ref(reference)?;
    let h = ws.history(&id)?;
    if cli.json {
        return out_json(&h);
    }
    let names: std::collections::HashMap<String, String> = ws.people()?.into_iter().map(|p| (p.id, p.name)).collect();
    let mut s = String::new();
    for r in h {
        s += &format!("#{:<3} {}  {:<8} {}\n", r.rev, r.at, r.op, r.author);
        if let Some(obj) = r.changes.as_object() {
            for (field, ch) in obj {
                let empty = matches!(&ch["new"], serde_json::Value::Null | serde_json::Value::Bool(false))
                    || ch["new"].as_array().is_some_and(|a| a.is_empty())
                    || ch["new"].as_str().is_some_and(str::is_empty);
                if r.op == "create" && (empty || field == "kind") {
                    continue;
                }
                match field.strip_prefix("round.answer.") {
                    // A consent round's answer: whose, and what, in words.
                    Some(pid) => {
                        let who = names.get(pid).map_or(pid, String::as_str);
                        s += &format!("      answer of {who}: {} → {}\n", answer_text(&ch["old"]), answer_text(&ch["new"]));
                    }
                    None => s += &format!("      {field}: {}\n", describe_change(field, ch)),
                }
            }
        }
    }
    out(&s)
}

pub fn activity(cli: &Cli, limit: usize, peek: bool) -> Result<()> {
    let mut ws = open(cli)?;
    let a = ws.activity(limit, !peek)?;
    if cli.json {
        return out_json(&a);
    }
    if a.unseen == 0 {
        return out("Nothing new from others since you last looked.");
    }
    let mut s = format!("{} change(s) by others since you last looked:\n", a.unseen);
    for c in &a.changes {
        let what = match c.op.as_str() {
            "create" => "created".to_string(),
            "delete" => "deleted".to_string(),
            "restore" => "restored".to_string(),
            _ if c.fields.is_empty() => "changed".to_string(),
            _ => format!("changed {} of", c.fields.join(", ")),
        };
        let who = if c.perspective.is_empty() { c.author.clone() } else { format!("{} ({})", c.author, c.perspective) };
        s += &format!("  {} {who} {what} {} '{}'\n", c.at, c.kind, c.title);
    }
    out(s.trim_end())
}

/// A consent round's answer as a revision stores it (the register's JSON text), in words.
fn answer_text(v: &serde_json::Value) -> String {
    let Some(a) = v.as_str().and_then(|s| serde_json::from_str::<mellanrum::model::Answer>(s).ok()) else { return "—".into() };
    let mut t = a.answer.clone();
    if let Some(r) = &a.reason {
        t += &format!(" ({r})");
    }
    if a.friction.is_some() {
        t += ", turned into a friction";
    }
    t
}

fn describe_change(field: &str, ch: &serde_json::Value) -> String {
    let show = |v: &serde_json::Value| match v {
        serde_json::Value::Null => "—".to_string(),
        serde_json::Value::String(s) => format!("{s:?}"),
        other => other.to_string(),
    };
    let (o, n) = (&ch["old"], &ch["new"]);
    if field == "body" {
        let (os, ns) = (o.as_str().unwrap_or(""), n.as_str().unwrap_or(""));
        let diff = similar::TextDiff::from_lines(os, ns);
        let (mut add, mut del) = (0, 0);
        for c in diff.iter_all_changes() {
            match c.tag() {
                similar::ChangeTag::Insert => add += 1,
                similar::ChangeTag::Delete => del += 1,
                similar::ChangeTag::Equal => {}
            }
        }
        return format!("+{add} −{del} lines");
    }
    let short = |s: String| if s.chars().count() > 60 { format!("{}…", s.chars().take(60).collect::<String>()) } else { s };
    format!("{} → {}", short(show(o)), short(show(n)))
}
