//! `list`, `backlinks` and `unresolved`: items and links as lists.

use anyhow::Result;
use clap::Args;
use mellanrum::model::Kind;

use super::{open, out, out_json, Cli};

#[derive(Args)]
pub struct ListArgs {
    #[arg(long)]
    kind: Option<String>,
    #[arg(long)]
    tag: Option<String>,
    /// Include deleted items.
    #[arg(long)]
    deleted: bool,
}

pub fn list(cli: &Cli, a: &ListArgs) -> Result<()> {
    let kind = a.kind.as_deref().map(str::parse::<Kind>).transpose()?;
    let mut ws = open(cli)?;
    let items = ws.list(kind, a.tag.as_deref(), a.deleted)?;
    if cli.json {
        return out_json(&items);
    }
    let mut s = String::new();
    for i in items {
        let status = i.status.map(|s| format!(" [{s}]")).unwrap_or_default();
        s += &format!("{}  {:<10} {}{status}\n", &i.id[..13], i.kind, i.title);
    }
    out(&s)
}

pub fn backlinks(cli: &Cli, reference: &str) -> Result<()> {
    let mut ws = open(cli)?;
    let id = ws.resolve_ref(reference)?;
    let links = ws.backlinks(&id)?;
    if cli.json {
        out_json(&links)
    } else {
        out(&links.iter().map(|l| format!("{:<13} ← {}\n", l.rel, l.title)).collect::<String>())
    }
}

pub fn unresolved(cli: &Cli) -> Result<()> {
    let mut ws = open(cli)?;
    let u = ws.unresolved()?;
    if cli.json {
        return out_json(&u);
    }
    let mut s = String::new();
    for t in u {
        let srcs: Vec<String> = t
            .sources
            .iter()
            .map(|x| match &x.problem {
                Some(p) => format!("{} (line {}: {p})", x.title, x.line),
                None => format!("{} (line {})", x.title, x.line),
            })
            .collect();
        s += &format!("[[{}]]  ← {}\n", t.target, srcs.join(", "));
    }
    out(&s)
}
